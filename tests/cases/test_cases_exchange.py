"""`case_categories` and `cases` in YAML: the example, round trips, history
replayed through the flow, and every problem reported with file and line."""

from pathlib import Path

import pytest

from cgov.cases import service
from cgov.core import store, yamlio
from cgov.core.errors import ImportErrors
from cgov.exchange import service as exchange

ROOT = Path(__file__).resolve().parents[2]
TOWN = ROOT / "examples" / "town.yaml"
CASES = ROOT / "examples" / "cases.yaml"


def _import(engine, *texts, names=None):
    sources = [(names[i] if names else f"f{i}.yaml", t.encode()) for i, t in enumerate(texts)]
    with store.writing(engine, actor="importer") as s:
        return exchange.import_sources(s, sources)["counts"]


def _export(engine, **kw) -> str:
    with store.reading(engine) as s:
        return yamlio.dump(exchange.export(s, **kw))


def _problems(engine, text) -> list[str]:
    with pytest.raises(ImportErrors) as e:
        _import(engine, text, names=["bad.yaml"])
    return e.value.problems


ONE = """cgov: 1
cases:
  - id: C2026-000007
    title: 3号楼楼道堆放纸箱
    category: "1001"
    building: cj-yh4-b03
    source: patrol
    reporter_name: 张女士
    reporter_phone: "139 0000 9001"
    reported_at: 2026-11-16T09:00
    events:
      - {kind: accept, at: 2026-11-16T09:20, by: 倪红颖}
      - {kind: dispatch, at: 2026-11-16T09:30, to: cj-yh4-pm}
      - {kind: extend, at: 2026-11-17T09:00, until: 2026-11-25T18:00, reason: 需等待配件, approver: 李红娣}
      - {kind: reply, at: 2026-11-18T09:00, by: 物业, result: 已清理}
      - {kind: close, at: 2026-11-18T10:00}
      - {kind: rate, at: 2026-11-19T10:00, resolved: "true", satisfaction: basic}
"""


def test_the_example_imports_on_the_town_twice_without_change_and_round_trips(engine):
    first = _import(engine, TOWN.read_text(), CASES.read_text(), names=[str(TOWN), str(CASES)])
    n = first["cases"]["created"]
    assert 60 <= n <= 120
    again = _import(engine, TOWN.read_text(), CASES.read_text())
    assert again["cases"] == {"created": 0, "updated": 0, "unchanged": n}
    exported = _export(engine)
    assert _import(engine, exported)["cases"] == {"created": 0, "updated": 0, "unchanged": n}
    assert _export(engine) == exported
    with store.reading(engine) as s:
        statuses = {r["status"] for r in service.list_cases(s)}
    assert statuses == {"new", "accepted", "rejected", "dispatched", "replied", "closed", "rated", "cancelled"}


def test_the_example_gives_the_weekly_report_real_figures(engine):
    from cgov.cases import metrics

    _import(engine, TOWN.read_text(), CASES.read_text())
    with store.reading(engine) as s:
        for week in ("2026-W46", "2026-W47"):
            got = metrics.metrics(s, *metrics.week_period(week), by="community")
            assert got["reported"] >= 10 and got["due"] >= 5 and got["rated"] >= 5 and got["closed"] >= 5
            assert 0 < got["on_time_rate"] < 1 and 0 < got["satisfaction_rate"] <= 1
            assert len(got["groups"]) >= 4


def test_history_is_replayed_into_the_same_state_as_typed(town):
    assert _import(town, ONE)["cases"]["created"] == 1
    with store.reading(town) as s:
        row = service.show_case(s, "C2026-000007")
    assert row["status"] == "rated" and row["handler"] == "cj-yh4-pm" and row["satisfaction"] == "basic"
    assert row["reporter_phone"] == "13900009001" and row["grid"] == "cj-yh4-g01"
    assert service.deadline("2026-11-25T18:00") == row["resolve_by"] and row["extension_count"] == 1
    assert [e["actor"] for e in row["events"][1:3]] == ["倪红颖", "importer"]
    # New cases are numbered after imported ones.
    with store.writing(town, actor="t") as s:
        assert service.add_case(s, title="x")["id"] == "C2026-000008"


def test_a_changed_field_or_a_longer_timeline_updates_and_a_key_left_out_keeps(town):
    _import(town, ONE)
    assert _import(town, ONE.replace("3号楼楼道堆放纸箱", "3号楼楼道堆放纸箱和旧沙发"))["cases"]["updated"] == 1
    partial = "cgov: 1\ncases:\n  - {id: C2026-000007, description: 共三处}\n"
    assert _import(town, partial)["cases"]["updated"] == 1
    with store.reading(town) as s:
        row = service.show_case(s, "C2026-000007")
    assert row["title"] == "3号楼楼道堆放纸箱和旧沙发" and row["description"] == "共三处" and len(row["events"]) == 7
    longer = ONE.replace('satisfaction: basic}', 'satisfaction: basic}\n      - {kind: reopen, at: 2026-11-20T09:00, reason: 又堆了}')
    assert _import(town, longer)["cases"]["updated"] == 1
    with store.reading(town) as s:
        assert service.show_case(s, "C2026-000007")["status"] == "dispatched"


def test_export_masks_the_reporter_phone_and_a_masked_phone_keeps_the_stored_one(town):
    _import(town, ONE)
    masked = _export(town)
    assert "139****9001" in masked and "13900009001" not in masked
    assert "13900009001" in _export(town, reveal=True)
    assert _import(town, masked)["cases"]["unchanged"] == 1
    with store.reading(town) as s:
        assert service.show_case(s, "C2026-000007")["reporter_phone"] == "13900009001"


