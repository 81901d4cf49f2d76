"""The access list in YAML: import on top of the town, twice without change,
round trip through export, and every problem of a bad file named."""

import datetime as dt

import pytest

from cgov.access import service
from cgov.access.models import AccessEvent, AccessItem
from cgov.core import audit, clock, store, yamlio
from cgov.core.errors import ImportErrors
from cgov.exchange import service as exchange
from sqlmodel import func, select


def count(engine, table):
    with store.reading(engine) as s:
        return s.exec(select(func.count()).select_from(table)).one()


def export_text(engine) -> str:
    with store.reading(engine) as s:
        return yamlio.dump(exchange.export(s))


def test_example_imports_twice_without_change(town, load, example_text, now):
    first = load(town, example_text)
    assert first["access_items"] == {"created": 51, "updated": 0, "unchanged": 0}
    assert first["access_refusals"] == {"created": 10, "updated": 0, "unchanged": 0}
    assert first["access_holidays"] == {"created": 8, "updated": 0, "unchanged": 0}
    second = load(town, example_text)
    assert all(c["created"] == c["updated"] == 0 for c in second.values()), second


def test_example_has_a_realistic_list(listed):
    with store.reading(listed) as s:
        rows = service.list_items(s)
    assert len(rows) >= 36
    assert {r["kind"] for r in rows} == {"duty", "assist", "negative"}
    assert {r["status"] for r in rows} == {"admitted", "pending", "rejected", "revoked", "expired"}
    assert len({r["department"] for r in rows}) == 9
    assert all(r["funding"] or r["conditions"] for r in rows if r["kind"] == "assist" and r["status"] == "admitted")


def test_export_round_trips(listed, load):
    text = export_text(listed)
    counts = load(listed, text, "<stdin>")
    assert all(c["created"] == c["updated"] == 0 for c in counts.values()), counts
    assert export_text(listed) == text
    doc = yamlio.load(text)
    a40 = next(i for i in doc["access_items"] if i["id"] == "A-0040")
    assert a40["funding"] == "12000" and a40["status"] == "admitted"
    assert [(h["action"], h["at"]) for h in a40["history"]] == [
        ("apply", "2026-10-12T09:30:00+08:00"), ("approve", "2026-10-28T15:00:00+08:00")]
    assert {"date": "2026-10-10", "name": "国庆节调休上班", "working": "true"} in doc["access_holidays"]
    assert doc["access_refusals"][0] == {"id": "R-0001", "at": "2026-10-16T10:20:00+08:00",
                                         "department": "cj-police", "request": "帮忙给居民开一张无犯罪记录证明",
                                         "item": "A-0029"}


def test_changes_made_by_commands_round_trip(listed, load):
    with store.writing(listed, actor="worker") as s:
        service.approve(s, "A-0049")
        service.refuse(s, "统计辖区奶茶店数量", "cj-market")
    text = export_text(listed)
    counts = load(listed, text)
    assert all(c["created"] == c["updated"] == 0 for c in counts.values()), counts
    assert "by: worker" in text


def test_item_given_only_a_status_is_dated_its_valid_from(listed):
    with store.reading(listed) as s:
        row = service.show_item(s, "A-0001")
    assert [(h["action"], h["at"]) for h in row["history"]] == [("add", clock.parse_at("2026-10-09"))]


def test_new_ids_start_above_the_imported_ones(listed):
    with store.writing(listed, actor="t") as s:
        assert service.add_item(s, "社区志愿服务组织", "cj-civil", "duty")["id"] == "A-0052"
        assert service.refuse(s, "统计辖区奶茶店数量", "cj-market")["id"] == "R-0011"


