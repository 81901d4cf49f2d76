"""`cgov points|need|resource|project …` and `cgov org register` through
the real command line: what they print, in both languages, exit codes, and
every error path leaving nothing half-written."""

import json
import subprocess
import sys

import pytest


def ok(r):
    assert r.exit_code == 0, (r.stdout, r.stderr)
    return r.stdout


def fails(r, message, code=1):
    assert r.exit_code == code, (r.stdout, r.stderr)
    lines = r.stderr.splitlines()
    assert lines[0].startswith("error: ") and message in lines[0], r.stderr
    assert all(line.startswith("hint: ") for line in lines[1:]), r.stderr
    assert r.stdout == ""
    return r.stderr


def js(r):
    return json.loads(ok(r))


# ---- points ---------------------------------------------------------------------------------


def test_activity_add_prints_the_id_and_notes_what_the_rule_credited(town_cli):
    r = town_cli("points", "activity", "add", "小区绿化补种", "p-0053", "p-0067=3", "陈林=10", "--org", "cj-yh4-vt",
                 "--hours", "2:50", "--at", "2026-11-21 08:00")
    assert ok(r) == "VA-0001\n"
    assert r.stderr.splitlines() == [
        "note: 顾红英 (p-0053) reported 2.83 hours; credited 2.5 (cgov points rule)",
        "note: 陈林 (p-0088) reported 10 hours; credited 8 (cgov points rule)"]
    shown = js(town_cli("points", "activity", "show", "VA-0001", "-f", "json"))
    assert [(p["person"], p["points"]) for p in shown["participants"]] == [("p-0053", 2.5), ("p-0067", 3), ("p-0088", 8)]
    assert shown["at"] == "2026-11-21T08:00:00+08:00" and shown["served"] == 3


def test_earn_redeem_adjust_and_the_ledger(town_cli):
    assert ok(town_cli("points", "earn", "p-0053", "-a", "敬老院慰问", "-o", "cj-yh4-vt", "-H", "3",
                       "--at", "2026-11-02 14:00")) == "L-000001\n"
    assert ok(town_cli("points", "earn", "p-0067", "--activity", "VA-0001")) == "L-000002\n"
    assert ok(town_cli("points", "redeem", "p-0053", "--points", "1.5", "--for", "肥皂", "--org", "cj-yh4-rc",
                       "--at", "2026-11-10")) == "L-000003\n"
    record = js(town_cli("points", "adjust", "p-0053", "-a", "VA-0001", "--hours", "-1", "--reason", "误记",
                         "--at", "2026-11-11", "-f", "json"))
    assert (record["id"], record["kind"], record["hours"], record["points"]) == ("L-000004", "adjust", -1, -1)
    assert ok(town_cli("points", "adjust", "p-0067", "--points=-0.5", "--reason", "重复")) == "L-000005\n"
    rows = js(town_cli("points", "ledger", "p-0053", "-f", "json"))
    assert [(r["kind"], r["points"], r["balance"]) for r in rows] == [("earn", 3, 3), ("redeem", -1.5, 1.5),
                                                                     ("adjust", -1, 0.5)]
    out = ok(town_cli("points", "ledger", "--lang", "zh", "-f", "plain"))
    assert out.splitlines()[0].split()[:4] == ["流水号", "时间", "类型", "人员"]
    assert "积分兑换" in out and "肥皂" in out


def test_balance_shows_one_person_or_a_list(vol_cli):
    out = ok(vol_cli("points", "balance", "p-0049", "-f", "plain"))
    assert "Balance               2" in out and "Hours to go           88" in out
    out = ok(vol_cli("points", "balance", "孙林", "--lang", "zh", "-f", "plain"))
    assert "积分余额          2" in out and "星级              0" in out
    rows = js(vol_cli("points", "balance", "--org", "cj-cb-power", "-f", "json"))
    assert [r["person"] for r in rows] == ["p-0071", "p-0030", "p-0088"]
    fails(vol_cli("points", "balance", "p-0049", "--org", "cj-yh4-vt"), "give one person, or filters")


