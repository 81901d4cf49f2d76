"""The rules of meetings at the service layer: who is entitled, attendance,
quorum and passing under each kind of meeting, publication and its lock."""

import datetime as dt

import pytest
from sqlalchemy import text

from cgov.core import audit, clock
from cgov.core.errors import Invalid, NotFound, Refused
from cgov.meetings import service
from cgov.meetings.models import Meeting

G03 = "cj-yh4-g03-pb"  # 5 full members (p-0042 p-0054 p-0069 p-0078 p-0079), 1 probationary (p-0080)
FULL = ["p-0042", "p-0054", "p-0069", "p-0078", "p-0079"]
REPS = ["p-0042", "p-0043", "p-0044", "p-0046", "p-0047", "p-0048", "p-0052", "p-0057", "p-0063", "p-0072",
        "p-0073", "p-0085", "p-0086", "p-0088", "p-0089", "p-0092", "p-0093", "p-0094", "p-0095", "p-0099",
        "p-0101"]  # the 21 committee members and representatives of cj-yh4-rc


def add(s, type, org=G03, when="2026-11-12 19:00", **kw):
    kw.setdefault("title", "会议")
    return service.add_meeting(s, type=type, org_ref=org, at=clock.parse_at(when), **kw)["id"]


def motion_and_vote(s, mid, tally=None, ballots=None, method="show-of-hands"):
    mo = service.add_motion(s, mid, "动议")["id"]
    return service.vote(s, mo, method, tally=tally, ballots=ballots)


def tally(yes, no=0, abstain=0):
    return {"yes": yes, "no": no, "abstain": abstain}


# ---- who is entitled ----------------------------------------------------------


def test_party_members_meeting_entitles_full_members_and_seats_probationary_without_vote(town, write):
    with write(town) as s:
        m = service.show_meeting(s, add(s, "party-members-meeting"))
    assert m["entitled"] == 5 and m["present"] == 0
    rows = {r["person"]: r for r in m["attendance"]}
    assert sorted(p for p, r in rows.items() if r["votes"]) == sorted(FULL)
    assert rows["p-0080"]["votes"] is False and rows["p-0080"]["party_status"] == "probationary"


def test_representatives_meeting_entitles_committee_and_representatives_not_lawyer(town, write):
    with write(town) as s:
        m = service.show_meeting(s, add(s, "residents-representatives-meeting", org="cj-yh4-rc"))
    assert sorted(r["person"] for r in m["attendance"]) == sorted(REPS)
    assert "p-0035" not in {r["person"] for r in m["attendance"]}  # the community lawyer


def test_joint_meeting_entitles_the_heads_of_every_convener_once(town, write):
    with write(town) as s:
        mid = add(s, "joint-meeting", org="cj-yh4-party", with_orgs=["cj-yh4-rc", "cj-yh4-oc", "cj-yh4-pm"])
        m = service.show_meeting(s, mid)
    assert sorted(r["person"] for r in m["attendance"]) == ["p-0042", "p-0043", "p-0054", "p-0055", "p-0065"]
    assert [c["organization"] for c in m["with"]] == ["cj-yh4-rc", "cj-yh4-oc", "cj-yh4-pm"]


def test_entitled_come_from_the_roster_on_the_meetings_day(town, write):
    # cj-yh4-rc's director before 2021-06-19 was someone else: a 2020 meeting has them.
    with write(town) as s:
        old = {r["person"] for r in service.show_meeting(s, add(
            s, "residents-representatives-meeting", org="cj-yh4-rc", when="2020-05-01 09:00"))["attendance"]}
        new = {r["person"] for r in service.show_meeting(s, add(
            s, "residents-representatives-meeting", org="cj-yh4-rc"))["attendance"]}
    assert old != new and len(old - new) >= 1


def test_residents_meeting_needs_entitled_count(town, write):
    with write(town) as s, pytest.raises(Invalid, match="--entitled"):
        add(s, "residents-meeting", org="cj-yh4-rc")


