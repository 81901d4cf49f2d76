"""Every meeting and matter command through the real CLI: what it prints,
and each error as one line on stderr with exit code 1 and nothing written."""

import json
import subprocess
import sys

import pytest

MINUTES_ZH = """# 裕鸿佳苑第四社区第三网格党支部2026年第四季度党员大会

- **会议类型**：党员大会
- **召集单位**：裕鸿佳苑第四社区第三网格党支部
- **时间**：2026-11-12 19:00
- **地点**：第三网格睦邻点
- **主持人**：茅秀
- **记录人**：张秀美
- **应到（有表决权）**：5人
- **实到（有表决权）**：3人（60.0%）：朱浩平、张秀美、茅秀
- **法定人数**：已达到——应到5人，实到3人，须至少3人（不少于半数）
- **缺席**：朱倩美（外出探亲）、徐慧（单位值班）
- **到会（无表决权）**：陆娟静（预备党员）
- **列席人员**：李浩宏

## 会议议程

1. 审议第三网格增设电动自行车集中充电棚方案
2. 支部党员活动室开放时间调整

## 讨论记录

茅秀书记传达了两委会议商议意见。与会党员认为方案可行，建议增加智能断电和烟感报警装置。
关于活动室开放时间，有党员提出延长至每晚9点需增加值班人员，意见不一。

## 表决事项

### 1. 同意两委会议提出的充电棚方案（增设智能断电和烟感报警），提交居民代表会议决议

- **对应议程**：1. 审议第三网格增设电动自行车集中充电棚方案
- **表决**：记名表决；赞成3票，反对0票，弃权0票
- **记名表决情况**：赞成：朱浩平、张秀美、茅秀
- **表决结果**：**通过**（赞成3票，应到5人：须超过2票）

### 2. 同意将支部党员活动室开放时间延长至每晚9点

- **对应议程**：2. 支部党员活动室开放时间调整
- **表决**：举手表决；赞成2票，反对1票，弃权0票
- **表决结果**：**未通过**（赞成2票，应到5人：须超过2票）

## 落实事项

无。

## 公开情况

- 已于2026-11-13 09:00在第三网格党建公示栏公开。
- 公开文本（会议记录至落实事项，北京时间）SHA-256：`50e142b7b5afa57bc27589909040e9cd0235225dcc0fa911a03a56a0c06e4f11`（校验一致）
"""

MINUTES_EN = """# 裕鸿佳苑第四社区第三网格党支部2026年第四季度党员大会

- **Meeting**: Party members' meeting (党员大会)
- **Convened by**: 裕鸿佳苑第四社区第三网格党支部
- **Time**: 2026-11-12 19:00
- **Place**: 第三网格睦邻点
- **Chair**: 茅秀
- **Recorder**: 张秀美
- **Entitled to vote**: 5
- **Present with a vote**: 3 (60.0%): 朱浩平, 张秀美, 茅秀
- **Quorum**: met — 3 of 5 present: needs at least 3 (≥ 1/2)
- **Absent**: 朱倩美 (外出探亲), 徐慧 (单位值班)
- **Present without a vote**: 陆娟静 (probationary member)
- **Guests (列席, no vote)**: 李浩宏

## Agenda

1. 审议第三网格增设电动自行车集中充电棚方案
2. 支部党员活动室开放时间调整

## Discussion

茅秀书记传达了两委会议商议意见。与会党员认为方案可行，建议增加智能断电和烟感报警装置。
关于活动室开放时间，有党员提出延长至每晚9点需增加值班人员，意见不一。

## Motions and votes

### 1. 同意两委会议提出的充电棚方案（增设智能断电和烟感报警），提交居民代表会议决议

- **Agenda item**: 1. 审议第三网格增设电动自行车集中充电棚方案
- **Vote**: roll call — 3 yes, 0 no, 0 abstain
- **Roll call**: Yes: 朱浩平, 张秀美, 茅秀
- **Result**: **passed** — 3 yes of 5 entitled: needs more than 2

### 2. 同意将支部党员活动室开放时间延长至每晚9点

- **Agenda item**: 2. 支部党员活动室开放时间调整
- **Vote**: show of hands — 2 yes, 1 no, 0 abstain
- **Result**: **failed** — 2 yes of 5 entitled: needs more than 2

## Action items

None.

## Disclosure

- Made public at 第三网格党建公示栏 on 2026-11-13 09:00.
- SHA-256 of the minutes as published (Chinese, China Standard Time, up to the action items): `50e142b7b5afa57bc27589909040e9cd0235225dcc0fa911a03a56a0c06e4f11` (verified)
"""


