"""Chinese labels of the access list's enum values (kinds, statuses, history
steps, check verdicts and their grounds). Light: the CLI imports it at start."""

LABELS = {
    # kinds
    "duty": "依法履职",
    "assist": "依法协助",
    "negative": "负面清单",
    # statuses
    "pending": "待审核",
    "admitted": "已准入",
    "rejected": "已驳回",
    "revoked": "已退出",
    "expired": "已到期",
    # history steps
    "apply": "申请准入",
    "add": "直接列入",
    "approve": "批准准入",
    "reject": "驳回",
    "revoke": "退出清单",
    # check verdicts and their grounds
    "refused": "拒绝承接",
    "not-listed": "未列入清单",
    "negative-list": "负面清单",
    "rejected-before": "曾被驳回",
    "not-yet-in-force": "尚未生效",
    "no-longer-negative": "已移出负面清单",
    "other-department": "属其他部门",
    "no-match": "无匹配事项",
}
