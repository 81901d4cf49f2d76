"""Fixtures of the meetings tests: the example town with the example month
of meetings imported, and short helpers to open sessions and add meetings."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

MEETINGS = Path(__file__).resolve().parents[2] / "examples" / "meetings.yaml"


@pytest.fixture
def write():
    """`with write(engine) as s:` — one write transaction, as the commands run."""
    from cgov.core import store

    @contextlib.contextmanager
    def opener(engine):
        with store.writing(engine, actor="t") as s:
            yield s

    return opener


@pytest.fixture(scope="session")
def _month_template(_town_template, tmp_path_factory):
    from cgov.core import store
    from cgov.exchange import service

    path = tmp_path_factory.mktemp("month") / "month.db"
    shutil.copy(_town_template, path)
    # Session fixtures run before the per-test environment: the file's local
    # times are China's, as in every test.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "Asia/Shanghai")
        eng = store.engine_for(str(path))
        with store.writing(eng, actor="fixture") as s:
            service.import_sources(s, [(str(MEETINGS), MEETINGS.read_bytes())])
        store.forget_engines()
    return path


@pytest.fixture
def month_path(_month_template, db_path):
    shutil.copy(_month_template, db_path)
    os.chmod(db_path, 0o600)
    return db_path


@pytest.fixture
def month(month_path):
    """The example town with the example month of meetings."""
    from cgov.core import store

    return store.engine_for(str(month_path))


@pytest.fixture
def month_cli(month_path, cli):
    """The CLI runner on the example month (`cli` runs on db_path)."""
    return cli


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    """Tests of meetings held in November 2026 run as of its end, whatever
    the day they run on."""
    monkeypatch.setenv("CGOV_NOW", "2026-11-30T12:00:00+08:00")
