"""The case flow at the service layer: every transition, every refusal,
deadlines, extensions, re-dispatch, reopen, duplicates, escalation, ids."""

import datetime as dt
import json

import pytest

from cgov.cases import flow, service
from cgov.cases.models import EVENT_KINDS, STATUSES
from cgov.core import audit, clock, store
from cgov.core.errors import Invalid, NotFound, Refused

ALLOWED = [(st, k) for st in STATUSES for k in EVENT_KINDS if st in flow.ALLOWED[k]]
REFUSED = [(st, k) for st in STATUSES for k in EVENT_KINDS if st not in flow.ALLOWED[k]]


def _args(h, kind, s, cid, when):
    if kind == "link":
        return {"duplicate_of": h.new_case(s, "2026-11-16 08:00", title="同一楼道堆物")}
    if kind == "extend":
        return {"until": when + dt.timedelta(days=30), "reason": "需等待配件", "approver": "李红娣"}
    return dict(h.STEP_ARGS[kind])


@pytest.mark.parametrize("status,kind", ALLOWED)
def test_every_allowed_transition_moves_the_case_where_the_flow_says(write, h, status, kind):
    def run(s):
        cid, last = h.case_in(s, status)
        when = last + dt.timedelta(hours=1)
        return getattr(service, kind)(s, cid, at=when, **_args(h, kind, s, cid, when))

    row = write(run)
    assert row["status"] == flow.LEADS_TO.get(kind, status)
    assert row["events"][-1]["kind"] == kind


@pytest.mark.parametrize("status,kind", REFUSED)
def test_every_transition_the_flow_forbids_is_refused_naming_state_and_options(write, read, h, status, kind):
    cid, last = write(h.case_in, status)
    before = read(service.show_case, cid)

    def run(s):
        when = last + dt.timedelta(hours=1)
        return getattr(service, kind)(s, cid, at=when, **_args(h, kind, s, cid, when))

    with pytest.raises(Refused) as e:
        write(run)
    msg = e.value.message
    assert f"is {status} (" in msg and f"{kind} needs a case that is" in msg
    can = flow.allowed_from(status)
    assert (f"from {status} it can: {', '.join(can)}" in msg) if can else "final" in msg
    after = read(service.show_case, cid)
    assert after["status"] == status and len(after["events"]) == len(before["events"])


def test_the_six_steps_leave_a_timeline_and_an_audit_entry_each(write, read, town, h):
    def run(s):
        cid = h.new_case(s, reporter_name="张女士", reporter_phone="139-0000-9001")
        service.accept(s, cid, at=h.at("2026-11-16 09:20"))
        service.dispatch(s, cid, at=h.at("2026-11-16 09:30"))
        service.reply(s, cid, "物业已清理", at=h.at("2026-11-17 09:00"))
        service.close(s, cid, note="网格员核查", at=h.at("2026-11-17 10:00"))
        return service.rate(s, cid, resolved=True, satisfaction="满意", at=h.at("2026-11-18 10:00"))

    row = write(run)
    assert row["status"] == "rated" and row["resolved"] is True and row["satisfaction"] == "satisfied"
    assert [e["kind"] for e in row["events"]] == ["add", "accept", "dispatch", "reply", "close", "rate"]
    assert row["events"][2]["to"] == "cj-yh4-pm" and row["events"][3]["note"] == "物业已清理"
    assert row["reporter_phone"] == "13900009001"
    assert row["responded_at"] == h.at("2026-11-16 09:20") and row["closed_at"] == h.at("2026-11-17 10:00")
    with store.reading(town) as s:
        entries = audit.entries(s, entity="case", limit=None)
        assert [e["action"] for e in reversed(entries)] == [
            "case.add", "case.accept", "case.dispatch", "case.reply", "case.close", "case.rate"]
        assert all(e["ids"] == [row["id"]] for e in entries)
        assert audit.verify(s)["ok"]


def test_a_step_dated_before_the_last_one_is_refused(write, h):
    cid, last = write(h.case_in, "accepted")
    with pytest.raises(Invalid, match="before its last step"):
        write(service.dispatch, cid, to="cj-police", at=last - dt.timedelta(minutes=1))


