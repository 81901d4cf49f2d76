"""Every figure of `cgov report weekly --week 2026-W47 -f json` on the known
weeks of conftest.py, worked out by hand there and below."""

import pytest

# ---- the case figures -------------------------------------------------------------
#
# W47 (Mon 11-16 .. Sun 11-22), leaving out E (cancelled) and F (duplicate):
#   reported 7: A Z B C Y D G (H is Monday 11-23, the next week)
#   responded on time 5: A Z C Y D (B accepted an hour late, G not yet) → 5/7
#   due 5: A B C Y Z (resolve-by in W47; P3 was extended out, D rejected)
#   closed on time 2: A (on the limit) B (first close in time) → 2/5
#   due and closed before the end 3: A B Z → 3/5
#   rated 3: A yes/satisfied, B yes/basic, P2 yes/dissatisfied → resolved 3/3, content 2/3
#   closed 6: A B P2 P4 X Z (Y only on 11-23); reopened 1: B (X's reopen is after) → 1/6
#   extended 1: P3
#   hours to the last close in W47: A 72, B 75, Z 86, P2 140, X 240, P4 242 → median 113
#   open and overdue at the end 3: O1 C Y (X was closed then, reopened after)
# W46 (11-09 .. 11-15): reported 5 (P4 P1 X P2 P3), on time 4 (not P2) → 0.8;
#   due 4 (P4 P1 X P2; P3 extended to 11-25), closed on time 1 (P1), closed before
#   the end 1 (P1); rated 1 (P1 yes/satisfied); closed 1 (P1), reopened 0,
#   extended 0; median 49 (P1); open and overdue at its end 4: O1 P4 X P2.
W47 = {"reported": 7, "responded_on_time": 5, "response_rate": 0.7143, "due": 5, "closed_on_time": 2,
       "on_time_rate": 0.4, "due_closed": 3, "closure_rate": 0.6, "rated": 3, "resolved": 3, "satisfied": 1,
       "basic": 1, "dissatisfied": 1, "resolution_rate": 1.0, "satisfaction_rate": 0.6667, "closed": 6,
       "reopened": 1, "rework_rate": 0.1667, "extended": 1, "median_hours_to_close": 113.0, "open_overdue": 3}
W46 = {"reported": 5, "responded_on_time": 4, "response_rate": 0.8, "due": 4, "closed_on_time": 1,
       "on_time_rate": 0.25, "due_closed": 1, "closure_rate": 0.25, "rated": 1, "resolved": 1, "satisfied": 1,
       "basic": 0, "dissatisfied": 0, "resolution_rate": 1.0, "satisfaction_rate": 1.0, "closed": 1,
       "reopened": 0, "rework_rate": 0.0, "extended": 0, "median_hours_to_close": 49.0, "open_overdue": 4}
CHANGE = {"reported": 2, "responded_on_time": 1, "response_rate": -0.0857, "due": 1, "closed_on_time": 1,
          "on_time_rate": 0.15, "due_closed": 2, "closure_rate": 0.35, "rated": 2, "resolved": 2, "satisfied": 0,
          "basic": 1, "dissatisfied": 1, "resolution_rate": 0.0, "satisfaction_rate": -0.3333, "closed": 5,
          "reopened": 1, "rework_rate": 0.1667, "extended": 1, "median_hours_to_close": 64.0, "open_overdue": -1}
# By community: yh4 has A B G Y reported, A Y on time; A B Y due, A B on time and
# closed; A B rated; A B P4 X closed, B reopened, P3 extended; hours 72 75 240 242;
# Y O1 open and overdue. ya has Z C D reported and on time; C Z due, only Z closed
# (late); P2 rated dissatisfied; P2 Z closed; hours 86 140; C open and overdue.
YH4 = {"reported": 4, "responded_on_time": 2, "response_rate": 0.5, "due": 3, "closed_on_time": 2,
       "on_time_rate": 0.6667, "due_closed": 2, "closure_rate": 0.6667, "rated": 2, "resolved": 2, "satisfied": 1,
       "basic": 1, "dissatisfied": 0, "resolution_rate": 1.0, "satisfaction_rate": 1.0, "closed": 4,
       "reopened": 1, "rework_rate": 0.25, "extended": 1, "median_hours_to_close": 157.5, "open_overdue": 2}
