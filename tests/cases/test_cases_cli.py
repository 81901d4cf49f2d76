"""Every `cgov case` command through the real entry point, with its error paths."""

import json
import os
import subprocess
import sys

import pytest

from cgov.core import audit, store


def ok(r):
    assert r.exit_code == 0, (r.stdout, r.stderr)
    return r


def fails(r, *parts, code=1):
    """Exit code 1 and one `error:` line naming the problem (a hint may follow)."""
    assert r.exit_code == code, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert lines[0].startswith("error: ") and all(p in lines[0] for p in parts), lines
    assert all(line.startswith("hint: ") for line in lines[1:]), lines
    return lines


def add(cli, *args):
    return ok(cli("case", "add", *args)).stdout.strip()


def walk(cli, cid, *steps):
    for step in steps:
        ok(cli("case", *step[:1], cid, *step[1:]))


@pytest.fixture
def three(town_cli):
    """Three cases in the example town: one rated, one dispatched to the police, one new."""
    a = add(town_cli, "3号楼楼道堆放纸箱", "-c", "楼道堆物", "-b", "cj-yh4-b03", "-s", "patrol", "-r", "张女士",
            "--phone", "13900009001", "--at", "2026-11-16 09:00")
    walk(town_cli, a, ("accept", "--at", "2026-11-16 09:20"), ("dispatch", "--at", "2026-11-16 09:30"),
         ("reply", "物业已清理", "--at", "2026-11-17 09:00"), ("close", "--at", "2026-11-17 10:00"),
         ("rate", "--resolved", "--satisfaction", "满意", "--at", "2026-11-18 10:00"))
    b = add(town_cli, "深夜KTV噪音", "-c", "1201", "--community", "裕安社区", "-s", "12345", "-t", "complaint",
            "--at", "2026-11-16 23:10")
    walk(town_cli, b, ("accept", "--at", "2026-11-16 23:20"), ("dispatch", "--at", "2026-11-16 23:30"))
    c = add(town_cli, "咨询加装电梯补贴", "-c", "政策咨询", "--grid", "cj-dt-g01", "-s", "walk-in",
            "--at", "2026-11-20 10:00")
    return a, b, c


# ---- add ----------------------------------------------------------------------

def test_add_prints_only_the_new_id(town_cli):
    r = ok(town_cli("case", "add", "3号楼楼道堆放纸箱", "--building", "cj-yh4-b03", "--at", "2026-11-16 09:00"))
    assert r.stdout == "C2026-000001\n" and r.stderr == ""


def test_add_with_json_prints_the_whole_case_with_the_phone_masked(town_cli):
    r = ok(town_cli("case", "add", "楼道堆物", "-b", "cj-yh4-b03", "--phone", "+86 139-0000-9001", "--due",
                    "2026-11-30", "--at", "2026-11-16 09:00", "-f", "json"))
    row = json.loads(r.stdout)
    assert row["id"] == "C2026-000001" and row["reporter_phone"] == "139****9001"
    assert row["resolve_by"] == "2026-11-30T23:59:59+08:00" and row["community"] == "cj-yh4"
    assert [e["kind"] for e in row["events"]] == ["add"]


def test_a_phone_or_id_number_typed_into_the_text_is_masked_in_every_format(town_cli):
    title = "5号楼漏水，联系人电话13812345678，身份证310230198309059608"
    cid = ok(town_cli("case", "add", title, "-b", "cj-yh4-b03", "--at", "2026-11-16 09:00")).stdout.strip()
    for args in (("case", "show", cid), ("case", "list")):
        for fmt in ("table", "plain", "md", "csv", "json"):
            out = ok(town_cli(*args, "-f", fmt)).stdout
            assert "13812345678" not in out and "310230198309059608" not in out, (args, fmt)
            if fmt != "table":  # a terminal table may fold the title
                assert "138****5678" in out and "310***********9608" in out, (args, fmt)
    shown = ok(town_cli("case", "show", cid, "-f", "json", "--reveal", "--reason", "回访")).stdout
    assert json.loads(shown)["title"] == title


def test_add_without_a_title_is_an_error_when_not_at_a_terminal(town_cli):
    fails(town_cli("case", "add", "--building", "cj-yh4-b03", input="楼道堆物\n"), "needs a title")
    assert ok(town_cli("case", "list", "-f", "json")).stdout.strip() == "[]"


