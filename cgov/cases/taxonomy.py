"""The shipped case taxonomy and how a category names its default handler.

Two levels, code `MMNN`: a class has two digits (`01`), its subclasses four
(`0101`). Classes 01–05 are the event classes of GB/T 30428.2 (市容环境,
宣传广告, 施工管理, 街面秩序, 突发事件); 10 and up are the community classes the
seed articles name. A subclass without hours or handler takes its class's.

A handler is a routing rule, resolved for each case by `service.route`:
alternatives separated by `|`, tried in order; each is an organization
classification, optionally with `:TEXT` that the organization's name must
contain. The first alternative that finds an organization wins, searching from
the case's place upwards — building, grid, community or village, then the
town or street and beyond — so that
  `property-company`              is the property company of the case's community,
  `department:派出所`             is the police station of the case's town or street,
  `residents-committee|villagers-committee`  is the community's own committee,
whichever town the case is in. Rules as data: a YAML `case_categories` record
may give any category another rule."""

from __future__ import annotations

DEFAULT_RESPOND_HOURS = 24
DEFAULT_RESOLVE_HOURS = 168
# An urgent case answers within these even when its category allows longer.
URGENT_RESPOND_HOURS = 2
URGENT_RESOLVE_HOURS = 48

_COMMITTEE = "residents-committee|villagers-committee"
_ESTATE = "property-company|villagers-committee"

# code, name, name_en, respond_hours, resolve_hours, handler (None: the class's)
DEFAULTS: tuple = (
    ("01", "市容环境", "City appearance and environment", 24, 168, "department:绿化"),
    ("0101", "私搭乱建", "Unauthorised structures", None, None, "department:城管"),
    ("0102", "暴露垃圾", "Exposed rubbish", None, 72, None),
    ("0103", "积存垃圾渣土", "Piled-up rubbish and spoil", None, 72, None),
    ("0104", "道路不洁", "Dirty roads", None, 72, None),
    ("0105", "水域不洁", "Dirty waterways", None, None, "department:生态"),
    ("0106", "绿地脏乱", "Untidy green space", None, None, None),
    ("0107", "废弃家具设备", "Abandoned furniture and appliances", None, None, None),
    ("0108", "废弃车辆", "Abandoned vehicles", None, None, "department:城管"),
    ("0109", "露天焚烧", "Open burning", 4, 24, "department:生态"),
    ("02", "宣传广告", "Advertising", 24, 168, "department:城管"),
    ("0201", "非法小广告", "Illegal flyers and stickers", None, None, None),
    ("0202", "违规广告牌匾", "Unauthorised signboards", None, None, None),
    ("0203", "占道广告牌", "Advertising boards on the road", None, None, None),
    ("0204", "街头散发广告", "Handing out flyers in the street", None, None, None),
    ("03", "施工管理", "Construction", 24, 168, "department:城管"),
    ("0301", "施工扰民", "Construction disturbing residents", 12, 72, None),
    ("0302", "工地扬尘", "Dust from building sites", 12, 72, "department:生态"),
    ("0303", "道路遗撒", "Spillage on roads", 12, 72, None),
    ("0304", "施工废弃料", "Construction waste", None, None, None),
    ("0305", "施工占道", "Construction occupying the road", None, None, None),
    ("0306", "无证掘路", "Unlicensed road digging", None, None, None),
    ("04", "街面秩序", "Street order", 24, 168, "department:城管"),
    ("0401", "无照经营游商", "Unlicensed hawkers", None, None, None),
    ("0402", "流浪乞讨", "Vagrancy and begging", 12, 72, "department:民政"),
    ("0403", "占道废品收购", "Scrap collection on the road", None, None, None),
    ("0404", "店外经营", "Trading outside the shop", None, None, None),
    ("0405", "机动车乱停放", "Illegally parked cars", 12, 72, "department:派出所"),
    ("0406", "非机动车乱停放", "Bicycles and e-bikes parked anywhere", None, None, None),
    ("0407", "露天烧烤", "Open-air barbecue stalls", 12, 72, None),
    ("05", "突发事件", "Emergencies", 2, 24, "department:城管"),
    ("0501", "路面塌陷", "Road collapse", 1, 24, None),
    ("0502", "自来水管破裂", "Burst water pipe", 1, 24, _ESTATE),
    ("0503", "燃气泄漏", "Gas leak", 1, 8, "department:消防"),
    ("0504", "下水道堵塞", "Blocked sewer", 2, 24, _ESTATE),
    ("0505", "道路积水", "Flooded road", 2, 24, None),
    ("0506", "火灾隐患", "Fire hazard", 1, 24, "department:消防"),
    ("10", "楼道与环境", "Stairwells and surroundings", 24, 168, _ESTATE),
    ("1001", "楼道堆物", "Clutter in stairwells", None, 72, "property-company"),
    ("1002", "随意晾晒", "Laundry hung in shared spaces", None, 72, "property-company"),
    ("1003", "毁绿种菜", "Vegetable plots on green space", None, None, "property-company|department:城管"),
    ("1004", "垃圾分类", "Garbage sorting", None, 72, None),
    ("1005", "文明养宠", "Pets", None, None, _COMMITTEE),
    ("1006", "高空抛物", "Objects thrown from height", 4, 72, "department:派出所"),
    ("11", "房屋与设施", "Housing and facilities", 24, 168, _ESTATE),
    ("1101", "违章建筑", "Illegal construction", None, 336, "department:城管"),
    ("1102", "群租", "Group renting", None, 336, "department:房屋"),
    ("1103", "屋顶漏水", "Leaking roof", None, None, "department:房屋"),
    ("1104", "路面坑洼", "Potholes", None, None, None),
    ("1105", "电梯故障", "Lift breakdown", 2, 48, "property-company"),
    ("1106", "公共设施损坏", "Damaged shared facilities", None, None, None),
    ("12", "治安与安全", "Public order and safety", 12, 72, "department:派出所"),
    ("1201", "噪音扰民", "Noise", None, None, None),
    ("1202", "烧烤摊扰民", "Barbecue stalls disturbing residents", None, None, "department:城管"),
    ("1203", "消防通道堵塞", "Blocked fire lanes", 4, 24, "department:消防"),
    ("1204", "电动车违规充电", "Unsafe e-bike charging", 4, 24, "department:消防"),
    ("13", "物业服务", "Property services", 24, 168, "department:房屋"),
    ("1301", "物业服务质量", "Quality of property services", None, None, None),
    ("1302", "停车管理", "Parking in the estate", None, None, "property-company"),
    ("14", "矛盾纠纷", "Disputes", 24, 168, _COMMITTEE),
    ("1401", "邻里纠纷", "Neighbour disputes", None, None, None),
    ("1402", "家庭矛盾", "Family conflicts", None, None, "department:司法所"),
    ("1403", "物业纠纷", "Disputes with the property company", None, None, "department:房屋"),
    ("15", "咨询求助", "Consultation and help", 24, 168, "department:民政"),
    ("1501", "政策咨询", "Questions about policies", None, 72, _COMMITTEE),
    ("1502", "困难帮扶", "Help for households in hardship", None, None, None),
    ("1503", "养老服务", "Care for the elderly", None, None, None),
    ("1504", "医疗卫生", "Health", None, None, "department:卫生"),
    ("16", "市场与食品", "Markets and food safety", 24, 168, "department:市场监管"),
    ("1601", "食品安全", "Food safety", 12, 72, None),
    ("1602", "价格与消费纠纷", "Prices and consumer disputes", None, None, None),
    ("99", "其他", "Other", 24, 168, _COMMITTEE),
)