def test_rank_by_month_and_community(vol_cli):
    out = ok(vol_cli("points", "rank", "--month", "2026-11", "--top", "2", "--lang", "zh", "-f", "plain"))
    assert out.splitlines()[0].split() == ["社区", "名次", "人员", "姓名", "服务时长", "积分", "活动次数"]
    # p-0100's 2 hours corrected for October name no activity: they count for no community
    assert [line.split()[2] for line in out.splitlines()[2:]] == ["p-0049", "p-0058"]
    assert js(vol_cli("points", "rank", "--month", "2026-10", "-f", "json")) == []
    # this month is the default
    assert len(js(vol_cli("points", "rank", "-f", "json"))) == 10
    fails(vol_cli("points", "rank", "--month", "2026-13"), "--month '2026-13' is not a month")
    fails(vol_cli("points", "rank", "--month", "2026-11", "--year", "2026"), "give one of --month, --year")


def test_rule_shows_defaults_and_the_environment(cli):
    rows = js(cli("points", "rule", "-f", "json"))
    assert [(r["setting"], r["value"], r["source"]) for r in rows] == [
        ("points_per_hour", 1, "default"), ("step_minutes", 30, "default"), ("max_hours", 8, "default"),
        ("stars", "100, 300, 600, 1000, 1500", "default")]
    out = ok(cli("points", "rule", "--lang", "zh", "-f", "plain", env={"CGOV_POINTS_MAX_HOURS": "6"}))
    assert "单次活动上限（小时）  6" in out and "CGOV_POINTS_MAX_HOURS" in out
    fails(cli("points", "rule", env={"CGOV_POINTS_STEP_MINUTES": "0"}), "CGOV_POINTS_STEP_MINUTES: '0'")


def test_activity_list(vol_cli):
    rows = js(vol_cli("points", "activity", "list", "--org", "cj-cb-bank", "-f", "json"))
    assert [(r["id"], r["served"], r["hours"]) for r in rows] == [("VA-0005", 3, 6)]
    out = ok(vol_cli("points", "activity", "list", "--since", "2026-11-20", "--lang", "zh", "-f", "plain"))
    assert [line.split()[0] for line in out.splitlines()[2:]] == ["VA-0010", "VA-0009"]


@pytest.mark.parametrize(("args", "message"), [
    (("points", "redeem", "p-0096", "--points", "5", "--for", "保温杯"),
     "姚霞 (p-0096) has 3.5 points on 2026-11-30 12:00; redeeming 5 would leave 3.5 - 5 = -1.5"),
    (("points", "redeem", "p-0096", "--points", "0", "--for", "x"), "redeem a number of points above 0"),
    (("points", "redeem", "p-0096", "--points", "abc", "--for", "x"), "is not a number of points"),
    (("points", "earn", "p-0053", "--activity", "VA-0001", "--hours", "1"), "already earned points for VA-0001"),
    (("points", "earn", "p-0053", "--activity", "巡逻", "--hours", "1"), "say who organised it with --org"),
    (("points", "earn", "p-0053", "--activity", "VA-0001", "--hours", "-1"), "without a sign"),
    (("points", "adjust", "p-0054", "--points", "-20", "--reason", "x"), "would leave 5 - 20 = -15"),
    (("points", "adjust", "p-0054", "--reason", "x"), "changes points (--points) or hours (--hours)"),
    (("points", "activity", "add", "x", "p-0053", "p-0053", "--org", "cj-yh4-vt", "--hours", "1"), "listed twice"),
    (("points", "activity", "add", "x", "p-0053=abc", "--org", "cj-yh4-vt"), "'p-0053=abc': 'abc' is not a number"),
    (("points", "activity", "show", "VA-0999"), "no volunteer activity 'VA-0999'"),
    (("points", "ledger", "nobody"), "no person 'nobody'"),
])
def test_points_errors_write_nothing(vol_cli, table_counts, town_db, args, message):
    before = table_counts(town_db, ["points_entry", "volunteer_activity", "audit_log"])
    fails(vol_cli(*args), message)
    assert table_counts(town_db, ["points_entry", "volunteer_activity", "audit_log"]) == before


