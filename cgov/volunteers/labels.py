"""Chinese labels of the volunteers feature's enum values. Pure data: the
CLI imports it at start-up.

Some words mean other things elsewhere ("open" is an open meeting in the
meetings feature, "person" a handler in cases): our columns carry these
labels themselves, so the shared table's last writer never decides ours."""

ENTRY_KINDS = {"earn": "服务积分", "redeem": "积分兑换", "adjust": "更正"}
NEED_KINDS = {"need": "需求", "micro-wish": "微心愿"}
NEED_STATUS = {"open": "待认领", "claimed": "已认领", "fulfilled": "已实现", "withdrawn": "已撤回"}
RESOURCE_STATUS = {"available": "可用", "withdrawn": "已撤回"}
PROJECT_STATUS = {"planned": "计划中", "running": "实施中", "done": "已完成"}
PARTY_TYPES = {"organization": "单位", "person": "个人"}
CATEGORIES = {
    "elderly": "为老服务", "children": "关爱儿童", "health": "医疗健康", "education": "教育助学",
    "culture": "文体活动", "environment": "环境美化", "safety": "平安建设", "legal": "法律服务",
    "finance": "金融服务", "employment": "就业帮扶", "repair": "维修服务", "daily-life": "生活帮扶",
    "other": "其他",
}
MATCH_REASONS = {"same-community": "同一社区", "wider-area": "覆盖本社区", "registered": "已双报到"}
RULE_SETTINGS = {"points_per_hour": "每小时积分", "step_minutes": "计时单位（分钟）", "max_hours": "单次活动上限（小时）",
                 "stars": "星级门槛（小时）", "default": "默认"}

LABELS: dict[str, str] = {}
for _group in (ENTRY_KINDS, NEED_KINDS, NEED_STATUS, RESOURCE_STATUS, PROJECT_STATUS, PARTY_TYPES, CATEGORIES,
               MATCH_REASONS, RULE_SETTINGS):
    LABELS.update(_group)