def test_add_asks_only_when_both_input_and_output_are_a_terminal(town_cli, monkeypatch):
    # id=$(cgov case add …) typed at a terminal: the prompt would land in $id.
    from types import SimpleNamespace

    from cgov.cases import cli

    monkeypatch.setattr(cli, "sys", SimpleNamespace(stdin=SimpleNamespace(isatty=lambda: True)))
    monkeypatch.setattr(cli.cmd, "is_tty", lambda: False)
    fails(town_cli("case", "add", "--building", "cj-yh4-b03", input="楼道堆物\n"), "needs a title")


def test_add_at_a_terminal_asks_for_a_missing_title(town_cli, monkeypatch):
    from cgov.cases import cli

    monkeypatch.setattr(cli, "_interactive", lambda: True)
    r = ok(town_cli("case", "add", "--building", "cj-yh4-b03", input="3号楼楼道堆放纸箱\n"))
    assert r.stdout.strip().endswith("C2026-000001")
    assert json.loads(ok(town_cli("case", "show", "C2026-000001", "-f", "json")).stdout)["title"] == "3号楼楼道堆放纸箱"


@pytest.mark.parametrize("args,parts", [
    (["-b", "3号楼"], ["building '3号楼' is ambiguous"]),
    (["--phone", "12345"], ["reporter phone"]),
    (["-c", "楼道"], ["no case category '楼道'"]),
    (["-s", "radio"], ["source 'radio' is not one of"]),
    (["--at", "yesterday"], ["--at: 'yesterday' is not a date or time"]),
    (["--at", "2099-11-16 09:00"], ["--at 2099-11-16 09:00 is in the future"]),
    (["--due", "2026-02-30"], ["--due: '2026-02-30' is not a valid date"]),
])
def test_add_errors_are_one_line_and_write_nothing(town_cli, args, parts):
    fails(town_cli("case", "add", "楼道堆物", *args), *parts)
    assert ok(town_cli("case", "list", "-f", "json")).stdout.strip() == "[]"


@pytest.mark.parametrize("args", [["case", "add", "x", "--community", "cj-yh4"],
                                  ["case", "list", "--community", "cj-yh4", "-f", "plain"]])
def test_case_add_and_list_keep_rich_tabulate_and_yaml_out_of_their_import_path(town_path, args):
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from cgov.cli import app\n"
        f"r = CliRunner().invoke(app, ['--db', {str(town_path)!r}, 'case', 'add', 'x', '-c', '1001', '-g', 'cj-yh4-g01'])\n"
        f"r = CliRunner().invoke(app, ['--db', {str(town_path)!r}, *{args!r}])\n"
        "assert r.exit_code == 0 and 'C20' in r.output, r.output  # the new case's id\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'tabulate', 'yaml'}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "CGOV_DB": str(town_path)})
    assert out.stdout.strip() == "[]"


# ---- the flow -----------------------------------------------------------------------

def test_each_step_prints_the_case_and_where_it_stands(town_cli):
    cid = add(town_cli, "楼道堆物", "-c", "1001", "-b", "cj-yh4-b03", "--at", "2026-11-16 09:00")
    assert ok(town_cli("case", "accept", cid, "--at", "2026-11-16 09:20")).stdout == f"{cid} accepted\n"
    r = ok(town_cli("case", "dispatch", cid, "--at", "2026-11-16 09:30"))
    assert r.stdout == f"{cid} dispatched → 上海裕鸿物业服务有限公司 (cj-yh4-pm)\n"
    r = ok(town_cli("case", "dispatch", cid, "--to", "cj-urban", "--note", "改派", "--at", "2026-11-16 10:00",
                    "--lang", "zh"))
    assert r.stdout == f"{cid} 已派单 → 陈家镇城管执法中队 (cj-urban)\n"
    r = ok(town_cli("case", "extend", cid, "--until", "2026-11-25", "--reason", "需协调", "--approver", "李红娣",
                    "--at", "2026-11-17 09:00"))
    assert r.stdout == f"{cid} dispatched → 2026-11-25 23:59\n"
    assert ok(town_cli("case", "escalate", cid, "--level", "2", "--at", "2026-11-17 10:00")).stdout == \
        f"{cid} dispatched (escalated, level 2)\n"
    assert ok(town_cli("case", "reply", cid, "已拆除", "--at", "2026-11-18 09:00")).stdout == f"{cid} replied\n"
    assert ok(town_cli("case", "reopen", cid, "--reason", "未拆净", "--at", "2026-11-18 12:00")).stdout == \
        f"{cid} dispatched\n"
    ok(town_cli("case", "reply", cid, "已全部拆除", "--at", "2026-11-19 09:00"))
    assert ok(town_cli("case", "close", cid, "--at", "2026-11-19 10:00")).stdout == f"{cid} closed\n"
    r = ok(town_cli("case", "rate", cid, "--unresolved", "--satisfaction", "basic", "--at", "2026-11-20 10:00",
                    "-f", "json"))
    row = json.loads(r.stdout)
    assert (row["status"], row["resolved"], row["satisfaction"], row["reopen_count"]) == ("rated", False, "basic", 1)


