"""The metrics on a hand-built set of cases whose figures were worked out by hand.

Week 2026-W47 runs from Monday 2026-11-16 00:00 to Monday 2026-11-23 00:00,
Shanghai time. Category 1001 (楼道堆物): respond within 24 h, resolve within 72 h.

  case  place   reported       steps (local time)                                   in W47
  A     yh4     Mon 16 09:00   accept 16 10:00, dispatch, reply 18 09:00,
                               close 19 09:00 = resolve-by (edge), rate 19 12:00     reported, on time, due, closed on
                               satisfied/resolved                                    time, closed, rated
  B     yh4     Mon 16 10:00   accept 17 11:00 (1 h late), dispatch, extend 18 09:00
                               to 24 18:00, reply 20 10:00, close 20 12:00,
                               rate Tue 24 10:00 (next week) satisfied/resolved      reported, late response, extended,
                                                                                     closed; not due (extended out)
  C     yh4     Tue 17 09:00   accept, dispatch, reply 19 09:00, close 19 10:00,
                               reopen 19 15:00, reply 20 09:00, close 20 10:00
                               (after resolve-by 20 09:00), rate 20 15:00
                               dissatisfied/not resolved                             first close on time; closed once;
                                                                                     reopened; rated
  D     ya      Wed 18 09:00   reject 18 12:00                                      reported, responded; never due
  E     yh4     Wed 18 10:00   accept, cancel                                       left out everywhere
  F     ya      Thu 19 09:00   accept 09:10, dispatch 09:20 — still dispatched       due 22 09:00, open and overdue
  G     yh4     Mon 16 03:00   accept 05:00 — still accepted                        reported (Sunday 19:00 UTC!),
                                                                                     due 19 03:00, open and overdue
  H     yh4     Thu 12 09:00   …closed 14 12:00 (W46), rate Mon 16 09:00 basic     rated in W47 only
  I     yh4     Tue 17 12:00   linked as duplicate of A                             left out everywhere
  K     yh4     Mon 23 01:00   new (Sunday 17:00 UTC, still W47 in UTC)            not in W47
  L     yh4     Fri 13 09:00   accept, dispatch (W46); reply 22 09:00,
                               close Sun 22 10:00 (resolve-by was 16 09:00)         due, closed late but before the end
  M     yh4     Mon 16 11:00   accept 12:00, dispatch, reply 17 09:00,
                               close 17 10:00, reopen 18 09:00 — still open          due, first close on time,
                                                                                     reopened, open and overdue

W47 by hand:
  reported 7 (A B C D F G M); responded on time 6 (all but B): 6/7
  due 6 (A C F G L M): closed on time 3 (A C M) = 0.5; closed before the end 4 (A C L M) = 4/6
  rated 3 (A satisfied+yes, C dissatisfied+no, H basic+yes): resolution 2/3, satisfaction 2/3
  closed 5 (A B C L M); reopened 2 (C M): rework 2/5; extended 1 (B)
  hours to the last close in W47: M 23, A 72, C 73, B 98, L 217 → median 73
  open and overdue at the end: F G M = 3
"""

import datetime as dt

import pytest

from cgov.cases import metrics, service
from cgov.core import clock
from cgov.core.errors import Invalid

YH4 = "cj-yh4-b03"
YA = "cj-ya-b01"


