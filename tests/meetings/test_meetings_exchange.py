"""YAML in and out: the example month imports on top of the town, twice
without change, round-trips through export, and paper records back-filled
with a mistake are refused with their file and line."""

import json
from pathlib import Path

import pytest

from cgov.core import store, yamlio
from cgov.exchange import service as exchange

ROOT = Path(__file__).resolve().parents[2]
TOWN, MONTH = ROOT / "examples" / "town.yaml", ROOT / "examples" / "meetings.yaml"
SECTIONS = ("meeting_types", "meetings", "matters")


def ok(r):
    assert r.exit_code == 0, r.output
    return r.stdout


def counts(r) -> dict:
    return {row["section"]: (row["created"], row["updated"], row["unchanged"])
            for row in json.loads(ok(r)) if row["section"] in SECTIONS}


def load(engine, text: str, dry_run: bool = False):
    """Import as `cgov import` does (which rolls a dry run back)."""
    with store.writing(engine, actor="t") as s:
        result = exchange.import_sources(s, [("t.yaml", text.encode("utf-8"))], dry_run=dry_run)
        if dry_run:
            s.rollback()
        return result["counts"]


def test_the_example_imports_on_the_town_twice_without_change(cli):
    first = counts(cli("import", TOWN, MONTH, "-f", "json"))
    assert first == {"meeting_types": (1, 0, 0), "meetings": (7, 0, 0), "matters": (1, 0, 0)}
    again = counts(cli("import", TOWN, MONTH, "-f", "json"))
    assert again == {"meeting_types": (0, 0, 1), "meetings": (0, 0, 7), "matters": (0, 0, 1)}


def test_export_imports_back_unchanged(month_cli):
    exported = ok(month_cli("export", "--only", ",".join(SECTIONS)))
    r = month_cli("import", "-", "-f", "json", input=exported)
    assert counts(r) == {"meeting_types": (0, 0, 1), "meetings": (0, 0, 7), "matters": (0, 0, 1)}