def test_every_change_is_in_the_audit_log(vol_cli):
    ok(vol_cli("points", "redeem", "p-0058", "--points", "2", "--for", "毛巾"))
    ok(vol_cli("need", "claim", "N-0004", "--by", "cj-so-mulin"))
    rows = js(vol_cli("audit", "log", "-f", "json"))
    assert [r["action"] for r in rows[:2]] == ["need.claim", "points.redeem"]
    assert rows[1]["ids"] == ["L-000033", "p-0058"]


# ---- 双报到 -----------------------------------------------------------------------------------


def test_register_end_and_list(vol_cli):
    assert ok(vol_cli("org", "register", "p-0081", "--community", "cj-yh4", "-s", "治安巡逻", "-s", "调解",
                      "--at", "2026-11-20")) == "RG-0010\n"
    rows = js(vol_cli("org", "register", "--list", "--community", "裕鸿佳苑第四社区", "-f", "json"))
    assert rows[-1]["who"] == "p-0081" and rows[-1]["services"] == ["治安巡逻", "调解"]
    assert rows[-1]["served"] is False and rows[-1]["year"] == 2026
    assert ok(vol_cli("org", "register", "cj-cb-school", "--community", "cj-yh4", "--end", "--at", "2026-11-30")) == \
        "RG-0002\n"
    out = ok(vol_cli("org", "register", "--list", "--not-served", "--lang", "zh", "-f", "plain"))
    assert out.splitlines()[0].split()[:4] == ["编号", "社区", "类型", "单位/人员"]
    assert [line.split()[0] for line in out.splitlines()[2:]] == ["RG-0009", "RG-0008", "RG-0006", "RG-0010"]
    assert "个人" in out and "否" in out
    served = js(vol_cli("org", "register", "--list", "--served", "--year", "2026", "-f", "json"))
    assert {r["who"] for r in served} == {"cj-cb-bank", "cj-cb-power", "p-0030", "p-0079", "p-0082"}


@pytest.mark.parametrize(("args", "message"), [
    (("org", "register", "cj-police", "--community", "cj-yh4", "-s", "x"), "is a department"),
    (("org", "register", "cj-cb-bank", "--community", "cj-yh4", "-s", "x"), "already registered with 裕鸿佳苑第四社区"),
    (("org", "register", "cj-cb-bank", "--community", "cj-dt"), "say which services are offered"),
    (("org", "register", "cj-cb-bank", "-s", "x"), "say who registers and with which community"),
    (("org", "register", "cj-cb-bank", "--community", "cj-dt", "--end"), "is not registered with 东滩社区"),
    (("org", "register", "--list", "cj-cb-bank"), "--list lists registrations; leave out WHO"),
    (("org", "register", "--list", "--served", "--not-served"), "not both"),
    (("org", "register", "cj-cb-bank", "--community", "cj-dt", "-s", "x", "--served"), "go with --list"),
])
def test_register_errors_write_nothing(vol_cli, table_counts, town_db, args, message):
    before = table_counts(town_db, ["co_building_registration", "audit_log"])
    fails(vol_cli(*args), message)
    assert table_counts(town_db, ["co_building_registration", "audit_log"]) == before


# ---- needs, resources, projects ------------------------------------------------------------------


def test_a_wish_from_posting_to_fulfilled(town_cli):
    assert ok(town_cli("need", "add", "更换厨房水龙头", "--wish", "-p", "p-0281", "-c", "维修服务",
                       "--at", "2026-11-02 10:00")) == "N-0001\n"
    assert ok(town_cli("need", "claim", "N-0001", "--by", "cj-cb-power", "--at", "2026-11-03 09:00")) == \
        "N-0001 claimed\n"
    assert ok(town_cli("need", "fulfil", "N-0001", "--note", "已更换", "--at", "2026-11-06 15:00", "--lang", "zh")) == \
        "N-0001 已实现\n"
    shown = js(town_cli("need", "show", "N-0001", "-f", "json"))
    assert (shown["status"], shown["claimed_by_name"], shown["fulfilled_at"]) == (
        "fulfilled", "国网崇明供电公司陈家镇供电所", "2026-11-06T15:00:00+08:00")
    out = ok(town_cli("need", "show", "N-0001", "--lang", "zh", "-f", "plain"))
    assert "类型        微心愿" in out and "状态        已实现" in out