YA = {"reported": 3, "responded_on_time": 3, "response_rate": 1.0, "due": 2, "closed_on_time": 0,
      "on_time_rate": 0.0, "due_closed": 1, "closure_rate": 0.5, "rated": 1, "resolved": 1, "satisfied": 0,
      "basic": 0, "dissatisfied": 1, "resolution_rate": 1.0, "satisfaction_rate": 0.0, "closed": 2,
      "reopened": 0, "rework_rate": 0.0, "extended": 0, "median_hours_to_close": 113.0, "open_overdue": 1}
# By category: 1201 噪音扰民 is ya's cases; 1002 随意晾晒 is Y alone; 1001 楼道堆物 is
# the rest of yh4 (A B G reported, only A on time; O1 open and overdue).
CAT_1001 = {**YH4, "reported": 3, "responded_on_time": 1, "response_rate": 0.3333, "due": 2,
            "on_time_rate": 1.0, "closure_rate": 1.0, "open_overdue": 1}
CAT_1002 = {"reported": 1, "responded_on_time": 1, "response_rate": 1.0, "due": 1, "closed_on_time": 0,
            "on_time_rate": 0.0, "due_closed": 0, "closure_rate": 0.0, "rated": 0, "resolved": 0, "satisfied": 0,
            "basic": 0, "dissatisfied": 0, "resolution_rate": None, "satisfaction_rate": None, "closed": 0,
            "reopened": 0, "rework_rate": None, "extended": 0, "median_hours_to_close": None, "open_overdue": 1}


@pytest.fixture
def report(weekly_json):
    return weekly_json("--week", "2026-W47")


def test_period_is_the_iso_week_in_local_time(report):
    assert report["period"] == {"label": "2026-W47", "start": "2026-11-16T00:00:00+08:00",
                                "end": "2026-11-23T00:00:00+08:00", "area": None, "area_name": None}


def test_case_figures_previous_week_and_change(report):
    c = report["cases"]
    assert c["figures"] == W47
    assert c["previous"] == W46
    assert c["change"] == CHANGE


def test_case_figures_by_community_and_by_category(report):
    c = report["cases"]
    assert c["by_area"]["by"] == "community"
    assert c["by_area"]["groups"] == [{"key": "cj-ya", "name": "裕安社区", **YA},
                                      {"key": "cj-yh4", "name": "裕鸿佳苑第四社区", **YH4}]
    assert c["by_category"] == [{"key": "1001", "name": "楼道堆物", **CAT_1001},
                                {"key": "1002", "name": "随意晾晒", **CAT_1002},
                                {"key": "1201", "name": "噪音扰民", **YA}]


def test_most_overdue_are_the_cases_open_and_overdue_at_the_end(report, week):
    # O1 due 11-05 08:00 → 17 d 16 h at Monday 00:00; C due 11-21 08:00 → 1 d 16 h;
    # Y due 11-21 12:00 → 1 d 12 h (closed on Monday morning: open at the end).
    # X is overdue and open now but was closed at the end; it is not here.
    rows = report["cases"]["most_overdue"]
    assert [(r["id"], r["overdue_days"]) for r in rows] == [(week.O1, 17.7), (week.C, 1.7), (week.Y, 1.5)]
    assert len(rows) == report["cases"]["figures"]["open_overdue"]
    assert rows[1] == {"id": week.C, "title": "案件C", "community": "cj-ya", "community_name": "裕安社区",
                       "category": "1201", "category_name": "噪音扰民", "handler": "cj-ya-pm",
                       "handler_name": "上海东平物业服务有限公司", "reported_at": "2026-11-18T08:00:00+08:00",
                       "resolve_by": "2026-11-21T08:00:00+08:00", "overdue_days": 1.7}


def test_escalations_of_the_week_highest_level_first(report, week):
    e = report["cases"]["escalations"]
    assert (e["count"], e["previous"], e["change"]) == (3, 1, 2)  # W46: P4's first
    assert [(r["id"], r["level"], r["at"]) for r in e["cases"]] == [
        (week.P4, 2, "2026-11-18T09:00:00+08:00"), (week.P3, 1, "2026-11-20T10:00:00+08:00"),
        (week.C, 1, "2026-11-21T12:00:00+08:00")]


