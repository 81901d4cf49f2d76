"""The three lists at the service layer: the micro-wish's claim and fulfil
flow, resources, projects that take needs on and fulfil them when done,
and matching resources to open needs."""

import pytest

from cgov.core import clock
from cgov.core.errors import Invalid, NotFound, Refused
from cgov.volunteers import lists, registry


def at(text: str):
    return clock.parse_at(text + "+08:00")


def wish(s, person="p-0281", category="repair", **kw):
    return lists.add_need(s, "更换厨房水龙头", category, "micro-wish", person, at=at("2026-11-02 10:00"), **kw)


# ---- needs and micro-wishes ---------------------------------------------------------------


def test_a_wish_lies_at_the_household_s_home(town, write):
    with write(town) as s:
        w = wish(s)
        need = lists.add_need(s, "助餐点", "为老服务", area="cj-yh4-g03")
    assert (w["id"], w["kind"], w["status"], w["area"], w["community"]) == (
        "N-0001", "micro-wish", "open", "cj-yh4-b23", "cj-yh4")
    assert (need["category"], need["community"], need["person"]) == ("elderly", "cj-yh4", None)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"kind": "micro-wish"}, "a micro-wish is one household's: say whose with --person"),
    ({"area": "cj"}, "'cj' is a town; a need belongs to one community"),
    ({}, "where is the need? give --area"),
    ({"area": "cj-yh4", "category_": "gardening"}, "category 'gardening' is not one of: elderly (为老服务)"),
])
def test_a_need_says_what_and_where(town, write, kwargs, message):
    kwargs = {"category_": "repair", **kwargs}
    with pytest.raises(Invalid) as e, write(town) as s:
        lists.add_need(s, "x", **kwargs)
    assert message in e.value.message
    with write(town) as s:
        assert lists.list_needs(s) == []


def test_claim_then_fulfil_a_wish(town, write):
    with write(town) as s:
        wish(s)
        claimed = lists.claim_need(s, "n-0001", "国网崇明供电公司陈家镇供电所", at=at("2026-11-03 09:00"))
        assert (claimed["status"], claimed["claimed_by_type"], claimed["claimed_by"]) == (
            "claimed", "organization", "cj-cb-power")
        done = lists.fulfil_need(s, "N-0001", "已更换", at=at("2026-11-06 15:00"))
    assert (done["status"], done["fulfilled_at"], done["note"]) == ("fulfilled", at("2026-11-06 15:00"), "已更换")


def test_the_flow_refuses_steps_out_of_order(town, write):
    with write(town) as s:
        wish(s)
    with pytest.raises(Refused) as e, write(town) as s:
        lists.fulfil_need(s, "N-0001")
    assert e.value.message == "N-0001 is open: nobody has taken it on yet, so nobody has fulfilled it"
    assert e.value.hint == "cgov need claim N-0001 --by … first"
    with pytest.raises(Refused, match="p-0281 posted N-0001; someone else takes it on"), write(town) as s:
        lists.claim_need(s, "N-0001", "p-0281")
    with pytest.raises(Invalid, match="it cannot be claimed before that"), write(town) as s:
        lists.claim_need(s, "N-0001", "p-0053", at=at("2026-11-01 09:00"))
    with write(town) as s:
        lists.claim_need(s, "N-0001", "p-0053", at=at("2026-11-03 09:00"))
    with pytest.raises(Refused) as e, write(town) as s:
        lists.claim_need(s, "N-0001", "cj-cb-power")
    assert e.value.message == ("N-0001 is claimed by 顾红英 (p-0053) on 2026-11-03 09:00: it cannot be claimed; "
                               "a claimed wish allows fulfil, release or withdraw")
    with write(town) as s:
        assert lists.show_need(s, "N-0001")["claimed_by"] == "p-0053"


