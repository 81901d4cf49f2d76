"""Org-chart rules at the service layer, on the example town."""

import datetime as dt

import pytest

from cgov.core import store
from cgov.core.errors import Invalid, NotFound, Refused
from cgov.org import service


def test_grid_check_finds_every_planted_defect(town):
    with store.reading(town) as s:
        result = service.grid_check(s)
    found = {(f["rule"], f["record"]) for f in result["findings"]}
    assert found == {
        ("grid-households", "cj-ya-g02"),      # 540 households
        ("grid-households", "cj-yd-g03"),      # 260 households
        ("grid-no-worker", "cj-yh1-g03"),      # its only worker's post ended
        ("branch-too-small", "cj-dt-g02-pb"),  # 2 full members
        ("oc-no-work-group", "cj-ya-oc2"),
        ("oc-no-party-member", "cj-ya-oc2"),
    }
    assert result["grids"] == 19


def test_grid_check_range_is_configurable_and_scoped(town):
    with store.reading(town) as s:
        wide = service.grid_check(s, min_households=200, max_households=600)
        scoped = service.grid_check(s, area="cj-yh1")
        with pytest.raises(Invalid):
            service.grid_check(s, min_households=500, max_households=300)
    assert not [f for f in wide["findings"] if f["rule"] == "grid-households"]
    assert {f["record"] for f in scoped["findings"]} == {"cj-yh1-g03"}


def test_buildings_outside_grids_and_claimed_twice(town):
    with store.writing(town) as s:
        from cgov.core import clock
        from cgov.org.models import Area

        s.add(Area(id="x-b1", name="孤楼", classification="building", parent_id="cj-yh4", created_at=clock.now()))
        s.add(Area(id="x-b2", name="1号楼", classification="building", parent_id="cj-yh4-g02", created_at=clock.now()))
    with store.reading(town) as s:
        found = {(f["rule"], f["record"]) for f in service.grid_check(s)["findings"]}
    assert ("building-no-grid", "x-b1") in found
    assert ("building-claimed-twice", "x-b2") in found


def test_cross_appointment_rate_counts_people_not_posts(town):
    with store.reading(town) as s:
        cross = service.grid_check(s)["cross_appointment"]
    assert cross["holders"] > 0
    assert 0 < cross["rate"] < 1
    assert cross["rate"] == pytest.approx(cross["cross_appointed"] / cross["holders"])
    with store.writing(town) as s:
        # A property manager who joins the residents' committee becomes cross-appointed.
        pm = [m for m in service.show_org(s, "cj-yh4-pm")["members"]]
        outsider = next(m["person"] for m in pm if m["role"] == "manager")
        before = service.cross_appointment(s, dt.date(2026, 12, 1), {"cj-yh4-pm"})
        service.assign_post(s, outsider, "member", org="cj-yh4-rc")
        after = service.cross_appointment(s, dt.date(2026, 12, 1), {"cj-yh4-pm"})
    assert after["cross_appointed"] == before["cross_appointed"] + 1


def test_branch_counts_full_and_probationary_members(town):
    with store.reading(town) as s:
        b = service.show_branch(s, "cj-dt-g02-pb")
        rows = {r["id"]: r for r in service.list_branches(s)}
    assert b["full_members"] == 2 and b["probationary_members"] == 1
    assert rows["cj-dt-g02-pb"]["full_members"] == 2
    assert b["grid"] == "cj-dt-g02"


def test_grid_show_has_leader_workers_branch_and_secretary(town):
    with store.reading(town) as s:
        g = service.show_grid(s, "cj-yh4-g01")
    assert g["community_name"] == "裕鸿佳苑第四社区"
    assert g["branch"] == "cj-yh4-g01-pb" and g["branch_secretary"]
    assert g["leader"] and g["workers"] == len(g["worker_list"]) >= 1
    assert g["buildings"] == len(g["building_list"])