def test_export_rebuilds_the_same_meetings_in_a_fresh_store(month_cli, tmp_path, monkeypatch):
    exported = ok(month_cli("export", "--only", ",".join(SECTIONS)))
    (tmp_path / "month.yaml").write_text(exported, encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    monkeypatch.setenv("CGOV_DB", str(fresh))
    ok(month_cli("import", TOWN, tmp_path / "month.yaml", env={"CGOV_DB": str(fresh)}))
    again = ok(month_cli("export", "--only", ",".join(SECTIONS), env={"CGOV_DB": str(fresh)}))
    assert again == exported
    # published minutes hash the same in the rebuilt store
    first = json.loads(ok(month_cli("meeting", "show", "M2026-0007", "-f", "json")))
    rebuilt = json.loads(ok(month_cli("meeting", "show", "M2026-0007", "-f", "json", env={"CGOV_DB": str(fresh)})))
    assert rebuilt["content_hash"] == first["content_hash"] and rebuilt["integrity"] == "verified"


def test_export_writes_votes_and_attendance_as_a_paper_record_has_them(month_cli):
    doc = yamlio.load(ok(month_cli("export", "--only", "meetings")))
    party = next(m for m in doc["meetings"] if m["id"] == "M2026-0004")
    assert party["present"] == ["p-0042", "p-0054", "p-0069", "p-0080"]
    assert party["absent"] == [{"person": "p-0078", "reason": "外出探亲"}, {"person": "p-0079", "reason": "单位值班"}]
    assert party["motions"][0]["vote"] == {"method": "roll-call", "yes": ["p-0042", "p-0054", "p-0069"]}
    assert party["motions"][1]["result"] == "failed"
    assert party["published"] == {"at": "2026-11-13T09:00:00+08:00", "where": "第三网格党建公示栏"}


MEETING = """cgov: 1
meetings:
  - id: P-1
    type: party-members-meeting
    title: 党员大会（补录）
    organization: cj-yh4-g03-pb
    at: "2026-10-15 19:00"
    present: [p-0042, p-0054, p-0069]
    motions:
      - text: 同意
        vote: {method: show-of-hands, yes: 2, no: 1}
        result: RESULT
"""


def test_a_recorded_result_that_breaks_the_law_is_refused_with_its_line(town):
    from cgov.core.errors import ImportErrors

    with pytest.raises(ImportErrors) as e:
        load(town, MEETING.replace("RESULT", "passed"))
    problem = e.value.problems[0]
    assert problem.startswith("t.yaml:3: meetings[P-1]:")
    assert "the record says passed, but it failed: 2 yes of 5 entitled: needs more than 2" in problem
    with store.reading(town) as s:
        from cgov.meetings.models import Meeting

        assert s.get(Meeting, "P-1") is None
    assert load(town, MEETING.replace("RESULT", "failed"))["meetings"]["created"] == 1


def test_every_problem_of_a_file_is_reported_together(town):
    from cgov.core.errors import ImportErrors

    bad = """cgov: 1
meeting_types:
  - code: weekly-chat
    name: 周谈会
    passing: yes > no
meetings:
  - id: X-1
    type: tea-party
    title: x
    organization: nowhere
    at: "2026-10-15 19:00"
    colour: red
  - id: X-2
    type: council
    title: y
    organization: cj-yh4-rc
    at: someday
    present: [p-9999]
matters:
  - id: MA-X
    title: z
    community: cj-yh4
    stages:
      - {stage: propose, meeting: M-none}
"""
    with pytest.raises(ImportErrors) as e:
        load(town, bad)
    text = "\n".join(e.value.problems)
    for fragment in ("meeting_types[weekly-chat]: a new meeting type needs name_en",
                     "meetings[X-1]: unknown key 'colour'", "type 'tea-party' is not a known meeting type",
                     "organization 'nowhere' is not a known organization", "meetings[X-2]: 'at' value 'someday'",
                     "person 'p-9999' is not a known person", "meeting 'M-none' is not a known meeting"):
        assert fragment in text


def test_types_given_in_yaml_list_by_code_after_one_changes(town_cli, tmp_path):
    def types_file(council_name):
        f = tmp_path / "types.yaml"
        f.write_text(f"""cgov: 1
meeting_types:
  - {{code: building-council, name: {council_name}, name_en: Building council, passing: ">= 1/2 present"}}
  - {{code: owners-assembly, name: 业主大会, name_en: Owners' assembly, passing: ">= 2/3 present"}}
""", encoding="utf-8")
        return f

    ok(town_cli("import", types_file("楼栋议事会")))
    ok(town_cli("import", types_file("楼栋居民议事会")))
    codes = [t["code"] for t in json.loads(ok(town_cli("meeting", "types", "-f", "json")))]
    assert codes[-2:] == ["building-council", "owners-assembly"]


def test_a_new_type_from_yaml_governs_its_meetings(town):
    doc = """cgov: 1
meeting_types:
  - code: owners-assembly
    name: 业主大会
    name_en: Owners' assembly
    quorum: "> 1/2 entitled"
    passing: ">= 2/3 present"
    entitled: given
meetings:
  - id: OA-1
    type: owners-assembly
    title: 业主大会
    organization: cj-yh4-oc
    at: "2026-11-01 09:00"
    entitled: 600
    present_count: 400
    motions:
      - text: 使用维修资金
        vote: {method: secret-ballot, yes: 266, no: 120, abstain: 14}
"""
    assert load(town, doc)["meetings"]["created"] == 1
    with store.reading(town) as s:
        from cgov.meetings import service

        mo = service.show_meeting(s, "OA-1")["motions"][0]
    assert mo["result"] == "failed" and mo["needed"] == 267


def test_a_published_meeting_takes_only_further_addenda(month):
    from cgov.core.errors import ImportErrors

    head = """cgov: 1
meetings:
  - id: M2026-0004
"""
    with pytest.raises(ImportErrors) as e:
        load(month, head + "    title: 改过的标题\n")
    assert "published; add an addendum" in e.value.problems[0]
    added = head + """    addenda:
      - {at: "2026-11-20 10:00", text: 经核实，朱倩美同志外出探亲已请假。}
"""
    assert load(month, added)["meetings"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert load(month, added)["meetings"] == {"created": 0, "updated": 0, "unchanged": 1}


def test_an_unpublished_meeting_is_corrected_by_import(month):
    doc = """cgov: 1
meetings:
  - id: M2026-0003
    present: [p-0042, p-0043, p-0044, p-0045, p-0046, p-0047, p-0048]
    place: 社区党群服务站三楼
"""
    assert load(month, doc)["meetings"]["updated"] == 1
    assert load(month, doc)["meetings"]["unchanged"] == 1
    with store.reading(month) as s:
        from cgov.meetings import service

        m = service.show_meeting(s, "M2026-0003")
    assert (m["present"], m["place"]) == (7, "社区党群服务站三楼")
    assert m["motions"][0]["result"] == "passed"


def test_dry_run_counts_and_writes_nothing(town):
    text = MONTH.read_text(encoding="utf-8")
    assert load(town, text, dry_run=True)["meetings"]["created"] == 7
    with store.reading(town) as s:
        from cgov.meetings import service

        assert service.list_meetings(s) == []


def test_recorded_matter_stages_do_not_change(month):
    from cgov.core.errors import ImportErrors

    doc = """cgov: 1
matters:
  - id: MA2026-001
    stages:
      - {stage: propose, meeting: M2026-0002}
"""
    with pytest.raises(ImportErrors) as e:
        load(month, doc)
    assert "stage propose recorded with other evidence" in e.value.problems[0]


def test_overriding_a_shipped_type_governs_new_meetings_not_those_held(month):
    from cgov.core import clock
    from cgov.meetings import service

    doc = """cgov: 1
meeting_types:
  - code: two-committees-meeting
    quorum: ">= 1/1 entitled"
"""
    assert load(month, doc)["meeting_types"]["created"] == 1
    with store.writing(month, actor="t") as s:
        held = service.show_meeting(s, "M2026-0003")
        new = service.add_meeting(s, "two-committees-meeting", "两委", "cj-yh4-party", with_orgs=["cj-yh4-rc"],
                                  at=clock.parse_at("2026-11-27 09:00"))
    assert held["quorum_met"] is True and held["rules"]["quorum"] == "> 1/2 entitled"
    assert new["rules"]["quorum"] == ">= 1/1 entitled" and new["quorum_needed"] == 7
    with store.reading(month) as s:
        yaml_text = yamlio.dump(exchange.export(s, only=["meeting_types"]))
    assert "quorum: '>= 1/1 entitled'" in yaml_text and "name: 两委会议" in yaml_text


def test_present_and_absent_at_once_is_refused(town):
    from cgov.core.errors import ImportErrors

    doc = MEETING.replace("RESULT", "failed").replace(
        "    present: [p-0042, p-0054, p-0069]\n",
        "    present: [p-0042, p-0054, p-0069]\n    absent: [p-0069, {person: p-0078, reason: 病假}]\n")
    with pytest.raises(ImportErrors) as e:
        load(town, doc)
    assert "p-0069 given both as present and as absent" in e.value.problems[0]
