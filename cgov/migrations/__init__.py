"""Schema migrations, simonw/llm style: a list of small named functions.

Each runs once, in order, recorded in `cgov_migrations`. A migration creates
the tables of its feature as they were when it was written, or alters what a
later feature changes; never edit one that has shipped, append a new one.
On SQLite they run with foreign keys off (a table rebuild would otherwise
cascade-delete child rows) and `PRAGMA foreign_key_check` must be clean
before commit. A backup is written first when the database has data."""

from __future__ import annotations

import datetime as dt
import os

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from cgov.core.errors import CgovError


def m0001_org(conn: Connection) -> None:
    from sqlmodel import SQLModel

    from cgov.core.audit import AuditEntry
    from cgov.core.sequence import Counter
    from cgov.org.models import Area, Membership, Organization, Person

    tables = [t.__table__ for t in (Area, Organization, Person, Membership, AuditEntry, Counter)]
    SQLModel.metadata.create_all(conn, tables=tables)


def _create_feature_tables(conn: Connection, tables) -> None:
    from sqlmodel import SQLModel

    SQLModel.metadata.create_all(conn, tables=[t.__table__ for t in tables])


def m0002_cases(conn: Connection) -> None:
    from cgov.cases.models import TABLES

    _create_feature_tables(conn, TABLES)


def m0003_access(conn: Connection) -> None:
    from cgov.access.models import TABLES

    _create_feature_tables(conn, TABLES)


def m0004_meetings(conn: Connection) -> None:
    from cgov.meetings.models import TABLES

    _create_feature_tables(conn, TABLES)


def append_only(conn: Connection, table: str) -> None:
    """Refuse UPDATE and DELETE on a table at the database level, so rows can
    only be added, also by someone who goes behind cgov with SQL."""
    if conn.dialect.name == "sqlite":
        for op in ("UPDATE", "DELETE"):
            conn.execute(text(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"))
    else:
        conn.execute(text(
            "CREATE OR REPLACE FUNCTION cgov_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"))
        conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
        conn.execute(text(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION cgov_append_only()"))


def m0005_audit_append_only(conn: Connection) -> None:
    append_only(conn, "audit_log")


def m0006_volunteers(conn: Connection) -> None:
    from cgov.volunteers.models import TABLES

    _create_feature_tables(conn, TABLES)


def m0007_published_guards(conn: Connection) -> None:
    """Published minutes and their addenda cannot be changed or removed, even
    with SQL: a meeting's row is frozen once `published_at` is set, and
    addenda are append-only. Someone who must (a court order) drops the
    trigger first, and `cgov audit verify` then shows what changed."""
    append_only(conn, "meeting_addendum")
    if conn.dialect.name == "sqlite":
        for op in ("UPDATE", "DELETE"):
            conn.execute(text(
                f"CREATE TRIGGER IF NOT EXISTS meeting_published_no_{op.lower()} BEFORE {op} ON meeting "
                "WHEN OLD.published_at IS NOT NULL "
                "BEGIN SELECT RAISE(ABORT, 'meeting is published and cannot change'); END"))
    else:
        conn.execute(text(
            "CREATE OR REPLACE FUNCTION cgov_published_frozen() RETURNS trigger AS $$ "
            "BEGIN IF OLD.published_at IS NOT NULL THEN "
            "RAISE EXCEPTION '% is published and cannot change', TG_TABLE_NAME; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"))
        conn.execute(text("DROP TRIGGER IF EXISTS meeting_published ON meeting"))
        conn.execute(text(
            "CREATE TRIGGER meeting_published BEFORE UPDATE OR DELETE ON meeting "
            "FOR EACH ROW EXECUTE FUNCTION cgov_published_frozen()"))


def m0008_volunteers_ledger(conn: Connection) -> None:
    """The volunteers' tables arrived after 0006 had run (empty) on some
    databases: create what is missing, and make the points ledger
    append-only — a correction is a new `adjust` entry, never an edit."""
    from cgov.volunteers.models import TABLES

    _create_feature_tables(conn, TABLES)
    append_only(conn, "points_entry")


MIGRATIONS = [
    ("0001_org", m0001_org),
    ("0002_cases", m0002_cases),
    ("0003_access", m0003_access),
    ("0004_meetings", m0004_meetings),
    ("0005_audit_append_only", m0005_audit_append_only),
    ("0006_volunteers", m0006_volunteers),
    ("0007_published_guards", m0007_published_guards),
    ("0008_volunteers_ledger", m0008_volunteers_ledger),
]


def _applied(conn: Connection) -> list[str]:
    conn.execute(text(
        "CREATE TABLE IF NOT EXISTS cgov_migrations (name VARCHAR PRIMARY KEY, applied_at VARCHAR NOT NULL)"
    ))
    return [r[0] for r in conn.execute(text("SELECT name FROM cgov_migrations ORDER BY name"))]


def status(engine: Engine) -> dict:
    with engine.connect() as conn:
        applied = _applied(conn)
        conn.commit()
    known = [n for n, _ in MIGRATIONS]
    return {
        "applied": applied,
        "pending": [n for n in known if n not in applied],
        "unknown": [n for n in applied if n not in known],
        "version": len(applied),
        "latest": len(known),
    }


def upgrade(engine: Engine, backup: bool = True) -> list[str]:
    """Run what is missing. Refuses a database written by a newer cgov."""
    st = status(engine)
    if st["unknown"]:
        raise CgovError(
            f"the database was written by a newer cgov (unknown schema changes: {', '.join(st['unknown'])})",
            hint="upgrade cgov before using this database; it was left as it was",
        )
    if not st["pending"]:
        return []
    is_sqlite = engine.dialect.name == "sqlite"
    if backup and st["applied"] and is_sqlite:
        _backup_before(engine, st["version"])
    todo = [(n, f) for n, f in MIGRATIONS if n in st["pending"]]
    with engine.execution_options(cgov_write=True).connect() as conn:
        if is_sqlite:
            # Must be set outside a transaction, before SQLAlchemy autobegins.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                # Another process may have migrated while we waited for the lock.
                done = set(_applied(conn))
                for name, fn in todo:
                    if name in done:
                        continue
                    fn(conn)
                    conn.execute(text("INSERT INTO cgov_migrations (name, applied_at) VALUES (:n, :t)"),
                                 {"n": name, "t": dt.datetime.now(dt.timezone.utc).isoformat()})
                if is_sqlite:
                    bad = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
                    if bad:
                        raise CgovError(
                            f"migration left {len(bad)} broken references (first in table {bad[0][0]}); nothing was changed"
                        )
        finally:
            if is_sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")
    return [n for n, _ in todo]


def _backup_before(engine: Engine, version: int) -> None:
    from cgov.core.store import sqlite_path
    from cgov.core import backup as bk

    path = sqlite_path(str(engine.url))
    if path is None:
        return
    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    # Two processes started by a new cgov in the same second (cron beside a
    # terminal) both back up before one takes the lock: the pid keeps their
    # names apart.
    bk.sqlite_backup(engine, path.with_name(f"{path.name}.v{version}-{stamp}-{os.getpid()}.bak"))