def test_release_and_withdraw(vol_cli):
    assert ok(vol_cli("need", "claim", "N-0005", "--by", "p-0079")) == "N-0005 claimed\n"
    assert ok(vol_cli("need", "release", "N-0005", "--reason", "时间冲突")) == "N-0005 open\n"
    assert ok(vol_cli("need", "withdraw", "N-0005", "--reason", "已由子女帮助", "--lang", "zh")) == "N-0005 已撤回\n"


def test_need_list(vol_cli):
    out = ok(vol_cli("need", "list", "--wishes", "--status", "open", "--lang", "zh", "-f", "plain"))
    assert [line.split()[0] for line in out.splitlines()[2:]] == ["N-0004", "N-0005"]
    assert "待认领" in out and "医疗健康" in out
    rows = js(vol_cli("need", "list", "--claimed-by", "cj-cb-bank", "-f", "json"))
    assert [(r["id"], r["project"]) for r in rows] == [("N-0007", "PJ-0001"), ("N-0003", None)]
    out = ok(vol_cli("need", "list", "-f", "csv"))
    assert out.startswith("\ufeffId,Posted,Kind") and out.count("\n") == 9


@pytest.mark.parametrize(("args", "message"), [
    (("need", "fulfil", "N-0004"), "N-0004 is open: nobody has taken it on yet"),
    (("need", "claim", "N-0001", "--by", "p-0053"), "N-0001 is fulfilled on 2026-11-06 15:00: it cannot be claimed"),
    (("need", "claim", "N-0004", "--by", "p-0330"), "p-0330 posted N-0004; someone else takes it on"),
    (("need", "claim", "N-0004", "--by", "nobody"), "no organization or person 'nobody'"),
    (("need", "release", "N-0007", "--reason", "x"), "taken on by project PJ-0001"),
    (("need", "add", "x", "--area", "cj-yh4"), "say what it is about with --category"),
    (("need", "add", "x", "--wish", "-c", "repair"), "say whose with --person"),
    (("need", "show", "N-0404"), "no need 'N-0404'"),
    (("need", "list", "--status", "done"), "--status 'done' is not one of"),
])
def test_need_errors_write_nothing(vol_cli, table_counts, town_db, args, message):
    before = table_counts(town_db, ["need", "audit_log"])
    fails(vol_cli(*args), message)
    assert table_counts(town_db, ["need", "audit_log"]) == before


def test_resources(vol_cli):
    assert ok(vol_cli("resource", "add", "社区法律讲堂", "--provider", "p-0036", "-c", "legal", "--area", "cj-ya")) == \
        "RS-0007\n"
    rows = js(vol_cli("resource", "list", "--area", "cj-ya", "-f", "json"))
    assert [r["id"] for r in rows] == ["RS-0001", "RS-0002", "RS-0003", "RS-0005", "RS-0007"]
    out = ok(vol_cli("resource", "list", "--status", "withdrawn", "--lang", "zh", "-f", "plain"))
    assert "RS-0006" in out and "已撤回" in out
    shown = js(vol_cli("resource", "show", "RS-0003", "-f", "json"))
    assert [p["id"] for p in shown["projects"]] == ["PJ-0002"]
    assert ok(vol_cli("resource", "withdraw", "RS-0007", "--reason", "律师调离")) == "RS-0007 withdrawn\n"
    fails(vol_cli("resource", "withdraw", "RS-0007", "--reason", "again"), "it cannot be withdrawn again")
    fails(vol_cli("resource", "add", "x", "--provider", "cj-cb-bank"), "say what it is about with --category")
    fails(vol_cli("resource", "show", "RS-0999"), "no resource 'RS-0999'")


