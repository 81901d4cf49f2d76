"""The access-list flow at the service layer: every transition and refusal,
expiry, the working-day limit, and the audit entries of decisions."""

import datetime as dt
import json

import pytest
from sqlmodel import select

from cgov.access import service
from cgov.access.models import AccessEvent, AccessItem
from cgov.core import audit, clock, store
from cgov.core.errors import Invalid, NotFound, Refused


def at(text):
    return clock.parse_at(text)


@pytest.fixture
def w(town, now):
    """Run one service call in its own write transaction, as a command does."""
    def run(fn, *args, **kwargs):
        with store.writing(town, actor="tester") as s:
            return fn(s, *args, **kwargs)
    return run


def status_of(town, item_id):
    with store.reading(town) as s:
        return s.get(AccessItem, item_id).status


def audit_of(town, item_id):
    with store.reading(town) as s:
        return list(reversed(audit.entries(s, record_id=item_id, limit=None)))


# ---- the flow -------------------------------------------------------------------


def test_application_waits_then_is_admitted(w, town):
    row = w(service.apply_item, "燃气安全隐患排查台账填报", "cj-fire", "assist", funding=12000,
            conditions="提供排查表和培训", at=at("2026-11-02T09:30"))
    assert row["id"] == "A-0001"
    assert row["status"] == "pending"
    assert row["department_name"] == "陈家镇消防救援站"
    assert row["due"] == dt.date(2026, 11, 23)
    row = w(service.approve, "A-0001", at=at("2026-11-16T15:00"), note="经费已到位")
    assert row["status"] == "admitted"
    assert [(h["action"], h["status"], h["reason"]) for h in row["history"]] == [
        ("apply", "pending", None), ("approve", "admitted", "经费已到位")]
    assert row["decided_at"] == at("2026-11-16T15:00")
    assert row["waited"] == 10 and not row["late"] and not row["overdue"]


def test_ids_come_from_the_sequence_and_never_repeat(w):
    ids = [w(service.apply_item, f"事项{n}申请", "cj-civil", "duty")["id"] for n in range(3)]
    assert ids == ["A-0001", "A-0002", "A-0003"]


def test_item_can_be_found_by_its_exact_name(w, town):
    w(service.add_item, "无偿献血宣传动员", "cj-health", "assist", funding=2000)
    with store.reading(town) as s:
        assert service.show_item(s, "无偿献血宣传动员")["id"] == "A-0001"
        with pytest.raises(NotFound, match="no access-list item 'A-0404'"):
            service.show_item(s, "A-0404")


def test_rejection_needs_a_reason_and_is_final(w, town):
    w(service.apply_item, "疫苗接种每日进度报表", "cj-health", "assist")
    with pytest.raises(Invalid, match="--reason is required"):
        w(service.reject, "A-0001", "  ")
    assert status_of(town, "A-0001") == "pending"
    row = w(service.reject, "A-0001", "数据由系统直接统计")
    assert row["status"] == "rejected" and row["reason"] == "数据由系统直接统计"
    with pytest.raises(Refused, match="A-0001 is rejected: it cannot be approved; a rejected item stays as it is"):
        w(service.approve, "A-0001")
    with pytest.raises(Refused, match="cannot be revoked"):
        w(service.revoke, "A-0001", "x")


def test_revocation_takes_an_admitted_item_off_the_list(w, town):
    w(service.add_item, "出租房屋信息采集", "cj-police", "assist", funding=5000)
    with pytest.raises(Invalid, match="--reason is required"):
        w(service.revoke, "A-0001", "")
    row = w(service.revoke, "A-0001", "与居住登记合并采集")
    assert row["status"] == "revoked"
    assert [h["action"] for h in row["history"]] == ["add", "revoke"]
    with pytest.raises(Refused, match="A-0001 is revoked: it cannot be revoked"):
        w(service.revoke, "A-0001", "again")


def test_only_pending_applications_are_decided(w):
    w(service.add_item, "食品安全宣传", "cj-market", "assist", conditions="提供宣传折页")
    with pytest.raises(Refused, match="A-0001 is admitted: it cannot be approved; an admitted item can only be revoked"):
        w(service.approve, "A-0001")
    with pytest.raises(Refused, match="cannot be rejected"):
        w(service.reject, "A-0001", "x")
    w(service.apply_item, "街面小广告清理统计表", "cj-urban", "assist")
    with pytest.raises(Refused, match="A-0002 is pending: it cannot be revoked; a pending item can only be approved or rejected"):
        w(service.revoke, "A-0002", "x")