def test_unknown_type_org_and_person_are_named(town, write):
    with write(town) as s:
        with pytest.raises(NotFound, match="meeting type 'tea-party'"):
            add(s, "tea-party")
        with pytest.raises(NotFound, match="no organization 'nowhere'"):
            add(s, "council", org="nowhere")
        with pytest.raises(NotFound, match="no person 'p-9999'"):
            add(s, "council", chair="p-9999")


def test_meeting_ids_count_per_year_and_never_repeat(town, write):
    with write(town) as s:
        a = add(s, "council", when="2026-03-01 10:00")
        b = add(s, "council", when="2026-04-01 10:00")
        c = add(s, "council", when="2027-01-05 10:00")
    assert (a, b, c) == ("M2026-0001", "M2026-0002", "M2027-0001")


# ---- attendance ----------------------------------------------------------------


def test_only_those_entitled_can_be_present_others_are_guests(town, write):
    with write(town) as s:
        mid = add(s, "party-members-meeting")
        with pytest.raises(Refused, match="not entitled to attend") as e:
            service.attend(s, mid, present=["p-0044"])
        assert "guest" in e.value.hint
        service.attend(s, mid, guests=["p-0044"], guest_names=["镇党建办 钱科长"])
        with pytest.raises(Refused, match="mark them present, not as a guest"):
            service.attend(s, mid, guests=["p-0042"])
        m = service.show_meeting(s, mid)
    guests = [r for r in m["attendance"] if r["kind"] == "guest"]
    assert {g["name"] for g in guests} == {"李浩宏", "镇党建办 钱科长"}
    assert m["present"] == 0  # guests do not count


def test_absent_with_reason_and_all_present(town, write):
    with write(town) as s:
        mid = add(s, "party-members-meeting")
        m = service.attend(s, mid, all_present=True, absent=["p-0078"], reason="外出探亲")
    assert m["present"] == 4 and m["entitled"] == 5
    absent = [r for r in m["attendance"] if r["status"] == "absent"]
    assert [(r["person"], r["reason"]) for r in absent] == [("p-0078", "外出探亲")]


def test_reason_without_absentee_is_refused(town, write):
    with write(town) as s:
        mid = add(s, "party-members-meeting")
        with pytest.raises(Invalid, match="--reason goes with --absent"):
            service.attend(s, mid, reason="病假")


def test_counted_meeting_takes_a_count_not_names(town, write):
    with write(town) as s:
        mid = add(s, "residents-meeting", org="cj-yh4-rc", entitled=1200)
        with pytest.raises(Refused, match="--present-count"):
            service.attend(s, mid, present=["p-0042"])
        with pytest.raises(Invalid, match="more than the 1200"):
            service.attend(s, mid, present_count=1201)
        m = service.attend(s, mid, present_count=650)
    assert (m["entitled"], m["present"], m["quorum_met"]) == (1200, 650, True)


def test_roster_meeting_refuses_a_count_without_names(town, write):
    with write(town) as s:
        mid = add(s, "party-members-meeting")
        with pytest.raises(Refused, match="name list"):
            service.attend(s, mid, present_count=4)


def test_open_meeting_counts_whoever_came(town, write):
    with write(town) as s:
        mid = add(s, "hearing", org="cj-yh4-rc")
        m = service.attend(s, mid, present=["p-0100", "p-0101", "p-0102"])
        assert (m["entitled"], m["present"]) == (None, 3)
        with pytest.raises(Refused, match="nobody in particular is absent"):
            service.attend(s, mid, absent=["p-0103"])
        with pytest.raises(Refused, match="names those present"):
            service.attend(s, mid, present_count=40)


# ---- quorum and votes under each law ----------------------------------------------


def test_representatives_meeting_exactly_two_thirds_sits_one_fewer_is_void(town, write):
    with write(town) as s:
        mid = add(s, "residents-representatives-meeting", org="cj-yh4-rc")
        service.attend(s, mid, present=REPS[:13])
        short = service.show_meeting(s, mid)
        assert short["quorum_met"] is False and short["quorum_needed"] == 14
        assert motion_and_vote(s, mid, tally(13))["result"] == "void"
        service.attend(s, mid, present=[REPS[13]])
        m = service.show_meeting(s, mid)
    assert m["present"] == 14 and m["attendance_rate"] == pytest.approx(2 / 3) and m["quorum_met"] is True
    assert m["motions"][0]["result"] == "passed"  # the void motion counts again with the quorum met


