"""Tables of volunteers and co-building: activities and the points ledger,
双报到 registrations, and the three lists (needs, resources, projects).

The ledger (`points_entry`) is append-only: cgov inserts rows and never
updates or deletes one; a correction is a new `adjust` entry with its reason.
Points are kept in hundredths (`points_c`) and time in minutes, so sums and
the balance check are exact whatever the configured rate."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from cgov.core.types import UTCDateTime

ENTRY_KINDS = ("earn", "redeem", "adjust")
PARTY_TYPES = ("organization", "person")
NEED_KINDS = ("need", "micro-wish")
NEED_STATUSES = ("open", "claimed", "fulfilled", "withdrawn")
RESOURCE_STATUSES = ("available", "withdrawn")
PROJECT_STATUSES = ("planned", "running", "done")
# What needs and resources are about: matching pairs them by these.
CATEGORIES = ("elderly", "children", "health", "education", "culture", "environment", "safety", "legal",
              "finance", "employment", "repair", "daily-life", "other")


class VolunteerActivity(SQLModel, table=True):
    """One volunteer activity (志愿服务活动): who organised it, where, when.
    Its participants are the ledger's earn entries that name it."""

    __tablename__ = "volunteer_activity"

    id: str = Field(primary_key=True)
    title: str
    organization_id: str = Field(foreign_key="organization.id", index=True)
    community_id: str = Field(foreign_key="area.id", index=True)
    at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    minutes: int | None = None  # each participant's service, unless given for them
    note: str | None = None
    recorded_by: str | None = None
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class PointsEntry(SQLModel, table=True):
    """One line of the points ledger. Append-only."""

    __tablename__ = "points_entry"
    __table_args__ = (
        # A person earns once for an activity. `earned_for` is the activity
        # for earn entries and NULL otherwise; NULLs never clash in a unique
        # constraint (SQLite and PostgreSQL alike), so redeems and
        # adjustments are free of it.
        UniqueConstraint("earned_for", "person_id", name="uq_points_entry_earned_for_person"),
        Index("ix_points_entry_person_at", "person_id", "at"),
        Index("ix_points_entry_community_at", "community_id", "at"),
        Index("ix_points_entry_kind_at", "kind", "at"),
    )

    id: str = Field(primary_key=True)
    person_id: str = Field(foreign_key="person.id")
    kind: str
    at: dt.datetime = Field(sa_type=UTCDateTime)
    activity_id: str | None = Field(default=None, foreign_key="volunteer_activity.id", index=True)
    earned_for: str | None = None
    community_id: str | None = Field(default=None, foreign_key="area.id")
    # earn: the organizer; redeem: where the points were exchanged.
    organization_id: str | None = Field(default=None, foreign_key="organization.id", index=True)
    reported_minutes: int | None = None  # earn: the service as reported, before steps and cap
    minutes: int = 0  # credited service (signed for adjustments)
    points_c: int = 0  # hundredths of a point: + earned, - redeemed, ± adjusted
    note: str | None = None  # redeem: what for; adjust: the reason
    recorded_by: str | None = None
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class Registration(SQLModel, table=True):
    """双报到: a co-building unit or an in-service party member registered
    with a community, with the services offered."""

    __tablename__ = "co_building_registration"

    id: str = Field(primary_key=True)
    community_id: str = Field(foreign_key="area.id", index=True)
    organization_id: str | None = Field(default=None, foreign_key="organization.id", index=True)
    person_id: str | None = Field(default=None, foreign_key="person.id", index=True)
    services: str = "[]"  # JSON list of the services offered
    start_date: dt.date
    end_date: dt.date | None = None
    note: str | None = None
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class Need(SQLModel, table=True):
    """需求清单: a need of residents or a grid; a micro-wish (微心愿) is a small
    need of one household."""

    __tablename__ = "need"

    id: str = Field(primary_key=True)
    title: str
    kind: str = Field(default="need", index=True)
    category: str = Field(index=True)
    description: str | None = None
    person_id: str | None = Field(default=None, foreign_key="person.id", index=True)  # who asked
    area_id: str | None = Field(default=None, foreign_key="area.id")
    community_id: str = Field(foreign_key="area.id", index=True)
    posted_at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    status: str = Field(default="open", index=True)
    claimed_by_type: str | None = None
    claimed_by: str | None = Field(default=None, index=True)
    claimed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    fulfilled_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    withdrawn_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = None  # how it was fulfilled, or why it was withdrawn
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class Resource(SQLModel, table=True):
    """资源清单: what a unit or a person offers, and where."""

    __tablename__ = "resource"

    id: str = Field(primary_key=True)
    title: str
    category: str = Field(index=True)
    description: str | None = None
    provider_type: str
    provider_id: str = Field(index=True)
    area_id: str = Field(foreign_key="area.id", index=True)
    offered_at: dt.datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="available", index=True)
    withdrawn_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = None  # why it was withdrawn
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class Project(SQLModel, table=True):
    """项目清单: a project that meets needs with resources, with an owner."""

    __tablename__ = "project"

    id: str = Field(primary_key=True)
    title: str
    description: str | None = None
    owner_type: str
    owner_id: str = Field(index=True)
    area_id: str = Field(foreign_key="area.id", index=True)
    status: str = Field(default="planned", index=True)
    planned_at: dt.datetime = Field(sa_type=UTCDateTime)
    started_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    done_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    note: str | None = None  # the result
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class ProjectNeed(SQLModel, table=True):
    """A need a project meets; a need belongs to one project at most."""

    __tablename__ = "project_need"

    id: int | None = Field(default=None, primary_key=True)
    project_id: str = Field(foreign_key="project.id", index=True)
    need_id: str = Field(foreign_key="need.id", unique=True)


class ProjectResource(SQLModel, table=True):
    """A resource a project uses; a resource may serve several projects."""

    __tablename__ = "project_resource"
    __table_args__ = (UniqueConstraint("project_id", "resource_id", name="uq_project_resource"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: str = Field(foreign_key="project.id", index=True)
    resource_id: str = Field(foreign_key="resource.id", index=True)


TABLES = [VolunteerActivity, PointsEntry, Registration, Need, Resource, Project, ProjectNeed, ProjectResource]
