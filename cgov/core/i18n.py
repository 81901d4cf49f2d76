"""Chinese labels for every enum value cgov stores, and the language choice."""

from __future__ import annotations

import os

AREA_CLASSES = {
    "district": "区", "street": "街道", "town": "镇", "community": "社区",
    "village": "村", "grid": "网格", "building": "楼栋",
}
ORG_CLASSES = {
    "party-working-committee": "党工委", "party-committee": "党委",
    "party-general-branch": "党总支", "party-branch": "党支部",
    "party-group": "党小组", "party-work-group": "党的工作小组",
    "residents-committee": "居委会", "villagers-committee": "村委会",
    "supervisory-committee": "居务监督委员会", "owners-committee": "业委会",
    "property-company": "物业", "department": "职能部门",
    "co-building-unit": "共建单位", "social-organization": "社会组织",
    "volunteer-team": "志愿服务队",
}
ROLES = {
    "secretary": "书记", "deputy-secretary": "副书记", "director": "主任",
    "deputy-director": "副主任", "member": "成员", "grid-leader": "网格长",
    "grid-worker": "网格员", "building-leader": "楼栋长", "red-butler": "红色管家",
    "manager": "经理", "volunteer": "志愿者", "representative": "代表",
    "contact": "联络员", "community-police": "社区民警", "lawyer": "社区律师",
    "mediator": "人民调解员", "social-worker": "社工",
}
PARTY_STATUS = {"full": "正式党员", "probationary": "预备党员", "activist": "入党积极分子"}
GENDER = {"male": "男", "female": "女"}
OTHER = {
    "true": "是", "false": "否", "full-time": "专职", "part-time": "兼职",
    "created": "新建", "updated": "更新", "unchanged": "未变",
}

# The org chart's words, unique across these groups. Each feature keeps its
# own table and passes it where its words are shown: one flat table for all
# features let the access list's "add" (直接列入) overwrite a case's (吹哨).
LABELS: dict[str, str] = {}
for _group in (AREA_CLASSES, ORG_CLASSES, ROLES, PARTY_STATUS, GENDER, OTHER):
    LABELS.update(_group)


def resolve_lang(option: str | None) -> str:
    if option:
        return option
    env = os.environ.get("CGOV_LANG")
    if env in ("en", "zh"):
        return env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def label(value, lang: str, labels: dict | None = None):
    """A stored word in the reader's language: from the feature's own table
    (`labels`) first, then the org chart's."""
    if lang != "zh" or not isinstance(value, str):
        return value
    if labels and value in labels:
        return labels[value]
    return LABELS.get(value, value)


def t(en: str, zh: str, lang: str) -> str:
    return zh if lang == "zh" else en