def test_a_changed_record_is_updated_and_audited(listed, load):
    counts = load(listed, """cgov: 1
access_items:
  - {id: A-0047, funding: "6000"}
  - id: A-0048
    history:
      - {at: "2026-10-27T09:00:00+08:00", action: apply}
      - {at: "2026-11-20T10:00:00+08:00", action: reject, reason: 需求调查由民政部门委托第三方开展}
""")
    assert counts["access_items"] == {"created": 0, "updated": 2, "unchanged": 0}
    with store.reading(listed) as s:
        a47, a48 = s.get(AccessItem, "A-0047"), s.get(AccessItem, "A-0048")
        assert (a47.funding, a47.conditions) == (6000, "提供巡河APP账号")  # absent keys keep what is stored
        assert a48.status == "rejected"
        entry = audit.entries(s, action="access.import", record_id="A-0048", limit=1)[0]
        stored = s.get(audit.AuditEntry, entry["seq"])
        assert stored.content_hash == service.item_hash(s, a48)


def test_a_replaced_history_keeps_who_entered_the_steps(listed, load):
    with store.writing(listed, actor="worker") as s:
        service.approve(s, "A-0049", at=clock.parse_at("2026-11-20T10:00"))
    load(listed, """cgov: 1
access_items:
  - id: A-0049
    history:
      - {at: "2026-11-04T10:00:00+08:00", action: apply}
      - {at: "2026-11-20T10:00:00+08:00", action: approve, reason: 经费到位}
""")
    with store.reading(listed) as s:
        steps = s.exec(select(AccessEvent).where(AccessEvent.item_id == "A-0049").order_by(AccessEvent.at)).all()
        assert [(e.action, e.reason, e.actor) for e in steps] == [
            ("apply", None, None), ("approve", "经费到位", "worker")]


BAD = [
    ("unknown key",
     "  - {id: X-1, name: 测试事项, department: cj-civil, kind: duty, status: admitted, owner: me}",
     "access_items[X-1]: unknown key 'owner'"),
    ("unknown department",
     "  - {id: X-1, name: 测试事项, department: cj-nowhere, kind: duty, status: admitted}",
     "department 'cj-nowhere' is not a known organization"),
    ("not a department",
     "  - {id: X-1, name: 测试事项, department: cj-yh4-rc, kind: duty, status: admitted}",
     "'cj-yh4-rc' (裕鸿佳苑第四社区居民委员会) is a residents-committee, not a department"),
    ("bad kind",
     "  - {id: X-1, name: 测试事项, department: cj-civil, kind: chore, status: admitted}",
     "'kind' value 'chore' is not one of: duty, assist, negative"),
    ("bad funding",
     "  - {id: X-1, name: 测试事项, department: cj-civil, kind: assist, funding: lots, status: admitted}",
     "'funding' value 'lots' is not a whole number"),
    ("no funding",
     "  - {id: X-1, name: 测试事项, department: cj-civil, kind: assist, status: admitted}",
     "an admitted assist item needs 'funding' or 'conditions' (费随事走"),
    ("no status",
     "  - {id: X-1, name: 测试事项, department: cj-civil, kind: duty}",
     "a new item needs a 'status' (admitted or pending) or its dated 'history'"),
    ("rejected without history",
     "  - {id: X-1, name: 测试事项, department: cj-civil, kind: duty, status: rejected}",
     "a new item with status 'rejected' needs its dated 'history'"),
    ("name missing",
     "  - {id: X-1, department: cj-civil, kind: duty, status: admitted}",
     "'name' is required for a new item"),
    ("approve first",
     "  - {id: X-1, name: 测试事项, department: cj-civil, kind: duty,"
     " history: [{at: '2026-10-12T09:00', action: approve}]}",
     "history step 1 (approve): the item is not yet on the list then; it can only be applied for or added"),
    ("reject without reason",
     "  - {id: X-1, name: 测试事项, department: cj-civil, kind: duty,"
     " history: [{at: '2026-10-12T09:00', action: apply}, {at: '2026-10-13T09:00', action: reject}]}",
     "history step 2 (reject) needs a 'reason'"),
    ("out of order",
     "  - {id: X-1, name: 测试事项, department: cj-civil, kind: duty,"
     " history: [{at: '2026-10-12T09:00', action: apply}, {at: '2026-10-11T09:00', action: approve}]}",
     "history step 2 (approve, 2026-10-11 01:00 UTC) is earlier than the step before it"),
    ("status disagrees",
     "  - {id: X-1, name: 测试事项, department: cj-civil, kind: duty, status: admitted,"
     " history: [{at: '2026-10-12T09:00', action: apply}]}",
     "status 'admitted' does not agree with the history, which ends pending"),
    ("negative applied for",
     "  - {id: X-1, name: 测试事项, department: cj-civil, kind: negative,"
     " history: [{at: '2026-10-12T09:00', action: apply}]}",
     "a negative-list item is put on the list by the street ('add'), not applied for"),
    ("bad time",
     "  - {id: X-1, name: 测试事项, department: cj-civil, kind: duty,"
     " history: [{at: 'last Tuesday', action: add}]}",
     "'at' value 'last Tuesday' is not a date or time"),
    ("validity",
     "  - {id: X-1, name: 测试事项, department: cj-civil, kind: duty, status: admitted,"
     " valid_from: 2027-01-01, valid_until: 2026-01-01}",
     "valid_until 2026-01-01 is before valid_from 2027-01-01"),
    ("twice",
     "  - {id: X-1, name: 测试事项, department: cj-civil, kind: duty, status: admitted}\n"
     "  - {id: X-1, name: 测试事项二, department: cj-civil, kind: duty, status: admitted}",
     "item 'X-1' is defined twice"),
]


