import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from cgov import migrations
from cgov.core import store
from cgov.core.errors import CgovError

DATA = Path(__file__).resolve().parents[1] / "data"


def test_new_database_and_wal_are_owner_only(sqlite_file):
    db_path = sqlite_file
    eng = store.engine_for(str(db_path))
    with store.writing(eng) as s:
        s.execute(text("INSERT INTO cgov_counter (name, value) VALUES ('x', 1)"))
    for p in (db_path, Path(str(db_path) + "-wal")):
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o600, p


def test_every_connection_has_the_pragmas(sqlite_file):
    engine = store.engine_for(str(sqlite_file))
    with store.reading(engine) as s:
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_write_transactions_are_immediate(sqlite_file):
    db_path = sqlite_file
    engine = store.engine_for(str(db_path))
    # Once a cgov write transaction has read anything, no other writer can
    # start: the read-then-write of a "next number" cannot interleave.
    with store.writing(engine) as s:
        s.execute(text("SELECT value FROM cgov_counter"))
        other = sqlite3.connect(db_path, timeout=0.1, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def _db_from_dump(path: Path, dump: str) -> None:
    con = sqlite3.connect(path)
    con.executescript(dump)
    con.close()


def test_a_version_1_database_is_migrated_and_keeps_every_row(sqlite_file):
    db_path = sqlite_file
    _db_from_dump(db_path, (DATA / "schema_v1.sql").read_text(encoding="utf-8"))
    con = sqlite3.connect(db_path)
    before = {t: con.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall()
              for t in ("area", "organization", "person", "membership", "audit_log")}
    con.close()
    eng = store.engine_for(str(db_path))
    st = migrations.status(eng)
    assert st["pending"] == [] and st["version"] == len(migrations.MIGRATIONS)
    con = sqlite3.connect(db_path)
    for table, rows in before.items():
        assert con.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall() == rows, table
    con.close()
    backups = list(db_path.parent.glob(db_path.name + ".v1-*.bak"))
    assert len(backups) == 1 and stat.S_IMODE(os.stat(backups[0]).st_mode) == 0o600


def test_a_database_whose_0006_made_no_tables_gets_the_volunteers_ledger(sqlite_file):
    # cgov releases before the volunteers feature ran 0006 with no tables.
    store.engine_for(str(sqlite_file))
    store.forget_engines()
    con = sqlite3.connect(sqlite_file)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
                                        "('points_entry', 'volunteer_activity', 'registration', 'need', "
                                        "'resource', 'project', 'project_need', 'project_resource')")]
    assert "points_entry" in tables
    con.execute("PRAGMA foreign_keys = OFF")
    for t in tables:
        con.execute(f'DROP TABLE "{t}"')
    con.execute("DELETE FROM cgov_migrations WHERE name = '0008_volunteers_ledger'")
    con.commit()
    con.close()
    eng = store.engine_for(str(sqlite_file))
    assert migrations.status(eng)["pending"] == []
    con = sqlite3.connect(sqlite_file)
    # A bare row (foreign keys are off in this plain connection) to try an edit on.
    con.execute("INSERT INTO points_entry (id, person_id, kind, at, points_c, minutes, created_at) "
                "VALUES ('L-1', 'p-1', 'adjust', '2026-11-01', 100, 0, '2026-11-01')")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE points_entry SET points_c = 0")
    con.close()


def test_a_database_from_a_newer_cgov_is_refused_and_left_untouched(sqlite_file):
    db_path = sqlite_file
    store.engine_for(str(db_path))
    store.forget_engines()
    con = sqlite3.connect(db_path)
    con.execute("INSERT INTO cgov_migrations VALUES ('9999_future', '2030-01-01')")
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    before = db_path.read_bytes()
    with pytest.raises(CgovError, match="newer cgov"):
        store.engine_for(str(db_path))
    assert db_path.read_bytes() == before