def test_meetings_held_motions_minutes_and_regular_meetings_overdue(report):
    m = report["meetings"]
    assert m["held"] == 3
    assert m["by_type"] == [
        {"type": "hearing", "name": "听证会", "name_en": "Hearing", "held": 1},
        {"type": "party-members-meeting", "name": "党员大会", "name_en": "Party members' meeting", "held": 1},
        {"type": "residents-meeting", "name": "居民会议", "name_en": "Residents' meeting", "held": 1}]
    assert (m["motions_voted"], m["motions_passed"], m["motions_failed"], m["motions_void"]) == (3, 1, 1, 1)
    assert m["minutes_published"] == 1
    # As of Sunday 11-22: the 19 grid branches owe the quarterly party members'
    # meeting of Q3 (due 09-30, 53 days), except cj-yh4-g03-pb which held one on
    # 11-19; cj-ya-g01-pb's night talk (monthly on the 15th, last held 10-15) was
    # due 11-15: 7 days.
    # The report counts them all and lists the ten most overdue (party
    # members' meetings, 53 days; the night talk is the least overdue).
    assert m["regular_overdue"] == 19
    top = m["regular_overdue_top"]
    assert len(top) == 10 and "cj-yh4-g03-pb" not in {r["organization"] for r in top}
    assert {(r["type"], r["due"], r["overdue_days"], r["last_held"]) for r in top} == {
        ("party-members-meeting", "2026-09-30", 53, None)}
    assert [r["organization"] for r in top] == sorted(r["organization"] for r in top)


def test_access_figures(weekly_json):
    # Received I5; decided I3 I4 I5, I4 late (applied 10-20, due 11-10); I6
    # (applied 10-21, due 11-11) undecided past the limit; admitted I2 (added)
    # I3 I4; revoked I1; one request refused (the other was in W46); in force
    # on 11-22: I2 I3 I4 → against a baseline of 10, 7 fewer (70%).
    a = weekly_json("--week", "2026-W47", "--baseline", "10")["access"]
    assert a == {"applications_received": 1, "applications_decided": 3, "applications_decided_late": 1,
                 "applications_overdue": 1, "items_admitted": 3, "items_revoked": 1, "requests_refused": 1,
                 "admitted": 3, "baseline": 10, "limit_days": 15, "reduction": 7, "reduction_rate": 0.7}


def test_org_changes_grid_findings_and_audit_head(report, town):
    from sqlmodel import func, select

    from cgov.core import store
    from cgov.core.audit import AuditEntry

    # 赵新民 was added in W46, 钱新芳 in W47 with a post from 11-18; p-0174's
    # grid-leader post ended 11-20.
    assert report["org"] == {"persons_added": 1, "posts_started": 1, "posts_ended": 1}
    # The town's six findings, and cj-ya-g01 left without a grid leader on 11-20.
    assert report["grid_check"] == {
        "findings": 7, "by_rule": {"branch-too-small": 1, "grid-households": 2, "grid-no-leader": 1,
                                   "grid-no-worker": 1, "oc-no-party-member": 1, "oc-no-work-group": 1},
        "cross_appointment_rate": 0.475}
    with store.reading(town) as s:
        last = s.exec(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).one()
        count = s.exec(select(func.count()).select_from(AuditEntry)).one()
    assert report["audit"] == {"entries": count, "head": last}


def test_volunteer_service_points_and_wishes_of_the_week(report, weekly_json):
    # ya's activity of W47 (1.5 h and 2 h), a redeem, a micro-wish; yh4's
    # activity was the week before.
    v = report["volunteers"]
    assert (v["activities"], v["volunteers"], v["hours_served"], v["points_earned"]) == (1, 2, 3.5, 3.5)
    assert (v["redemptions"], v["points_redeemed"], v["wishes_posted"], v["wishes_fulfilled"]) == (1, 2, 1, 0)
    assert weekly_json("--week", "2026-W46")["volunteers"]["hours_served"] == 1
    yh4 = weekly_json("--week", "2026-W47", "--area", "cj-yh4")["volunteers"]
    assert (yh4["activities"], yh4["hours_served"], yh4["wishes_posted"]) == (0, 0, 0)


