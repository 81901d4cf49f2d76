"""Chinese labels of the meeting feature's enum values (kept light: the CLI
imports this at start-up)."""

from cgov.meetings.rules import DEFAULT_TYPES

METHODS = {"show-of-hands": "举手表决", "secret-ballot": "无记名投票", "roll-call": "记名表决"}
METHODS_EN = {"show-of-hands": "show of hands", "secret-ballot": "secret ballot", "roll-call": "roll call"}
RESULTS = {"passed": "通过", "failed": "未通过", "void": "无效（未达法定人数）", "not-voted": "未表决"}
CHOICES = {"yes": "赞成", "no": "反对", "abstain": "弃权"}
ATTENDANCE = {"present": "出席", "absent": "缺席", "entitled": "应到", "participant": "参会",
              "guest": "列席"}
STAGES = {"propose": "提议", "discuss": "商议", "review": "审议", "resolve": "决议",
          "publish-resolution": "决议公开", "publish-result": "实施结果公开"}
STAGES_EN = {"propose": "proposed", "discuss": "discussed", "review": "reviewed", "resolve": "resolved",
             "publish-resolution": "resolution made public", "publish-result": "result made public"}
ENTITLED = {"members": "召集组织全体成员", "given": "会议确认人数", "open": "不限（到会者）", "roster": "按名册"}
OWNER_KINDS = {"organization": "组织", "person": "个人"}
DUE = {"overdue": "逾期", "on-time": "按期"}
INTEGRITY = {"verified": "校验一致"}

LABELS: dict[str, str] = {code: mt.name for code, mt in DEFAULT_TYPES.items()}
for _group in (METHODS, RESULTS, CHOICES, ATTENDANCE, STAGES, ENTITLED, OWNER_KINDS, DUE, INTEGRITY):
    LABELS.update(_group)