def test_reject_cancel_reopen_extend_and_reply_need_their_text(write, h):
    cid = write(h.new_case)
    with pytest.raises(Invalid, match="reject needs a reason"):
        write(service.reject, cid, reason="  ", at=h.at("2026-11-16 10:00"))
    cid, last = write(h.case_in, "dispatched")
    with pytest.raises(Invalid, match="reply needs the handler's result"):
        write(service.reply, cid, result="", at=last)


def test_rating_needs_both_answers(write, h):
    cid, last = write(h.case_in, "closed")
    with pytest.raises(Invalid, match="resolved"):
        write(service.rate, cid, resolved=None, satisfaction="satisfied", at=last)
    with pytest.raises(Invalid, match="satisfaction"):
        write(service.rate, cid, resolved=True, satisfaction="very", at=last)


# ---- deadlines and extensions ------------------------------------------------------

def test_deadlines_follow_the_category_and_priority(write, h):
    start = h.at("2026-11-16 09:00")
    hours = lambda a, b: (b - a).total_seconds() / 3600  # noqa: E731
    rows = {
        "1001": write(service.add_case, title="楼道堆物", category="1001", reported_at=start),
        "urgent 1001": write(service.add_case, title="楼道堆物", category="楼道堆物", priority="urgent",
                             reported_at=start),
        "0503": write(service.add_case, title="燃气泄漏", category="燃气泄漏", reported_at=start),
        "none": write(service.add_case, title="咨询", reported_at=start),
    }
    assert (hours(start, rows["1001"]["respond_by"]), hours(start, rows["1001"]["resolve_by"])) == (24, 72)
    assert (hours(start, rows["urgent 1001"]["respond_by"]), hours(start, rows["urgent 1001"]["resolve_by"])) == (2, 48)
    assert (hours(start, rows["0503"]["respond_by"]), hours(start, rows["0503"]["resolve_by"])) == (1, 8)
    assert (hours(start, rows["none"]["respond_by"]), hours(start, rows["none"]["resolve_by"])) == (24, 168)


def test_due_overrides_the_resolve_by_deadline_and_must_follow_the_report(write, h):
    row = write(service.add_case, title="屋顶漏水", category="1103", reported_at=h.at("2026-11-16 09:00"),
                due=service.deadline("2026-11-30"))
    assert clock.fmt_local(row["resolve_by"]) == "2026-11-30 23:59" and row["due"] == row["resolve_by"]
    with pytest.raises(Invalid, match="not after the report"):
        write(service.add_case, title="x", reported_at=h.at("2026-11-16 09:00"), due=h.at("2026-11-15 09:00"))


def test_each_extension_is_kept_and_moves_the_deadline(write, read, h):
    cid, last = write(h.case_in, "dispatched")
    first = write(service.extend, cid, until=h.at("2026-11-25 18:00"), reason="需等待配件", approver="李红娣",
                  at=last + dt.timedelta(hours=1))
    second = write(service.extend, cid, until=h.at("2026-11-28 18:00"), reason="配件延迟到货", approver="沈庆达",
                   at=last + dt.timedelta(hours=2))
    assert first["resolve_by"] == h.at("2026-11-25 18:00")
    assert second["resolve_by"] == h.at("2026-11-28 18:00") and second["extension_count"] == 2
    assert second["due"] == h.at("2026-11-19 09:00")  # as opened
    ext = [e for e in second["events"] if e["kind"] == "extend"]
    assert [(e["previous"], e["until"], e["approver"]) for e in ext] == [
        (h.at("2026-11-19 09:00"), h.at("2026-11-25 18:00"), "李红娣"),
        (h.at("2026-11-25 18:00"), h.at("2026-11-28 18:00"), "沈庆达")]


def test_an_extension_must_move_the_deadline_later_and_name_an_approver(write, h):
    cid, last = write(h.case_in, "dispatched")
    with pytest.raises(Invalid, match="not later than the current one"):
        write(service.extend, cid, until=h.at("2026-11-18 09:00"), reason="x", approver="李红娣",
              at=last + dt.timedelta(hours=1))
    with pytest.raises(Invalid, match="approver"):
        write(service.extend, cid, until=h.at("2026-11-30 09:00"), reason="x", approver=" ",
              at=last + dt.timedelta(hours=1))


