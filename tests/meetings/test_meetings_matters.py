"""四议两公开: every stage with its evidence, and every refusal."""

import pytest

from cgov.core import clock
from cgov.core.errors import Invalid, Refused
from cgov.meetings import matters, service

# The example month (examples/meetings.yaml), all in cj-yh4:
#   M2026-0001 branch committee of cj-yh4-party   M2026-0002 joint meeting (cj-yh4-party convenes)
#   M2026-0003 two committees                      M2026-0004 party members (cj-yh4-g03-pb): -1 passed, -2 failed
#   M2026-0006 hearing (cj-yh4-rc)                 M2026-0007 residents' representatives: -1 passed


def new(s, community="cj-yh4"):
    return matters.add_matter(s, "增设非机动车棚", community, at=clock.parse_at("2026-11-01 09:00"))["id"]


def through_review(s, mid):
    matters.advance(s, mid, "propose", meeting="M2026-0001")
    matters.advance(s, mid, "discuss", meeting="M2026-0003")
    matters.advance(s, mid, "review", motion="M2026-0004-1")


def test_all_six_stages_in_order(month, write):
    with write(month) as s:
        mid = new(s)
        through_review(s, mid)
        matters.advance(s, mid, "resolve", motion="M2026-0007-1")
        matters.advance(s, mid, "publish-resolution", where="社区公开栏", at=clock.parse_at("2026-11-23 09:00"))
        m = matters.advance(s, mid, where="社区公开栏", at=clock.parse_at("2026-12-30 09:00"))
        with pytest.raises(Refused, match="all six stages"):
            matters.advance(s, mid, where="别处")
    assert m["stage"] == "publish-result" and m["finished"] and m["next_stage"] is None
    rows = m["stages"]
    assert [r["stage"] for r in rows] == ["propose", "discuss", "review", "resolve", "publish-resolution",
                                          "publish-result"]
    assert all(r["done"] for r in rows)
    assert (rows[2]["meeting"], rows[2]["motion"], rows[2]["result"]) == ("M2026-0004", "M2026-0004-1", "passed")
    assert rows[4]["place"] == "社区公开栏" and rows[4]["meeting"] is None


def test_the_next_stage_is_the_default_and_marked(month, write):
    with write(month) as s:
        mid = new(s)
        m = matters.advance(s, mid, meeting="M2026-0001")
    assert m["stage"] == "propose" and m["next_stage"] == "discuss"
    assert [r["next"] for r in m["stages"]] == [False, True, False, False, False, False]


def test_a_stage_out_of_order_is_refused(month, write):
    with write(month) as s:
        mid = new(s)
        with pytest.raises(Refused, match="has no stage yet; the next stage is 'propose', not 'review'"):
            matters.advance(s, mid, "review", motion="M2026-0004-1")
        matters.advance(s, mid, "propose", meeting="M2026-0001")
        with pytest.raises(Refused, match="is at 'propose'; the next stage is 'discuss', not 'resolve'"):
            matters.advance(s, mid, "resolve", motion="M2026-0007-1")


def test_propose_needs_a_party_organizations_meeting(month, write):
    with write(month) as s:
        mid = new(s)
        with pytest.raises(Refused, match="party organization .* 裕鸿佳苑第四社区居民委员会"):
            matters.advance(s, mid, "propose", meeting="M2026-0006")


def test_a_meeting_of_the_wrong_type_is_refused(month, write):
    with write(month) as s:
        mid = new(s)
        matters.advance(s, mid, "propose", meeting="M2026-0001")
        with pytest.raises(Refused, match="needs a two-committees-meeting; meeting M2026-0002 is a joint-meeting"):
            matters.advance(s, mid, "discuss", meeting="M2026-0002")
        matters.advance(s, mid, "discuss", meeting="M2026-0003")
        with pytest.raises(Refused, match="needs a party-members-meeting"):
            matters.advance(s, mid, "review", motion="M2026-0007-1")
        matters.advance(s, mid, "review", motion="M2026-0004-1")
        with pytest.raises(Refused, match="residents-meeting or residents-representatives-meeting"):
            matters.advance(s, mid, "resolve", motion="M2026-0002-1")


def test_a_motion_that_did_not_pass_is_refused_with_its_arithmetic(month, write):
    with write(month) as s:
        mid = new(s)
        matters.advance(s, mid, "propose", meeting="M2026-0001")
        matters.advance(s, mid, "discuss", meeting="M2026-0003")
        with pytest.raises(Refused, match=r"M2026-0004-2 did not pass \(failed: 2 yes of 5 entitled"):
            matters.advance(s, mid, "review", motion="M2026-0004-2")


