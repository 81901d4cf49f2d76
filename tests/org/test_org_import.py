"""The import rules of DESIGN §2 on the org-chart sections, through the CLI."""

import json
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).resolve().parents[1] / "data"
SMALL = (DATA / "small.yaml").read_text(encoding="utf-8")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "town.yaml"


TABLES = ("area", "organization", "person", "membership", "audit_log")


@pytest.fixture
def counts(table_counts):
    return lambda db: table_counts(db, TABLES)


def write(tmp_path, text, name="in.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_import_creates_then_second_import_changes_nothing(cli, tmp_path, db, counts):
    f = write(tmp_path, SMALL)
    r = cli("import", f, "-f", "json")
    assert r.exit_code == 0, r.output
    first = {x["section"]: x for x in json.loads(r.stdout)}
    assert first["areas"]["created"] == 4 and first["memberships"]["created"] == 2
    before = counts(db)
    r = cli("import", f, "-f", "json")
    second = {x["section"]: x for x in json.loads(r.stdout)}
    assert all(x["created"] == 0 and x["updated"] == 0 for x in second.values())
    assert second["persons"]["unchanged"] == 1
    assert counts(db) == before  # not even an audit entry for a no-op


def test_dry_run_reports_and_writes_nothing(cli, tmp_path, db, counts):
    f = write(tmp_path, SMALL)
    r = cli("import", "--dry-run", f, "-f", "json")
    assert r.exit_code == 0, r.output
    assert {x["section"]: x["created"] for x in json.loads(r.stdout)}["persons"] == 1
    if str(db).startswith("postgresql"):
        assert counts(db)["person"] == 0 and counts(db)["audit_log"] == 0
    else:  # the store did not exist: the dry run did not make one
        assert not Path(db).exists()


def test_dry_run_on_a_store_not_made_yet_leaves_no_file(cli, tmp_path):
    f = write(tmp_path, SMALL)
    new = tmp_path / "new.db"
    r = cli("--db", new, "import", "--dry-run", f, "-f", "json")
    assert r.exit_code == 0, r.output
    assert {x["section"]: x["created"] for x in json.loads(r.stdout)}["persons"] == 1
    assert not list(tmp_path.glob("new.db*"))
    bad = cli("--db", new, "import", "--dry-run", write(tmp_path, "cgov: 1\npersons:\n  - {id: p-1}\n", "bad.yaml"))
    assert bad.exit_code == 1 and "bad.yaml" in bad.stderr and not list(tmp_path.glob("new.db*"))



def test_a_failed_import_into_a_store_not_made_yet_leaves_no_file(cli, tmp_path):
    new = tmp_path / "new.db"
    bad = cli("--db", new, "import", write(tmp_path, "cgov: 1\npersons:\n  - {id: p-1}\n", "bad.yaml"))
    assert bad.exit_code == 1 and "nothing was written" in bad.stderr
    assert not list(tmp_path.glob("new.db*"))  # not even an empty database
    good = cli("--db", new, "import", write(tmp_path, SMALL))
    assert good.exit_code == 0 and new.exists()


def test_stdin_import(cli, db, counts):
    r = cli("import", "-", input=SMALL)
    assert r.exit_code == 0, r.output
    assert counts(db)["area"] == 4


@pytest.mark.parametrize("old, new, message", [
    ("    name: 王建国\n", "    name: 王建国\n    nickname: 老王\n", "unknown key 'nickname'"),
    ("    name: 王建国\n", "    name: 王建国\n    name: 王建\n", "duplicate key 'name'"),
    ("home: t-c1-b1", "home: t-c1-b9", "home 't-c1-b9' is not a known area"),
    ("organization: t-c1-g1-pb", "organization: t-nowhere", "organization 't-nowhere' is not a known organization"),
    ('"310230196203019916"', '"310230196203019917"', "check digit is 7, should be 6"),
    ('"13900000001"', '"1390000001"', "phone"),
    ("joined: 1985-07-01", "joined: 1980-02-30", "'joined' value '1980-02-30' is not a real date"),
    ("classification: town", "classification: township", "'classification' value 'township' is not one of"),
    ("areas:\n", "areas: [\n", "malformed YAML"),
    ("cgov: 1", "cgov: 2", "'cgov: 1' (the schema version) is required"),
])
def test_bad_input_is_one_clear_error_and_nothing_is_written(cli, tmp_path, db, old, new, message, counts):
    assert old in SMALL
    f = write(tmp_path, SMALL.replace(old, new, 1))
    r = cli("import", f)
    assert r.exit_code == 1
    assert r.stderr.startswith("error: ")
    assert message in r.stderr
    assert f"{f}:" in r.stderr  # names the file (and line)
    assert counts(db) == {"area": 0, "organization": 0, "person": 0, "membership": 0, "audit_log": 0}


def test_error_lines_point_at_the_record(cli, tmp_path):
    f = write(tmp_path, SMALL.replace("    name: 王建国\n", "    name: 王建国\n    nickname: 老王\n"))
    r = cli("import", f)
    line = next(i for i, s in enumerate(SMALL.splitlines(), 1) if s.strip() == "- id: p-1")
    assert f"{f}:{line}: persons[p-1]: unknown key 'nickname'" in r.stderr


def test_twenty_errors_are_all_reported_and_nothing_written(cli, tmp_path, db, counts):
    people = []
    for i in range(20):
        people.append(f"  - {{id: bad-{i}, name: 人{i}, phone: '1{i:02d}'}}")
    text = "cgov: 1\npersons:\n" + "\n".join(people) + "\n"
    r = cli("import", write(tmp_path, text))
    assert r.exit_code == 1
    assert "20 errors in import; nothing was written" in r.stderr
    assert sum(1 for line in r.stderr.splitlines() if "persons[bad-" in line) == 20
    assert counts(db)["person"] == 0


def test_one_bad_file_of_two_writes_neither(cli, tmp_path, db, counts):
    good = write(tmp_path, SMALL, "good.yaml")
    bad = write(tmp_path, "cgov: 1\npersons:\n  - {id: x, name: 某, home: nowhere}\n", "bad.yaml")
    r = cli("import", good, bad)
    assert r.exit_code == 1 and "bad.yaml:3" in r.stderr
    assert counts(db)["area"] == 0


@pytest.mark.parametrize("text, message", [
    ("cgov: 1\nareas:\n  - {id: a, name: A, classification: community}\n  - {id: a, name: B, classification: community}\n",
     "area 'a' is defined twice"),
    ("cgov: 1\nareas:\n  - id: c\n    name: C\n    classification: community\n    children:\n"
     "      - {id: g, name: G, classification: grid, parent: other}\n", "has a second parent"),
    ("cgov: 1\nareas:\n  - id: c\n    name: C\n    classification: community\n    children:\n"
     "      - id: b\n        name: B\n        classification: building\n        children:\n"
     "          - {id: g, name: G, classification: grid}\n", "a grid cannot sit inside a building"),
    ("cgov: 1\npersons:\n  - {name: 无名}\n", "needs an 'id', or a full 'id_number'"),
    ("cgov: 1\nsurprises:\n  - {id: x}\n", "unknown section 'surprises'"),
    ("cgov: 1\npersons:\n  - {id: a, name: 甲, id_number: '310230196203019916'}\n"
     "  - {id: b, name: 乙, id_number: '310230196203019916'}\n", "also given to persons[a]"),
    ("cgov: 1\npersons:\n  - {id: a, name: 甲, id_number: '310230196203019916', birth_date: 1962-03-02}\n",
     "does not match the ID number's 1962-03-01"),
    ("cgov: 1\npersons:\n  - {id: a, name: 甲, id_number: '310***********9916'}\n", "this person is new"),
])
def test_structural_errors(cli, tmp_path, text, message):
    r = cli("import", write(tmp_path, text))
    assert r.exit_code == 1 and message in r.stderr, r.stderr


def test_popolo_id_spellings_are_accepted(cli, tmp_path, db, counts):
    text = SMALL.replace("organization: t-c1-g1-pb", "organization_id: t-c1-g1-pb").replace("area: t-c1\n", "area_id: t-c1\n")
    assert "organization_id" in text and "area_id" in text
    r = cli("import", write(tmp_path, text))
    assert r.exit_code == 0, r.output
    assert counts(db)["membership"] == 2


def test_person_keyed_by_id_number_gets_a_generated_id_and_matches_next_time(cli, tmp_path, db):
    text = "cgov: 1\npersons:\n  - {name: 赵四, id_number: '310230196203019916', phone: '13900000009'}\n"
    f = write(tmp_path, text)
    assert cli("import", f).exit_code == 0
    r = cli("person", "list", "-f", "json")
    people = json.loads(r.stdout)
    assert len(people) == 1 and people[0]["id"].startswith("P")
    assert people[0]["birth_date"] == "1962-03-01" and people[0]["gender"] == "male"
    assert "310230196203019916" not in r.stdout
    r = cli("import", f, "-f", "json")
    assert json.loads(r.stdout)[0]["unchanged"] == 1


def test_masked_export_round_trips_and_keeps_stored_values(cli, tmp_path, db):
    assert cli("import", write(tmp_path, SMALL)).exit_code == 0
    exported = cli("export").stdout
    assert "310***********9916" in exported and "139****0001" in exported
    edited = exported.replace("name: 王建国", "name: 王建军")
    r = cli("import", "-", "-f", "json", input=edited)
    assert r.exit_code == 0, r.output
    persons = next(x for x in json.loads(r.stdout) if x["section"] == "persons")
    assert persons["updated"] == 1
    shown = json.loads(cli("person", "show", "p-1", "-f", "json", "--reveal", "--reason", "test").stdout)
    assert (shown["name"], shown["id_number"], shown["phone"]) == ("王建军", "310230196203019916", "13900000001")


def _normalise(doc):
    """Compare documents as strings all the way down, as the loader reads them."""
    return yaml.load(yaml.safe_dump(doc, allow_unicode=True), Loader=yaml.BaseLoader)


def test_example_round_trips_both_ways(cli, tmp_path, db, counts):
    assert cli("import", EXAMPLE).exit_code == 0
    before = counts(db)
    exported = cli("export", "--reveal", "--reason", "round-trip test").stdout
    # import(export(db)) changes nothing
    r = cli("import", "-", "-f", "json", input=exported)
    assert r.exit_code == 0, r.output
    assert all(x["created"] == 0 and x["updated"] == 0 for x in json.loads(r.stdout))
    assert counts(db)["person"] == before["person"]
    # export(import(file)) keeps every field of every record
    source = yaml.load(EXAMPLE.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    again = yaml.load(exported, Loader=yaml.BaseLoader)
    src_people = {p["id"]: p for p in source["persons"]}
    out_people = {p["id"]: p for p in again["persons"]}
    assert src_people.keys() == out_people.keys()
    for pid, p in src_people.items():
        q = out_people[pid]
        for key, value in p.items():
            if key == "memberships":
                assert sorted(map(str, _normalise(value))) == sorted(map(str, _normalise(q[key]))), pid
            else:
                assert _normalise(q[key]) == _normalise(value), (pid, key)

    def flat(nodes, out):
        for n in nodes:
            out[n["id"]] = {k: v for k, v in n.items() if k != "children"}
            flat(n.get("children", []), out)
        return out

    assert flat(source["areas"], {}) == flat(again["areas"], {})
    assert flat(source["organizations"], {}) == flat(again["organizations"], {})


def test_export_only_sections_to_a_file(cli, tmp_path):
    assert cli("import", write(tmp_path, SMALL)).exit_code == 0
    out = tmp_path / "chart.yaml"
    r = cli("export", "--only", "areas,organizations", "-o", out)
    assert r.exit_code == 0 and r.stdout == ""
    doc = yaml.load(out.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert set(doc) == {"cgov", "areas", "organizations"}
    r = cli("export", "--only", "nonsense")
    assert r.exit_code == 1 and "unknown section 'nonsense'" in r.stderr


def test_export_reveal_needs_reason_and_is_audited(cli, tmp_path):
    assert cli("import", write(tmp_path, SMALL)).exit_code == 0
    r = cli("export", "--reveal")
    assert r.exit_code == 1 and "--reveal needs --reason" in r.stderr
    r = cli("export", "--reveal", "--reason", "移交街道")
    assert "310230196203019916" in r.stdout
    log = json.loads(cli("audit", "log", "--action", "reveal", "-f", "json").stdout)
    assert log[0]["detail"]["reason"] == "移交街道"
    assert "310230196203019916" not in json.dumps(log, ensure_ascii=False)


def test_unreadable_file(cli, tmp_path):
    r = cli("import", tmp_path / "missing.yaml")
    assert r.exit_code == 1 and "cannot read" in r.stderr


@pytest.mark.parametrize("key", ["310230196203019916", "13900000001", "+8613900000001"])
def test_a_key_that_is_an_id_or_phone_number_is_refused_without_echoing_it(cli, tmp_path, db, key, counts):
    f = write(tmp_path, f"cgov: 1\npersons:\n  - id: '{key}'\n    name: 王建国\n", "bad.yaml")
    r = cli("import", f)
    assert r.exit_code == 1 and "'id' looks like an ID or phone number" in r.stderr
    assert key[-11:] not in r.stderr and r.stderr.count(f"{f}:") == 1  # one error, the number not repeated
    added = cli("person", "add", "王建国", "--id", key)
    assert added.exit_code == 1 and added.stderr.startswith("error: --id looks like an ID or phone number")
    assert counts(db)["person"] == 0


def test_a_number_too_large_to_store_is_an_import_error_not_a_crash(cli, tmp_path, counts, db):
    f = write(tmp_path, "cgov: 1\nareas:\n  - {id: z, name: Z, classification: district, "
                        "households: 999999999999999999999}\n", "big.yaml")
    r = cli("import", f)
    assert r.exit_code == 1 and f"{f}:3: areas[z]: 'households' value 999999999999999999999 is too large" in r.stderr
    assert "internal error" not in r.stderr and counts(db)["area"] == 0


def test_export_writes_whole_numbers_as_numbers(cli, tmp_path, db):
    # DESIGN §2 writes `households: 412`; another YAML reader gets a number.
    f = write(tmp_path, "cgov: 1\nareas:\n  - {id: z, name: Z, classification: community, "
                        "households: 412, population: '1030'}\n", "n.yaml")
    assert cli("import", f).exit_code == 0
    out = cli("export", "--only", "areas").stdout
    assert "households: 412\n" in out and "population: 1030\n" in out
    assert yaml.safe_load(out)["areas"][0]["households"] == 412
