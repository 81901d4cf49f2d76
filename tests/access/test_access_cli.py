"""`cgov access …` through the real command line: output, languages, exit
codes, and every error path leaving nothing half-written."""

import json
import subprocess
import sys

import pytest

COMMANDS = ["add", "list", "show", "apply", "approve", "reject", "revoke", "check", "refuse", "refusals", "stats"]


def ok(r):
    assert r.exit_code == 0, (r.stdout, r.stderr)
    return r.stdout


def fails(r, message, code=1):
    assert r.exit_code == code, (r.stdout, r.stderr)
    lines = r.stderr.splitlines()
    assert lines[0].startswith("error: ") and message in lines[0], r.stderr
    assert all(line.startswith("hint: ") for line in lines[1:]), r.stderr
    return r.stderr


def show(cli, item):
    return json.loads(ok(cli("access", "show", item, "-f", "json")))


def test_add_prints_only_the_new_id(town_cli, now):
    out = ok(town_cli("access", "add", "退役军人信息采集", "-d", "cj-civil", "--kind", "assist",
                      "--funding", "3000", "--basis", "《退役军人保障法》第十一条"))
    assert out == "A-0001\n"
    record = json.loads(ok(town_cli("access", "add", "出具居民无犯罪记录证明", "-d", "陈家镇派出所",
                                    "--kind", "negative", "-f", "json")))
    assert (record["id"], record["status"], record["department"]) == ("A-0002", "admitted", "cj-police")
    assert record["history"][0]["action"] == "add"


def test_the_flow_by_hand(town_cli, now):
    assert ok(town_cli("access", "apply", "燃气安全隐患排查台账填报", "-d", "cj-fire", "--kind", "assist",
                       "--conditions", "提供排查表和培训", "--at", "2026-11-02T10:00")) == "A-0001\n"
    assert ok(town_cli("access", "approve", "A-0001", "--funding", "12000", "--at", "2026-11-16 15:00")) == \
        "A-0001 admitted\n"
    assert show(town_cli, "A-0001")["funding"] == 12000
    too_big = town_cli("access", "approve", "A-0001", "--funding", "99999999999999999999")
    assert too_big.exit_code == 2 and "'--funding': 99999999999999999999 is too large" in too_big.stderr
    assert ok(town_cli("access", "revoke", "A-0001", "--reason", "并入一表通", "--lang", "zh")) == "A-0001 已退出\n"
    ok(town_cli("access", "apply", "疫苗接种每日进度报表", "-d", "cj-health", "--kind", "assist"))
    assert ok(town_cli("access", "reject", "A-0002", "--reason", "系统直接统计", "--lang", "zh")) == "A-0002 已驳回\n"
    record = json.loads(ok(town_cli("access", "show", "A-0002", "-f", "json")))
    assert [h["action"] for h in record["history"]] == ["apply", "reject"]
    assert record["history"][1]["by"]


def test_list_filters_and_languages(listed_cli):
    rows = json.loads(ok(listed_cli("access", "list", "--overdue", "-f", "json")))
    assert [(r["id"], r["due"], r["overdue"]) for r in rows] == [
        ("A-0047", "2026-11-11", True), ("A-0048", "2026-11-17", True)]
    rows = json.loads(ok(listed_cli("access", "list", "-d", "cj-police", "--kind", "negative", "-f", "json")))
    assert [r["id"] for r in rows] == ["A-0029", "A-0030", "A-0031"]
    out = ok(listed_cli("access", "list", "--status", "rejected", "--lang", "zh", "-f", "plain"))
    assert out.splitlines()[0].split()[:5] == ["编号", "事项名称", "责任部门", "类别", "状态"]
    assert "依法协助  已驳回" in out
    assert "不予受理" not in out  # the case flow's label for its own 'rejected'
    out = ok(listed_cli("access", "list", "--search", "燃气", "-f", "csv"))
    assert out.splitlines()[1].startswith("A-0040,燃气安全隐患排查台账填报,陈家镇消防救援站,assist,admitted,12000")


def test_search_ignores_the_case_of_latin_letters(town_cli, now):
    ok(town_cli("access", "add", "APP推广下载任务", "-d", "cj-civil", "--kind", "negative"))
    rows = json.loads(ok(town_cli("access", "list", "--search", "app", "-f", "json")))
    assert [r["name"] for r in rows] == ["APP推广下载任务"]


def test_show_in_chinese(listed_cli):
    out = ok(listed_cli("access", "show", "A-0046", "--lang", "zh", "-f", "plain"))
    assert "超期审核       是" in out
    assert "办理经过 (2)" in out
    assert "2026-11-13 10:00  驳回      已驳回  用工统计由人社部门直接采集" in out


def test_show_tells_the_reviewer_what_stands_in_the_way(listed_cli):
    out = ok(listed_cli("access", "show", "A-0051", "-f", "plain"))
    assert "Cannot be admitted as it stands (1)" in out
    assert "neither funding nor working conditions" in out


@pytest.mark.parametrize(("request_text", "verdict", "item"), [
    ("帮忙填一下燃气安全排查台账", "admitted", "A-0040"),
    ("开个无犯罪记录证明", "refused", "A-0029"),
    ("请社区统计辖区内奶茶店数量", "not-listed", None),
])
def test_check_exits_0_with_the_verdict_in_json(listed_cli, request_text, verdict, item):
    data = json.loads(ok(listed_cli("access", "check", request_text, "-f", "json")))
    assert (data["verdict"], data["item"]) == (verdict, item)
    assert data["reason"]
    assert len(data["candidates"]) == 5 and all("score" in c for c in data["candidates"])