def test_a_project_from_match_to_done(vol_cli):
    rows = js(vol_cli("project", "match", "--need", "N-0008", "-f", "json"))
    assert [(r["resource"], r["score"], r["reasons"]) for r in rows] == [("RS-0002", 2, ["wider-area", "registered"])]
    out = ok(vol_cli("project", "match", "--area", "cj-yh4", "--lang", "zh", "-f", "plain"))
    assert "覆盖本社区, 已双报到" in out and "关爱儿童" in out
    assert ok(vol_cli("project", "add", "四点半课堂", "--owner", "cj-cb-school", "--need", "N-0008",
                      "--resource", "RS-0002", "--at", "2026-11-26")) == "PJ-0004\n"
    assert ok(vol_cli("project", "link", "PJ-0004", "--resource", "RS-0004")) == "PJ-0004 planned\n"
    assert ok(vol_cli("project", "start", "PJ-0004", "--at", "2026-11-27")) == "PJ-0004 running\n"
    assert ok(vol_cli("project", "done", "PJ-0004", "--note", "托管学生32名", "--lang", "zh")) == "PJ-0004 已完成\n"
    shown = js(vol_cli("project", "show", "PJ-0004", "-f", "json"))
    assert [n["status"] for n in shown["need_list"]] == ["fulfilled"] and len(shown["resource_list"]) == 2
    out = ok(vol_cli("project", "show", "PJ-0004", "--lang", "zh", "-f", "plain"))
    assert "需求 (1)" in out and "资源 (2)" in out
    rows = js(vol_cli("project", "list", "--status", "done", "-f", "json"))
    assert [r["id"] for r in rows] == ["PJ-0002", "PJ-0004"]
    out = ok(vol_cli("project", "list", "--owner", "陈家镇实验学校", "--lang", "zh", "-f", "plain"))
    assert "已完成" in out and "计划中" in out


@pytest.mark.parametrize(("args", "message"), [
    (("project", "done", "PJ-0003"), "PJ-0003 is planned: it cannot be marked done"),
    (("project", "start", "PJ-0002"), "PJ-0002 is done"),
    (("project", "add", "x", "--owner", "cj-cb-school", "--need", "N-0007"), "already taken on by project PJ-0001"),
    (("project", "add", "x", "--owner", "cj-cb-school", "--resource", "RS-0006"), "RS-0006 was withdrawn"),
    (("project", "link", "PJ-0001"), "give --need or --resource"),
    (("project", "list", "--status", "paused"), "--status 'paused' is not one of"),
    (("project", "match", "--need", "N-0001"), "matching suggests resources for open needs"),
])
def test_project_errors_write_nothing(vol_cli, table_counts, town_db, args, message):
    tables = ["project", "project_need", "project_resource", "need", "audit_log"]
    before = table_counts(town_db, tables)
    fails(vol_cli(*args), message)
    assert table_counts(town_db, tables) == before


# ---- the command surface ----------------------------------------------------------------------

COMMANDS = [("points",) + (c,) for c in ("earn", "redeem", "adjust", "balance", "ledger", "rank", "rule")] + \
    [("points", "activity", c) for c in ("add", "list", "show")] + [("org", "register")] + \
    [("need", c) for c in ("add", "list", "show", "claim", "release", "fulfil", "withdraw")] + \
    [("resource", c) for c in ("add", "list", "show", "withdraw")] + \
    [("project", c) for c in ("add", "list", "show", "link", "start", "done", "match")]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(cli, command):
    out = ok(cli(*command, "--help"))
    assert "cgov " + " ".join(command) in out.replace("\n", " ")


def test_the_volunteers_commands_load_no_database_or_yaml_code():
    code = ("import sys; import cgov.volunteers.cli; "
            "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'yaml', 'rich') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("first,then", [("cgov.meetings.cli", "cgov.volunteers.cli"),
                                         ("cgov.volunteers.cli", "cgov.meetings.cli")])
def test_our_labels_never_replace_another_feature_s_word(first, then):
    # Nouns load on use, in any order; "open" is an open meeting there, an
    # open need here: each feature's words stay its own either way.
    code = (f"import {first}, {then}; from cgov.core import i18n; "
            "from cgov.meetings.labels import LABELS as M; from cgov.volunteers.labels import LABELS as V; "
            "print(i18n.label('open', 'zh', M), i18n.label('micro-wish', 'zh', V), i18n.label('open', 'zh', V))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["不限（到会者）", "微心愿", "待认领"]


def test_our_columns_carry_our_own_words(vol_cli):
    out = ok(vol_cli("need", "list", "--status", "open", "--lang", "zh", "-f", "plain"))
    assert "待认领" in out and "不限" not in out