@pytest.mark.parametrize(("what", "record", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_item_is_reported_and_nothing_written(town, load, what, record, message):
    with pytest.raises(ImportErrors) as e:
        load(town, "cgov: 1\naccess_items:\n" + record + "\n", "bad.yaml")
    line = 4 if what == "twice" else 3
    assert any(p.startswith(f"bad.yaml:{line}: access_items[X-1]") and message in p for p in e.value.problems), \
        e.value.problems
    assert count(town, AccessItem) == 0


def test_status_change_needs_its_dated_step(listed, load):
    with pytest.raises(ImportErrors) as e:
        load(listed, "cgov: 1\naccess_items:\n  - {id: A-0047, status: admitted}\n", "bad.yaml")
    assert e.value.problems == [
        "bad.yaml:3: access_items[A-0047]: status 'admitted' differs from the stored 'pending'; a change of "
        "status needs its dated step in 'history' (or cgov access approve/reject/revoke)"]


def test_bad_refusals_are_reported(town, load):
    with pytest.raises(ImportErrors) as e:
        load(town, """cgov: 1
access_refusals:
  - {id: R-0001, at: "2026-11-12T10:30", department: cj-police, request: 开证明, item: A-0404}
  - {id: R-0002, department: cj-police, request: 开证明}
  - {id: R-0003, at: "2026-11-12T10:30", department: cj-yh4-pm, request: 开证明}
""", "bad.yaml")
    assert e.value.problems == [
        "bad.yaml:3: access_refusals[R-0001]: item 'A-0404' is not a known access-list item",
        "bad.yaml:4: access_refusals[R-0002]: 'at' is required for a new refusal",
        "bad.yaml:5: access_refusals[R-0003]: 'cj-yh4-pm' (上海裕鸿物业服务有限公司) is a property-company, "
        "not a department",
    ]


def test_all_problems_of_a_file_are_reported_together(town, load):
    with pytest.raises(ImportErrors) as e:
        load(town, """cgov: 1
access_items:
  - {id: X-1, name: 测试事项, department: cj-civil, kind: chore, status: admitted}
  - {id: X-2, name: 测试事项, department: cj-civil, kind: assist, status: admitted}
access_holidays:
  - {date: 2026-13-01}
""", "bad.yaml")
    assert len(e.value.problems) == 3


def test_holidays_are_updated_in_place(town, load):
    load(town, "cgov: 1\naccess_holidays:\n  - {date: 2026-10-01, name: 国庆}\n")
    counts = load(town, "cgov: 1\naccess_holidays:\n  - {date: 2026-10-01, name: 国庆节}\n")
    assert counts["access_holidays"] == {"created": 0, "updated": 1, "unchanged": 0}
    with store.reading(town) as s:
        assert service.calendar(s).off == frozenset({dt.date(2026, 10, 1)})
