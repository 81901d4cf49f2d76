"""Shared fixtures: fresh stores, the example town, and a CLI runner that
goes through the real entry point (errors, exit codes and all)."""

from __future__ import annotations

import os
import shutil
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


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "cgov.db"


@pytest.fixture
def engine(db_path):
    from cgov.core import store

    return store.engine_for(str(db_path))


@pytest.fixture(scope="session")
def _town_template(tmp_path_factory) -> Path:
    """The example town imported once; each test gets its own copy."""
    from cgov.core import store
    from cgov.exchange import service

    path = tmp_path_factory.mktemp("town") / "town.db"
    eng = store.engine_for(str(path))
    with store.writing(eng, actor="fixture") as s:
        service.import_sources(s, [(str(EXAMPLE), EXAMPLE.read_bytes())])
    store.forget_engines()
    return path


@pytest.fixture
def town_path(_town_template, db_path) -> Path:
    shutil.copy(_town_template, db_path)
    os.chmod(db_path, 0o600)
    return db_path


@pytest.fixture
def town(town_path):
    from cgov.core import store

    return store.engine_for(str(town_path))


class Cli:
    def __init__(self, db: Path):
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args, input=None, env=None):
        from cgov.cli import app

        full_env = {"CGOV_DB": str(self.db), "COLUMNS": "200"}
        full_env.update(env or {})
        return self.runner.invoke(app, [str(a) for a in args], input=input, env=full_env)


@pytest.fixture
def cli(db_path) -> Cli:
    return Cli(db_path)


@pytest.fixture
def town_cli(town_path) -> Cli:
    return Cli(town_path)