def test_residents_meeting_one_short_of_a_majority_of_those_present_fails(town, write):
    with write(town) as s:
        mid = add(s, "residents-meeting", org="cj-yh4-rc", entitled=30)
        service.attend(s, mid, present_count=16)
        failed = motion_and_vote(s, mid, tally(8, 6, 2))
        passed = motion_and_vote(s, mid, tally(9, 6, 1))
    assert failed["result"] == "failed" and failed["explanation"] == "8 yes of 16 present: needs more than 8"
    assert passed["result"] == "passed"


def test_party_meeting_majority_of_present_is_not_enough(town, write):
    with write(town) as s:
        mid = add(s, "party-members-meeting")
        service.attend(s, mid, present=["p-0042", "p-0054", "p-0069", "p-0080"])
        v = motion_and_vote(s, mid, tally(2, 1))
    # 2 of the 3 present with a vote, but not more than half of the 5 entitled
    assert v["result"] == "failed"
    assert v["explanation"] == "2 yes of 5 entitled: needs more than 2"
    assert v["explanation_zh"] == "赞成2票，应到5人：须超过2票"


def test_probationary_member_cannot_vote_and_is_not_counted(town, write):
    with write(town) as s:
        mid = add(s, "party-members-meeting")
        service.attend(s, mid, present=["p-0042", "p-0054", "p-0069", "p-0080"])
        assert service.show_meeting(s, mid)["present"] == 3
        with pytest.raises(Invalid, match="exceeds those present and entitled to vote \\(3\\)"):
            motion_and_vote(s, mid, tally(4))
        with pytest.raises(Refused, match="without a vote .*预备党员没有表决权"):
            motion_and_vote(s, mid, method="roll-call", ballots={"yes": ["p-0042", "p-0080"]})


def test_guest_cannot_vote_in_a_roll_call(town, write):
    with write(town) as s:
        mid = add(s, "party-members-meeting")
        service.attend(s, mid, all_present=True, guests=["p-0044"])
        with pytest.raises(Refused, match="as a guest"):
            motion_and_vote(s, mid, method="roll-call", ballots={"yes": ["p-0044"]})


def test_more_ballots_than_people_present_is_refused_and_nothing_recorded(town, write):
    with write(town) as s:
        mid = add(s, "joint-meeting", org="cj-yh4-party", with_orgs=["cj-yh4-rc", "cj-yh4-oc", "cj-yh4-pm"])
        service.attend(s, mid, present=["p-0042", "p-0043", "p-0054"])
        mo = service.add_motion(s, mid, "动议")["id"]
        with pytest.raises(Invalid, match="exceeds"):
            service.vote(s, mo, "show-of-hands", tally=tally(3, 1))
        assert service.show_meeting(s, mid)["motions"][0]["result"] == "not-voted"


def test_roll_call_counts_ballots_and_refuses_a_double_vote(town, write):
    with write(town) as s:
        mid = add(s, "party-members-meeting")
        service.attend(s, mid, all_present=True)
        mo = service.add_motion(s, mid, "动议")["id"]
        with pytest.raises(Invalid, match="both yes and no"):
            service.vote(s, mo, "roll-call", ballots={"yes": ["p-0042"], "no": ["p-0042"]})
        v = service.vote(s, mo, "roll-call", ballots={"yes": FULL[:3], "no": FULL[3:4]})
    assert (v["yes"], v["no"], v["abstain"], v["result"]) == (3, 1, 0, "passed")
    assert sorted(b["person"] for b in v["ballots"] if b["choice"] == "yes") == sorted(FULL[:3])


def test_a_vote_is_recorded_once_unless_replaced(town, write):
    with write(town) as s:
        mid = add(s, "party-members-meeting")
        service.attend(s, mid, all_present=True)
        mo = service.add_motion(s, mid, "动议")["id"]
        service.vote(s, mo, "secret-ballot", tally=tally(2, 3))
        with pytest.raises(Refused, match="already voted") as e:
            service.vote(s, mo, "secret-ballot", tally=tally(3, 2))
        assert "--replace" in e.value.hint
        assert service.vote(s, mo, "secret-ballot", tally=tally(3, 2), replace=True)["result"] == "passed"


