"""The points ledger's rules at the service layer: steps and cap, one earn
per activity, no negative balance at any moment, corrections as new
entries, star levels, ranks and the period's figures."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cgov.core import clock
from cgov.core.errors import Invalid, NotFound, Refused
from cgov.volunteers import common, points, rules, service
from cgov.volunteers.models import PointsEntry, VolunteerActivity

AT = clock.parse_at("2026-11-07 09:00+08:00")


def entries(engine) -> int:
    from cgov.core import store

    with store.reading(engine) as s:
        return s.execute(select(func.count()).select_from(PointsEntry)).scalar()


def activity(s, *people, hours="2", org="cj-yh4-vt", at=AT, **kw):
    return points.add_activity(s, "楼道清理", org, [(p, None) for p in people], rules.parse_hours(hours),
                               at=at, **kw)


# ---- the rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(("served", "credited", "points_"), [
    ("2", 120, 200), ("2.5", 150, 250), ("2:50", 150, 250), ("0:30", 30, 50), ("8", 480, 800),
    ("9", 480, 800), ("12.75", 480, 800)])
def test_default_rule_counts_half_hours_rounded_down_and_caps_at_8(served, credited, points_):
    rule = rules.current()
    minutes = rules.parse_hours(served)
    assert rule.credit(minutes) == credited
    assert rule.points(rule.credit(minutes)) == points_


def test_the_rule_is_configured_by_the_environment(monkeypatch):
    monkeypatch.setenv("CGOV_POINTS_PER_HOUR", "1.5")
    monkeypatch.setenv("CGOV_POINTS_STEP_MINUTES", "60")
    monkeypatch.setenv("CGOV_POINTS_MAX_HOURS", "4")
    monkeypatch.setenv("CGOV_POINTS_STARS", "10,20")
    rule = rules.current()
    assert (rule.credit(rules.parse_hours("2:50")), rule.credit(rules.parse_hours("6"))) == (120, 240)
    assert rule.points(120) == 300
    assert rule.stars_for(9 * 60) == (0, 10) and rule.stars_for(25 * 60) == (2, None)
    assert {r["setting"]: r["source"] for r in rule.to_rows()}["max_hours"] == "CGOV_POINTS_MAX_HOURS"


@pytest.mark.parametrize(("var", "value", "message"), [
    ("CGOV_POINTS_PER_HOUR", "lots", "is not a number"),
    ("CGOV_POINTS_PER_HOUR", "0", "above 0"),
    ("CGOV_POINTS_STEP_MINUTES", "90", "from 1 to 60"),
    ("CGOV_POINTS_STARS", "300,100", "must rise"),
    ("CGOV_POINTS_MAX_HOURS", "0.25", "less than one 30-minute step"),
])
def test_a_bad_rule_is_refused_naming_the_variable(monkeypatch, var, value, message):
    monkeypatch.setenv(var, value)
    with pytest.raises(Invalid) as e:
        rules.current()
    assert message in e.value.message and (var in e.value.message or "CGOV_POINTS_MAX_HOURS" in e.value.message)


def test_star_levels_default_to_100_300_600_1000_1500_hours():
    rule = rules.current()
    assert [rule.stars_for(h * 60)[0] for h in (99, 100, 299, 300, 600, 999, 1000, 1500, 4000)] == \
        [0, 1, 1, 2, 3, 3, 4, 5, 5]
    assert rule.stars_for(350 * 60) == (2, 600)


@pytest.mark.parametrize("text", ["two", "2,5", "-1", "1:75", ""])
def test_hours_must_be_a_plain_number_of_hours(text):
    with pytest.raises(Invalid):
        rules.parse_hours(text)


def test_points_have_at_most_two_decimals():
    assert rules.parse_points("2.5") == 250 and rules.parse_points("-0.25", signed=True) == -25
    with pytest.raises(Invalid):
        rules.parse_points("1.005")
    with pytest.raises(Invalid):
        rules.parse_points("-3")


# ---- earning ------------------------------------------------------------------------------


def test_an_activity_credits_everyone_by_the_rule(town, write):
    with write(town) as s:
        act = points.add_activity(s, "绿化补种", "cj-yh4-vt", [("p-0053", None), ("p-0067", 170), ("p-0088", 600)],
                                  minutes=120, at=AT)
    assert act["id"] == "VA-0001" and act["community"] == "cj-yh4" and act["served"] == 3
    assert [(p["person"], p["reported_hours"], p["hours"], p["points"]) for p in act["participants"]] == [
        ("p-0053", 2, 2, 2), ("p-0067", 2.83, 2.5, 2.5), ("p-0088", 10, 8, 8)]
    assert act["points"] == 12.5


def test_a_person_earns_once_for_an_activity(town, write):
    with write(town) as s:
        activity(s, "p-0053")
    with pytest.raises(Refused) as e, write(town) as s:
        points.earn(s, "p-0053", "VA-0001", 60)
    assert "already earned points for VA-0001" in e.value.message and "points adjust" in e.value.hint
    assert entries(town) == 1


def test_earn_with_a_title_records_a_new_activity_and_an_id_joins_one(town, write):
    with write(town) as s:
        first = points.earn(s, "p-0053", "敬老院慰问", 90, organization="cj-yh4-vt", at=AT)
        second = points.earn(s, "p-0067", first["activity"])
    assert first["activity"] == second["activity"] == "VA-0001"
    assert (second["hours"], second["at"]) == (1.5, AT)
    with pytest.raises(Invalid, match="not an activity id; to record a new activity"), write(town) as s:
        points.earn(s, "p-0085", "VA-0099", 60)
    with pytest.raises(Invalid, match="took place at 2026-11-07 09:00"), write(town) as s:
        points.earn(s, "p-0085", "VA-0001", 60, at=AT + dt.timedelta(days=1))


def test_service_shorter_than_a_step_earns_nothing(town, write):
    with pytest.raises(Invalid, match="less than one 30-minute step"), write(town) as s:
        activity(s, "p-0053", hours="0:20")
    with write(town) as s:
        assert s.execute(select(func.count()).select_from(VolunteerActivity)).scalar() == 0


def test_an_activity_of_a_town_wide_unit_says_which_community(town, write):
    with pytest.raises(Invalid, match="say which community the activity served with --community"), write(town) as s:
        activity(s, "p-0053", org="cj-cb-bank")
    with write(town) as s:
        assert activity(s, "p-0053", org="cj-cb-bank", community="裕安社区")["community"] == "cj-ya"


@pytest.mark.parametrize(("people", "hours", "message"), [
    (["p-0053", "p-0053"], "2", "is listed twice"),
    (["p-0053"], None, "how long did 顾红英 (p-0053) serve"),
    ([], "2", "at least one participant"),
    (["p-9999"], "2", "no person 'p-9999'"),
])
def test_bad_activities_write_nothing(town, write, people, hours, message):
    with pytest.raises((Invalid, NotFound), match=re.escape(message)), write(town) as s:
        points.add_activity(s, "x", "cj-yh4-vt", [(p, None) for p in people],
                            rules.parse_hours(hours) if hours else None, at=AT)
    assert entries(town) == 0


# ---- redeeming and correcting: never below zero, never edited ---------------------------------


def test_redeeming_more_than_the_balance_is_refused_with_the_arithmetic(town, write):
    with write(town) as s:
        activity(s, "p-0053", hours="2.5")
        points.redeem(s, "p-0053", 100, "肥皂", at=AT + dt.timedelta(days=1))
    with pytest.raises(Refused) as e, write(town) as s:
        points.redeem(s, "p-0053", 200, "大米", at=AT + dt.timedelta(days=2))
    assert e.value.message == ("顾红英 (p-0053) has 1.5 points on 2026-11-09 09:00; redeeming 2 would leave "
                               "1.5 - 2 = -0.5")
    assert entries(town) == 2
    with write(town) as s:
        assert points.balance(s, "p-0053")["balance"] == 1.5


def test_a_backdated_redemption_may_not_starve_a_later_one(town, write):
    with write(town) as s:
        activity(s, "p-0053", hours="3")
        points.redeem(s, "p-0053", 200, "大米", at=AT + dt.timedelta(days=10))
    with pytest.raises(Refused) as e, write(town) as s:
        points.redeem(s, "p-0053", 150, "肥皂", at=AT + dt.timedelta(days=5))
    assert "short for L-000002 (redeem of 2 on 2026-11-17 09:00): the balance would be 1.5 - 2 = -0.5" \
        in e.value.message
    # before any service there is nothing to redeem
    with pytest.raises(Refused, match="has 0 points on 2026-11-01"), write(town) as s:
        points.redeem(s, "p-0053", 50, "肥皂", at=AT - dt.timedelta(days=6))


def test_a_correction_is_a_new_entry_and_the_original_stays(town, write):
    with write(town) as s:
        act = activity(s, "p-0053", hours="3")
        fix = points.adjust(s, "p-0053", "签到表误记", minutes=-60, activity=act["id"], at=AT + dt.timedelta(hours=5))
    assert (fix["kind"], fix["hours"], fix["points"], fix["note"]) == ("adjust", -1, -1, "签到表误记")
    with write(town) as s:
        rows = points.ledger(s, person="p-0053")
    assert [(r["kind"], r["hours"], r["points"], r["balance"]) for r in rows] == [
        ("earn", 3, 3, 3), ("adjust", -1, -1, 2)]
    # the service offers no way to change or remove an entry
    assert not [n for n in dir(points) if n.startswith(("edit", "update", "delete", "remove", "undo"))]


def test_corrections_keep_an_activity_within_zero_and_the_cap(town, write):
    with write(town) as s:
        act = activity(s, "p-0053", hours="7")["id"]
    with pytest.raises(Refused) as e, write(town) as s:
        points.adjust(s, "p-0053", "补记", minutes=120, activity=act)
    assert "has 7 hours for VA-0001; adding 2 would make 9, above the 8 hours one activity credits" in e.value.message
    with pytest.raises(Refused, match="taking off 8 would leave -1"), write(town) as s:
        points.adjust(s, "p-0053", "误记", minutes=-480, activity=act)
    with pytest.raises(Refused, match="has no entry for VA-0001"), write(town) as s:
        points.adjust(s, "p-0067", "补记", minutes=60, activity=act)
    with pytest.raises(Invalid, match="by a number other than 0"), write(town) as s:
        points.adjust(s, "p-0053", "无", points_c=0)
    with pytest.raises(Invalid, match="--reason"), write(town) as s:
        points.adjust(s, "p-0053", "  ", points_c=100)
    assert entries(town) == 1


def test_a_correction_cannot_take_back_points_already_redeemed(town, write):
    with write(town) as s:
        activity(s, "p-0053", hours="2")
        points.redeem(s, "p-0053", 200, "大米", at=AT + dt.timedelta(days=1))
    with pytest.raises(Refused) as e, write(town) as s:
        points.adjust(s, "p-0053", "重复登记", points_c=-100, at=AT + dt.timedelta(days=2))
    assert "has 0 points" in e.value.message and "taking off 1 would leave 0 - 1 = -1" in e.value.message
    assert "stay redeemed" in e.value.hint


# ---- balances, stars, ranks ------------------------------------------------------------------


def test_balance_and_star_level(town, write):
    with write(town) as s:
        activity(s, "p-0053", hours="8")
        points.adjust(s, "p-0053", "历年服务时长转入", minutes=95 * 60, points_c=9500)
        points.redeem(s, "p-0053", 1000, "体检套餐")
        b = points.balance(s, "p-0053")
    assert (b["earned"], b["adjusted"], b["redeemed"], b["balance"]) == (8, 95, 10, 93)
    assert (b["hours"], b["stars"], b["next_stars_at"], b["hours_to_next"]) == (103, 1, 300, 197)
    with write(town) as s:
        assert points.balance(s, "p-0067")["balance"] == 0
        assert [r["person"] for r in points.balances(s, min_stars=1)] == ["p-0053"]


def test_rank_per_community_with_shared_places(town, write):
    with write(town) as s:
        activity(s, "p-0053", "p-0067", hours="2")
        points.add_activity(s, "巡逻", "cj-yh4-vt", [("p-0085", 180), ("p-0067", 60)], at=AT)
        activity(s, "p-0175", org="cj-ya-vt", hours="1")
        activity(s, "p-0088", hours="5", at=AT - dt.timedelta(days=30))  # October: outside the period
        start, end = common.month_period("2026-11")
        rows = points.rank(s, start, end)
        top1 = points.rank(s, start, end, area="cj-yh4", top=1)
        by_points = points.rank(s, start, end, area="cj-yh4-g01", by="points", top=2)
    assert [(r["community"], r["rank"], r["person"], r["hours"]) for r in rows] == [
        ("cj-ya", 1, "p-0175", 1),
        ("cj-yh4", 1, "p-0067", 3), ("cj-yh4", 1, "p-0085", 3), ("cj-yh4", 3, "p-0053", 2)]
    assert [r["person"] for r in top1] == ["p-0067", "p-0085"]
    assert [r["person"] for r in by_points] == ["p-0067", "p-0085"]
    with pytest.raises(Invalid, match="--by 'stars'"), write(town) as s:
        points.rank(s, start, end, by="stars")


def test_ledger_filters(vol, write):
    with write(vol) as s:
        assert [r["id"] for r in points.ledger(s, kind="redeem")] == ["YH4-DH-001", "YH4-DH-002", "YH4-DH-003"]
        bank = points.ledger(s, organization="cj-cb-bank")
        assert {r["activity"] for r in bank} == {"VA-0005"} and len(bank) == 3
        assert len(points.ledger(s, activity="VA-0009")) == 4
        latest = points.ledger(s, limit=2)
        assert [r["id"] for r in latest] == ["L-000032", "YH4-DH-003"]
        assert points.ledger(s, area="cj-ya") == []
        with pytest.raises(Invalid, match="--kind 'spend'"):
            points.ledger(s, kind="spend")


# ---- the report's figures ----------------------------------------------------------------------


def test_period_figures_of_the_example_month(vol, write):
    start, end = common.month_period("2026-11")
    with write(vol) as s:
        town_wide = service.period_figures(s, start, end)
        yh4 = service.period_figures(s, start, end, area="cj-yh4-g03")
        ya = service.period_figures(s, start, end, area="cj-ya")
        october = service.period_figures(s, *common.month_period("2026-10"))
    assert town_wide == {
        "activities": 10, "volunteers": 14, "hours_served": 94, "points_earned": 94,
        "hours_adjusted": 1, "points_adjusted": 1, "redemptions": 3, "points_redeemed": 21,
        "wishes_posted": 5, "wishes_fulfilled": 2, "needs_posted": 3, "needs_fulfilled": 0,
        "projects_started": 2, "projects_done": 1, "registrations": 0}
    # p-0100's correction for October's service counts town-wide only: it names no activity
    assert yh4["hours_adjusted"] == -1 and yh4["activities"] == 10
    assert set(ya.values()) == {0}
    assert (october["activities"], october["registrations"]) == (0, 0)
    with pytest.raises(Invalid), write(vol) as s:
        service.period_figures(s, end, start)


def test_figures_count_hours_with_decimal_precision(town, write):
    with write(town) as s:
        for i, who in enumerate(("p-0053", "p-0067", "p-0085")):
            points.add_activity(s, "值守", "cj-yh4-vt", [(who, 30)], at=AT + dt.timedelta(hours=i))
        f = service.period_figures(s, *common.month_period("2026-11"))
    assert (f["hours_served"], f["points_earned"], f["volunteers"]) == (1.5, 1.5, 3)
    assert Decimal(str(f["points_earned"])) == Decimal("1.5")