def test_a_step_cannot_be_dated_before_the_last_one(w, town):
    w(service.apply_item, "居家养老服务需求调查", "cj-civil", "assist", conditions="问卷", at=at("2026-11-10T09:00"))
    with pytest.raises(Invalid, match=r"--at 2026-11-09 00:00 is before A-0001's last step \(apply, 2026-11-10 09:00\)"):
        w(service.approve, "A-0001", at=at("2026-11-09"))
    assert status_of(town, "A-0001") == "pending"


def test_departments_must_be_departments(w):
    with pytest.raises(Invalid, match="'cj-yh4-rc' .* is a residents-committee, not a department"):
        w(service.apply_item, "x", "cj-yh4-rc", "duty")
    with pytest.raises(NotFound, match="no organization 'cj-nowhere'"):
        w(service.apply_item, "x", "cj-nowhere", "duty")
    with pytest.raises(Invalid, match="--kind 'chore' is not one of: duty, assist, negative"):
        w(service.apply_item, "x", "cj-civil", "chore")
    with pytest.raises(Invalid, match="name is empty"):
        w(service.add_item, "  ", "cj-civil", "duty")
    with pytest.raises(Invalid, match="--valid-until 2026-01-01 is before --valid-from 2026-06-01"):
        w(service.add_item, "x", "cj-civil", "duty", valid_from=dt.date(2026, 6, 1),
          valid_until=dt.date(2026, 1, 1))


def test_departments_do_not_apply_for_negative_items(w):
    with pytest.raises(Invalid, match="departments do not apply for negative-list items"):
        w(service.apply_item, "代收物业费", "cj-housing", "negative")


# ---- the rules of admission -------------------------------------------------------


def test_assist_item_needs_funding_or_conditions(w, town):
    with pytest.raises(Refused, match="neither funding nor working conditions .*费随事走"):
        w(service.add_item, "河道保洁巡查台账", "cj-ecology", "assist")
    w(service.add_item, "居民会议组织", "cj-civil", "duty")  # the community's own duty: no funding
    w(service.add_item, "重点人群健康随访通知", "cj-health", "assist", conditions="家庭医生共同入户")
    w(service.apply_item, "河道保洁巡查台账", "cj-ecology", "assist")
    with pytest.raises(Refused, match="A-0003 '河道保洁巡查台账' cannot be admitted: it is an assist item"):
        w(service.approve, "A-0003")
    assert status_of(town, "A-0003") == "pending"
    row = w(service.approve, "A-0003", funding=5000)
    assert row["status"] == "admitted" and row["funding"] == 5000


def test_item_matching_the_negative_list_cannot_be_admitted(w, town):
    w(service.add_item, "出具居民无犯罪记录证明", "cj-police", "negative")
    w(service.apply_item, "社区帮忙开具无犯罪记录证明", "cj-police", "assist", funding=1000)
    with pytest.raises(Refused, match="matches negative-list item A-0001 '出具居民无犯罪记录证明' .*may never be handed down"):
        w(service.approve, "A-0002")
    with pytest.raises(Refused, match="matches negative-list item A-0001"):
        w(service.add_item, "居民无犯罪记录证明开具", "cj-police", "assist", funding=1000)
    assert status_of(town, "A-0002") == "pending"
    with store.reading(town) as s:
        problems = service.show_item(s, "A-0002")["problems"]
    assert len(problems) == 1
    assert problems[0]["problem"].startswith("it matches negative-list item A-0001 '出具居民无犯罪记录证明'")


def test_duplicate_of_an_admitted_item_is_refused_naming_it(w, town):
    w(service.add_item, "燃气安全隐患排查台账填报", "cj-fire", "assist", funding=12000)
    with pytest.raises(Refused, match="duplicates A-0001 '燃气安全隐患排查台账填报' of cj-fire, already admitted"):
        w(service.add_item, "燃气安全排查台账填报", "cj-fire", "assist", funding=1)
    w(service.apply_item, "燃气安全排查台账填报", "cj-housing", "assist", funding=1)
    with pytest.raises(Refused, match="A-0002 .* duplicates A-0001"):
        w(service.approve, "A-0002")
    # a different item of the same frame is not a duplicate
    w(service.add_item, "消防安全网格巡查", "cj-fire", "assist", funding=8000)
    # once the old item is off the list, the new one may replace it
    w(service.revoke, "A-0001", "改为新版台账")
    assert w(service.approve, "A-0002")["status"] == "admitted"


def test_several_problems_are_reported_together(w):
    w(service.add_item, "燃气安全隐患排查台账填报", "cj-fire", "assist", funding=12000)
    w(service.apply_item, "燃气安全排查台账填报", "cj-fire", "assist")
    with pytest.raises(Refused) as e:
        w(service.approve, "A-0002")
    assert "(1) it is an assist item" in e.value.message
    assert "(2) it duplicates A-0001" in e.value.message