def test_joint_meeting_needs_more_yes_than_no(town, write):
    with write(town) as s:
        mid = add(s, "joint-meeting", org="cj-yh4-party", with_orgs=["cj-yh4-rc", "cj-yh4-oc", "cj-yh4-pm"])
        service.attend(s, mid, all_present=True)
        tie = motion_and_vote(s, mid, tally(2, 2, 1))
        win = motion_and_vote(s, mid, tally(2, 1, 2))
    assert (tie["result"], win["result"]) == ("failed", "passed")


def test_a_vote_before_the_meeting_began_is_refused(town, write):
    with write(town) as s:
        mid = add(s, "party-members-meeting")
        service.attend(s, mid, all_present=True)
        mo = service.add_motion(s, mid, "动议")["id"]
        with pytest.raises(Invalid, match="before meeting"):
            service.vote(s, mo, "show-of-hands", tally=tally(5), at=clock.parse_at("2026-11-12 18:00"))


def test_attendance_cannot_undo_a_recorded_vote(town, write):
    with write(town) as s:
        mid = add(s, "party-members-meeting")
        service.attend(s, mid, all_present=True)
        motion_and_vote(s, mid, method="roll-call", ballots={"yes": FULL[:4]})
    with pytest.raises(Refused, match="recorded 4 votes; only 3 would be present"), write(town) as s:
        service.attend(s, mid, absent=["p-0078", "p-0079"])
    with pytest.raises(Refused, match="朱倩美 \\(p-0078\\) voted on .* in a roll call"), write(town) as s:
        service.attend(s, mid, absent=["p-0078"])
    with write(town) as s:
        assert service.show_meeting(s, mid)["present"] == 5  # nothing half-written


def test_motion_item_must_exist(town, write):
    with write(town) as s:
        mid = add(s, "party-members-meeting")
        with pytest.raises(NotFound, match="no agenda item 2 \\(it has 0\\)"):
            service.add_motion(s, mid, "动议", item=2)
        assert service.add_item(s, mid, "议题")["item"] == 1
        assert service.add_motion(s, mid, "动议", item=1)["item"] == 1


# ---- action items ---------------------------------------------------------------


def test_action_owner_is_an_organization_or_a_person(town, write):
    with write(town) as s:
        mid = add(s, "party-members-meeting")
        a = service.add_action(s, mid, "张贴告知书", owner="cj-yh4-rc", due=dt.date(2026, 11, 30))
        b = service.add_action(s, mid, "走访", owner="茅秀", due=dt.date(2026, 11, 30))
        with pytest.raises(NotFound, match="neither an organization nor a person"):
            service.add_action(s, mid, "x", owner="nobody", due=dt.date(2026, 11, 30))
        with pytest.raises(Invalid, match="before meeting"):
            service.add_action(s, mid, "x", owner="cj-yh4-rc", due=dt.date(2026, 11, 1))
    assert (a["owner_kind"], a["position"]) == ("organization", 1)
    assert (b["owner_kind"], b["owner"], b["position"]) == ("person", "p-0069", 2)


def test_action_as_case_opens_a_case_from_the_meeting(town, write):
    from cgov.cases import service as cases

    with write(town) as s:
        mid = add(s, "joint-meeting", org="cj-yh4-party", with_orgs=["cj-yh4-pm"])
        a = service.add_action(s, mid, "清理3号楼楼道堆物", owner="cj-yh4-pm", due=dt.date(2026, 11, 30),
                               as_case=True, at=clock.parse_at("2026-11-12 21:00"))
        case = cases.show_case(s, a["case"])
    assert case["source"] == "meeting" and case["title"] == "清理3号楼楼道堆物"
    assert case["community"] == "cj-yh4"
    assert clock.fmt_local(case["due"]).startswith("2026-11-30")


def test_as_case_needs_a_community_and_then_nothing_is_written(town, write):
    with write(town) as s:
        mid = add(s, "coordination", org="cj-police")  # a town department: in no community
    with pytest.raises(Refused, match="in no community"), write(town) as s:
        service.add_action(s, mid, "x", owner="cj-police", due=dt.date(2026, 11, 30), as_case=True)
    with write(town) as s:
        assert service.show_meeting(s, mid)["actions"] == []


