"""YAML in and out: the example month imports on top of the town, twice
without change, round-trips through export; paper records obey the same
rules as the commands, and the ledger stays append-only through import."""

import json
from pathlib import Path

import pytest

from cgov.core import yamlio
from cgov.core.errors import ImportErrors
from cgov.volunteers import points

ROOT = Path(__file__).resolve().parents[2]
TOWN, EXAMPLE = ROOT / "examples" / "town.yaml", ROOT / "examples" / "volunteers.yaml"
SECTIONS = ("registrations", "volunteer_activities", "points", "needs", "resources", "projects")
ALL = {"registrations": 9, "volunteer_activities": 10, "points": 5, "needs": 8, "resources": 6, "projects": 3}


def ok(r):
    assert r.exit_code == 0, (r.stdout, r.stderr)
    return r.stdout


def counts(r) -> dict:
    return {row["section"]: (row["created"], row["updated"], row["unchanged"])
            for row in json.loads(ok(r)) if row["section"] in SECTIONS}


def problems(load, engine, text) -> list[str]:
    with pytest.raises(ImportErrors) as e:
        load(engine, text)
    return e.value.problems


def test_the_example_imports_on_the_town_twice_without_change(cli, table_counts, db):
    assert counts(cli("import", TOWN, EXAMPLE, "-f", "json")) == {k: (n, 0, 0) for k, n in ALL.items()}
    assert counts(cli("import", TOWN, EXAMPLE, "-f", "json")) == {k: (0, 0, n) for k, n in ALL.items()}
    assert table_counts(db, ["points_entry"]) == {"points_entry": 32 + 5}


def test_export_imports_back_unchanged(vol_cli):
    exported = ok(vol_cli("export", "--only", ",".join(SECTIONS)))
    assert counts(vol_cli("import", "-", "-f", "json", input=exported)) == {k: (0, 0, n) for k, n in ALL.items()}


def test_export_writes_what_was_credited(vol_cli):
    doc = yamlio.load(ok(vol_cli("export", "--only", "volunteer_activities,points")))
    greening = next(a for a in doc["volunteer_activities"] if a["id"] == "VA-0009")
    assert greening["participants"][0] == {"person": "p-0049", "hours": "9", "credited_hours": "8", "points": "8"}
    assert greening["participants"][2] == {"person": "p-0061", "hours": "6.33", "credited_hours": "6", "points": "6"}
    assert doc["points"][0] == {"id": "YH4-JZ-002", "kind": "adjust", "person": "p-0100",
                                "at": "2026-11-05T09:00:00+08:00", "points": "2", "hours": "2",
                                "reason": "10月24日重阳敬老活动漏记2小时"}


def test_the_export_reads_back_the_same_under_another_rule(vol_cli):
    exported = ok(vol_cli("export", "--only", ",".join(SECTIONS)))
    r = vol_cli("import", "-", "-f", "json", input=exported, env={"CGOV_POINTS_PER_HOUR": "2",
                                                                  "CGOV_POINTS_MAX_HOURS": "4"})
    assert counts(r) == {k: (0, 0, n) for k, n in ALL.items()}


def test_new_records_after_an_import_get_fresh_ids(vol_cli):
    assert ok(vol_cli("points", "activity", "add", "巡逻", "p-0053", "--org", "cj-yh4-vt", "--hours", "1")) == "VA-0011\n"
    assert ok(vol_cli("points", "redeem", "p-0067", "--points", "1", "--for", "毛巾")) == "L-000034\n"
    assert ok(vol_cli("need", "add", "x", "-c", "other", "--area", "cj-yh4")) == "N-0009\n"
    assert ok(vol_cli("org", "register", "p-0081", "--community", "cj-yh4", "-s", "巡逻")) == "RG-0010\n"