# ---- re-dispatch, reopen, escalate, duplicates ------------------------------------------------

def test_redispatch_keeps_every_dispatch_and_the_last_handler_holds_it(write, h):
    cid, last = write(h.case_in, "dispatched")
    row = write(service.dispatch, cid, to="cj-urban", note="涉及违章搭建，改派", at=last + dt.timedelta(hours=1))
    assert row["handler"] == "cj-urban" and row["handler_name"] == "陈家镇城管执法中队"
    assert [e["to"] for e in row["events"] if e["kind"] == "dispatch"] == ["cj-yh4-pm", "cj-urban"]
    with pytest.raises(Refused, match="already dispatched to cj-urban"):
        write(service.dispatch, cid, to="cj-urban", at=last + dt.timedelta(hours=2))


@pytest.mark.parametrize("status", ["replied", "closed", "rated"])
def test_reopen_sends_the_case_back_to_its_handler_and_counts(write, h, status):
    cid, last = write(h.case_in, status)
    row = write(service.reopen, cid, reason="居民反映纸箱又堆回来了", at=last + dt.timedelta(hours=1))
    assert row["status"] == "dispatched" and row["handler"] == "cj-yh4-pm" and row["reopen_count"] == 1
    assert row["closed_at"] is None and row["satisfaction"] is None
    row = write(service.reply, cid, "再次清理", at=last + dt.timedelta(hours=2))
    row = write(service.close, cid, at=last + dt.timedelta(hours=3))
    row = write(service.reopen, cid, reason="又反复", at=last + dt.timedelta(hours=4))
    assert row["reopen_count"] == 2


def test_escalation_goes_up_one_level_at_a_time_to_three(write, h):
    cid, last = write(h.case_in, "dispatched")
    levels = [write(service.escalate, cid, at=last + dt.timedelta(hours=i))["escalation_level"] for i in (1, 2, 3)]
    assert levels == [1, 2, 3]
    with pytest.raises(Refused, match="highest level, 3"):
        write(service.escalate, cid, at=last + dt.timedelta(hours=4))


def test_escalation_to_a_level_not_above_the_current_is_refused(write, h):
    cid, last = write(h.case_in, "accepted")
    assert write(service.escalate, cid, level=2, at=last)["escalation_level"] == 2
    with pytest.raises(Refused, match="already escalated at level 2"):
        write(service.escalate, cid, level=1, at=last)
    with pytest.raises(Invalid, match="not between 1 and 3"):
        write(service.escalate, cid, level=4, at=last)


def test_link_closes_as_duplicate_and_the_original_lists_it(write, read, h):
    original, _ = write(h.case_in, "dispatched")
    dup = write(h.new_case, "2026-11-16 12:00", title="3号楼楼道纸箱（再次反映）")
    row = write(service.link, dup, duplicate_of=original, at=h.at("2026-11-16 12:30"))
    assert row["status"] == "closed" and row["duplicate_of"] == original
    assert read(service.show_case, original)["duplicates"] == [dup]
    with pytest.raises(Refused, match="duplicate of"):
        write(service.rate, dup, resolved=True, satisfaction="satisfied", at=h.at("2026-11-16 13:00"))
    with pytest.raises(Refused, match="duplicate of"):
        write(service.reopen, dup, reason="x", at=h.at("2026-11-16 13:00"))


def test_link_refuses_itself_a_duplicate_target_and_a_cancelled_target(write, h):
    a = write(h.new_case)
    b = write(h.new_case)
    c = write(h.new_case)
    with pytest.raises(Invalid, match="itself"):
        write(service.link, a, duplicate_of=a, at=h.at("2026-11-16 10:00"))
    write(service.link, b, duplicate_of=a, at=h.at("2026-11-16 10:00"))
    with pytest.raises(Refused, match=f"itself a duplicate of {a}"):
        write(service.link, c, duplicate_of=b, at=h.at("2026-11-16 10:00"))
    cancelled, _ = write(h.case_in, "cancelled")
    with pytest.raises(Refused, match="cancelled"):
        write(service.link, c, duplicate_of=cancelled, at=h.at("2026-11-16 12:00"))


