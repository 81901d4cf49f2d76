"""Online backups of a SQLite store (the sqlite3 backup API), checked after."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from cgov.core.errors import CgovError


def sqlite_backup(engine, dest: Path) -> dict:
    dest = Path(dest)
    if dest.exists():
        raise CgovError(f"backup: {dest} already exists", hint="choose a new file name")
    if not dest.parent.is_dir():
        # As report -o does: a mistyped folder is an error, not a new tree.
        raise CgovError(f"backup: the folder {dest.parent} does not exist", hint="create it first, or choose another")
    os.close(os.open(dest, os.O_CREAT | os.O_WRONLY, 0o600))
    raw = engine.raw_connection()
    try:
        src = raw.driver_connection
        target = sqlite3.connect(dest)
        try:
            src.backup(target)
            result = target.execute("PRAGMA integrity_check").fetchone()[0]
            pages = target.execute("PRAGMA page_count").fetchone()[0]
        finally:
            target.close()
    finally:
        raw.close()
    os.chmod(dest, 0o600)
    if result != "ok":
        dest.unlink(missing_ok=True)
        raise CgovError(f"backup: the copy failed its integrity check ({result}); removed it")
    return {"path": str(dest), "pages": pages, "bytes": dest.stat().st_size, "integrity": result}