def test_dry_run_writes_nothing(town, load, table_counts, town_db):
    result = load(town, EXAMPLE.read_text(encoding="utf-8"), dry_run=True)
    assert result["points"] == {"created": 5, "updated": 0, "unchanged": 0}
    assert table_counts(town_db, ["points_entry", "volunteer_activity", "need"]) == {
        "points_entry": 0, "volunteer_activity": 0, "need": 0}


def test_entry_ids_of_the_file_are_kept_clear_of_new_earn_entries(town, load, write):
    text = """cgov: 1
volunteer_activities:
  - {id: VA-0001, title: 清扫, organization: cj-yh4-vt, at: "2026-11-01 09:00", hours: "4", participants: [p-0053, p-0067]}
points:
  - {id: L-000001, kind: redeem, person: p-0053, points: "1", for: 毛巾, at: "2026-11-02 09:00"}
"""
    load(town, text)
    with write(town) as s:
        assert [r["id"] for r in points.ledger(s)] == ["L-000002", "L-000003", "L-000001"]


# ---- the ledger stays append-only -----------------------------------------------------------


def test_a_stored_entry_cannot_be_changed_through_import(vol, load):
    changed = EXAMPLE.read_text(encoding="utf-8").replace('points: "6"\n    for: 食用油一桶', 'points: "4"\n    for: 食用油一桶')
    found = problems(load, vol, changed)
    assert len(found) == 1
    assert "points[YH4-DH-001]: ledger entry YH4-DH-001 is recorded with other points; the ledger is append-only" \
        in found[0]


def test_a_stored_participant_cannot_be_changed_or_dropped(vol, load):
    text = """cgov: 1
volunteer_activities:
  - id: VA-0004
    participants: [p-0085, {person: p-0088, hours: "3"}]
  - id: VA-0007
    participants: [p-0054]
"""
    found = problems(load, vol, text)
    assert len(found) == 2
    assert any("t.yaml:4: volunteer_activities[VA-0004].participants[1]: p-0088's entry L-000015 for VA-0004 has "
               "other hours; the ledger is append-only" in p for p in found), found
    assert any("volunteer_activities[VA-0007]: 'participants' leaves out p-0096, who are in the ledger" in p
               for p in found), found


def test_participants_may_be_added_and_titles_corrected(vol, load, write):
    text = """cgov: 1
volunteer_activities:
  - id: VA-0004
    title: 文明养宠宣传（夜间）
    participants: [p-0085, p-0088, {person: p-0096, hours: "1"}]
"""
    assert load(vol, text)["volunteer_activities"] == {"created": 0, "updated": 1, "unchanged": 0}
    with write(vol) as s:
        act = points.show_activity(s, "VA-0004")
    assert act["title"] == "文明养宠宣传（夜间）" and act["served"] == 3
    bad = text.replace("title: 文明养宠宣传（夜间）", 'at: "2026-11-10 19:00+08:00"')
    assert "is recorded with another time" in problems(load, vol, bad)[0]


def test_a_paper_redemption_beyond_the_balance_is_refused_with_its_line(vol, load):
    text = """cgov: 1
points:
  - id: YH4-DH-004
    kind: redeem
    person: p-0096
    points: "5"
    for: 保温杯
    at: "2026-11-30 09:00+08:00"
"""
    found = problems(load, vol, text)
    assert found == ["t.yaml:3: points[YH4-DH-004]: 姚霞 (p-0096) has 3.5 points on 2026-11-30 09:00; redeeming 5 "
                     "would leave 3.5 - 5 = -1.5"]


def test_a_paper_redemption_before_the_service_that_pays_for_it_is_refused(town, load):
    text = """cgov: 1
volunteer_activities:
  - {id: VA-0001, title: 清扫, organization: cj-yh4-vt, at: "2026-11-10 09:00", hours: "4", participants: [p-0053]}
points:
  - {id: R1, kind: redeem, person: p-0053, points: "1", for: 毛巾, at: "2026-11-02 09:00"}
"""
    found = problems(load, town, text)
    assert len(found) == 1 and "points[R1]: 顾红英 (p-0053) has 0 points on 2026-11-02 09:00" in found[0]