def ok(r):
    assert r.exit_code == 0, r.output
    return r.stdout


def refused(r, *fragments):
    assert r.exit_code == 1, r.output
    lines = r.stderr.strip().splitlines()
    assert lines[0].startswith("error: ") and "Traceback" not in r.output
    for f in fragments:
        assert f in r.stderr
    return r.stderr


def new_party_meeting(cli, *extra):
    return ok(cli("meeting", "add", "--type", "party-members-meeting", "--title", "党员大会",
                  "--org", "cj-yh4-g03-pb", "--at", "2026-11-26 19:00", *extra)).strip()


# ---- the example month ------------------------------------------------------------


def test_minutes_of_the_example_party_meeting_render_exactly(month_cli):
    assert ok(month_cli("meeting", "show", "M2026-0004", "-f", "md", "--lang", "zh")) == MINUTES_ZH
    assert ok(month_cli("meeting", "show", "M2026-0004", "-f", "md", "--lang", "en")) == MINUTES_EN


def test_list_shows_the_month(month_cli):
    rows = json.loads(ok(month_cli("meeting", "list", "-f", "json")))
    assert [r["id"] for r in rows] == [f"M2026-000{i}" for i in range(1, 8)]
    reps = rows[6]
    assert (reps["entitled"], reps["present"], reps["quorum_met"], reps["passed"]) == (21, 17, True, 2)
    zh = ok(month_cli("meeting", "list", "--type", "party-members-meeting", "--lang", "zh"))
    assert "党员大会" in zh and "应到" in zh and "M2026-0002" not in zh
    assert [r["id"] for r in json.loads(ok(month_cli("meeting", "list", "--from", "2026-11-15", "--to",
                                                      "2026-11-19", "-f", "json")))] == ["M2026-0005", "M2026-0006"]


def test_show_plain_and_json(month_cli):
    out = ok(month_cli("meeting", "show", "M2026-0007"))
    assert "Entitled to vote     21" in out and "Attendance (21)" in out.replace("Attendance (22)", "Attendance (21)")
    assert "Discussion" in out
    d = json.loads(ok(month_cli("meeting", "show", "M2026-0007", "-f", "json")))
    assert d["integrity"] == "verified" and d["addenda"][0]["at"].startswith("2026-11-23T10:00:00+08:00")
    assert d["motions"][0]["method"] == "secret-ballot" and d["motions"][0]["result"] == "passed"


def test_unknown_meeting(month_cli):
    refused(month_cli("meeting", "show", "M1999-0001"), "no meeting 'M1999-0001'")


def test_due_lists_overdue_regular_meetings(month_cli):
    out = ok(month_cli("meeting", "due", "--area", "cj-yh4", "--at", "2026-12-20"))
    assert "cj-yh4-g03-pb" in out and "monthly on the 15th" in out and "2026-12-15" in out
    zh = ok(month_cli("meeting", "due", "--org", "cj-yh4-g03-pb", "--at", "2026-12-20", "--lang", "zh"))
    assert "网格夜谈会" in zh and "每月15日" in zh
    rows = json.loads(ok(month_cli("meeting", "due", "--org", "cj-yh4-g03-pb", "--at", "2026-12-01", "--all",
                                   "-f", "json")))
    assert {(r["type"], r["status"]) for r in rows} == {("party-members-meeting", "on-time"),
                                                         ("grid-night-talk", "on-time")}


def test_types(month_cli):
    out = ok(month_cli("meeting", "types", "--lang", "zh", "-f", "plain"))
    assert "居民代表会议" in out and "不少于应到人数的三分之二" in out and "赞成票超过实到人数的半数" in out
    assert "正式党员" in out and "赞成票超过应到人数的半数" in out and "每季度" in out and "党支部" in out
    assert "职务：主任、副主任、成员、代表" in out and "赞成多于反对" in out
    for english in ("> 1/2", ">= 2/3", "yes > no", "roles:", "full-members", "quarterly", "party-branch"):
        assert english not in out, english
    data = json.loads(ok(month_cli("meeting", "types", "-f", "json")))
    assert {t["code"]: t["quorum"] for t in data}["residents-representatives-meeting"] == ">= 2/3 entitled"


