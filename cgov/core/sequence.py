"""Named counters for ids that must never repeat (C2026-000123, A-0001)."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Field, Session, SQLModel


class Counter(SQLModel, table=True):
    __tablename__ = "cgov_counter"

    name: str = Field(primary_key=True)
    value: int = 0


def next_value(session: Session, name: str) -> int:
    """Increment and return in one statement, inside the caller's write
    transaction: two writers can never both get the same number."""
    row = session.execute(
        text("UPDATE cgov_counter SET value = value + 1 WHERE name = :n RETURNING value"),
        {"n": name},
    ).first()
    if row is None:
        session.execute(text("INSERT INTO cgov_counter (name, value) VALUES (:n, 1)"), {"n": name})
        return 1
    return row[0]


def ensure_at_least(session: Session, name: str, value: int) -> None:
    """After importing history with explicit numbers, new numbers start above them."""
    cur = session.get(Counter, name)
    if cur is None:
        session.add(Counter(name=name, value=value))
    elif cur.value < value:
        cur.value = value
    session.flush()
