"""Access-list tables: the items, their dated history, requests turned away,
and the holidays the working-day limit skips.

An item's `status` is the state its last history event left it in; the
history (`access_event`) is the record, the status column is there so lists
can filter on it. "Expired" is not stored: an admitted item whose
`valid_until` has passed shows as expired from the next day on."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from cgov.core.types import UTCDateTime

KINDS = ("duty", "assist", "negative")
STATUSES = ("pending", "admitted", "rejected", "revoked")
# What `list --status` accepts: the stored states and the derived one.
SHOWN_STATUSES = STATUSES + ("expired",)
ACTIONS = ("apply", "add", "approve", "reject", "revoke")
# (status before, action) -> status after; None is "not on the list yet".
TRANSITIONS = {
    (None, "apply"): "pending",
    (None, "add"): "admitted",
    ("pending", "approve"): "admitted",
    ("pending", "reject"): "rejected",
    ("admitted", "revoke"): "revoked",
}
# Decisions must say why; an approval may carry a note.
NEEDS_REASON = ("reject", "revoke")
VERDICTS = ("admitted", "refused", "not-listed")


class AccessItem(SQLModel, table=True):
    __tablename__ = "access_item"

    id: str = Field(primary_key=True)
    name: str = Field(index=True)
    department_id: str = Field(foreign_key="organization.id", index=True)
    kind: str = Field(index=True)
    basis: str | None = None  # legal basis: the law or document that makes it the community's task
    funding: int | None = None  # CNY a year, whole yuan
    conditions: str | None = None  # working conditions the department provides
    valid_from: dt.date | None = None
    valid_until: dt.date | None = Field(default=None, index=True)
    status: str = Field(index=True)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class AccessEvent(SQLModel, table=True):
    """One step of an item's history: applied, added, approved, rejected, revoked."""

    __tablename__ = "access_event"

    id: int | None = Field(default=None, primary_key=True)
    item_id: str = Field(foreign_key="access_item.id", index=True)
    at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    action: str = Field(index=True)
    status: str  # the item's status after this step
    reason: str | None = None
    actor: str | None = None


class AccessRefusal(SQLModel, table=True):
    """A department's request the community turned away: the evidence of the burden cut."""

    __tablename__ = "access_refusal"

    id: str = Field(primary_key=True)
    at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    department_id: str = Field(foreign_key="organization.id", index=True)
    request: str
    item_id: str | None = Field(default=None, foreign_key="access_item.id", index=True)
    reason: str | None = None
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class AccessHoliday(SQLModel, table=True):
    """A day the working-day count treats differently from Monday–Friday:
    a public holiday on a weekday, or (working=True) a weekend make-up day (调休)."""

    __tablename__ = "access_holiday"

    day: dt.date = Field(primary_key=True)
    name: str | None = None
    working: bool = False


TABLES = [AccessItem, AccessEvent, AccessRefusal, AccessHoliday]
