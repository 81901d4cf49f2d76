"""The grid check's rules in English and Chinese. Pure data."""

GRID_RULES = {
    "grid-households": ("Grid size outside the range", "网格户数超出范围"),
    "building-no-grid": ("Building in no grid", "楼栋未划入网格"),
    "building-claimed-twice": ("Building in two grids", "楼栋重复划入网格"),
    "grid-no-branch": ("Grid without a party branch", "网格未建党支部"),
    "grid-no-leader": ("Grid without a grid leader", "网格无网格长"),
    "grid-no-worker": ("Grid without a grid worker", "网格无网格员"),
    "branch-too-small": ("Branch with fewer than 3 full members", "党支部正式党员不足3人"),
    "oc-no-work-group": ("Owners' committee without a party work group", "业委会未建党的工作小组"),
    "oc-no-party-member": ("Owners' committee without a party member", "业委会无党员"),
}
