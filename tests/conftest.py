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


def _import_files(target: str, files) -> None:
    from cgov.core import store
    from cgov.exchange import service

    eng = store.engine_for(target)
    with store.writing(eng, actor="fixture") as s:
        service.import_sources(s, [(str(f), Path(f).read_bytes()) for f in files])
    store.forget_engines()


@pytest.fixture(scope="session")
def _town_template(tmp_path_factory) -> str:
    """The example town imported once; each test gets its own copy."""
    if PG:
        name = _new_pg_database()
        target = _pg_url(name)
    else:
        target = str(tmp_path_factory.mktemp("town") / "town.db")
    _import_files(target, [EXAMPLE])
    yield name if PG else target
    if PG:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def derive_template(tmp_path_factory):
    """derive_template(base, label, *files) -> a new session template: the
    template `base` (as `_town_template` yields it: a database name on
    PostgreSQL, a file on SQLite) with the YAML files imported. Give each
    test its copy with `store_copy`."""
    made = []

    def derive(base: str, label: str, *files) -> str:
        if PG:
            name = _new_pg_database(template=base)
            made.append(name)
            target = _pg_url(name)
        else:
            target = str(tmp_path_factory.mktemp(label) / f"{label}.db")
            shutil.copy(base, target)
        # Session fixtures run before the per-test environment: the files'
        # local times are China's, as in every test.
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("TZ", "Asia/Shanghai")
            _import_files(target, files)
        return name if PG else target

    yield derive
    for name in made:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def store_copy(db_path):
    """store_copy(template) -> the --db value of this test's private copy of
    a session template (at db_path on SQLite, a new database on PostgreSQL)."""
    made = []

    def copy(template: str) -> str:
        if not PG:
            shutil.copy(template, db_path)
            os.chmod(db_path, 0o600)
            return str(db_path)
        name = _new_pg_database(template=template)
        made.append(name)
        return _pg_url(name)

    yield copy
    if made:
        from cgov.core import store

        store.forget_engines()
    for name in made:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def town_db(_town_template, store_copy):
    """The --db value of a private copy of the example town."""
    return store_copy(_town_template)


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


@pytest.fixture
def cli_for():
    """cli_for(db) -> a CLI runner on a store a feature's fixture made."""
    return Cli


def _table_counts(db, tables) -> dict:
    from sqlalchemy import create_engine, text

    if "://" not in str(db) and not Path(db).exists():
        return dict.fromkeys(tables, 0)  # no store at all (a failed first import leaves none)
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
