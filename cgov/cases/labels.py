"""Chinese labels of the case enums. Pure data: the CLI imports it at start-up."""

STATUS = {
    "new": "待受理", "accepted": "已受理", "rejected": "不予受理", "dispatched": "已派单",
    "replied": "已反馈", "closed": "已结案", "rated": "已评价", "cancelled": "已作废",
}
SOURCE = {
    "patrol": "巡查", "visit": "走访", "hotline": "12345热线", "qr-code": "扫码", "wechat": "微信",
    "walk-in": "来访", "meeting": "会议", "other": "其他",
}
REQUEST_TYPE = {
    "consultation": "咨询", "help": "求助", "complaint": "投诉", "report": "举报", "suggestion": "建议",
}
PRIORITY = {"normal": "一般", "urgent": "紧急"}
SATISFACTION = {"satisfied": "满意", "basic": "基本满意", "dissatisfied": "不满意"}
EVENT = {
    "add": "吹哨（上报）", "accept": "应哨（受理）", "reject": "不予受理", "dispatch": "派单",
    "reply": "办理反馈", "close": "核查结案", "rate": "评价", "reopen": "返工", "extend": "延期",
    "escalate": "督办", "cancel": "作废", "link": "重复件结案",
}
HANDLER_TYPE = {"organization": "组织", "person": "个人"}
GROUPING = {"community": "社区", "grid": "网格", "category": "类别", "handler": "承办方"}

LABELS: dict[str, str] = {}
for _group in (STATUS, SOURCE, REQUEST_TYPE, PRIORITY, SATISFACTION, EVENT, HANDLER_TYPE):
    LABELS.update(_group)