def test_check_reads_well(listed_cli):
    out = ok(listed_cli("access", "check", "帮忙填一下燃气安全排查台账", "-f", "plain"))
    assert out.splitlines()[1] == "Verdict    admitted"
    assert "Closest items (5)" in out
    out = ok(listed_cli("access", "check", "帮忙填一下燃气安全排查台账", "--lang", "zh", "-f", "plain"))
    assert "结论      已准入" in out
    assert "A-0040  燃气安全隐患排查台账填报  陈家镇消防救援站" in out
    out = ok(listed_cli("access", "check", "反诈宣传", "--limit", "2", "-f", "plain"))
    assert "closest: A-0016 防范电信网络诈骗宣传" in out
    assert "Closest items (2)" in out


def test_refuse_records_the_request(listed_cli):
    assert ok(listed_cli("access", "refuse", "帮忙开一张无犯罪记录证明", "-d", "cj-police",
                         "--at", "2026-11-23T10:30")) == "R-0011\n"
    rows = json.loads(ok(listed_cli("access", "refusals", "-d", "cj-police", "--since", "2026-11-20", "-f", "json")))
    assert [(r["id"], r["item"], r["at"]) for r in rows] == [
        ("R-0010", "A-0015", "2026-11-20T09:10:00+08:00"), ("R-0011", "A-0029", "2026-11-23T10:30:00+08:00")]
    out = ok(listed_cli("access", "refusals", "--until", "2026-10-20", "--lang", "zh", "-f", "plain"))
    assert "提出部门" in out and "R-0001" in out and "R-0002" not in out


def test_refusing_an_admitted_request_needs_a_reason(listed_cli):
    fails(listed_cli("access", "refuse", "帮忙填一下燃气安全排查台账", "-d", "cj-fire"),
          "is admitted item A-0040 '燃气安全隐患排查台账填报': 陈家镇消防救援站 may hand it down")
    assert len(json.loads(ok(listed_cli("access", "refusals", "-f", "json")))) == 10
    record = json.loads(ok(listed_cli("access", "refuse", "帮忙填一下燃气安全排查台账", "-d", "cj-fire",
                                      "--reason", "检测仪未到位", "-f", "json")))
    assert (record["id"], record["item"], record["ground"]) == ("R-0011", "A-0040", "admitted")


def test_stats_in_every_format(listed_cli):
    out = ok(listed_cli("access", "stats", "--baseline", "156", "-f", "plain"))
    assert "Reduction rate                81.4%" in out
    assert "By department (9)" in out
    out = ok(listed_cli("access", "stats", "--baseline-date", "2026-10-31", "--lang", "zh", "-f", "md"))
    assert "- **精简率**: 6.5%" in out
    assert "| 依法协助 |" in out.replace("  ", " ")
    ok(listed_cli("access", "stats", "-f", "csv"))


# ---- errors ------------------------------------------------------------------------------


def test_refused_transition_leaves_the_item_as_it_was(listed_cli):
    fails(listed_cli("access", "approve", "A-0042"), "A-0042 is rejected: it cannot be approved")
    assert show(listed_cli, "A-0042")["status"] == "rejected"
    err = fails(listed_cli("access", "approve", "A-0051"),
                "A-0051 '街面小广告清理统计表' cannot be admitted: it is an assist item with neither funding")
    assert "hint: give --funding" in err
    record = show(listed_cli, "A-0051")
    assert record["status"] == "pending" and len(record["history"]) == 1


def test_a_failed_approval_writes_no_audit_entry(listed_cli):
    before = ok(listed_cli("audit", "log", "-f", "json"))
    fails(listed_cli("access", "approve", "A-0051", "--note", "x"), "cannot be admitted")
    assert ok(listed_cli("audit", "log", "-f", "json")) == before


@pytest.mark.parametrize(("args", "message"), [
    (["show", "A-0404"], "no access-list item 'A-0404'"),
    (["add", "x", "-d", "cj-yh4-rc", "--kind", "duty"], "is a residents-committee, not a department"),
    (["add", "x", "-d", "cj-civil", "--kind", "chore"], "--kind 'chore' is not one of"),
    (["apply", "x", "-d", "cj-civil", "--kind", "duty", "--at", "yesterday"], "--at: 'yesterday' is not a date"),
    (["apply", "x", "-d", "cj-civil", "--kind", "duty", "--valid-until", "2026-13-01"], "--valid-until: '2026-13-01'"),
    (["apply", "x", "-d", "cj-civil", "--kind", "negative"], "departments do not apply for negative-list items"),
    (["revoke", "A-0038", "--reason", "x"], "A-0038 expired on 2026-11-15"),
    (["list", "--status", "lost"], "--status 'lost' is not one of"),
    (["check", "请尽快完成，谢谢"], "says nothing to match"),
    (["refuse", "统计奶茶店", "-d", "cj-market", "--item", "A-0404"], "no access-list item 'A-0404'"),
    (["stats", "--baseline", "156", "--baseline-date", "2026-10-31"], "give --baseline or --baseline-date, not both"),
    (["stats", "--limit-days", "0"], "--limit-days: 0 working days"),
])
def test_errors_are_one_line_and_exit_1(listed_cli, args, message):
    fails(listed_cli("access", *args), message)
    assert len(json.loads(ok(listed_cli("access", "list", "-f", "json")))) == 51


def test_decisions_need_a_reason(listed_cli):
    r = listed_cli("access", "reject", "A-0047")
    assert r.exit_code == 2 and "--reason" in r.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(cli, command):
    out = ok(cli("access", command, "--help"))
    assert "Example" in out and "cgov access" in out


def test_help_stays_light():
    code = "import sys, cgov.access.cli; print(sorted(m for m in ('sqlalchemy', 'yaml', 'rapidfuzz') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