def test_history_of_eight_weeks_ends_with_this_and_last_week(report):
    hist = report["history"]
    assert [h["week"] for h in hist] == [f"2026-W{n}" for n in range(40, 48)]
    assert hist[0]["start"] == "2026-09-28T00:00:00+08:00" and hist[-1]["end"] == "2026-11-23T00:00:00+08:00"
    keys = ("reported", "due", "closed_on_time", "on_time_rate", "rated", "satisfaction_rate")
    assert [tuple(h[k] for k in keys) for h in hist] == [(0, 0, 0, None, 0, None)] * 5 + [
        (1, 1, 0, 0.0, 0, None),  # W45: O1 reported and due 11-05, never closed
        (5, 4, 1, 0.25, 1, 1.0), (7, 5, 2, 0.4, 3, 0.6667)]
    # The chart's last two weeks are the table's this and previous period.
    for h, figures in ((hist[-1], W47), (hist[-2], W46)):
        assert {k: h[k] for k in keys} == {k: figures[k] for k in keys}


def test_area_narrows_to_a_community_by_grid(weekly_json, week):
    # yh4's cases by grid: g01 (b03) has A G reported, A due/closed/rated, A P4 X
    # closed (hours 72 240 242); g02 (b07) has B Y reported, Y on time, B Y due, B
    # closed on time, B rated basic, B closed and reopened, P3 extended, Y O1 open
    # and overdue.
    r = weekly_json("--week", "2026-W47", "--area", "cj-yh4")
    assert r["period"]["area"] == "cj-yh4" and r["period"]["area_name"] == "裕鸿佳苑第四社区"
    c = r["cases"]
    assert c["figures"] == YH4
    assert c["previous"]["reported"] == 4  # P4 P1 X P3 (P2 is ya's)
    assert c["by_area"]["by"] == "grid"
    groups = {g["key"]: g for g in c["by_area"]["groups"]}
    assert set(groups) == {"cj-yh4-g01", "cj-yh4-g02"}
    assert groups["cj-yh4-g01"]["name"] == "裕鸿佳苑第四社区 第一网格"
    g1, g2 = groups["cj-yh4-g01"], groups["cj-yh4-g02"]
    assert (g1["reported"], g1["due"], g1["closed"], g1["median_hours_to_close"], g1["open_overdue"]) == (2, 1, 3, 240.0, 0)
    assert (g2["reported"], g2["responded_on_time"], g2["due"], g2["closed_on_time"], g2["reopened"],
            g2["rework_rate"], g2["extended"], g2["open_overdue"]) == (2, 1, 2, 1, 1, 1.0, 1, 2)
    assert [x["id"] for x in c["most_overdue"]] == [week.O1, week.Y]
    assert [x["id"] for x in c["escalations"]["cases"]] == [week.P4, week.P3]
    # Meetings of yh4's organizations: the hearing and the branch meeting.
    assert r["meetings"]["held"] == 2 and r["meetings"]["motions_voted"] == 2
    assert r["meetings"]["regular_overdue"] == 4
    assert [(x["organization"], x["type"]) for x in r["meetings"]["regular_overdue_top"]] == [
        (f"cj-yh4-g0{n}-pb", "party-members-meeting") for n in (1, 2, 4, 5)]
    # 钱新芳 lives in yh4 and took a post there; the post that ended is ya's.
    assert r["org"] == {"persons_added": 1, "posts_started": 1, "posts_ended": 0}
    assert r["grid_check"]["findings"] == 0
    assert r["history"][-1]["reported"] == 4


def test_area_as_a_grid_counts_its_cases_only(weekly_json, week):
    c = weekly_json("--week", "2026-W47", "--area", "cj-yh4-g02")["cases"]
    assert c["figures"]["reported"] == 2 and c["figures"]["open_overdue"] == 2
    assert [g["key"] for g in c["by_area"]["groups"]] == ["cj-yh4-g02"]


def test_default_period_is_the_last_complete_week(week_cli, weekly_json, monkeypatch):
    assert weekly_json()["period"]["label"] == "2026-W47"  # CGOV_NOW is Monday 2026-11-23 09:00
    monkeypatch.setenv("CGOV_NOW", "2026-11-22T23:59")  # Sunday night: W47 is not over yet
    assert weekly_json()["period"]["label"] == "2026-W46"
    monkeypatch.setenv("CGOV_NOW", "2026-11-15T16:30:00Z")  # Monday 00:30 in Shanghai
    r = weekly_json()
    assert r["period"]["label"] == "2026-W46" and r["cases"]["figures"] == W46