def _build(s, h):
    def case(start, building=YH4, **kw):
        return h.new_case(s, start, building=building, **kw)

    def go(cid, *steps):
        for kind, when, kw in steps:
            getattr(service, kind)(s, cid, at=h.at(when), **kw)

    ids = {}
    ids["A"] = a = case("2026-11-16 09:00")
    go(a, ("accept", "2026-11-16 10:00", {}), ("dispatch", "2026-11-16 10:30", {}),
       ("reply", "2026-11-18 09:00", {"result": "已清理"}), ("close", "2026-11-19 09:00", {}),
       ("rate", "2026-11-19 12:00", {"resolved": True, "satisfaction": "satisfied"}))
    ids["B"] = b = case("2026-11-16 10:00")
    go(b, ("accept", "2026-11-17 11:00", {}), ("dispatch", "2026-11-17 11:30", {}),
       ("extend", "2026-11-18 09:00", {"until": h.at("2026-11-24 18:00"), "reason": "需等待配件",
                                       "approver": "李红娣"}),
       ("reply", "2026-11-20 10:00", {"result": "已清理"}), ("close", "2026-11-20 12:00", {}),
       ("rate", "2026-11-24 10:00", {"resolved": True, "satisfaction": "satisfied"}))
    ids["C"] = c = case("2026-11-17 09:00")
    go(c, ("accept", "2026-11-17 09:30", {}), ("dispatch", "2026-11-17 10:00", {}),
       ("reply", "2026-11-19 09:00", {"result": "已清理"}), ("close", "2026-11-19 10:00", {}),
       ("reopen", "2026-11-19 15:00", {"reason": "又堆回来了"}), ("reply", "2026-11-20 09:00", {"result": "再清理"}),
       ("close", "2026-11-20 10:00", {}),
       ("rate", "2026-11-20 15:00", {"resolved": False, "satisfaction": "dissatisfied"}))
    ids["D"] = d = case("2026-11-18 09:00", building=YA)
    go(d, ("reject", "2026-11-18 12:00", {"reason": "属民事纠纷"}))
    ids["E"] = e = case("2026-11-18 10:00")
    go(e, ("accept", "2026-11-18 10:30", {}), ("cancel", "2026-11-18 12:00", {"reason": "录入错误"}))
    ids["F"] = f = case("2026-11-19 09:00", building=YA)
    go(f, ("accept", "2026-11-19 09:10", {}), ("dispatch", "2026-11-19 09:20", {}))
    ids["G"] = g = case("2026-11-16 03:00")
    go(g, ("accept", "2026-11-16 05:00", {}))
    ids["H"] = hh = case("2026-11-12 09:00")
    go(hh, ("accept", "2026-11-12 10:00", {}), ("dispatch", "2026-11-12 10:30", {}),
       ("reply", "2026-11-14 09:00", {"result": "已清理"}), ("close", "2026-11-14 12:00", {}),
       ("rate", "2026-11-16 09:00", {"resolved": True, "satisfaction": "basic"}))
    ids["I"] = i = case("2026-11-17 12:00")
    go(i, ("link", "2026-11-17 12:30", {"duplicate_of": a}))
    ids["K"] = case("2026-11-23 01:00")
    ids["L"] = l_ = case("2026-11-13 09:00")
    go(l_, ("accept", "2026-11-13 10:00", {}), ("dispatch", "2026-11-13 10:30", {}),
       ("reply", "2026-11-22 09:00", {"result": "已清理"}), ("close", "2026-11-22 10:00", {}))
    ids["M"] = m = case("2026-11-16 11:00")
    go(m, ("accept", "2026-11-16 12:00", {}), ("dispatch", "2026-11-16 12:30", {}),
       ("reply", "2026-11-17 09:00", {"result": "已清理"}), ("close", "2026-11-17 10:00", {}),
       ("reopen", "2026-11-18 09:00", {"reason": "居民不认可"}))
    return ids


@pytest.fixture
def built(write, h):
    return write(_build, h)


def _week(read, week, **kw):
    start, end = metrics.week_period(week)
    return read(metrics.metrics, start, end, **kw)


W47 = {
    "reported": 7, "responded_on_time": 6, "response_rate": round(6 / 7, 4),
    "due": 6, "closed_on_time": 3, "on_time_rate": 0.5, "due_closed": 4, "closure_rate": round(4 / 6, 4),
    "rated": 3, "resolved": 2, "satisfied": 1, "basic": 1, "dissatisfied": 1,
    "resolution_rate": round(2 / 3, 4), "satisfaction_rate": round(2 / 3, 4),
    "closed": 5, "reopened": 2, "rework_rate": 0.4, "extended": 1, "median_hours_to_close": 73.0,
    "open_overdue": 3,
}


def test_every_metric_of_the_week_matches_the_hand_count(built, read):
    got = _week(read, "2026-W47")
    assert {k: got[k] for k in metrics.KEYS} == W47


def test_periods_are_cut_in_local_time(built, read, h):
    g = read(service.show_case, built["G"])
    assert g["reported_at"].astimezone(dt.timezone.utc).strftime("%a %H:%M") == "Sun 19:00"
    start, end = metrics.week_period("2026-W47")
    assert (clock.fmt_local(start), clock.fmt_local(end)) == ("2026-11-16 00:00", "2026-11-23 00:00")
    # Monday the 16th, local: G (03:00), A, B, M. Cut in UTC it would lose G.
    assert read(metrics.metrics, *metrics.period(since="2026-11-16", until="2026-11-16"))["reported"] == 4
    utc_monday = dt.datetime(2026, 11, 16, tzinfo=dt.timezone.utc)
    assert read(metrics.metrics, utc_monday, utc_monday + dt.timedelta(days=1))["reported"] == 3
    # K, at 01:00 on Monday the 23rd local, belongs to the next week.
    assert read(metrics.metrics, *metrics.period(since="2026-11-23", until="2026-11-23"))["reported"] == 1


