"""Fixtures of the volunteers tests: the example town with the example
month of volunteering imported, a write-transaction opener, and the clock
pinned to the end of that month. Stores come from the shared fixtures, so
the same tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

VOLUNTEERS = Path(__file__).resolve().parents[2] / "examples" / "volunteers.yaml"


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    """The example month is November 2026; tests see it from its last day."""
    monkeypatch.setenv("CGOV_NOW", "2026-11-30T12:00:00+08:00")
    for var in ("CGOV_POINTS_PER_HOUR", "CGOV_POINTS_STEP_MINUTES", "CGOV_POINTS_MAX_HOURS", "CGOV_POINTS_STARS"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def write():
    """`with write(engine) as s:` — one write transaction, as the commands run."""
    from cgov.core import store

    @contextlib.contextmanager
    def opener(engine):
        with store.writing(engine, actor="t") as s:
            yield s

    return opener


@pytest.fixture
def load():
    """load(engine, text) imports YAML text as `cgov import` does and returns the counts."""
    from cgov.core import store
    from cgov.exchange import service

    def run(engine, text: str, name: str = "t.yaml", dry_run: bool = False) -> dict:
        with store.writing(engine, actor="t") as s:
            result = service.import_sources(s, [(name, text.encode("utf-8"))], dry_run=dry_run)
            if dry_run:
                s.rollback()
            return result["counts"]

    return run


@pytest.fixture
def vol(town, load):
    """The example town with examples/volunteers.yaml imported."""
    load(town, VOLUNTEERS.read_text(encoding="utf-8"), str(VOLUNTEERS))
    return town


@pytest.fixture
def vol_cli(vol, town_cli):
    return town_cli
