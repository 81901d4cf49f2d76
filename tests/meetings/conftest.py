"""Fixtures of the meetings tests: the example town with the example month
of meetings imported, and short helpers to open sessions and add meetings."""

from __future__ import annotations

import contextlib
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
def _month_template(_town_template, derive_template) -> str:
    return derive_template(_town_template, "month", MEETINGS)


@pytest.fixture
def month_db(_month_template, store_copy) -> str:
    """The --db value of this test's copy of the example month."""
    return store_copy(_month_template)


@pytest.fixture
def month(month_db):
    """The example town with the example month of meetings."""
    from cgov.core import store

    return store.engine_for(month_db)


@pytest.fixture
def month_cli(month_db, cli_for):
    """The CLI runner on the example month."""
    return cli_for(month_db)


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    """Tests of meetings held in November 2026 run as of its end, whatever
    the day they run on."""
    monkeypatch.setenv("CGOV_NOW", "2026-11-30T12:00:00+08:00")
