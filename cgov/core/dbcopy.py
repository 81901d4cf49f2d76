"""`cgov db copy`: move a store to another database (a community's SQLite
file onto the district's shared PostgreSQL server), checking row counts."""

from __future__ import annotations

from sqlalchemy import func, insert, select, text

from cgov.core.errors import CgovError, Refused

BATCH = 5000


def _tables():
    from sqlmodel import SQLModel

    import cgov.access.models  # noqa: F401  (register every feature's tables)
    import cgov.cases.models  # noqa: F401
    import cgov.core.audit  # noqa: F401
    import cgov.core.sequence  # noqa: F401
    import cgov.meetings.models  # noqa: F401
    import cgov.org.models  # noqa: F401
    import cgov.volunteers.models  # noqa: F401

    # Parents before children, so foreign keys hold at every insert.
    return SQLModel.metadata.sorted_tables


def copy(source_engine, target_engine) -> list[dict]:
    """Copy every row; the target must be empty. One transaction on the target:
    if any count differs afterwards nothing is kept."""
    from cgov.core import store

    tables = _tables()
    with store.reading(source_engine) as src, store.writing(target_engine, actor="db-copy") as dst:
        for t in tables:
            n = dst.execute(select(func.count()).select_from(t)).scalar()
            if n:
                raise Refused(f"the target already has data ({n} rows in {t.name})",
                              hint="copy into a new, empty database")
        report = []
        for t in tables:
            rows = src.execute(select(t)).mappings()
            copied = 0
            while True:
                chunk = rows.fetchmany(BATCH)
                if not chunk:
                    break
                dst.execute(insert(t), [dict(r) for r in chunk])
                copied += len(chunk)
            report.append({"table": t.name, "source": src.execute(select(func.count()).select_from(t)).scalar(),
                           "copied": copied})
        dst.flush()
        for r in report:
            t = next(x for x in tables if x.name == r["table"])
            r["target"] = dst.execute(select(func.count()).select_from(t)).scalar()
        bad = [r for r in report if not (r["source"] == r["copied"] == r["target"])]
        if bad:
            raise CgovError(f"row counts differ after copying {bad[0]['table']} "
                            f"({bad[0]['source']} in source, {bad[0]['target']} in target); nothing was kept")
        if target_engine.dialect.name == "postgresql":
            _reset_sequences(dst, tables)
    return report


def _reset_sequences(session, tables) -> None:
    # Rows kept their integer ids; new rows must be numbered after them.
    for t in tables:
        for col in t.primary_key.columns:
            if col.autoincrement is True or (col.autoincrement == "auto" and col.type.python_type is int):
                session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{t.name}', '{col.name}'), "
                    f"COALESCE((SELECT MAX({col.name}) FROM {t.name}), 0) + 1, false)"))
