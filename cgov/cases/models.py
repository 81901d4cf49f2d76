"""Case tables: the cases, their timelines, and the categories that extend or
replace the shipped taxonomy (cgov/cases/taxonomy.py).

A case row carries, beside what was reported, the state its timeline leads to
(status, current handler, deadlines after extensions, first and last close,
rating): lists and metrics filter and count on those columns in SQL instead of
replaying timelines. `flow.apply_event` is the one place that keeps them in
step with the events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from cgov.core.types import UTCDateTime

STATUSES = ("new", "accepted", "rejected", "dispatched", "replied", "closed", "rated", "cancelled")
OPEN_STATUSES = ("new", "accepted", "dispatched", "replied")
SOURCES = ("patrol", "visit", "hotline", "qr-code", "wechat", "walk-in", "meeting", "other")
REQUEST_TYPES = ("consultation", "help", "complaint", "report", "suggestion")
PRIORITIES = ("normal", "urgent")
SATISFACTION = ("satisfied", "basic", "dissatisfied")
EVENT_KINDS = ("accept", "reject", "dispatch", "reply", "close", "rate", "reopen", "extend",
               "escalate", "cancel", "link")
HANDLER_TYPES = ("organization", "person")
MAX_ESCALATION = 3


class Case(SQLModel, table=True):
    # "case" is an SQL keyword; a plain name saves quoting in every raw query.
    __tablename__ = "case_record"
    __table_args__ = (
        # open_overdue: still open (closed_at null, or closed after the end)
        # and past resolve-by, without walking every closed case.
        Index("ix_case_record_closed_at_resolve_by", "closed_at", "resolve_by"),
    )

    id: str = Field(primary_key=True)
    title: str
    description: str | None = None
    category: str | None = Field(default=None, index=True)
    building_id: str | None = Field(default=None, foreign_key="area.id", index=True)
    grid_id: str | None = Field(default=None, foreign_key="area.id", index=True)
    community_id: str | None = Field(default=None, foreign_key="area.id", index=True)
    source: str = Field(default="other", index=True)
    request_type: str = "help"
    priority: str = "normal"
    reporter_name: str | None = None
    reporter_phone: str | None = None
    reported_at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    respond_by: dt.datetime = Field(sa_type=UTCDateTime)
    due: dt.datetime = Field(sa_type=UTCDateTime)  # resolve-by as opened, before extensions
    # What the timeline leads to (kept by flow.apply_event):
    status: str = Field(default="new", index=True)
    resolve_by: dt.datetime = Field(sa_type=UTCDateTime, index=True)  # after extensions
    handler_type: str | None = None
    handler_id: str | None = Field(default=None, index=True)
    responded_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_closed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)  # None while open
    rated_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved: bool | None = None
    satisfaction: str | None = None
    escalation_level: int | None = None
    reopen_count: int = 0
    extension_count: int = 0
    duplicate_of: str | None = Field(default=None, index=True)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)  # time of the last event
    recorded_by: str | None = None
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class CaseEvent(SQLModel, table=True):
    """One step of a case's timeline: who did what, when, with the fields of its kind."""

    __tablename__ = "case_event"
    __table_args__ = (
        # The metrics count events of a kind in a period; open_overdue looks
        # up a case's closes and reopens before a time.
        Index("ix_case_event_kind_at", "kind", "at"),
        Index("ix_case_event_case_kind_at", "case_id", "kind", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="case_record.id")
    seq: int  # order within the case
    kind: str
    at: dt.datetime = Field(sa_type=UTCDateTime)
    actor: str | None = None
    note: str | None = None  # the reason, result or remark of the step
    handler_type: str | None = None  # dispatch
    handler_id: str | None = None
    resolved: bool | None = None  # rate
    satisfaction: str | None = None
    deadline: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)  # extend: new resolve-by
    previous_deadline: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    approver: str | None = None
    level: int | None = None  # escalate
    duplicate_of: str | None = None  # link


class CaseCategory(SQLModel, table=True):
    """A category given in YAML: replaces the shipped one with the same code,
    or extends the taxonomy."""

    __tablename__ = "case_category"

    code: str = Field(primary_key=True)
    name: str
    name_en: str | None = None
    parent: str | None = None
    respond_hours: int | None = None
    resolve_hours: int | None = None
    handler: str | None = None
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


TABLES = [Case, CaseEvent, CaseCategory]