def test_a_void_motion_does_not_resolve(month, write):
    with write(month) as s:
        mid = new(s)
        through_review(s, mid)
        reps = service.add_meeting(s, "residents-representatives-meeting", "代表会议", "cj-yh4-rc",
                                   at=clock.parse_at("2026-11-25 14:00"))["id"]
        service.attend(s, reps, present=["p-0042", "p-0043", "p-0044"])
        mo = service.add_motion(s, reps, "同意")["id"]
        service.vote(s, mo, "show-of-hands", tally={"yes": 3, "no": 0, "abstain": 0},
                     at=clock.parse_at("2026-11-25 15:00"))
        with pytest.raises(Refused, match="did not pass \\(void"):
            matters.advance(s, mid, "resolve", motion=mo)


def test_review_and_resolve_need_their_motion(month, write):
    with write(month) as s:
        mid = new(s)
        matters.advance(s, mid, "propose", meeting="M2026-0001")
        matters.advance(s, mid, "discuss", meeting="M2026-0003")
        with pytest.raises(Invalid, match="needs the motion"):
            matters.advance(s, mid, "review", meeting="M2026-0004")
        with pytest.raises(Invalid, match="belongs to meeting M2026-0007, not M2026-0004"):
            matters.advance(s, mid, "review", meeting="M2026-0004", motion="M2026-0007-1")


def test_a_meeting_of_another_community_is_refused(month, write):
    with write(month) as s:
        mid = new(s, community="cj-yh1")
        with pytest.raises(Refused, match="belongs to 裕鸿佳苑第四社区, not to this matter's community"):
            matters.advance(s, mid, "propose", meeting="M2026-0001")


def test_one_meeting_is_evidence_of_one_stage(month, write):
    with write(month) as s:
        mid = new(s)
        matters.advance(s, mid, "propose", meeting="M2026-0003")  # convened by the party general branch
        with pytest.raises(Refused, match="already the evidence of stage propose"):
            matters.advance(s, mid, "discuss", meeting="M2026-0003")


def test_a_stage_cannot_come_before_the_one_before_it(month, write):
    with write(month) as s:
        mid = new(s)
        matters.advance(s, mid, "propose", meeting="M2026-0003")
        early = service.add_meeting(s, "two-committees-meeting", "两委", "cj-yh4-party", with_orgs=["cj-yh4-rc"],
                                    at=clock.parse_at("2026-11-04 09:00"))["id"]
        with pytest.raises(Refused, match="would come before stage propose"):
            matters.advance(s, mid, "discuss", meeting=early)


def test_publication_stages_need_a_place_and_no_meeting(month, write):
    with write(month) as s:
        mid = new(s)
        through_review(s, mid)
        matters.advance(s, mid, "resolve", motion="M2026-0007-1")
        with pytest.raises(Invalid, match="needs --where"):
            matters.advance(s, mid, "publish-resolution")
        with pytest.raises(Invalid, match="not at a meeting"):
            matters.advance(s, mid, "publish-resolution", meeting="M2026-0007", where="社区公开栏")
        matters.advance(s, mid, "publish-resolution", where="社区公开栏", at=clock.parse_at("2026-11-23 09:00"))
        assert matters.show_matter(s, mid)["next_stage"] == "publish-result"


def test_a_meeting_stage_takes_the_meetings_time(month, write):
    with write(month) as s:
        mid = new(s)
        with pytest.raises(Invalid, match="leave out --at"):
            matters.advance(s, mid, "propose", meeting="M2026-0001", at=clock.parse_at("2026-11-10"))
        assert matters.advance(s, mid, "propose", meeting="M2026-0001")["stage_at"] == \
            clock.parse_at("2026-11-03 09:00")


def test_matter_needs_a_community_or_village(month, write):
    with write(month) as s:
        with pytest.raises(Invalid, match="is a grid; give a community or village"):
            matters.add_matter(s, "x", "cj-yh4-g01")
        with pytest.raises(Invalid, match="title is empty"):
            matters.add_matter(s, " ", "cj-yh4")


def test_stalled_matters(month, write):
    # MA2026-001 of the example reached publish-resolution on 2026-11-23 09:00.
    with write(month) as s:
        assert [r["id"] for r in matters.list_matters(s, stalled=30, as_of=clock.parse_at("2026-12-24"))] == \
            ["MA2026-001"]
        assert matters.list_matters(s, stalled=30, as_of=clock.parse_at("2026-12-22")) == []
        assert [r["stage"] for r in matters.list_matters(s, community="cj-yh4")] == ["publish-resolution"]