# ---- ids, places, input ------------------------------------------------------------------------

def test_case_ids_use_the_local_year_and_a_per_year_sequence(write, h):
    # 2027-01-01 00:30 in Shanghai is still 2026 in UTC: the id follows local time.
    assert write(h.new_case, "2026-12-31 23:30") == "C2026-000001"
    assert write(h.new_case, "2027-01-01 00:30") == "C2027-000001"
    assert write(h.new_case, "2026-11-01 10:00") == "C2026-000002"


def test_a_rolled_back_add_never_hands_its_number_out_twice(town, write, h):
    with pytest.raises(RuntimeError):
        with store.writing(town, actor="t") as s:
            h.new_case(s)
            raise RuntimeError("power cut")
    assert write(h.new_case) == "C2026-000001"
    assert write(h.new_case) == "C2026-000002"


def test_a_building_implies_its_grid_and_community(write, h):
    row = write(service.add_case, title="x", building="cj-ya-b03")
    assert (row["building"], row["grid"], row["community"]) == ("cj-ya-b03", "cj-ya-g01", "cj-ya")
    assert row["place"] == "裕安社区 第一网格 3号楼"
    row = write(service.add_case, title="x", community="裕安社区", building="3号楼")
    assert row["building"] == "cj-ya-b03"
    row = write(service.add_case, title="x", grid="cj-dt-g02")
    assert (row["building"], row["grid"], row["community"]) == (None, "cj-dt-g02", "cj-dt")


def test_place_errors_say_what_is_wrong(write):
    with pytest.raises(Invalid, match=r"ambiguous: cj-yh4-b03 \(裕鸿佳苑第四社区 第一网格\)"):
        write(service.add_case, title="x", building="3号楼")
    with pytest.raises(Invalid, match=r"'cj-yh4-b03' is not in 第二网格 \(cj-yh4-g02\)"):
        write(service.add_case, title="x", building="cj-yh4-b03", grid="cj-yh4-g02")
    with pytest.raises(Invalid, match="is a grid, not a community or village"):
        write(service.add_case, title="x", community="cj-yh4-g01")
    with pytest.raises(NotFound, match="no building '99号楼'"):
        write(service.add_case, title="x", building="99号楼")


def test_input_is_checked_and_chinese_labels_are_understood(write):
    row = write(service.add_case, title="噪音", source="12345", request_type="投诉", priority="紧急",
                category="噪音扰民")
    assert (row["source"], row["request_type"], row["priority"], row["category"]) == (
        "hotline", "complaint", "urgent", "1201")
    with pytest.raises(Invalid, match="reporter phone"):
        write(service.add_case, title="x", reporter_phone="12345")
    with pytest.raises(Invalid, match="source 'radio' is not one of"):
        write(service.add_case, title="x", source="radio")
    with pytest.raises(Invalid, match="needs a title"):
        write(service.add_case, title="  ")
    with pytest.raises(NotFound, match="no case category '楼道'") as e:
        write(service.add_case, title="x", category="楼道")
    assert "1001 楼道堆物" in e.value.hint


def test_the_add_audit_entry_names_the_case(town, write):
    row = write(service.add_case, title="3号楼楼道堆物", building="cj-yh4-b03")
    with store.reading(town) as s:
        e = audit.entries(s, action="case.add")[0]
    assert e["ids"] == [row["id"]] and e["detail"]["community"] == "cj-yh4" and e["actor"] == "tester"
    json.dumps(e["detail"])


def test_list_and_count_agree_on_the_filters(write, read, h):
    for status in ("new", "dispatched", "rated", "cancelled"):
        write(h.case_in, status)
    assert read(service.count_cases, status=["open"]) == 2
    assert [r["status"] for r in read(service.list_cases, status=["open"], sort="id")] == ["new", "dispatched"]
    assert read(service.count_cases, area="cj-yh4", search="纸箱") == 4
    assert read(service.count_cases, area="cj-ya") == 0
