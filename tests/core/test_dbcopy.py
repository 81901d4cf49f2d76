import json


def test_copy_moves_every_row_and_checks_counts(town_cli, db, tmp_path):
    # 1. The example town (on this run's backend) into a new SQLite file.
    first = tmp_path / "copy.db"
    r = town_cli("db", "copy", str(first), "-f", "json")
    assert r.exit_code == 0, r.output
    report = {x["table"]: x for x in json.loads(r.stdout)}
    assert report["person"]["source"] == report["person"]["target"] == 350
    assert report["membership"]["target"] == 680

    # 2. That file onward: into a fresh PostgreSQL database on the PostgreSQL
    #    run (the move a district makes), into another file otherwise.
    second = db if "://" in db else str(tmp_path / "copy2.db")
    r = town_cli("--db", str(first), "db", "copy", second)
    assert r.exit_code == 0, r.output
    assert len(json.loads(town_cli("--db", second, "grid", "list", "-f", "json").stdout)) == 19
    assert town_cli("--db", second, "audit", "verify").exit_code == 0
    # New records are numbered after the copied ones.
    r = town_cli("--db", second, "post", "assign", "p-0001", "--role", "member", "--org", "cj-yh4-oc")
    assert r.exit_code == 0 and int(r.stdout) > 680, r.output

    # A copy into a database that already has data is refused.
    r = town_cli("db", "copy", second)
    assert r.exit_code == 1 and "already has data" in r.stderr