def test_the_next_week_has_the_late_rating_and_the_extended_case(built, read):
    got = _week(read, "2026-W48")
    # B: rated on the 24th; due on the 24th after its extension and closed on the 20th: on time.
    # K: reported on the 23rd (local), due on the 26th, open.
    assert (got["reported"], got["rated"], got["satisfied"], got["satisfaction_rate"]) == (1, 1, 1, 1.0)
    assert (got["due"], got["closed_on_time"], got["on_time_rate"]) == (2, 1, 0.5)
    assert (got["closed"], got["rework_rate"], got["median_hours_to_close"]) == (0, None, None)


def test_an_empty_period_has_zero_counts_and_null_rates(built, read):
    got = _week(read, "2026-W30")
    assert all(got[k] == 0 for k in metrics.COUNTS)
    assert all(got[k] is None for k in ("response_rate", "on_time_rate", "closure_rate", "resolution_rate",
                                        "satisfaction_rate", "rework_rate", "median_hours_to_close"))


def test_figures_by_community_add_up_to_the_total(built, read):
    got = _week(read, "2026-W47", by="community")
    groups = {g["key"]: g for g in got["groups"]}
    assert set(groups) == {"cj-yh4", "cj-ya"}
    ya, yh4 = groups["cj-ya"], groups["cj-yh4"]
    assert ya["name"] == "裕安社区"
    assert (ya["reported"], ya["response_rate"], ya["due"], ya["on_time_rate"], ya["open_overdue"]) == (2, 1.0, 1, 0.0, 1)
    assert (ya["rated"], ya["satisfaction_rate"], ya["closed"], ya["rework_rate"]) == (0, None, 0, None)
    assert (yh4["reported"], yh4["due"], yh4["closed_on_time"], yh4["closed"], yh4["median_hours_to_close"]) == \
        (5, 5, 3, 5, 73.0)
    for k in metrics.COUNTS:
        assert ya[k] + yh4[k] == got[k] == W47[k]


def test_an_area_narrows_the_figures_and_a_town_includes_its_communities(built, read):
    assert _week(read, "2026-W47", area="cj-ya")["reported"] == 2
    assert _week(read, "2026-W47", area="裕安社区")["area"] == "cj-ya"
    assert _week(read, "2026-W47", area="cj-yh4-b03")["reported"] == 5
    town = _week(read, "2026-W47", area="cj")
    assert {k: town[k] for k in metrics.KEYS} == W47 and town["area_name"] == "陈家镇"
    assert _week(read, "2026-W47", area="cj-dt")["reported"] == 0


@pytest.mark.parametrize("by,key", [("grid", "cj-yh4-g01"), ("category", "1001"), ("handler", "cj-yh4-pm")])
def test_other_groupings_name_their_groups(built, read, by, key):
    got = _week(read, "2026-W47", by=by)
    names = {g["key"]: g["name"] for g in got["groups"]}
    assert names[key] == {"grid": "裕鸿佳苑第四社区 第一网格", "category": "楼道堆物",
                          "handler": "上海裕鸿物业服务有限公司"}[by]
    assert sum(g["reported"] for g in got["groups"]) == W47["reported"]
    if by == "handler":  # D (rejected) and G (accepted) have no handler yet
        assert [(g["key"], g["name"], g["reported"]) for g in got["groups"] if g["key"] is None] == [(None, None, 2)]


def test_several_groupings_in_one_pass_give_what_each_gives_alone(built, read):
    # The weekly report takes communities, grids and categories from one pass
    # grouped by all of them: each must be what `metrics` gives on its own,
    # medians included (they cannot be summed, only recomputed).
    start, end = metrics.week_period("2026-W47")
    both = read(metrics.metrics_by, start, end, bys=("community", "grid", "category"))
    assert {k: both[k] for k in metrics.KEYS} == W47
    for by in ("community", "grid", "category"):
        assert both["groups_by"][by] == _week(read, "2026-W47", by=by)["groups"], by
    empty = read(metrics.metrics_by, *metrics.week_period("2026-W30"), bys=("community", "category"))
    assert empty["groups_by"] == {"community": [], "category": []} and empty["reported"] == 0


def test_bad_periods_and_groupings_are_refused(read):
    with pytest.raises(Invalid, match="not an ISO week"):
        metrics.week_period("2026-W54")
    with pytest.raises(Invalid, match="not both"):
        metrics.period(week="2026-W47", since="2026-11-01")
    start, end = metrics.week_period("2026-W47")
    with pytest.raises(Invalid, match="--by 'street'"):
        read(metrics.metrics, start, end, by="street")
    with pytest.raises(Invalid, match="period is empty"):
        read(metrics.metrics, end, start)


def test_since_until_dates_are_whole_local_days(read):
    start, end = metrics.period(since="2026-11-16", until="2026-11-22")
    assert (start, end) == metrics.week_period("2026-W47")
