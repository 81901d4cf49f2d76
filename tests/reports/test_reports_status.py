"""`cgov report status` on the known weeks, seen on Monday 2026-11-23 09:00."""

import json
import shlex

import pytest


@pytest.fixture
def today(week, town):
    """The known weeks plus a blocked fire lane reported on Sunday 10:00
    (1203: resolve within 24 h), so one case falls due later today."""
    from cgov.cases import service
    from cgov.core import clock, store

    with store.writing(town, actor="tester") as s:
        week.T = service.add_case(s, title="消防通道堵塞", category="1203", building="cj-yh4-b03",
                                  reported_at=clock.parse_at("2026-11-22 10:00"))["id"]
    return week


def rows(cli, *args):
    r = cli("report", "status", "-f", "json", *args)
    assert r.exit_code == 0, r.stderr
    return {x["subject"]: x for x in json.loads(r.stdout)}


def test_status_counts_what_needs_attention(today, town_cli):
    s = rows(town_cli)
    # Open: G H T new; O1 P3 X (reopened) C dispatched. Overdue: O1 (11-05), X
    # (11-13), C (11-21). Due later today: T at 10:00. Escalated and open: P3 C.
    assert (s["open-cases"]["count"], s["open-cases"]["parts"]) == (7, [
        {"key": "new", "name": None, "name_en": None, "count": 3},
        {"key": "dispatched", "name": None, "name_en": None, "count": 4}])
    assert s["overdue-cases"]["count"] == 3
    assert s["due-today"]["count"] == 1
    assert s["escalated"]["count"] == 2
    # Owed by Sunday 11-29: 18 branches' quarterly meeting, cj-ya-g01-pb's night talk.
    assert s["meetings-due"]["count"] == 19
    assert [(p["key"], p["count"]) for p in s["meetings-due"]["parts"]] == [
        ("grid-night-talk", 1), ("party-members-meeting", 18)]
    # I6 waits since 10-21, past its limit (11-11).
    assert (s["pending-applications"]["count"], [p["count"] for p in s["pending-applications"]["parts"]]) == (1, [1])
    assert s["grid-findings"]["count"] == 7


def test_status_screen_in_english_and_chinese(today, town_cli):
    en = town_cli("report", "status", "-f", "plain").stdout
    assert "Open cases" in en and "new 3, dispatched 4" in en
    assert "Regular meetings owed by Sunday (overdue included)" in en and "Grid night talk 1, Party members' meeting 18" in en
    assert "overdue 1" in en and "cgov case list --status open --escalated" in en
    zh = town_cli("report", "status", "-f", "plain", "--lang", "zh").stdout
    assert "未结案件" in zh and "待受理 3，已派单 4" in zh
    assert "网格夜谈会 1，党员大会 18" in zh and "逾期 1" in zh and "网格检查问题" in zh
    assert "Open cases" not in zh and "dispatched" not in zh
    assert len(zh.splitlines()) == 2 + 7  # heading, rule, one line a subject


def test_each_line_names_a_command_that_lists_its_details(today, town_cli):
    s = rows(town_cli)
    for subject in ("open-cases", "overdue-cases", "escalated", "pending-applications"):
        args = shlex.split(s[subject]["command"])[1:]
        listed = town_cli(*args, "-f", "json")
        assert listed.exit_code == 0, (subject, listed.stderr)
        assert len(json.loads(listed.stdout)) == s[subject]["count"], subject
    for subject in ("due-today", "meetings-due", "grid-findings"):
        assert town_cli(*shlex.split(s[subject]["command"])[1:]).exit_code == 0


def test_status_on_an_empty_town_is_all_zero_but_the_findings(town_cli, monkeypatch):
    monkeypatch.setenv("CGOV_NOW", "2026-11-23T09:00")
    s = rows(town_cli)
    assert [s[k]["count"] for k in ("open-cases", "overdue-cases", "due-today", "escalated",
                                    "pending-applications")] == [0] * 5
    assert s["meetings-due"]["count"] == 19 and s["grid-findings"]["count"] == 6


def test_status_refuses_a_missing_store(cli, tmp_path):
    r = cli("--db", tmp_path / "nope.db", "report", "status")
    assert r.exit_code == 1 and r.stderr.startswith("error: no cgov database at")
    assert not (tmp_path / "nope.db").exists()
