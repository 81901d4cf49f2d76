"""Dispatch without --to: the category's handler rule, resolved from the case's place upwards."""

import pytest

from cgov.cases import service, taxonomy
from cgov.core.errors import Invalid, NotFound, Refused
from cgov.org import service as org
from cgov.org.models import ORG_CLASSES


def _route(write, h, category, **place):
    def run(s):
        cid = h.new_case(s, category=category, **{"building": None, **place})
        service.accept(s, cid, at=h.at("2026-11-16 10:00"))
        return service.dispatch(s, cid, at=h.at("2026-11-16 10:30"))
    return write(run)


@pytest.mark.parametrize("category,place,handler", [
    ("楼道堆物", {"building": "cj-yh4-b03"}, "cj-yh4-pm"),      # the community's property company
    ("楼道堆物", {"building": "cj-ya-b07"}, "cj-ya-pm"),
    ("噪音扰民", {"community": "cj-ya"}, "cj-police"),          # the town's police station
    ("违章建筑", {"grid": "cj-dt-g01"}, "cj-urban"),
    ("屋顶漏水", {"building": "cj-yh1-b02"}, "cj-housing"),
    ("家庭矛盾", {"community": "cj-yd"}, "cj-justice"),
    ("文明养宠", {"building": "cj-yh4-b01"}, "cj-yh4-rc"),      # residents' committee …
    ("文明养宠", {"community": "cj-yd"}, "cj-yd-vc"),           # … or, in a village, villagers' committee
    ("垃圾分类", {"community": "cj-yd"}, "cj-yd-vc"),
    ("困难帮扶", {"community": "cj-dt"}, "cj-civil"),
])
def test_dispatch_without_to_routes_by_category_and_place(write, h, category, place, handler):
    row = _route(write, h, category, **place)
    assert row["status"] == "dispatched" and row["handler"] == handler and row["handler_type"] == "organization"


def test_a_community_without_the_body_is_refused_with_a_clear_error(write, h):
    with pytest.raises(Refused) as e:
        _route(write, h, "楼道堆物", community="cj-yd")
    assert "楼道堆物 (1001) is handled by a property-company" in e.value.message
    assert "瀛东村 (cj-yd) and the areas above it have none" in e.value.message
    assert "--to" in e.value.hint


def test_a_case_without_category_or_place_cannot_be_routed(write, h):
    with pytest.raises(Refused, match="has no category"):
        _route(write, h, None, community="cj-ya")
    with pytest.raises(Refused, match="has no place"):
        _route(write, h, "1201")


def test_two_bodies_of_the_kind_in_one_community_ask_for_a_choice(write, h):
    write(org.add_org, "cj-yh4-pm2", "上海东方物业有限公司", "property-company", area="cj-yh4")
    with pytest.raises(Refused, match="cj-yh4 has several: cj-yh4-pm 上海裕鸿物业服务有限公司, cj-yh4-pm2"):
        _route(write, h, "楼道堆物", building="cj-yh4-b03")


def test_the_nearest_body_wins_a_grid_level_one_before_the_community(write, h):
    write(org.add_org, "cj-yh4-g05-pm", "五网格物业服务站", "property-company", area="cj-yh4-g05")
    assert _route(write, h, "楼道堆物", building="cj-yh4-b22")["handler"] == "cj-yh4-g05-pm"
    assert _route(write, h, "楼道堆物", building="cj-yh4-b01")["handler"] == "cj-yh4-pm"


@pytest.mark.parametrize("to,handler,kind", [
    ("cj-urban", "cj-urban", "organization"),
    ("陈家镇司法所", "cj-justice", "organization"),
    ("派出所", "cj-police", "organization"),               # a unique part of a name
    ("department:市场监管", "cj-market", "organization"),   # a rule, like a category's
    ("property-company", "cj-ya-pm", "organization"),
    ("p-0001", "p-0001", "person"),
])
def test_dispatch_to_an_id_a_name_a_rule_or_a_person(write, h, to, handler, kind):
    def run(s):
        cid = h.new_case(s, building="cj-ya-b03")
        service.accept(s, cid, at=h.at("2026-11-16 10:00"))
        return service.dispatch(s, cid, to=to, at=h.at("2026-11-16 10:30"))

    row = write(run)
    assert (row["handler"], row["handler_type"]) == (handler, kind)


def test_a_part_of_a_name_ignores_the_case_of_latin_letters(write, h):
    write(org.add_org, "cj-yh4-soho", "SOHO物业服务中心", "property-company", area="cj-yh4")

    def run(s):
        cid, _ = h.case_in(s, "accepted")
        return service.dispatch(s, cid, to="soho", at=h.at("2026-11-16 12:00"))

    assert write(run)["handler"] == "cj-yh4-soho"


def test_dispatch_to_an_unknown_or_ambiguous_handler_is_refused(write, h):
    cid, _ = write(h.case_in, "accepted")
    with pytest.raises(Invalid, match="matches several organizations"):
        write(service.dispatch, cid, to="陈家镇", at=h.at("2026-11-16 12:00"))
    with pytest.raises(NotFound, match="no organization or person 'nobody'"):
        write(service.dispatch, cid, to="nobody", at=h.at("2026-11-16 12:00"))


def test_every_shipped_handler_rule_is_well_formed_and_resolves_in_the_example_town(write, h):
    cats = taxonomy.merged([])
    for c in cats.values():
        assert c["handler_effective"], c["code"]
        assert taxonomy.handler_problem(c["handler_effective"], ORG_CLASSES) is None
    # Every rule finds a body for a case in an urban community of the example.
    for c in cats.values():
        row = _route(write, h, c["code"], building="cj-dt-b05")
        assert row["handler"], c["code"]


def test_the_shipped_taxonomy_has_the_standard_and_community_classes():
    cats = taxonomy.merged([])
    names = {c["name"] for c in cats.values()}
    for name in ("市容环境", "宣传广告", "施工管理", "街面秩序", "突发事件", "文明养宠", "垃圾分类", "毁绿种菜", "高空抛物",
                 "楼道堆物", "随意晾晒", "违章建筑", "群租", "噪音扰民", "屋顶漏水", "路面坑洼", "物业服务", "邻里纠纷",
                 "家庭矛盾", "咨询求助"):
        assert name in names, name
    for c in cats.values():
        assert taxonomy.code_problem(c["code"]) is None
        assert c["parent"] is None or c["parent"] in cats
    # urgent classes answer sooner than the default
    assert cats["0503"]["resolve_hours_effective"] < taxonomy.DEFAULT_RESOLVE_HOURS
    assert cats["0501"]["respond_hours_effective"] < taxonomy.DEFAULT_RESPOND_HOURS