def test_release_gives_a_wish_back_and_withdraw_closes_it(town, write):
    with write(town) as s:
        wish(s)
        lists.claim_need(s, "N-0001", "p-0053", at=at("2026-11-03 09:00"))
        back = lists.release_need(s, "N-0001", "人手不足", at=at("2026-11-04 09:00"))
        assert (back["status"], back["claimed_by"]) == ("open", None)
        gone = lists.withdraw_need(s, "N-0001", "居民已自行解决", at=at("2026-11-05 09:00"))
    assert (gone["status"], gone["note"]) == ("withdrawn", "居民已自行解决")
    with pytest.raises(Refused, match="is withdrawn on 2026-11-05 09:00: it cannot be claimed; a withdrawn wish "
                                      "allows no further step"), write(town) as s:
        lists.claim_need(s, "N-0001", "p-0053")
    with pytest.raises(NotFound, match="no need 'N-0099'"), write(town) as s:
        lists.claim_need(s, "N-0099", "p-0053")


def test_needs_list_filters(vol, write):
    with write(vol) as s:
        assert [n["id"] for n in lists.list_needs(s, kind="micro-wish", status="open")] == ["N-0004", "N-0005"]
        assert [n["id"] for n in lists.list_needs(s, status="claimed,fulfilled", claimed_by="cj-cb-bank")] == [
            "N-0007", "N-0003"]
        assert [n["id"] for n in lists.list_needs(s, area="cj-yh4-g02")] == [n["id"] for n in lists.list_needs(s)]
        assert lists.list_needs(s, area="cj-ya") == []
        assert [n["id"] for n in lists.list_needs(s, category_="维修服务")] == ["N-0001"]
        with pytest.raises(Invalid, match="--status 'done'"):
            lists.list_needs(s, status="done")


# ---- resources -------------------------------------------------------------------------------


def test_resources_are_offered_where_the_provider_is(town, write):
    with write(town) as s:
        bank = lists.add_resource(s, "金融知识讲座", "finance", "cj-cb-bank")
        member = lists.add_resource(s, "义务家教", "education", "p-0079")
        assert (bank["area"], member["area"], member["provider_type"]) == ("cj", "cj-yh4", "person")
        # a community sees what is offered in it and what is offered town-wide
        assert [r["id"] for r in lists.list_resources(s, area="cj-yh4")] == ["RS-0001", "RS-0002"]
        assert [r["id"] for r in lists.list_resources(s, area="cj-ya")] == ["RS-0001"]
        lists.withdraw_resource(s, "RS-0001", "暂停")
        assert [r["id"] for r in lists.list_resources(s)] == ["RS-0002"]
        assert [r["id"] for r in lists.list_resources(s, status=None)] == ["RS-0001", "RS-0002"]
    with pytest.raises(Refused, match="RS-0001 was withdrawn on 2026-11-30 12:00: it cannot be withdrawn again"), \
            write(town) as s:
        lists.withdraw_resource(s, "RS-0001", "again")
    with pytest.raises(Invalid, match="where is p-0035's resource available"), write(town) as s:
        lists.add_resource(s, "法律咨询", "legal", "p-0035")


# ---- projects ----------------------------------------------------------------------------------


def test_a_project_takes_needs_on_and_fulfils_them_when_done(vol, write):
    with write(vol) as s:
        pj = lists.add_project(s, "四点半课堂", "cj-cb-school", needs=["N-0008"], resources=["RS-0002", "RS-0004"],
                               at=at("2026-11-26 10:00"))
        assert (pj["id"], pj["area"], pj["status"], pj["needs"], pj["resources"]) == ("PJ-0004", "cj-yh4", "planned", 1, 2)
        need = lists.show_need(s, "N-0008")
        assert (need["status"], need["claimed_by"], need["project"]) == ("claimed", "cj-cb-school", "PJ-0004")
        lists.start_project(s, "PJ-0004", at=at("2026-11-27 16:30"))
        done = lists.finish_project(s, "PJ-0004", "首期托管学生32名", at=at("2026-11-29 18:00"))
    assert (done["status"], done["note"], done["need_list"][0]["status"]) == ("done", "首期托管学生32名", "fulfilled")
    with write(vol) as s:
        assert lists.show_need(s, "N-0008")["fulfilled_at"] == at("2026-11-29 18:00")
        assert [p["id"] for p in lists.show_resource(s, "RS-0002")["projects"]] == ["PJ-0003", "PJ-0004"]