def test_person_add_validates_and_derives_from_the_id(engine):
    with store.writing(engine) as s:
        p = service.add_person(s, "王建国", id_number="310230196203019916", phone="+86 139-0000-0001")
        assert p["birth_date"] == dt.date(1962, 3, 1) and p["gender"] == "male"
        assert p["phone"] == "13900000001"
        with pytest.raises(Refused, match="already belongs"):
            service.add_person(s, "冒名", id_number="310230196203019916")
        with pytest.raises(Invalid, match="check digit"):
            service.add_person(s, "错号", id_number="310230196203019917")
        with pytest.raises(Invalid, match="--phone"):
            service.add_person(s, "错号", phone="12345")
        with pytest.raises(Invalid, match="does not match"):
            service.add_person(s, "错生日", id_number="11010519491231002X", birth_date=dt.date(1950, 1, 1))


def test_find_by_name_phone_and_id_number(town):
    with store.reading(town) as s:
        someone = service.show_person(s, "p-0047")
        by_name = service.find_persons(s, someone["name"][1:])
        by_phone = service.find_persons(s, someone["phone"][:3] + "-" + someone["phone"][3:7] + " " + someone["phone"][7:])
        by_id = service.find_persons(s, someone["id_number"].lower())
    assert "p-0047" in {p["id"] for p in by_name}
    assert [p["id"] for p in by_phone] == ["p-0047"]
    assert [p["id"] for p in by_id] == ["p-0047"]


def test_posts_assign_end_and_history(town):
    with store.writing(town) as s:
        post = service.assign_post(s, "p-0100", "grid-worker", area="cj-yh1-g03", full_time=False,
                                   start=dt.date(2026, 11, 1))
        with pytest.raises(Refused, match="already holds"):
            service.assign_post(s, "p-0100", "grid-worker", area="cj-yh1-g03", start=dt.date(2026, 11, 2))
        with pytest.raises(Invalid, match="exactly one"):
            service.assign_post(s, "p-0100", "member")
        with pytest.raises(Invalid, match="--role"):
            service.assign_post(s, "p-0100", "king", org="cj-yh1-rc")
    with store.reading(town) as s:
        assert not [f for f in service.grid_check(s)["findings"] if f["rule"] == "grid-no-worker"]
    with store.writing(town) as s:
        service.end_post(s, post["id"], dt.date(2026, 11, 20))
        with pytest.raises(Refused, match="already ended"):
            service.end_post(s, post["id"], dt.date(2026, 11, 21))
        with pytest.raises(NotFound):
            service.end_post(s, 999999)
        shown = service.show_person(s, "p-0100", on=dt.date(2026, 11, 23))
    assert post["id"] in {m["id"] for m in shown["past_posts"]}
    assert post["id"] not in {m["id"] for m in shown["posts"]}


def test_org_add_and_lookups(town):
    with store.writing(town) as s:
        row = service.add_org(s, "cj-yh4-g07-pb", "第七网格党支部", "party-branch", area="cj-yh4-g01",
                              parent="cj-yh4-party")
        assert row["parent_name"]
        with pytest.raises(Refused, match="already exists"):
            service.add_org(s, "cj-yh4-g07-pb", "重复", "party-branch")
        with pytest.raises(Invalid, match="classification"):
            service.add_org(s, "x", "X", "club")
        with pytest.raises(NotFound):
            service.add_org(s, "y", "Y", "party-branch", parent="nope")
        with pytest.raises(Invalid, match="ambiguous"):
            service.get_area(s, "第一网格")


def test_org_tree_follows_the_party_line(town):
    with store.reading(town) as s:
        roots = service.org_tree(s)
    top = next(r for r in roots if r["id"] == "cj-ptc")
    communities = {c["id"] for c in top["children"]}
    assert "cj-yh4-party" in communities
    yh4 = next(c for c in top["children"] if c["id"] == "cj-yh4-party")
    branch = next(c for c in yh4["children"] if c["id"] == "cj-yh4-g01-pb")
    assert branch["head"] and branch["members"] >= 3
    assert all(c["classification"] == "party-group" for c in branch["children"])