@pytest.mark.parametrize("change,line,message", [
    ("      - {kind: close, at: 2026-11-18T10:00}\n", 16, "events[4]: case C2026-000007 is replied"),
    ("      - {kind: reply, at: 2026-11-18T09:00, by: 物业, result: 已清理}\n", 15,
     "events[3]: case C2026-000007 is dispatched (已派单); close needs a case that is replied"),
])
def test_a_timeline_the_flow_forbids_is_refused_at_the_events_line(town, change, line, message):
    problems = _problems(town, ONE.replace(change, ""))
    assert len(problems) == 1
    assert problems[0].startswith(f"bad.yaml:{line}: cases[C2026-000007].events") and message in problems[0]
    with store.reading(town) as s:
        assert service.list_cases(s) == []


@pytest.mark.parametrize("old,new,message", [
    ("id: C2026-000007", "id: 2026-7", "is not a case id like C2026-000123"),
    ("to: cj-yh4-pm", "to: cj-nobody", "no organization or person 'cj-nobody'"),
    ("building: cj-yh4-b03", "building: cj-yh4-b99", "no building 'cj-yh4-b99'"),
    ('category: "1001"', 'category: "7777"', "no case category '7777'"),
    ("source: patrol", "source: radio", "'source' value 'radio' is not one of"),
    ('reporter_phone: "139 0000 9001"', 'reporter_phone: "139****9001"', "masked, which keeps a stored value, but this case is new"),
    ("by: 物业, result: 已清理", "by: 物业, note: 已清理", "unknown key 'note'"),
    ("satisfaction: basic}", "satisfaction: basic}\n    status: closed", "status 'closed' does not follow from the events, which leave the case rated"),
    ("    title: 3号楼楼道堆放纸箱\n", "", "'title' is required for a new case"),
    ("{kind: close, at: 2026-11-18T10:00}", "{kind: close, at: 2026-11-17T10:00}", "before its last step"),
])
def test_every_problem_in_a_case_record_is_reported_and_nothing_is_written(town, old, new, message):
    assert old in ONE
    problems = _problems(town, ONE.replace(old, new))
    assert any(message in p for p in problems), problems
    with store.reading(town) as s:
        assert service.list_cases(s) == []


def test_a_duplicate_must_point_at_a_known_case(town):
    text = """cgov: 1
cases:
  - {id: C2026-000001, title: 噪音, community: cj-ya, reported_at: 2026-11-16T22:00}
  - id: C2026-000002
    title: 噪音（再次反映）
    community: cj-ya
    reported_at: 2026-11-16T23:00
    events: [{kind: link, at: 2026-11-16T23:10, duplicate_of: C2026-000001}]
  - id: C2026-000003
    title: 噪音（三次）
    reported_at: 2026-11-16T23:00
    events: [{kind: link, at: 2026-11-16T23:10, duplicate_of: C2026-000099}]
"""
    problems = _problems(town, text)
    assert len(problems) == 1 and "case 'C2026-000099' is not a known case" in problems[0]
    _import(town, text.split("  - id: C2026-000003")[0])
    with store.reading(town) as s:
        assert service.show_case(s, "C2026-000001")["duplicates"] == ["C2026-000002"]


CATS = """cgov: 1
case_categories:
  - {code: "1001", name: 楼道堆物, name_en: Clutter in stairwells, resolve_hours: "48", handler: "department:城管"}
  - {code: "1007", name: 共享单车乱停, parent: "10", respond_hours: "12", resolve_hours: "24"}
  - {code: "20", name: 疫情防控, name_en: Epidemic prevention, handler: "department:卫生"}
  - {code: "2001", name: 隔离人员管理}
"""


def test_case_categories_replace_and_extend_the_shipped_taxonomy(town):
    counts = _import(town, CATS)
    assert counts["case_categories"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert _import(town, CATS)["case_categories"] == {"created": 0, "updated": 0, "unchanged": 4}
    with store.writing(town, actor="t") as s:
        cats = {c["code"]: c for c in service.list_categories(s)}
        assert (cats["1001"]["resolve_hours"], cats["1001"]["origin"]) == (48, "replaced")
        assert (cats["1007"]["handler"], cats["1007"]["origin"]) == ("property-company|villagers-committee", "added")
        assert (cats["2001"]["handler"], cats["2001"]["resolve_hours"]) == ("department:卫生", 168)
        row = service.add_case(s, title="楼道堆物", category="1001", building="cj-yh4-b03")
        assert (row["resolve_by"] - row["reported_at"]).total_seconds() == 48 * 3600
        service.accept(s, row["id"], at=row["reported_at"])
        assert service.dispatch(s, row["id"], at=row["reported_at"])["handler"] == "cj-urban"
        assert service.add_case(s, title="单车", category="共享单车乱停")["category"] == "1007"
    exported = _export(town)
    assert "共享单车乱停" in exported and "市容环境" not in exported  # only what was given is exported
    assert _import(town, exported)["case_categories"]["unchanged"] == 4


@pytest.mark.parametrize("record,message", [
    ('{code: "123", name: x}', "must be 2 digits (a class) or 4 digits"),
    ('{code: "1008", name: x, parent: "11"}', "parent '11' does not match code '1008'"),
    ('{code: "3001", name: x}', "its class '30' is neither shipped nor defined"),
    ('{code: "1008", name: x, handler: "bureau:城管"}', "'bureau' is not an organization classification"),
    ('{code: "1008", name: x, resolve_hours: "0"}', "'resolve_hours' value 0 is below 1"),
    ('{code: "1008"}', "'name' is required"),
])
def test_bad_categories_are_reported(town, record, message):
    problems = _problems(town, f"cgov: 1\ncase_categories:\n  - {record}\n")
    assert any(message in p for p in problems), problems