def test_project_steps_follow_planned_running_done(vol, write):
    with pytest.raises(Refused) as e, write(vol) as s:
        lists.finish_project(s, "PJ-0003")
    assert e.value.message.startswith("PJ-0003 is planned: it cannot be marked done")
    assert e.value.hint == "cgov project start PJ-0003 first"
    with pytest.raises(Refused, match=r"PJ-0002 is done \(since 2026-11-14 17:00\): it cannot take on more needs"), \
            write(vol) as s:
        lists.link_project(s, "PJ-0002", needs=["N-0006"])
    with pytest.raises(Refused, match="PJ-0001 is running .*it cannot start"), write(vol) as s:
        lists.start_project(s, "PJ-0001")


@pytest.mark.parametrize(("need", "message"), [
    ("N-0007", "N-0007 is already taken on by project PJ-0001; a need belongs to one project"),
    ("N-0003", "N-0003 is claimed by 农商银行陈家镇支行 (cj-cb-bank) on 2026-11-08 10:00; only its claimer's "
               "project can take it on"),
    ("N-0001", "N-0001 is fulfilled on 2026-11-06 15:00: a project takes on open needs"),
])
def test_a_project_takes_on_only_needs_free_for_it(vol, write, need, message):
    with pytest.raises(Refused) as e, write(vol) as s:
        lists.link_project(s, "PJ-0003", needs=[need])
    assert e.value.message == message
    with write(vol) as s:
        assert lists.show_project(s, "PJ-0003")["needs"] == 0


def test_the_claimer_s_own_project_takes_its_claimed_need(vol, write):
    with write(vol) as s:
        pj = lists.add_project(s, "暖冬行动", "cj-cb-bank", needs=["N-0003"])
        assert pj["area"] == "cj-yh4"
        with pytest.raises(Refused, match="taken on by project PJ-0004; it is released by the project"):
            lists.release_need(s, "N-0003", "x")
        with pytest.raises(Refused, match="was withdrawn on 2026-11-20 09:00; a project uses available"):
            lists.link_project(s, pj["id"], resources=["RS-0006"])
        with pytest.raises(Invalid, match="RS-0001 is already used by PJ-0001"):
            lists.link_project(s, "PJ-0001", resources=["RS-0001"])


# ---- matching ------------------------------------------------------------------------------------


def test_match_suggests_resources_by_category_and_area(vol, write):
    with write(vol) as s:
        rows = lists.match(s, area="cj-yh4")
    assert [(r["need"], r["resource"], r["score"], r["reasons"]) for r in rows] == [
        ("N-0008", "RS-0002", 2, ["wider-area", "registered"]),
        ("N-0004", "RS-0005", 1, ["wider-area"]),
        ("N-0005", "RS-0004", 3, ["same-community", "registered"]),
    ]


def test_match_prefers_the_community_s_own_and_registered_providers(town, write):
    with write(town) as s:
        lists.add_need(s, "电器维修", "repair", area="cj-yh4-b03", at=at("2026-11-10 09:00"))
        lists.add_resource(s, "家电维修（全镇）", "repair", "cj-so-mulin")
        lists.add_resource(s, "家电维修（本社区）", "repair", "p-0082")
        lists.add_resource(s, "家电维修（供电所）", "repair", "cj-cb-power")
        lists.add_resource(s, "家电维修（裕安）", "repair", "cj-ya-pm")
        lists.add_resource(s, "讲座", "finance", "cj-cb-bank")
        registry.register(s, "cj-cb-power", "cj-yh4", ["用电检查"])
        rows = lists.match(s)
        top1 = lists.match(s, need="N-0001", top=1)
    assert [(r["resource"], r["score"]) for r in rows] == [("RS-0002", 2), ("RS-0003", 2), ("RS-0001", 1)]
    assert [r["resource"] for r in top1] == ["RS-0002"]


def test_match_is_for_open_needs(vol, write):
    with pytest.raises(Refused, match="N-0003 is claimed by .*: matching suggests resources for open needs"), \
            write(vol) as s:
        lists.match(s, need="N-0003")
    with pytest.raises(Invalid, match="--top 0"), write(vol) as s:
        lists.match(s, top=0)
    with write(vol) as s:
        assert lists.match(s, area="cj-ya") == []