def test_negative_item_cannot_contradict_an_admitted_one(w):
    w(service.add_item, "消防安全网格巡查", "cj-fire", "assist", funding=8000)
    with pytest.raises(Refused, match="matches A-0001 '消防安全网格巡查' .*admitted as an assist item"):
        w(service.add_item, "消防安全网格巡查", "cj-fire", "negative")
    w(service.add_item, "代收物业费", "cj-housing", "negative")
    with pytest.raises(Refused, match="duplicates A-0002 '代收物业费'"):
        w(service.add_item, "代收物业费", "cj-housing", "negative")


# ---- expiry --------------------------------------------------------------------------


def test_admitted_item_expires_after_valid_until(w, town):
    w(service.add_item, "秋季秸秆禁烧巡查", "cj-ecology", "assist", funding=3000,
      valid_from=dt.date(2026, 9, 15), valid_until=dt.date(2026, 11, 15), at=at("2026-09-14T10:00"))
    with store.reading(town) as s:
        assert service.show_item(s, "A-0001", on=dt.date(2026, 11, 15))["status"] == "admitted"
        assert service.show_item(s, "A-0001", on=dt.date(2026, 11, 16))["status"] == "expired"
        assert [r["id"] for r in service.list_items(s, status="expired")] == ["A-0001"]
        assert service.list_items(s, status="admitted") == []
        verdict = service.check(s, "秸秆禁烧巡查")
    assert (verdict["verdict"], verdict["ground"], verdict["item"]) == ("not-listed", "expired", "A-0001")
    assert "expired on 2026-11-15; the department must apply again" in service.explain(verdict)
    with pytest.raises(Refused, match="A-0001 expired on 2026-11-15: it is no longer on the list"):
        w(service.revoke, "A-0001", "x")
    # an expired item is no duplicate: the department may apply again and be admitted
    w(service.apply_item, "秋季秸秆禁烧巡查", "cj-ecology", "assist", funding=3000,
      valid_until=dt.date(2027, 11, 15))
    assert w(service.approve, "A-0002")["status"] == "admitted"


def test_application_past_its_validity_cannot_be_admitted(w):
    w(service.apply_item, "国庆节期间安全巡查", "cj-fire", "assist", funding=100,
      valid_until=dt.date(2026, 10, 8), at=at("2026-09-20T09:00"))
    with pytest.raises(Refused, match="its validity ended on 2026-10-08"):
        w(service.approve, "A-0001")


# ---- the working-day limit --------------------------------------------------------------


def test_overdue_after_fifteen_working_days(w, town):
    # received Monday 2026-11-02: the day itself does not count, so the 15th
    # working day is Monday 2026-11-23
    w(service.apply_item, "居家养老服务需求调查", "cj-civil", "assist", conditions="问卷", at=at("2026-11-02T09:00"))
    with store.reading(town) as s:
        on_due = service.show_item(s, "A-0001", on=dt.date(2026, 11, 23))
        after = service.show_item(s, "A-0001", on=dt.date(2026, 11, 24))
        assert service.list_items(s, overdue=True, on=dt.date(2026, 11, 23)) == []
        assert [r["id"] for r in service.list_items(s, overdue=True, on=dt.date(2026, 11, 24))] == ["A-0001"]
    assert (on_due["due"], on_due["waited"], on_due["overdue"]) == (dt.date(2026, 11, 23), 15, False)
    assert (after["waited"], after["overdue"]) == (16, True)


def test_weekends_do_not_count(w, town):
    # received Friday 2026-11-06: Saturday and Sunday are skipped
    w(service.apply_item, "加装电梯意愿征询", "cj-housing", "assist", funding=4000, at=at("2026-11-06T16:00"))
    with store.reading(town) as s:
        row = service.show_item(s, "A-0001", on=dt.date(2026, 11, 9))
    assert row["waited"] == 1
    assert row["due"] == dt.date(2026, 11, 27)


def test_limit_is_configurable(w, town, monkeypatch):
    w(service.apply_item, "居家养老服务需求调查", "cj-civil", "assist", conditions="问卷", at=at("2026-11-02T09:00"))
    with store.reading(town) as s:
        assert service.show_item(s, "A-0001", limit_days=10)["due"] == dt.date(2026, 11, 16)
        monkeypatch.setenv("CGOV_ACCESS_LIMIT_DAYS", "20")
        assert service.show_item(s, "A-0001")["due"] == dt.date(2026, 11, 30)
        assert service.show_item(s, "A-0001")["overdue"] is False
        monkeypatch.setenv("CGOV_ACCESS_LIMIT_DAYS", "soon")
        with pytest.raises(Invalid, match="CGOV_ACCESS_LIMIT_DAYS: 'soon' is not a whole number"):
            service.show_item(s, "A-0001")
        with pytest.raises(Invalid, match="--limit-days: 0 working days"):
            service.list_items(s, limit_days=0)