def test_reject_cancel_and_link(town_cli):
    a = add(town_cli, "合同纠纷", "--community", "cj-ya", "--at", "2026-11-16 09:00")
    b = add(town_cli, "录错了", "--community", "cj-ya", "--at", "2026-11-16 09:00")
    c = add(town_cli, "深夜噪音", "--community", "cj-ya", "--at", "2026-11-16 09:00")
    d = add(town_cli, "深夜噪音（再次反映）", "--community", "cj-ya", "--at", "2026-11-16 09:30")
    assert ok(town_cli("case", "reject", a, "--reason", "属民事纠纷", "--at", "2026-11-16 10:00")).stdout == \
        f"{a} rejected\n"
    assert ok(town_cli("case", "cancel", b, "--reason", "录入错误", "--at", "2026-11-16 10:00")).stdout == \
        f"{b} cancelled\n"
    assert ok(town_cli("case", "link", d, "--duplicate-of", c, "--at", "2026-11-16 10:00", "--lang", "zh")).stdout == \
        f"{d} 已结案（重复于 {c}）\n"


def test_a_refused_step_says_the_state_and_what_it_allows(three, town_cli):
    a, b, c = three
    lines = fails(town_cli("case", "close", b), f"case {b} is dispatched (已派单)",
                  "close needs a case that is replied", "from dispatched it can: dispatch, reply")
    assert lines[1] == f"hint: the handler replies first: cgov case reply {b} RESULT"
    fails(town_cli("case", "accept", a), "is rated (已评价)", "from rated it can: reopen")
    fails(town_cli("case", "dispatch", c), "is new (待受理)")
    fails(town_cli("case", "reply", "C2026-000099", "x"), "no case 'C2026-000099'")


def test_routing_errors_and_missing_answers_are_one_line(town_cli):
    cid = add(town_cli, "楼道堆物", "-c", "1001", "--community", "cj-yd", "--at", "2026-11-16 09:00")
    ok(town_cli("case", "accept", cid, "--at", "2026-11-16 09:20"))
    fails(town_cli("case", "dispatch", cid), "handled by a property-company", "瀛东村 (cj-yd)")
    ok(town_cli("case", "dispatch", cid, "--to", "cj-yd-vc", "--at", "2026-11-16 09:30"))
    ok(town_cli("case", "reply", cid, "已清理", "--at", "2026-11-16 12:00"))
    ok(town_cli("case", "close", cid, "--at", "2026-11-16 13:00"))
    fails(town_cli("case", "rate", cid, "--satisfaction", "satisfied"), "--resolved or --unresolved")
    fails(town_cli("case", "rate", cid, "--resolved"), "needs --satisfaction")


def test_missing_required_options_are_usage_errors(three, town_cli):
    a, b, c = three
    assert town_cli("case", "reject", c).exit_code == 2
    assert town_cli("case", "extend", b, "--until", "2026-12-01").exit_code == 2
    assert town_cli("case", "link", c).exit_code == 2


# ---- reading ------------------------------------------------------------------------------

def test_show_draws_the_timeline_in_english_and_chinese(three, town_cli):
    # The access list calls its own "add" 直接列入; with it loaded in the same
    # process a case's "add" must still read 吹哨.
    import cgov.access.cli  # noqa: F401

    a, _, _ = three
    text = ok(town_cli("case", "show", a, "-f", "plain")).stdout
    assert "Status" in text and "rated" in text and "139****9001" in text and "13900009001" not in text
    assert "Timeline (6)" in text and "→ 上海裕鸿物业服务有限公司" in text and "resolved, satisfied" in text
    zh = ok(town_cli("case", "show", a, "-f", "plain", "--lang", "zh")).stdout
    for word in ("状态", "已评价", "巡查", "办理过程 (6)", "吹哨（上报）", "应哨（受理）", "派单", "核查结案", "已解决, 满意"):
        assert word in zh, word


