"""Fixtures for the trust tests: the example data (town, cases, access list,
meetings) imported once per session, a private copy per test, and the SQL an
attacker with write access to the database would run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_FILES = [EXAMPLES / f for f in ("town.yaml", "cases.yaml", "access.yaml", "meetings.yaml")]


@pytest.fixture(scope="session")
def _examples_template(_town_template, derive_template):
    return derive_template(_town_template, "examples", *EXAMPLE_FILES[1:])


@pytest.fixture
def examples_db(_examples_template, store_copy):
    """The --db value of a private copy of the example town with its cases,
    access list and meetings."""
    return store_copy(_examples_template)


@pytest.fixture
def examples_cli(examples_db, cli_for):
    return cli_for(examples_db)


@pytest.fixture(scope="session")
def every_example_file():
    """The example files of every feature, volunteers included."""
    return EXAMPLE_FILES + [EXAMPLES / "volunteers.yaml"]


@pytest.fixture(scope="session")
def _every_example_template(_town_template, derive_template, every_example_file):
    return derive_template(_town_template, "everything", *every_example_file[1:])


@pytest.fixture
def every_example_cli(_every_example_template, store_copy, cli_for):
    """A CLI runner on a private copy of every example file imported."""
    return cli_for(store_copy(_every_example_template))


class Sql:
    """Raw SQL on a store, behind cgov's back (its own engine, no cgov code)."""

    def __init__(self, db):
        url = db if "://" in str(db) else f"sqlite:///{db}"
        self.engine = create_engine(url)
        self.dialect = self.engine.dialect.name

    def run(self, sql: str, **params):
        with self.engine.begin() as c:
            return c.execute(text(sql), params)

    def one(self, sql: str, **params):
        with self.engine.connect() as c:
            return c.execute(text(sql), params).scalar()

    def drop_guards(self, table: str) -> None:
        """Drop the triggers that refuse UPDATE and DELETE on `table`."""
        if self.dialect == "sqlite":
            names = {"meeting": ["meeting_published_no_update", "meeting_published_no_delete"]}.get(
                table, [f"{table}_no_update", f"{table}_no_delete"])
            for name in names:
                self.run(f"DROP TRIGGER {name}")
        else:
            name = "meeting_published" if table == "meeting" else f"{table}_append_only"
            self.run(f"DROP TRIGGER {name} ON {table}")

    def rechain(self) -> None:
        """Recompute every hash of the audit chain, as an attacker who has
        rewritten entries would, so that the chain is consistent again."""
        from cgov.core import audit

        with self.engine.begin() as c:
            rows = c.execute(text("SELECT seq, at, actor, action, entity, ids, detail, content_hash "
                                  "FROM audit_log ORDER BY seq")).all()
            prev = audit.GENESIS
            for seq, at, actor, action, entity, ids, detail, content_hash in rows:
                at = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
                at = at.replace(tzinfo=dt.timezone.utc) if at.tzinfo is None else at
                h = audit.entry_hash(prev, at, actor, action, entity, ids, detail, content_hash)
                c.execute(text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s"),
                          {"p": prev, "h": h, "s": seq})
                prev = h

    def close(self):
        self.engine.dispose()


@pytest.fixture
def sql(examples_db):
    s = Sql(examples_db)
    yield s
    s.close()