def test_listed_holidays_and_make_up_days(w, town, load):
    # 2026: National Day 10-01..10-07, Saturday 10-10 worked instead
    w(service.apply_item, "小餐饮店铺信息摸排", "cj-market", "assist", funding=3000, at=at("2026-09-28T14:00"))
    with store.reading(town) as s:
        assert service.show_item(s, "A-0001")["due"] == dt.date(2026, 10, 19)  # Monday–Friday only
    load(town, """cgov: 1
access_holidays:
  - {date: 2026-10-01, name: 国庆节}
  - {date: 2026-10-02, name: 国庆节}
  - {date: 2026-10-03, name: 国庆节}
  - {date: 2026-10-05, name: 国庆节}
  - {date: 2026-10-06, name: 国庆节}
  - {date: 2026-10-07, name: 国庆节}
  - {date: 2026-10-10, name: 调休上班, working: "true"}
""")
    with store.reading(town) as s:
        assert service.show_item(s, "A-0001")["due"] == dt.date(2026, 10, 23)


def test_calendar_counts():
    cal = service.Calendar(off=frozenset({dt.date(2026, 10, 1)}), working=frozenset({dt.date(2026, 10, 10)}))
    # after 09-30 up to 10-12: 10-02, 10-05..10-09, the make-up Saturday 10-10, 10-12
    assert cal.working_days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 12)) == 8
    assert cal.add_working_days(dt.date(2026, 9, 30), 2) == dt.date(2026, 10, 5)
    assert cal.add_working_days(dt.date(2026, 10, 9), 1) == dt.date(2026, 10, 10)
    assert service.Calendar().working_days_between(dt.date(2026, 11, 23), dt.date(2026, 11, 23)) == 0


def test_decided_late_is_shown(w, town):
    w(service.apply_item, "重点企业用工情况统计", "cj-civil", "assist", at=at("2026-10-21T09:00"))
    row = w(service.reject, "A-0001", "由人社部门直接采集", at=at("2026-11-13T10:00"))
    assert row["due"] == dt.date(2026, 11, 11)
    assert row["late"] is True and row["overdue"] is False


# ---- the audit log ---------------------------------------------------------------------


def test_every_decision_is_audited_with_the_hash_of_its_own_step(w, town):
    w(service.apply_item, "疫苗接种每日进度报表", "cj-health", "assist")
    w(service.reject, "A-0001", "系统直接统计")
    w(service.add_item, "出租房屋信息采集", "cj-police", "assist", funding=5000)
    w(service.revoke, "A-0002", "合并采集")
    w(service.apply_item, "无偿献血宣传动员", "cj-health", "assist", funding=2000)
    w(service.approve, "A-0003")
    actions = {e["action"]: e for i in ("A-0001", "A-0002", "A-0003") for e in audit_of(town, i)}
    assert set(actions) == {"access.apply", "access.reject", "access.add", "access.revoke", "access.approve"}
    with store.reading(town) as s:
        for item_id in ("A-0001", "A-0002", "A-0003"):
            last = audit_of(town, item_id)[-1]
            step = s.exec(select(AccessEvent).where(AccessEvent.item_id == item_id,
                                                    AccessEvent.action == last["action"].split(".")[1])).one()
            stored = s.get(audit.AuditEntry, last["seq"])
            assert stored.content_hash == service.digest(service.canonical_event(step))
            assert stored.actor == "tester"
        assert audit.verify(s)["ok"]
    reject = next(e for e in audit_of(town, "A-0001") if e["action"] == "access.reject")
    assert reject["detail"]["reason"] == "系统直接统计"


def test_content_hash_covers_the_history_and_not_the_zone(w, town, monkeypatch):
    w(service.add_item, "出租房屋信息采集", "cj-police", "assist", funding=5000)
    with store.reading(town) as s:
        item = s.get(AccessItem, "A-0001")
        before = service.item_hash(s, item)
        monkeypatch.setenv("TZ", "UTC")
        assert service.item_hash(s, item) == before
        canonical = service.canonical_item(item, service.item_events(s)["A-0001"])
    assert json.loads(json.dumps(canonical))["history"][0]["action"] == "add"
    w(service.revoke, "A-0001", "合并")
    with store.reading(town) as s:
        assert service.item_hash(s, s.get(AccessItem, "A-0001")) != before
