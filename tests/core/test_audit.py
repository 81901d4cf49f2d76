"""The audit log: append-only at the database level, a hash chain that
`cgov audit verify` re-walks, and anchors that catch a recomputed chain."""

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cgov.core import audit, store


def _add_entries(engine, n):
    for i in range(n):
        with store.writing(engine, actor="t") as s:
            audit.record(s, "test.add", entity="thing", ids=[f"x{i}"], detail={"i": i})


def test_chain_links_every_entry(engine):
    _add_entries(engine, 3)
    with store.reading(engine) as s:
        rows = s.execute(text("SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq")).all()
        result = audit.verify(s)
    assert rows[0][1] == audit.GENESIS
    assert rows[1][1] == rows[0][2] and rows[2][1] == rows[1][2]
    assert result["ok"] and result["entries"] == 3 and result["head"] == rows[2][2]


@pytest.mark.parametrize("sql", ["UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"])
def test_update_and_delete_are_refused_by_the_database(engine, sql):
    _add_entries(engine, 1)
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as c:
            c.execute(text(sql))


def _drop_guards(engine):
    with engine.begin() as c:
        if engine.dialect.name == "sqlite":
            c.execute(text("DROP TRIGGER audit_log_no_update"))
            c.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            c.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))


def test_verify_names_the_first_changed_entry(cli, engine):
    _add_entries(engine, 4)
    assert cli("audit", "verify").exit_code == 0
    _drop_guards(engine)
    with engine.begin() as c:
        c.execute(text("UPDATE audit_log SET detail = '{\"i\": 99}' WHERE seq = 2"))
    r = cli("audit", "verify")
    assert r.exit_code == 1 and "audit entry 2 (test.add" in r.stderr


def test_a_recomputed_chain_fails_against_an_earlier_anchor(cli, engine):
    _add_entries(engine, 3)
    anchor = cli("audit", "verify").stdout.split("head ")[1].strip()
    assert cli("audit", "verify", "--anchor", anchor).exit_code == 0
    _drop_guards(engine)
    # The attacker rewrites entry 2 and recomputes every hash after it.
    with engine.begin() as c:
        c.execute(text("UPDATE audit_log SET detail = '{\"i\": 42}' WHERE seq = 2"))
        rows = c.execute(text("SELECT seq, at, actor, action, entity, ids, detail, content_hash "
                              "FROM audit_log ORDER BY seq")).all()
        prev = audit.GENESIS
        for seq, at, actor, action, entity, ids, detail, ch in rows:
            if isinstance(at, str):
                import datetime as dt

                at = dt.datetime.fromisoformat(at)
            if at.tzinfo is None:
                import datetime as dt

                at = at.replace(tzinfo=dt.timezone.utc)
            h = audit.entry_hash(prev, at, actor, action, entity, ids, detail, ch)
            c.execute(text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s"),
                      {"p": prev, "h": h, "s": seq})
            prev = h
    assert cli("audit", "verify").exit_code == 0  # self-consistent again...
    r = cli("audit", "verify", "--anchor", anchor)
    assert r.exit_code == 1 and "is not in the chain" in r.stderr  # ...but not the chain that was published


def test_audit_log_filters(cli, engine):
    _add_entries(engine, 3)
    rows = json.loads(cli("audit", "log", "--id", "x1", "-f", "json").stdout)
    assert [r["ids"] for r in rows] == [["x1"]]
    r = cli("audit", "log", "--action", "test.*", "--limit", "2", "-f", "json")
    assert [e["detail"]["i"] for e in json.loads(r.stdout)] == [2, 1]
    assert r.stderr == "note: the newest 2 entries shown; --limit 0 shows all\n"
    r = cli("audit", "log", "--action", "test.*", "--limit", "0", "-f", "json")
    assert len(json.loads(r.stdout)) == 3 and r.stderr == ""
    assert cli("audit", "log", "--action", "test.*", "--limit", "3", "-f", "json").stderr == ""
    assert json.loads(cli("audit", "log", "--by", "nobody", "-f", "json").stdout) == []
    r = cli("audit", "log", "--since", "someday")
    assert r.exit_code == 1 and "--since" in r.stderr
    # A negative count is refused, not echoed back as "the newest -3 entries".
    r = cli("audit", "log", "--limit", "-3")
    assert r.exit_code == 2 and "--limit': -3 is less than 0" in r.stderr and r.stdout == ""


def test_verify_and_db_check_speak_chinese(cli, engine):
    _add_entries(engine, 2)
    zh = cli("audit", "verify", "--lang", "zh")
    assert zh.exit_code == 0 and zh.stdout.startswith("审计链完好：共")
    assert cli("--lang", "zh", "audit", "verify").stdout == zh.stdout
    check = cli("db", "check", "--lang", "zh", "-f", "plain").stdout
    # SQLite checks integrity and foreign keys; PostgreSQL the connection.
    assert ("完整性" in check or "连接" in check) and "正常" in check and "ok" not in check


def test_audit_log_csv_keeps_every_id_the_whole_detail_and_hash(cli, engine):
    import csv
    import io

    long = {"note": "网格员现场核查，" * 20}
    with store.writing(engine, actor="t") as s:
        audit.record(s, "test.long", entity="thing", ids=[f"x{i}" for i in range(7)], detail=long)
    rows = list(csv.DictReader(io.StringIO(cli("audit", "log", "-f", "csv").stdout.lstrip("\ufeff"))))
    assert json.loads(rows[0]["Detail"]) == long and len(rows[0]["Hash"]) == 64
    assert rows[0]["Records"] == ", ".join(f"x{i}" for i in range(7))
    plain = cli("audit", "log", "-f", "plain").stdout  # a terminal's view stays short
    assert "..." in plain and "(+2)" in plain
