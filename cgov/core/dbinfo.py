"""What `cgov db info` and `cgov db check` report."""

from __future__ import annotations

from sqlalchemy import inspect, text


def info(session, engine) -> dict:
    from cgov import migrations
    from cgov.core.store import sqlite_path

    st = migrations.status(engine)
    tables = []
    for name in sorted(inspect(session.connection()).get_table_names()):
        n = session.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar()
        tables.append({"table": name, "rows": n})
    path = sqlite_path(str(engine.url))
    return {
        "database": str(path) if path else engine.url.render_as_string(hide_password=True),
        "dialect": engine.dialect.name,
        "schema_version": st["version"],
        "latest": st["latest"],
        "bytes": path.stat().st_size if path and path.exists() else None,
        "tables": tables,
    }


def check(session) -> dict:
    checks = []
    if session.bind.dialect.name == "sqlite":
        integrity = [r[0] for r in session.execute(text("PRAGMA integrity_check"))]
        checks.append({"check": "integrity", "result": "; ".join(integrity)})
        fk = session.execute(text("PRAGMA foreign_key_check")).fetchall()
        checks.append({"check": "foreign keys",
                       "result": "ok" if not fk else f"{len(fk)} broken references, first in {fk[0][0]}"})
    else:
        session.execute(text("SELECT 1"))
        checks.append({"check": "connection", "result": "ok"})
    ok = all(c["result"] == "ok" for c in checks)
    return {"ok": ok, "checks": checks}