# ---- recording a meeting ------------------------------------------------------------


def test_a_meeting_from_add_to_addendum(town_cli, tmp_path):
    mid = new_party_meeting(town_cli, "--place", "睦邻点", "--chair", "p-0069", "--recorder", "张秀美")
    assert mid == "M2026-0001"
    assert ok(town_cli("meeting", "attend", mid, "--all-present", "--absent", "p-0079", "--reason", "值班",
                       "--guest", "p-0044", "--guest-name", "镇党建办 钱科长")).strip() == \
        "M2026-0001: 4 present with a vote, 5 entitled (80.0%); quorum met"
    assert ok(town_cli("meeting", "item", mid, "审议方案")).strip() == "1"
    motion = ok(town_cli("meeting", "motion", mid, "同意方案", "--item", "1")).strip()
    assert motion == "M2026-0001-1"
    assert ok(town_cli("meeting", "vote", motion, "--yes", "2", "--no", "1", "--abstain", "1")).strip() == \
        "failed: 2 yes of 5 entitled: needs more than 2"
    assert ok(town_cli("meeting", "vote", motion, "--yes", "3", "--no", "1", "--replace", "--lang", "zh")).strip() \
        == "通过：赞成3票，应到5人：须超过2票"
    assert ok(town_cli("meeting", "action", mid, "报居民代表会议", "--owner", "cj-yh4-rc", "--due", "2026-12-05",
                       "--motion", motion)).strip() == "1"
    notes = tmp_path / "minutes.md"
    notes.write_text("讨论了方案。\n大家同意。\n", encoding="utf-8")
    ok(town_cli("meeting", "minutes", mid, "--file", str(notes)))
    digest = ok(town_cli("meeting", "publish", mid, "--where", "第三网格党建公示栏", "--at", "2026-11-27 09:00")).strip()
    assert len(digest) == 64
    assert ok(town_cli("meeting", "addendum", mid, "补充：徐慧同志因公值班。", "--at", "2026-11-28 09:00")).strip() == "1"
    md = ok(town_cli("meeting", "show", mid, "-f", "md", "--lang", "zh"))
    assert "**缺席**：徐慧（值班）" in md and "**列席人员**：李浩宏、镇党建办 钱科长" in md
    assert f"`{digest}`（校验一致）" in md and "## 补充说明" in md and "补充：徐慧同志因公值班。" in md
    log = json.loads(ok(town_cli("audit", "log", "-f", "json")))
    actions = [e["action"] for e in log]
    for a in ("meeting.add", "meeting.attend", "meeting.item", "meeting.motion", "meeting.vote",
              "meeting.action", "meeting.minutes", "meeting.publish", "meeting.addendum"):
        assert a in actions


def test_add_prints_only_the_id_or_the_whole_meeting_as_json(town_cli):
    d = json.loads(ok(town_cli("meeting", "add", "--type", "joint-meeting", "--title", "联席会", "--org",
                               "cj-yh4-party", "--with", "cj-yh4-rc", "--with", "cj-yh4-oc", "--with", "cj-yh4-pm",
                               "--at", "2026-11-05 14:30", "-f", "json")))
    assert d["id"] == "M2026-0001" and d["entitled"] == 5 and len(d["with"]) == 3


def test_add_errors(town_cli):
    refused(town_cli("meeting", "add", "--type", "residents-meeting", "--title", "居民会议", "--org", "cj-yh4-rc"),
            "--entitled")
    refused(town_cli("meeting", "add", "--type", "nope", "--title", "x", "--org", "cj-yh4-rc"),
            "no meeting type 'nope'")
    refused(town_cli("meeting", "add", "--type", "council", "--title", "x", "--org", "cj-yh4-rc", "--at", "soon"),
            "not a date or time")
    assert json.loads(ok(town_cli("meeting", "list", "-f", "json"))) == []


def test_counted_meeting_through_the_cli(town_cli):
    mid = ok(town_cli("meeting", "add", "--type", "residents-meeting", "--title", "居民会议", "--org", "cj-yh4-rc",
                      "--entitled", "1850", "--at", "2026-11-22 09:00")).strip()
    assert ok(town_cli("meeting", "attend", mid, "--present-count", "960", "--lang", "zh")).strip() == \
        f"{mid}：应到1850人，实到960人（51.9%）；达到法定人数"
    refused(town_cli("meeting", "attend", mid, "--present", "p-0042"), "--present-count")


