"""The store: engine, SQLite pragmas, write transactions, migrations on open.

Every SQLite connection gets foreign_keys=ON, WAL and a 5 s busy timeout.
Writes run in BEGIN IMMEDIATE so two writers queue instead of both reading the
same "next number"; reads run in a deferred transaction (one snapshot)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import Session

from cgov.core.errors import Busy, CgovError

BUSY_TIMEOUT_MS = 5000
WRITE_LOCK_KEY = 0x6367_6F76  # "cgov"
_engines: dict[str, Engine] = {}


def default_path() -> Path:
    import typer

    return Path(typer.get_app_dir("cgov")) / "cgov.db"


def db_url(db: str | None) -> str:
    """--db / CGOV_DB: a SQLAlchemy URL or a file path."""
    db = db or os.environ.get("CGOV_DB") or str(default_path())
    if "://" in db:
        return db
    return "sqlite:///" + str(Path(db).expanduser().resolve())


def sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):])
    return None


def _create_private(path: Path) -> None:
    # The store holds residents' personal data: owner-only from the first byte.
    # SQLite gives the -wal and -shm files the database file's mode.
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)


def _refuse_foreign(path: Path) -> None:
    """A SQLite file with tables of its own and no cgov schema belongs to
    another program (a mistyped --db). Looked at read-only, before cgov's
    first connection switches the file to WAL and migrations add tables."""
    import sqlite3

    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            names = sorted(r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return  # not a database, or busy: the engine's first use says so
    if names and "cgov_migrations" not in names:
        shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
        raise CgovError(f"{path} is not a cgov database: it holds other tables ({shown}); it was left as it was",
                        hint="give cgov a database of its own with --db")


def _sqlite_connect(dbapi_conn, _record):
    # We issue BEGIN ourselves (see _sqlite_begin); pysqlite's own
    # transaction handling would ignore the busy timeout on upgrade to write.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _sqlite_begin(conn):
    mode = "IMMEDIATE" if conn.get_execution_options().get("cgov_write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def engine_for(db: str | None = None, migrate: bool = True) -> Engine:
    """The engine for --db, with the schema brought up to date."""
    url = db_url(db)
    if url in _engines:
        return _engines[url]
    path = sqlite_path(url)
    if path is not None:
        if path.is_dir():
            raise CgovError(f"{path} is a directory, not a database file", hint="give --db a file: …/cgov.db")
        _refuse_foreign(path)
        _create_private(path)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        # Waiting for another writer gives up after the same timeout as SQLite's.
        engine = create_engine(url, pool_pre_ping=True,
                               connect_args={"options": f"-c lock_timeout={BUSY_TIMEOUT_MS}"})
    if migrate:
        from cgov import migrations

        with busy_guard(), not_a_database(path or url):
            migrations.upgrade(engine)
    _engines[url] = engine
    return engine


def forget_engine(db: str) -> None:
    """Dispose the cached engine of one database (a dry run's scratch store)."""
    engine = _engines.pop(db_url(db), None)
    if engine is not None:
        engine.dispose()


def discard_sqlite(path: Path) -> None:
    """Remove a SQLite store this process created and must not leave behind
    (an import that failed before it was committed), with its side files."""
    forget_engine(str(path))
    for p in (path, *(Path(f"{path}{x}") for x in ("-wal", "-shm", "-journal"))):
        p.unlink(missing_ok=True)


def forget_engines() -> None:
    """Dispose cached engines (tests switch databases within one process)."""
    for e in _engines.values():
        e.dispose()
    _engines.clear()


@contextlib.contextmanager
def not_a_database(where):
    """SQLite's "file is not a database" (a YAML file given as --db, say) as
    one line naming the file, not an internal error."""
    try:
        yield
    except DatabaseError as e:
        if "not a database" in str(e.orig):
            raise CgovError(f"{where} is not a cgov database (SQLite: {e.orig})",
                            hint="check --db / CGOV_DB") from None
        raise


@contextlib.contextmanager
def busy_guard():
    try:
        yield
    except OperationalError as e:
        message = str(e.orig) if e.orig is not None else str(e)
        if "locked" in message or "busy" in message or "lock timeout" in message:
            raise Busy(
                f"the database stayed busy for more than {BUSY_TIMEOUT_MS // 1000} s",
                hint="another cgov command is writing; try again in a moment",
            ) from None
        raise CgovError(f"database error: {message}") from None


@contextlib.contextmanager
def writing(engine: Engine, actor: str = "cgov"):
    """One write transaction: all or nothing, serialised against other writers."""
    with busy_guard():
        with Session(engine.execution_options(cgov_write=True), expire_on_commit=False) as s:
            s.info["actor"] = actor
            if engine.dialect.name == "postgresql":
                # PostgreSQL's counterpart of BEGIN IMMEDIATE: one writer at a
                # time, so the audit chain's head is read and extended by one
                # transaction only. Released at commit or rollback.
                s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise


@contextlib.contextmanager
def reading(engine: Engine):
    """One read transaction, so a report's parts add up to its totals."""
    if engine.dialect.name == "postgresql":
        # PostgreSQL's default, read committed, takes a new snapshot for each
        # statement: a report's queries would each see other writers' commits.
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with busy_guard():
        with Session(engine) as s:
            yield s
            s.rollback()
