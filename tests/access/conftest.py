"""Fixtures of the access-list tests: the example town with its access list,
seen from a fixed day, and a helper to import YAML text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

ACCESS_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "access.yaml"
# The example's story is told as of this day (a Monday).
TODAY = dt.date(2026, 11, 23)


def import_yaml(engine, text: str, name: str = "test.yaml") -> dict:
    from cgov.core import store
    from cgov.exchange import service

    with store.writing(engine, actor="t") as s:
        return service.import_sources(s, [(name, text.encode("utf-8"))])["counts"]


@pytest.fixture
def load():
    """import_yaml(engine, text) for the tests: test modules cannot import
    each other under --import-mode=importlib."""
    return import_yaml


@pytest.fixture
def example_text() -> str:
    return ACCESS_EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def now(monkeypatch):
    """Pin the clock to noon of TODAY, Shanghai time (the tests' zone)."""
    monkeypatch.setenv("CGOV_NOW", f"{TODAY.isoformat()}T12:00")
    return TODAY


@pytest.fixture(scope="session")
def _listed_template(_town_template, derive_template) -> str:
    """The example town with examples/access.yaml imported once; each test
    gets its own copy. The zone is the tests' own (dates without a time are
    local midnight)."""
    return derive_template(_town_template, "listed", ACCESS_EXAMPLE)


@pytest.fixture
def listed_db(_listed_template, store_copy, now) -> str:
    """The --db value of this test's copy of the listed town."""
    return store_copy(_listed_template)


@pytest.fixture
def listed(listed_db):
    """The example town with its access list, seen from TODAY."""
    from cgov.core import store

    return store.engine_for(listed_db)


@pytest.fixture
def listed_cli(listed_db, cli_for):
    return cli_for(listed_db)