def test_vote_errors_leave_the_motion_unvoted(town_cli):
    mid = new_party_meeting(town_cli)
    ok(town_cli("meeting", "attend", mid, "--present", "p-0042,p-0054，p-0069", "--present", "p-0080"))
    motion = ok(town_cli("meeting", "motion", mid, "同意")).strip()
    refused(town_cli("meeting", "vote", motion, "--yes", "3", "--no", "1"),
            "exceeds those present and entitled to vote (3)")
    refused(town_cli("meeting", "vote", motion, "--yes", "three"), "not a whole number")
    refused(town_cli("meeting", "vote", motion, "--method", "roll-call", "--yes", "p-0042,p-0080"),
            "预备党员没有表决权")
    refused(town_cli("meeting", "vote", motion, "--method", "show of hands", "--yes", "1"), "--method")
    refused(town_cli("meeting", "vote", "M2026-0001-9", "--yes", "1"), "no motion 'M2026-0001-9'")
    d = json.loads(ok(town_cli("meeting", "show", mid, "-f", "json")))
    assert d["motions"][0]["result"] == "not-voted"


def test_attend_errors_write_nothing(town_cli):
    mid = new_party_meeting(town_cli)
    refused(town_cli("meeting", "attend", mid, "--present", "p-0042", "--present", "p-0044"),
            "李浩宏 (p-0044) is not entitled to attend", "hint: mark them as a guest")
    refused(town_cli("meeting", "attend", mid, "--present", "p-0042", "--present", "p-9999"), "no person 'p-9999'")
    assert json.loads(ok(town_cli("meeting", "show", mid, "-f", "json")))["present"] == 0


def test_action_as_case_prints_the_case(town_cli):
    mid = ok(town_cli("meeting", "add", "--type", "joint-meeting", "--title", "联席会", "--org", "cj-yh4-party",
                      "--with", "cj-yh4-pm", "--at", "2026-11-05 14:30")).strip()
    case = ok(town_cli("meeting", "action", mid, "清理3号楼楼道堆物", "--owner", "cj-yh4-pm", "--due", "2026-11-30",
                       "--as-case", "--at", "2026-11-05 16:00")).strip()
    c = json.loads(ok(town_cli("case", "show", case, "-f", "json")))
    assert c["source"] == "meeting" and c["title"] == "清理3号楼楼道堆物"
    d = json.loads(ok(town_cli("meeting", "show", mid, "-f", "json")))
    assert d["actions"][0]["case"] == case
    refused(town_cli("meeting", "action", mid, "x", "--owner", "nobody", "--due", "2026-11-30"),
            "neither an organization nor a person")
    refused(town_cli("meeting", "action", mid, "x", "--owner", "cj-yh4-pm", "--due", "30/11"), "not a valid date")


def test_minutes_need_a_file_or_a_terminal(town_cli):
    mid = new_party_meeting(town_cli)
    refused(town_cli("meeting", "minutes", mid), "no --file given", "hint: cgov meeting minutes MEETING --file")
    ok(town_cli("meeting", "minutes", mid, "--file", "-", input="从标准输入读入的记录。\n"))
    assert json.loads(ok(town_cli("meeting", "show", mid, "-f", "json")))["minutes"] == "从标准输入读入的记录。"
    refused(town_cli("meeting", "minutes", mid, "--file", "/nonexistent/minutes.md"), "cannot read")
    refused(town_cli("meeting", "minutes", mid, "--file", "-", input="  \n"), "the minutes are empty")


def test_minutes_open_the_editor_on_a_terminal(town_cli, tmp_path, monkeypatch):
    from cgov.meetings import cli as meeting_cli

    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nprintf '在编辑器中写的记录。\\n' > \"$1\"\n")
    editor.chmod(0o755)
    monkeypatch.setattr(meeting_cli, "_can_edit", lambda: True)
    mid = new_party_meeting(town_cli)
    ok(town_cli("meeting", "minutes", mid, env={"EDITOR": str(editor), "VISUAL": str(editor)}))
    assert json.loads(ok(town_cli("meeting", "show", mid, "-f", "json")))["minutes"] == "在编辑器中写的记录。"


