"""双报到 at the service layer: who may register where, one registration at
a time, and who has served the community this year and who has not."""

import datetime as dt

import pytest

from cgov.core import clock
from cgov.core.errors import Invalid, NotFound, Refused
from cgov.volunteers import lists, points, registry

DAY = dt.date(2026, 11, 2)


def served(s, community="cj-yh4", **kw) -> dict:
    return {r["who"]: r for r in registry.registrations(s, community=community, **kw)}


def test_a_unit_and_a_party_member_register_with_their_services(town, write):
    with write(town) as s:
        unit = registry.register(s, "农商银行陈家镇支行", "cj-yh4", ["金融知识讲座", " 反诈宣传 ", "金融知识讲座"], DAY)
        member = registry.register(s, "p-0079", "裕鸿佳苑第四社区", ["义务家教"], DAY, note="在职党员")
    assert (unit["id"], unit["type"], unit["who"], unit["services"]) == (
        "RG-0001", "organization", "cj-cb-bank", ["金融知识讲座", "反诈宣传"])
    assert (member["type"], member["name"], member["start_date"], member["note"]) == ("person", "徐慧", DAY, "在职党员")


@pytest.mark.parametrize(("who", "community", "message"), [
    ("cj-police", "cj-yh4", "陈家镇派出所 (cj-police) is a department; 双报到 registers co-building units"),
    ("p-0085", "cj-yh4", "吴玲英 (p-0085) is not a party member (party status: none)"),
    ("p-0061", "cj-yh4", "施峰 (p-0061) is not a party member (party status: activist)"),
    ("p-0079", "cj-ya", "徐慧 (p-0079) lives in 裕鸿佳苑第四社区 (cj-yh4); in-service party members register with "
                        "the community where they live"),
])
def test_who_may_not_register(town, write, who, community, message):
    with pytest.raises(Refused) as e, write(town) as s:
        registry.register(s, who, community, ["服务"], DAY)
    assert e.value.message.startswith(message)
    with write(town) as s:
        assert registry.registrations(s, include_ended=True) == []


def test_registering_needs_a_community_and_a_service(town, write):
    with pytest.raises(Invalid, match="is a grid, not a community"), write(town) as s:
        registry.register(s, "cj-cb-bank", "cj-yh4-g01", ["讲座"])
    with pytest.raises(Invalid, match="say which services are offered"), write(town) as s:
        registry.register(s, "cj-cb-bank", "cj-yh4", ["  "])
    with pytest.raises(NotFound, match="no organization or person 'nobody'"), write(town) as s:
        registry.register(s, "nobody", "cj-yh4", ["讲座"])


def test_one_registration_at_a_time_and_ending_one(town, write):
    with write(town) as s:
        registry.register(s, "cj-cb-bank", "cj-yh4", ["讲座"], DAY)
    with pytest.raises(Refused) as e, write(town) as s:
        registry.register(s, "cj-cb-bank", "cj-yh4", ["讲座"], DAY + dt.timedelta(days=3))
    assert e.value.message == "cj-cb-bank is already registered with 裕鸿佳苑第四社区 (cj-yh4) since 2026-11-02 (RG-0001)"
    with pytest.raises(Invalid, match="before the registration's start 2026-11-02"), write(town) as s:
        registry.end_registration(s, "cj-cb-bank", "cj-yh4", DAY - dt.timedelta(days=1))
    with write(town) as s:
        ended = registry.end_registration(s, "cj-cb-bank", "cj-yh4", dt.date(2026, 11, 20))
        again = registry.register(s, "cj-cb-bank", "cj-yh4", ["讲座", "捐赠"], dt.date(2026, 11, 25))
        assert ended["end_date"] == dt.date(2026, 11, 20) and again["id"] == "RG-0002"
        assert [r["id"] for r in registry.registrations(s, community="cj-yh4")] == ["RG-0002"]
        assert [r["id"] for r in registry.registrations(s, include_ended=True)] == ["RG-0001", "RG-0002"]
    with pytest.raises(NotFound, match="is not registered with 裕安社区"), write(town) as s:
        registry.end_registration(s, "cj-cb-bank", "cj-ya")


def test_who_has_served_this_year_in_the_example(vol, write):
    with write(vol) as s:
        rows = served(s)
        assert {w for w, r in rows.items() if r["served"]} == {"cj-cb-bank", "cj-cb-power", "p-0030", "p-0079",
                                                               "p-0082"}
        assert [r["who"] for r in registry.registrations(s, served="not-served")] == [
            "cj-cb-bank", "cj-cb-school", "p-0028", "p-0076"]
        assert registry.registrations(s, served="not-served")[0]["community"] == "cj-ya"
        last_year = served(s, year=2025)
    power, member = rows["cj-cb-power"], rows["p-0082"]
    assert (power["activities"], power["needs_met"], power["projects"], power["dispatches"]) == (1, 1, 1, 0)
    assert power["last_served"] == clock.parse_at("2026-11-14 17:00+08:00")
    assert (member["activities"], member["hours"]) == (2, 5.5)
    assert rows["p-0079"]["needs_met"] == 1 and rows["cj-cb-bank"]["projects"] == 1
    assert not any(r["served"] for r in last_year.values())


def test_a_case_dispatched_to_a_unit_counts_as_service(vol, write):
    from cgov.cases import service as cases

    with write(vol) as s:
        case = cases.add_case(s, title="校门口人行道井盖松动", community="cj-yh4",
                              reported_at=clock.parse_at("2026-11-20 08:00+08:00"))
        cases.accept(s, case["id"], at=clock.parse_at("2026-11-20 09:00+08:00"))
        cases.dispatch(s, case["id"], to="cj-cb-school", at=clock.parse_at("2026-11-20 10:00+08:00"))
        school = served(s)["cj-cb-school"]
        assert (school["served"], school["dispatches"]) == (True, 1)
        # a dispatch counts for the community of the case only
        other = cases.add_case(s, title="路灯不亮", community="cj-ya",
                               reported_at=clock.parse_at("2026-11-21 08:00+08:00"))
        cases.accept(s, other["id"])
        cases.dispatch(s, other["id"], to="cj-cb-bank")
        assert served(s, community="cj-ya")["cj-cb-bank"]["dispatches"] == 1
        assert served(s)["cj-cb-bank"]["dispatches"] == 0


def test_a_person_serves_by_joining_an_activity_and_a_unit_by_organising_one(vol, write):
    with write(vol) as s:
        points.add_activity(s, "心理健康讲座", "cj-cb-school", [("p-0028", 120), ("p-0076", 90)],
                            community="cj-yh4", at=clock.parse_at("2026-11-29 14:00+08:00"))
        rows = served(s)
    assert rows["cj-cb-school"]["activities"] == 1 and rows["cj-cb-school"]["served"]
    assert (rows["p-0028"]["hours"], rows["p-0076"]["hours"]) == (2, 1.5)
    with write(vol) as s:
        assert registry.registrations(s, community="cj-yh4", served="not-served") == []
        with pytest.raises(Invalid, match="'lazy' is not one of: served, not-served"):
            registry.registrations(s, served="lazy")


def test_a_unit_meeting_a_wish_counts_in_the_wishes_community(vol, write):
    with write(vol) as s:
        lists.fulfil_need(s, "N-0003", "棉被已送到", clock.parse_at("2026-11-29 10:00+08:00"))
        assert served(s)["cj-cb-bank"]["needs_met"] == 1