def parent_code(code: str) -> str | None:
    return code[:2] if len(code) == 4 else None


def code_problem(code: str, parent: str | None = None) -> str | None:
    """Why a category code is not a valid MMNN code (with its parent), or None."""
    if not code.isdigit() or len(code) not in (2, 4):
        return f"code '{code}' must be 2 digits (a class) or 4 digits (a subclass: class + 2 digits)"
    if code.endswith("00") and len(code) == 4:
        return f"code '{code}': subclass numbers start at 01"
    if parent is not None and parent != parent_code(code):
        expected = parent_code(code)
        return (f"parent '{parent}' does not match code '{code}'"
                + (f" (its class is '{expected}')" if expected else " (a 2-digit code is a class, it has no parent)"))
    return None


def handler_problem(spec: str, org_classes) -> str | None:
    """Why a handler rule cannot work, or None."""
    for alt in spec.split("|"):
        cls, _, text = alt.strip().partition(":")
        if cls not in org_classes:
            return (f"handler '{spec}': '{cls}' is not an organization classification "
                    f"(one of: {', '.join(org_classes)})")
        if ":" in alt and not text.strip():
            return f"handler '{spec}': nothing after ':' in '{alt}'"
    return None


def alternatives(spec: str) -> list[tuple[str, str | None]]:
    """[(classification, name fragment or None)] in the order they are tried."""
    out = []
    for alt in spec.split("|"):
        cls, _, text = alt.strip().partition(":")
        out.append((cls.strip(), text.strip() or None))
    return out


def describe_zh(spec: str) -> str:
    """A handler rule in Chinese: 职能部门（绿化）或物业."""
    from cgov.core.i18n import ORG_CLASSES

    return "或".join(ORG_CLASSES.get(cls, cls) + (f"（{text}）" if text else "") for cls, text in alternatives(spec))


def describe(spec: str) -> str:
    parts = []
    for cls, text in alternatives(spec):
        parts.append(f"a {cls}" + (f" whose name contains '{text}'" if text else ""))
    return " or ".join(parts)


def merged(stored: list[dict]) -> dict[str, dict]:
    """The effective taxonomy: shipped categories, replaced or extended by the
    stored ones, with hours and handler inherited from the class."""
    cats: dict[str, dict] = {}
    for code, name, name_en, respond, resolve, handler in DEFAULTS:
        cats[code] = {"code": code, "name": name, "name_en": name_en, "parent": parent_code(code),
                      "respond_hours": respond, "resolve_hours": resolve, "handler": handler,
                      "origin": "shipped"}
    for row in stored:
        cats[row["code"]] = {"code": row["code"], "name": row["name"], "name_en": row.get("name_en"),
                             "parent": parent_code(row["code"]), "respond_hours": row.get("respond_hours"),
                             "resolve_hours": row.get("resolve_hours"), "handler": row.get("handler"),
                             "origin": "replaced" if row["code"] in cats else "added"}
    for c in cats.values():
        cls = cats.get(c["parent"]) if c["parent"] else None
        c["respond_hours_effective"] = c["respond_hours"] or (cls and cls["respond_hours"]) or DEFAULT_RESPOND_HOURS
        c["resolve_hours_effective"] = c["resolve_hours"] or (cls and cls["resolve_hours"]) or DEFAULT_RESOLVE_HOURS
        c["handler_effective"] = c["handler"] or (cls and cls["handler"]) or None
    return dict(sorted(cats.items()))