def test_since_until_is_a_period_of_local_days(weekly_json):
    # --until is included: 11-16 .. 11-22 is W47 again, by dates.
    r = weekly_json("--since", "2026-11-16", "--until", "2026-11-22")
    assert r["period"]["label"] == "2026-W47"
    assert r["cases"]["figures"] == W47 and r["cases"]["previous"] == W46
    days = weekly_json("--since", "2026-11-16", "--until", "2026-11-18")
    assert days["period"]["label"] == "2026-11-16..2026-11-18"
    assert days["period"]["end"] == "2026-11-19T00:00:00+08:00"
    # A B Z C Y were reported on those three days; the three days before had P3 only.
    assert days["cases"]["figures"]["reported"] == 5 and days["cases"]["previous"]["reported"] == 1


@pytest.mark.parametrize("args, message", [
    (["--week", "2026-W47", "--since", "2026-11-16"], "error: give --week or --since/--until, not both"),
    (["--week", "2026-W60"], "error: --week '2026-W60' is not an ISO week"),
    (["--week", "last"], "error: --week 'last' is not an ISO week"),
    (["--since", "2026-11-20", "--until", "2026-11-10"], "error: the period is empty"),
    (["--since", "16.11.2026"], "error: --since: '16.11.2026' is not a date or time"),
    (["--area", "nowhere"], "error: no area 'nowhere'"),
    (["-f", "csv"], "error: --format: 'csv' is not one of md, plain, json, html"),
])
def test_bad_period_or_option_is_one_line(week_cli, args, message):
    r = week_cli("report", "weekly", *args)
    assert r.exit_code == (2 if "--format" in message else 1)
    assert r.stdout == ""
    assert r.stderr.startswith(message) and r.stderr.count("\n") == 1, r.stderr


def test_service_gives_the_same_dict_to_python_scripts(week, town):
    """The weekly dict from Python, as a street office may script it."""
    from cgov.core import store
    from cgov.reports import service

    with store.reading(town) as s:
        start, end = service.resolve_period("2026-W47", None, None)
        data = service.weekly(s, start, end)
    assert data["cases"]["figures"] == W47
    assert data["period"]["start"] == start and data["history"][-1]["end"] == end


def test_case_queries_read_index_ranges_not_every_case(week, town):
    """On a store of a million cases the summary must not walk them all: no
    `duplicate_of IS NULL` (SQLite then takes that index and reads nearly
    every case), and on SQLite no plan scans the case tables."""
    from sqlalchemy import event

    from cgov.core import store
    from cgov.reports import service

    seen = []

    def capture(conn, cursor, statement, params, context, executemany):
        seen.append((statement, params))

    with store.reading(town) as s:
        start, end = service.resolve_period("2026-W47", None, None)
        event.listen(town, "before_cursor_execute", capture)
        try:
            service.weekly(s, start, end)
            service.weekly(s, start, end, area="cj-yh4")
        finally:
            event.remove(town, "before_cursor_execute", capture)
        on_cases = [(q, p) for q, p in seen if "case_record" in q or "case_event" in q]
        assert on_cases and not [q for q, _ in on_cases if "duplicate_of IS NULL" in q]
        if town.dialect.name == "sqlite":
            scans = []
            for q, p in on_cases:
                plan = [row[-1] for row in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + q, p)]
                scans += [(q[:80], x) for x in plan if x.startswith("SCAN case_")]
            assert scans == []


def test_free_text_in_the_report_is_masked(week, week_cli):
    # An open case past its deadline, its title carrying the caller's phone.
    cid = week_cli("case", "add", "5号楼漏水 联系人13812345678", "-b", "cj-yh4-b03", "--at", "2026-11-02 09:00").stdout.strip()
    for fmt in ("json", "md", "html"):
        out = week_cli("report", "weekly", "--week", "2026-W47", "-f", fmt).stdout
        assert cid in out and "13812345678" not in out and "138****5678" in out, fmt
