"""Shared fixtures: fresh stores, the example town, and a CLI runner that
goes through the real entry point (errors, exit codes and all).

The suite runs on SQLite by default. With CGOV_TEST_PG naming a PostgreSQL
server (a SQLAlchemy URL to its maintenance database, e.g.
postgresql+psycopg://postgres@127.0.0.1:5433/postgres) and
CGOV_TEST_BACKEND=pg, every store the fixtures make is a fresh PostgreSQL
database instead; tests about the SQLite file itself ask for `sqlite_file`
and are skipped there."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "town.yaml"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    # Tests must not see the developer's database, language or zone.
    for var in ("CGOV_DB", "CGOV_FORMAT", "CGOV_LANG", "CGOV_ACTOR", "CGOV_NOW", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    yield
    from cgov.core import store

    store.forget_engines()


PG = os.environ.get("CGOV_TEST_BACKEND") == "pg"
PG_SERVER = os.environ.get("CGOV_TEST_PG", "")


def _pg_admin(sql: str) -> None:
    from sqlalchemy import create_engine, text

    eng = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(sql))
    eng.dispose()


def _pg_url(name: str) -> str:
    return PG_SERVER.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "cgov.db"


@pytest.fixture
def sqlite_file(db_path) -> Path:
    """For tests about the SQLite file itself (modes, WAL, raw sqlite3)."""
    if PG:
        pytest.skip("checks the SQLite file itself; this run uses PostgreSQL")
    return db_path


def _new_pg_database(template: str | None = None) -> str:
    name = "cgov_t_" + uuid.uuid4().hex[:12]
    _pg_admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    return name


@pytest.fixture
def db(db_path):
    """The store's --db value: a SQLite path, or a fresh PostgreSQL database."""
    if not PG:
        yield str(db_path)
        return
    name = _new_pg_database()
    yield _pg_url(name)
    from cgov.core import store

    store.forget_engines()
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def engine(db):
    from cgov.core import store

    return store.engine_for(db)


@pytest.fixture(scope="session")
def _town_template(tmp_path_factory) -> str:
    """The example town imported once; each test gets its own copy."""
    from cgov.core import store
    from cgov.exchange import service

    if PG:
        name = _new_pg_database()
        target = _pg_url(name)
    else:
        target = str(tmp_path_factory.mktemp("town") / "town.db")
    eng = store.engine_for(target)
    with store.writing(eng, actor="fixture") as s:
        service.import_sources(s, [(str(EXAMPLE), EXAMPLE.read_bytes())])
    store.forget_engines()
    yield name if PG else target
    if PG:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def town_db(_town_template, db_path):
    """The --db value of a private copy of the example town."""
    if not PG:
        shutil.copy(_town_template, db_path)
        os.chmod(db_path, 0o600)
        yield str(db_path)
        return
    name = _new_pg_database(template=_town_template)
    yield _pg_url(name)
    from cgov.core import store

    store.forget_engines()
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def town_path(town_db, sqlite_file) -> Path:
    return Path(town_db)


@pytest.fixture
def town(town_db):
    from cgov.core import store

    return store.engine_for(town_db)


class Cli:
    def __init__(self, db):
        self.db = db  # a SQLite path or a PostgreSQL URL
        self.runner = CliRunner()

    def __call__(self, *args, input=None, env=None):
        from cgov.cli import app

        full_env = {"CGOV_DB": str(self.db), "COLUMNS": "200"}
        full_env.update(env or {})
        return self.runner.invoke(app, [str(a) for a in args], input=input, env=full_env)


@pytest.fixture
def cli(db) -> Cli:
    return Cli(db)


@pytest.fixture
def town_cli(town_db) -> Cli:
    return Cli(town_db)


def _table_counts(db, tables) -> dict:
    from sqlalchemy import create_engine, text

    url = db if "://" in str(db) else f"sqlite:///{db}"
    eng = create_engine(url)
    with eng.connect() as c:
        out = {t: c.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in tables}
    eng.dispose()
    return out


@pytest.fixture
def table_counts():
    """count(db, tables) -> {table: rows}, through SQLAlchemy on either backend."""
    return _table_counts