@pytest.mark.parametrize(("record", "message"), [
    ("{id: X1, kind: earn, person: p-0053, points: '1', at: '2026-11-02'}",
     "earn entries are the participants of a record in 'volunteer_activities'"),
    ("{id: X1, kind: redeem, person: p-0053, points: '-1', for: a, at: '2026-11-02'}",
     "must be a number of points without a sign"),
    ("{id: X1, kind: redeem, person: p-0053, points: '1', hours: '1', for: a, at: '2026-11-02'}",
     "'hours' is not a key of a redeem entry"),
    ("{id: X1, kind: adjust, person: p-0053, points: '1', at: '2026-11-02'}",
     "a new adjust entry needs reason"),
    ("{id: X1, kind: adjust, person: p-0053, points: '1', reason: x, activity: VA-0099, at: '2026-11-02'}",
     "activity 'VA-0099' is not a known activity"),
    ("{id: X1, kind: adjust, person: p-0096, hours: '-1', reason: x, activity: VA-0003, at: '2026-11-12'}",
     "p-0096 has no entry for VA-0003 to correct"),
    ("{id: X1, kind: gift, person: p-0053}", "'kind' value 'gift' is not one of: redeem, adjust, earn"),
])
def test_bad_ledger_records(vol, load, record, message):
    found = problems(load, vol, f"cgov: 1\npoints:\n  - {record}\n")
    assert any(message in p for p in found), found


@pytest.mark.parametrize(("section", "record", "message"), [
    ("needs", "{id: N-0100, title: x, category: repair, kind: micro-wish, area: cj-yh4, at: '2026-11-02'}",
     "a micro-wish is one household's: 'person' is required"),
    ("needs", "{id: N-0100, title: x, category: repair, area: cj-yh4, at: '2026-11-02', status: fulfilled}",
     "a fulfilled need says who took it on and when"),
    ("needs", "{id: N-0100, title: x, category: repair, area: cj-yh4, at: '2026-11-02', status: claimed, "
              "claimed_by: p-0053, claimed_at: '2026-11-01'}", "'claimed_at' (2026-11-01 00:00) is before 'at'"),
    ("needs", "{id: N-0100, title: x, category: knitting, area: cj, at: '2026-11-02'}",
     "'category' value 'knitting' is not one of"),
    ("needs", "{id: N-0100, title: x, category: repair, area: cj, at: '2026-11-02'}",
     "area 'cj' is not in a community"),
    ("resources", "{id: RS-0100, title: x, category: repair, at: '2026-11-02'}", "'provider' is required"),
    ("resources", "{id: RS-0100, title: x, category: repair, provider: cj-cb-bank, at: '2026-11-02', "
                  "status: withdrawn}", "a withdrawn resource says when"),
    ("projects", "{id: PJ-0100, title: x, owner: cj-cb-bank, area: cj-yh4, at: '2026-11-02', status: done}",
     "a done project says when it started"),
    ("projects", "{id: PJ-0100, title: x, owner: cj-cb-bank, area: cj-yh4, at: '2026-11-02', needs: [N-0007]}",
     "need 'N-0007' is also taken on by project PJ-0001"),
    ("projects", "{id: PJ-0100, title: x, owner: nobody, at: '2026-11-02'}",
     "'owner' 'nobody' is not a known organization or person"),
    ("registrations", "{id: RG-0100, community: cj-yh4, person: p-0085, services: [x], start_date: 2026-11-01}",
     "吴玲英 (p-0085) is not a party member"),
    ("registrations", "{id: RG-0100, community: cj-yh4, organization: cj-cb-bank, services: [x], "
                      "start_date: 2026-11-01}", "cj-cb-bank is already registered with cj-yh4 (RG-0001)"),
    ("registrations", "{id: RG-0001, community: cj-ya}", "who and where cannot change"),
    ("volunteer_activities", "{id: VA-0100, title: x, organization: cj-cb-bank, at: '2026-11-02', hours: '1', "
                             "participants: [p-0053]}", "'community' is required: cj-cb-bank is not in one community"),
    ("volunteer_activities", "{id: VA-0100, title: x, organization: cj-yh4-vt, at: '2026-11-02', "
                             "participants: [p-0053]}", "how long did p-0053 serve?"),
    ("volunteer_activities", "{id: VA-0100, title: x, organization: cj-yh4-vt, at: '2026-11-02', hours: '1', "
                             "participants: [p-0053, p-0053]}", "participant 'p-0053' is listed twice"),
])
def test_bad_records_name_their_file_line_and_rule(vol, load, section, record, message):
    found = problems(load, vol, f"cgov: 1\n{section}:\n  - {record}\n")
    assert any(p.startswith("t.yaml:3: ") and message in p for p in found), found


