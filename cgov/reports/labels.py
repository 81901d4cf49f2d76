"""Words of the reports in English and Chinese. Pure data: the CLI imports
it at start-up."""

# `cgov report status` subjects.
SUBJECTS = {
    "open-cases": ("Open cases", "未结案件"), "overdue-cases": ("Overdue cases", "超期案件"),
    "due-today": ("Due today", "今日到期"), "escalated": ("Escalated open cases", "督办中的案件"),
    "meetings-due": ("Regular meetings owed by Sunday (overdue included)", "截至本周日应开的例会（含逾期）"),
    "pending-applications": ("Pending access applications", "待审准入申请"),
    "grid-findings": ("Grid-check findings", "网格检查问题"),
}
OTHER = {"overdue": ("overdue", "逾期")}
