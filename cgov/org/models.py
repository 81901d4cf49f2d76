"""Org chart tables: areas, organizations, persons and their posts."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from cgov.core.types import UTCDateTime

AREA_CLASSES = ("district", "street", "town", "community", "village", "grid", "building")
# What may sit directly under what: a grid never inside a building, etc.
AREA_PARENTS = {
    "district": (),
    "street": ("district",),
    "town": ("district",),
    "community": ("street", "town", "district"),
    "village": ("town", "street", "district"),
    "grid": ("community", "village"),
    "building": ("grid", "community", "village"),
}
ORG_CLASSES = (
    "party-working-committee", "party-committee", "party-general-branch", "party-branch",
    "party-group", "party-work-group", "residents-committee", "villagers-committee",
    "supervisory-committee", "owners-committee", "property-company", "department",
    "co-building-unit", "social-organization", "volunteer-team",
)
PARTY_CLASSES = ORG_CLASSES[:6]
ROLES = (
    "secretary", "deputy-secretary", "director", "deputy-director", "member", "grid-leader",
    "grid-worker", "building-leader", "red-butler", "manager", "volunteer", "representative",
    "contact", "community-police", "lawyer", "mediator", "social-worker",
)
PARTY_STATUSES = ("full", "probationary", "activist")
GENDERS = ("male", "female")


class Area(SQLModel, table=True):
    __tablename__ = "area"

    id: str = Field(primary_key=True)
    name: str = Field(index=True)
    classification: str = Field(index=True)
    code: str | None = None
    parent_id: str | None = Field(default=None, foreign_key="area.id", index=True)
    households: int | None = None
    population: int | None = None
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class Organization(SQLModel, table=True):
    __tablename__ = "organization"

    id: str = Field(primary_key=True)
    name: str = Field(index=True)
    classification: str = Field(index=True)
    area_id: str | None = Field(default=None, foreign_key="area.id", index=True)
    parent_id: str | None = Field(default=None, foreign_key="organization.id", index=True)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: str = Field(primary_key=True)
    name: str = Field(index=True)
    gender: str | None = None
    birth_date: dt.date | None = None
    id_number: str | None = Field(default=None, unique=True)
    phone: str | None = Field(default=None, index=True)
    home_id: str | None = Field(default=None, foreign_key="area.id", index=True)
    party_status: str | None = None
    party_joined: dt.date | None = None
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class Membership(SQLModel, table=True):
    """A post: a person in an organization or responsible for an area, with a role."""

    __tablename__ = "membership"

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id", index=True)
    organization_id: str | None = Field(default=None, foreign_key="organization.id", index=True)
    area_id: str | None = Field(default=None, foreign_key="area.id", index=True)
    role: str = Field(index=True)
    full_time: bool | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