def test_show_json_keeps_every_key_and_reveal_needs_a_reason(three, town_cli, town):
    a, _, _ = three
    row = json.loads(ok(town_cli("case", "show", a, "-f", "json")).stdout)
    assert row["reporter_phone"] == "139****9001" and row["escalation_level"] is None
    assert [e["kind"] for e in row["events"]] == ["add", "accept", "dispatch", "reply", "close", "rate"]
    fails(town_cli("case", "show", a, "--reveal"), "--reveal needs --reason")
    row = json.loads(ok(town_cli("case", "show", a, "-f", "json", "--reveal", "--reason", "回访")).stdout)
    assert row["reporter_phone"] == "13900009001"
    with store.reading(town) as s:
        e = audit.entries(s, action="reveal")[0]
    assert e["ids"] == [a] and e["detail"]["reason"] == "回访" and "13900009001" not in json.dumps(e, default=str)


def _ids(cli, *args, env=None):
    return [r["id"] for r in json.loads(ok(cli("case", "list", "-f", "json", *args, env=env)).stdout)]


def test_list_filters(three, town_cli):
    a, b, c = three
    assert _ids(town_cli) == [c, b, a]  # newest first
    assert _ids(town_cli, "--status", "open") == [c, b]
    assert _ids(town_cli, "--status", "new,rated") == [c, a]
    assert _ids(town_cli, "--status", "new", "--status", "dispatched") == [c, b]
    assert _ids(town_cli, "--area", "cj-ya") == [b]
    assert _ids(town_cli, "--area", "cj") == [c, b, a]  # a town includes its communities
    assert _ids(town_cli, "--area", "cj-yh4-g01") == [a]
    assert _ids(town_cli, "--category", "10") == [a]  # a class includes its subclasses
    assert _ids(town_cli, "--category", "噪音扰民") == [b]
    assert _ids(town_cli, "--handler", "cj-police") == [b]
    assert _ids(town_cli, "--source", "12345") == [b]
    assert _ids(town_cli, "--since", "2026-11-16", "--until", "2026-11-16") == [b, a]
    assert _ids(town_cli, "--since", "2026-11-16 12:00") == [c, b]
    assert _ids(town_cli, "--search", "噪音") == [b]
    assert _ids(town_cli, "--sort", "due") == [a, b, c]
    assert _ids(town_cli, "--limit", "1") == [c]
    assert _ids(town_cli, "--limit", "１") == [c]  # full-width digits, as Chinese input methods type them


@pytest.mark.parametrize("value, words", [("many", "valid integer"),
                                          ("-1", "-1 is less than 0")])
def test_list_limit_must_be_a_count(town_cli, value, words):
    r = town_cli("case", "list", "--limit", value)
    assert r.exit_code == 2 and "'--limit'" in r.stderr and words in r.stderr and r.stdout == ""


def test_list_overdue_and_escalated(three, town_cli):
    a, b, c = three  # b must be resolved by 11-19 23:10, c by 11-23 10:00; a is rated
    assert _ids(town_cli, "--overdue", env={"CGOV_NOW": "2026-11-19 12:00"}) == []
    rows = json.loads(ok(town_cli("case", "list", "-f", "json", "--overdue", env={"CGOV_NOW": "2026-11-20 12:00"})).stdout)
    assert [r["id"] for r in rows] == [b] and rows[0]["overdue"] is True and rows[0]["overdue_hours"] == 12.8
    assert _ids(town_cli, "--overdue", env={"CGOV_NOW": "2026-11-24 12:00"}) == [c, b]
    ok(town_cli("case", "escalate", b, "--at", "2026-11-20 09:00"))
    assert _ids(town_cli, "--escalated") == [b]
    text = ok(town_cli("case", "list", "--escalated", "-f", "plain", "--lang", "zh")).stdout
    assert "督办级别" in text and "已派单" in text and "噪音扰民" in text