def test_migrations_run_with_foreign_keys_off_and_check_them(sqlite_file, monkeypatch):
    db_path = sqlite_file
    """A migration that rebuilds a parent table must not cascade into its
    children, and one that leaves a dangling reference must not commit."""
    store.engine_for(str(db_path))
    store.forget_engines()
    con = sqlite3.connect(db_path)
    con.executescript("""
        CREATE TABLE parent_t (id INTEGER PRIMARY KEY);
        CREATE TABLE child_t (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent_t(id) ON DELETE CASCADE);
        INSERT INTO parent_t VALUES (1); INSERT INTO child_t VALUES (10, 1);
    """)
    con.close()

    def rebuild(conn):
        conn.execute(text("CREATE TABLE parent_new (id INTEGER PRIMARY KEY, note TEXT)"))
        conn.execute(text("INSERT INTO parent_new (id) SELECT id FROM parent_t"))
        conn.execute(text("DROP TABLE parent_t"))
        conn.execute(text("ALTER TABLE parent_new RENAME TO parent_t"))

    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS + [("9000_rebuild", rebuild)])
    store.engine_for(str(db_path))
    store.forget_engines()
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT id FROM child_t").fetchall() == [(10,)]
    con.close()

    def dangle(conn):
        conn.execute(text("INSERT INTO child_t VALUES (11, 99)"))

    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS + [("9001_dangle", dangle)])
    with pytest.raises(CgovError, match="broken references"):
        store.engine_for(str(db_path))
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT COUNT(*) FROM child_t").fetchone() == (1,)
    assert con.execute("SELECT COUNT(*) FROM cgov_migrations WHERE name = '9001_dangle'").fetchone() == (0,)
    con.close()


def test_db_url_accepts_paths_and_urls(tmp_path):
    assert store.db_url(str(tmp_path / "a.db")) == "sqlite:///" + str(tmp_path / "a.db")
    assert store.db_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_a_command_that_reads_refuses_a_missing_store_and_creates_none(cli, tmp_path):
    missing = tmp_path / "typo.db"
    for args in (("case", "list"), ("grid", "list"), ("audit", "log"), ("db", "info")):
        r = cli("--db", missing, *args)
        assert r.exit_code == 1 and r.stderr.startswith(f"error: no cgov database at {missing}"), args
        assert r.stderr.count("\n") == 1 and not missing.exists(), args


def test_a_file_that_is_not_a_database_is_named_in_one_line(cli, tmp_path):
    junk = tmp_path / "roster.yaml"
    junk.write_text("cgov: 1\npersons: []\n" * 200, encoding="utf-8")
    r = cli("--db", junk, "grid", "list")
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"error: {junk} is not a cgov database")
    assert junk.read_text(encoding="utf-8").startswith("cgov: 1")


def test_another_programs_sqlite_file_is_refused_and_left_as_it_was(cli, tmp_path):
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)")
    con.commit()
    con.close()
    before = other.read_bytes()
    for args in (("area", "list"), ("init",), ("case", "add", "x", "--community", "c1")):
        r = cli("--db", other, *args)
        assert r.exit_code == 1 and r.stderr.startswith(f"error: {other} is not a cgov database"), args
    assert other.read_bytes() == before


def test_a_directory_given_as_the_database_is_named(cli, tmp_path):
    r = cli("--db", tmp_path, "area", "list")
    assert r.exit_code == 1 and r.stderr.startswith(f"error: {tmp_path} is a directory, not a database file")


def test_export_to_a_missing_folder_is_refused_before_any_work(town_cli, tmp_path):
    target = tmp_path / "no-such-dir" / "x.yaml"
    r = town_cli("export", "-o", target)
    assert r.exit_code == 1 and r.stderr.startswith(f"error: cannot write {target}: there is no directory")
    assert "internal error" not in r.stderr and not target.parent.exists()


def test_db_backup_copies_online_and_refuses_to_overwrite_or_invent_folders(town_cli, tmp_path):
    dest = tmp_path / "copy.db"
    r = town_cli("db", "backup", dest)
    if str(town_cli.db).startswith("postgresql"):
        assert r.exit_code == 1 and "for PostgreSQL use pg_dump" in r.stderr and not dest.exists()
        return
    assert r.exit_code == 0, r.stderr
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    con = sqlite3.connect(dest)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT COUNT(*) FROM area").fetchone()[0] > 100
    con.close()
    again = town_cli("db", "backup", dest)
    assert again.exit_code == 1 and "already exists" in again.stderr
    missing = tmp_path / "no-such-folder" / "copy.db"
    r = town_cli("db", "backup", missing)
    assert r.exit_code == 1 and "does not exist" in r.stderr and not missing.parent.exists()