def test_a_project_s_lists_replace_the_stored_ones(vol, load, write):
    text = """cgov: 1
projects:
  - {id: PJ-0003, needs: [N-0008], resources: [RS-0002, RS-0004]}
"""
    assert load(vol, text)["projects"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert load(vol, text)["projects"] == {"created": 0, "updated": 0, "unchanged": 1}
    from cgov.volunteers import lists

    with write(vol) as s:
        shown = lists.show_project(s, "PJ-0003")
    assert ([n["id"] for n in shown["need_list"]], [r["id"] for r in shown["resource_list"]]) == (
        ["N-0008"], ["RS-0002", "RS-0004"])


def test_the_ledger_works_with_the_database_refusing_updates_and_deletes(vol, load, write):
    # Migration 0008 makes the database refuse edits; cgov itself only ever adds ledger rows.
    from sqlalchemy import text

    with write(vol) as s:
        act = points.add_activity(s, "巡逻", "cj-yh4-vt", [("p-0053", 120)])
        points.redeem(s, "p-0053", 100, "毛巾")
        points.adjust(s, "p-0053", "误记", minutes=-30, activity=act["id"])
    assert load(vol, EXAMPLE.read_text(encoding="utf-8"))["points"] == {"created": 0, "updated": 0, "unchanged": 5}
    more = """cgov: 1
volunteer_activities:
  - {id: VA-0010, participants: [p-0053, p-0067, p-0082, p-0085, p-0096]}
points:
  - {id: YH4-DH-004, kind: redeem, person: p-0096, points: "3", for: 毛巾, at: "2026-11-30 09:00+08:00"}
"""
    assert load(vol, more)["points"] == {"created": 1, "updated": 0, "unchanged": 0}
    with pytest.raises(Exception, match="append-only"), write(vol) as s:
        s.execute(text("UPDATE points_entry SET points_c = 0 WHERE id = 'YH4-DH-001'"))
    with pytest.raises(Exception, match="append-only"), write(vol) as s:
        s.execute(text("DELETE FROM points_entry WHERE id = 'YH4-DH-001'"))


def test_a_stored_registration_reads_back_after_the_member_moves(vol, load, write):
    from sqlalchemy import text

    with write(vol) as s:
        s.execute(text("UPDATE person SET home_id = 'cj-ya-b01' WHERE id = 'p-0079'"))
    assert load(vol, EXAMPLE.read_text(encoding="utf-8"))["registrations"] == {
        "created": 0, "updated": 0, "unchanged": 9}
    ended = "cgov: 1\nregistrations:\n  - {id: RG-0100, community: cj-yh4, person: p-0079, services: [家教], " \
            "start_date: 2025-03-01, end_date: 2025-12-31}\n"
    assert load(vol, ended)["registrations"]["created"] == 1
    current = ended.replace(", end_date: 2025-12-31", "").replace("RG-0100", "RG-0101")
    assert "lives in 裕安社区 (cj-ya)" in problems(load, vol, current)[0]