def test_publish_refuses_pii_naming_the_lines_then_locks(town_cli, tmp_path):
    mid = new_party_meeting(town_cli)
    notes = tmp_path / "m.md"
    notes.write_text("第一行。\n请联系13900001234。\n", encoding="utf-8")
    ok(town_cli("meeting", "minutes", mid, "--file", str(notes)))
    refused(town_cli("meeting", "publish", mid, "--where", "社区公开栏"), "minutes line 2")
    notes.write_text("第一行。\n请联系网格员。\n", encoding="utf-8")
    ok(town_cli("meeting", "minutes", mid, "--file", str(notes)))
    ok(town_cli("meeting", "publish", mid, "--where", "社区公开栏", "--at", "2026-11-27 09:00"))
    for args in (("attend", mid, "--all-present"), ("item", mid, "x"), ("motion", mid, "x"),
                 ("minutes", mid, "--file", str(notes)), ("publish", mid, "--where", "x"),
                 ("action", mid, "x", "--owner", "cj-yh4-rc", "--due", "2026-12-01")):
        refused(town_cli("meeting", *args), "published; add an addendum", f"hint: cgov meeting addendum {mid}")


# ---- matters -----------------------------------------------------------------------


def test_matter_commands(month_cli):
    mid = ok(month_cli("matter", "add", "增设非机动车棚", "--community", "cj-yh4", "--at", "2026-11-01")).strip()
    assert mid == "MA2026-002"  # the example holds MA2026-001
    assert ok(month_cli("matter", "advance", mid, "--meeting", "M2026-0001")).strip() == f"{mid}: propose"
    assert ok(month_cli("matter", "advance", mid, "--stage", "discuss", "--meeting", "M2026-0003", "--lang", "zh")) \
        .strip() == f"{mid}：商议"
    refused(month_cli("matter", "advance", mid, "--stage", "review", "--motion", "M2026-0004-2"),
            "did not pass (failed: 2 yes of 5 entitled: needs more than 2)")
    refused(month_cli("matter", "advance", mid, "--stage", "resolve", "--motion", "M2026-0007-1"),
            "the next stage is 'review', not 'resolve'")
    ok(month_cli("matter", "advance", mid, "--motion", "M2026-0004-1"))
    show = ok(month_cli("matter", "show", mid, "--lang", "zh"))
    assert "审议" in show and "→" in show and "M2026-0004-1" in show
    d = json.loads(ok(month_cli("matter", "show", mid, "-f", "json")))
    assert [s["done"] for s in d["stages"]] == [True, True, True, False, False, False]
    stalled = json.loads(ok(month_cli("matter", "list", "--stalled", "20", "--at", "2026-12-10", "-f", "json")))
    assert [r["id"] for r in stalled] == [mid]
    refused(month_cli("matter", "show", "MA1999-001"), "no matter 'MA1999-001'")
    refused(month_cli("matter", "add", "x", "--community", "cj-yh4-g01"), "give a community or village")


# ---- the command surface ----------------------------------------------------------------

COMMANDS = [("meeting", c) for c in ("add", "list", "show", "attend", "item", "motion", "vote", "action",
                                     "minutes", "publish", "addendum", "due", "types")] + \
    [("matter", c) for c in ("add", "list", "show", "advance")]


@pytest.mark.parametrize("noun,verb", COMMANDS)
def test_every_command_has_help_with_an_example(cli, noun, verb):
    out = ok(cli(noun, verb, "--help"))
    assert "cgov " + noun in out.replace("\n", " ")


def test_the_meeting_commands_load_no_database_or_yaml_code():
    code = ("import sys; import cgov.meetings.cli; "
            "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'yaml', 'rich') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_draft_minutes_with_a_phone_are_masked_in_every_format(town_cli, tmp_path):
    mid = ok(town_cli("meeting", "add", "--type", "joint-meeting", "--title", "联席会", "--org", "cj-yh4-party",
                      "--at", "2026-11-05 14:30")).strip()
    notes = tmp_path / "minutes.md"
    notes.write_text("居民王某反映漏水，联系电话13812345678。\n", encoding="utf-8")
    ok(town_cli("meeting", "minutes", mid, "--file", str(notes)))
    for fmt in ("md", "plain", "json"):
        out = ok(town_cli("meeting", "show", mid, "-f", fmt, "--lang", "zh"))
        assert "13812345678" not in out and "138****5678" in out, fmt