# ---- publication -------------------------------------------------------------------


def _ready(s):
    mid = add(s, "party-members-meeting")
    service.attend(s, mid, all_present=True, absent=["p-0079"], reason="值班")
    service.add_item(s, mid, "审议充电棚方案")
    motion_and_vote(s, mid, tally(4))
    service.set_minutes(s, mid, "讨论了充电棚方案。\n大家同意。")
    return mid


def test_publish_stores_the_hash_of_the_canonical_minutes_and_logs_it(town, write):
    with write(town) as s:
        mid = _ready(s)
        m = service.publish(s, mid, "第三网格党建公示栏", at=clock.parse_at("2026-11-13 09:00"))
        stored = s.get(Meeting, mid)
        log = audit.entries(s, action="meeting.publish")[0]
    assert m["content_hash"] == audit.content_digest(stored.published_text)
    assert stored.published_text.startswith("# 会议\n") and "公开情况" not in stored.published_text
    assert "**表决结果**：**通过**" in stored.published_text
    assert m["integrity"] == "verified" and m["published_where"] == "第三网格党建公示栏"
    assert log["ids"] == [mid] and log["detail"]["where"] == "第三网格党建公示栏"
    with write(town) as s:
        assert s.execute(text("SELECT content_hash FROM audit_log WHERE action='meeting.publish'")).scalar() \
            == m["content_hash"]


def test_published_meeting_refuses_every_change_but_an_addendum(town, write):
    with write(town) as s:
        mid = _ready(s)
        service.publish(s, mid, "社区公开栏", at=clock.parse_at("2026-11-13 09:00"))
        mo = service.show_meeting(s, mid)["motions"][0]["id"]
        changes = [
            lambda: service.attend(s, mid, present=["p-0079"]),
            lambda: service.add_item(s, mid, "x"),
            lambda: service.add_motion(s, mid, "x"),
            lambda: service.vote(s, mo, "show-of-hands", tally=tally(3), replace=True),
            lambda: service.add_action(s, mid, "x", owner="cj-yh4-rc", due=dt.date(2026, 12, 1)),
            lambda: service.set_minutes(s, mid, "改写"),
            lambda: service.publish(s, mid, "别处"),
        ]
        for change in changes:
            with pytest.raises(Refused, match="published; add an addendum"):
                change()
        a = service.add_addendum(s, mid, "经核实，缺席人员因公值班。", at=clock.parse_at("2026-11-14 10:00"))
        m = service.show_meeting(s, mid)
    assert a["position"] == 1 and m["addenda"][0]["text"] == "经核实，缺席人员因公值班。"
    assert m["integrity"] == "verified"  # an addendum follows the published text, it does not alter it


def test_publishing_is_refused_while_text_carries_a_phone_or_id_number(town, write):
    with write(town) as s:
        mid = _ready(s)
        service.set_minutes(s, mid, "讨论了方案。\n联系人王先生 139 0000 1234。\n散会。")
        service.attend(s, mid, absent=["p-0079"], reason="身份证310115196203014417")
        with pytest.raises(Refused) as e:
            service.publish(s, mid, "社区公开栏")
        assert "minutes line 2" in e.value.message and "absence reason of 徐慧" in e.value.message
        assert "13900001234" not in e.value.message and "1390000" not in e.value.message
        assert s.get(Meeting, mid).published_at is None


def test_addendum_to_published_minutes_may_not_carry_a_phone(town, write):
    with write(town) as s:
        mid = _ready(s)
        service.publish(s, mid, "社区公开栏")
        with pytest.raises(Refused, match="the addendum"):
            service.add_addendum(s, mid, "如有疑问请致电13900001234")


def test_publication_before_the_meeting_is_refused(town, write):
    with write(town) as s:
        mid = _ready(s)
        with pytest.raises(Invalid, match="before meeting"):
            service.publish(s, mid, "社区公开栏", at=clock.parse_at("2026-11-01 09:00"))