def test_list_refuses_unknown_filters(town_cli):
    fails(town_cli("case", "list", "--status", "done"), "--status 'done' is not one of")
    fails(town_cli("case", "list", "--sort", "title"), "--sort 'title'")
    fails(town_cli("case", "list", "--area", "nowhere"), "no area 'nowhere'")


def test_categories_lists_the_taxonomy_in_both_languages(town_cli):
    rows = json.loads(ok(town_cli("case", "categories", "-f", "json")).stdout)
    cat = next(r for r in rows if r["code"] == "1001")
    assert cat == {"code": "1001", "name": "楼道堆物", "name_en": "Clutter in stairwells", "parent": "10",
                   "respond_hours": 24, "resolve_hours": 72, "handler": "property-company", "origin": "shipped"}
    zh = ok(town_cli("case", "categories", "--lang", "zh", "-f", "plain")).stdout
    assert "默认承办" in zh and "职能部门（派出所）" in zh and "物业" in zh and "内置" in zh
    assert "department:" not in zh and "shipped" not in zh and "property-company" not in zh


def test_stats_json_uses_the_metric_names(three, town_cli):
    got = json.loads(ok(town_cli("case", "stats", "--week", "2026-W47", "-f", "json")).stdout)
    assert got["start"] == "2026-11-16T00:00:00+08:00" and got["end"] == "2026-11-23T00:00:00+08:00"
    for key in ("reported", "responded_on_time", "response_rate", "due", "closed_on_time", "on_time_rate",
                "closure_rate", "rated", "resolution_rate", "satisfaction_rate", "satisfied", "basic",
                "dissatisfied", "closed", "reopened", "rework_rate", "extended", "median_hours_to_close",
                "open_overdue"):
        assert key in got
    assert (got["reported"], got["response_rate"], got["rated"], got["satisfaction_rate"]) == (3, 0.6667, 1, 1.0)


def test_stats_by_community_in_chinese(three, town_cli):
    text = ok(town_cli("case", "stats", "--week", "2026-W47", "--by", "community", "--lang", "zh",
                       "-f", "plain")).stdout
    assert text.startswith("案件 2026-11-16 – 2026-11-22")
    for word in ("社区", "响应率", "按期结案率", "满意率", "返工率", "超期未结", "裕鸿佳苑第四社区", "裕安社区", "东滩社区", "合计"):
        assert word in text, word
    assert "100.0%" in text
    csv = ok(town_cli("case", "stats", "--since", "2026-11-16", "--until", "2026-11-22", "--by", "grid",
                      "-f", "csv")).stdout
    assert csv.splitlines()[0].lstrip("\ufeff").startswith("Grid,Name,Reported,Responded on time")


def test_stats_by_handler_names_the_cases_without_one(three, town_cli):
    text = ok(town_cli("case", "stats", "--week", "2026-W47", "--by", "handler", "-f", "plain")).stdout
    assert "(none)" in text and "陈家镇派出所" in text and "上海裕鸿物业服务有限公司" in text


def test_stats_errors(town_cli):
    fails(town_cli("case", "stats", "--week", "47"), "--week '47' is not an ISO week")
    fails(town_cli("case", "stats", "--week", "2026-W47", "--since", "2026-11-01"), "not both")
    fails(town_cli("case", "stats", "--by", "street"), "--by 'street'")


def test_every_case_command_has_help_with_an_example(cli):
    from cgov.cases.cli import case_app

    names = [c.name for c in case_app.registered_commands]
    assert set(names) == {"add", "list", "show", "accept", "reject", "dispatch", "reply", "close", "rate", "reopen",
                          "extend", "escalate", "cancel", "link", "categories", "stats"}
    for name in names:
        r = ok(cli("case", name, "--help"))
        assert f"cgov case {name}" in r.stdout.split("Options:")[0], name


def test_a_verb_its_help_the_nouns_help_and_a_typo(town_cli):
    # The root builds only the verb asked for; everything else sees them all.
    r = town_cli("case", "lst")
    assert r.exit_code == 2 and "Did you mean 'list'" in r.stderr
    assert all(v in ok(town_cli("case", "--help")).stdout for v in ("add", "dispatch", "stats", "link"))
    assert "--category" in ok(town_cli("case", "add", "--help")).stdout
    assert ok(town_cli("case", "categories", "-f", "json")).stdout.startswith("[")