def test_tampering_with_published_content_shows(town, write):
    with write(town) as s:
        mid = _ready(s)
        service.publish(s, mid, "社区公开栏")
    with write(town) as s:
        assert service.show_meeting(s, mid)["renders_as_published"] is True
        # The database refuses changes to a published meeting: the tamperer drops the guard first.
        if town.dialect.name == "sqlite":
            s.execute(text("DROP TRIGGER meeting_published_no_update"))
        else:
            s.execute(text("DROP TRIGGER meeting_published ON meeting"))
        s.execute(text("UPDATE meeting SET minutes = '另一种说法' WHERE id = :i"), {"i": mid})
        m = service.show_meeting(s, mid)
        assert (m["integrity"], m["renders_as_published"]) == ("verified", False)
        s.execute(text("UPDATE meeting SET published_text = published_text || ' ' WHERE id = :i"), {"i": mid})
        assert service.show_meeting(s, mid)["integrity"] == "the published text no longer matches its SHA-256"


def test_a_later_change_to_the_roster_or_the_type_does_not_rewrite_minutes(town, write):
    from cgov.org import service as org

    with write(town) as s:
        mid = _ready(s)
        service.publish(s, mid, "社区公开栏")
        post = next(p for p in org.list_posts(s, person="p-0078", org=G03))
        org.end_post(s, post["id"], dt.date(2026, 1, 1))  # back-dated: before the meeting
        s.execute(text("UPDATE person SET name = '改名' WHERE id = 'p-0069'"))
        assert service.show_meeting(s, mid)["renders_as_published"] is True


# ---- regular meetings (due) ------------------------------------------------------------


def test_due_binds_party_branches_quarterly_and_others_by_their_record(town, write):
    with write(town) as s:
        add(s, "party-members-meeting", when="2026-11-12 19:00")
        add(s, "joint-meeting", org="cj-yh4-party", when="2026-09-05 14:00")
        rows = service.due(s, as_of=dt.date(2026, 12, 2))
    by = {(r["organization"], r["type"]): r for r in rows}
    assert (G03, "party-members-meeting") not in by  # held this quarter
    assert by[("cj-yh4-g01-pb", "party-members-meeting")]["due"] == dt.date(2026, 9, 30)
    joint = by[("cj-yh4-party", "joint-meeting")]
    assert (joint["last_held"], joint["due"], joint["missed"]) == (dt.date(2026, 9, 5), dt.date(2026, 10, 31), 2)
    assert not any(r["organization"] == "cj-yh4-rc" for r in rows)  # never held one: not bound


def test_due_everything_shows_standing_and_filters(town, write):
    with write(town) as s:
        add(s, "party-members-meeting", when="2026-11-12 19:00")
        rows = service.due(s, as_of=dt.date(2026, 12, 2), org_ref=G03, everything=True)
    assert [(r["type"], r["status"], r["due"]) for r in rows] == [
        ("party-members-meeting", "on-time", dt.date(2027, 3, 31))]


def test_org_schedule_overrides_and_none_exempts(month, write):
    # examples/meetings.yaml: cj-yh4-g03-pb holds the night talk on the 15th; cj-yh4-g04-pb is exempt.
    with write(month) as s:
        service.add_meeting(s, "grid-night-talk", "夜谈", "cj-yh4-g04-pb", at=clock.parse_at("2026-10-15 19:00"))
        late = service.due(s, as_of=dt.date(2026, 12, 16), type="grid-night-talk")
        on_day = service.due(s, as_of=dt.date(2026, 12, 15), type="grid-night-talk")
    assert [(r["organization"], r["overdue_days"]) for r in late] == [(G03, 1)]
    assert on_day == []


def test_attend_with_nothing_to_mark_and_a_vote_with_no_votes_are_refused(town, write):
    with write(town) as s:
        mid = add(s, "party-members-meeting")
        with pytest.raises(Invalid, match="nothing to mark"):
            service.attend(s, mid)
        service.attend(s, mid, all_present=True)
        mo = service.add_motion(s, mid, "动议")["id"]
        with pytest.raises(Invalid, match="no votes given"):
            service.vote(s, mo, "show-of-hands", tally=tally(0))
