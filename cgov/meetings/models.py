"""Meetings, their attendance, agenda, motions and votes, action items,
disclosure and addenda; meeting types and schedules; matters (四议两公开).

Minutes must not change silently once public, so a meeting keeps copies of
what it was held under: the type's name and rules, and the names of the
organizations and people as they were on the day. A later edit to the
roster or to a meeting type then cannot rewrite old minutes. What was made
public is kept verbatim (`published_text`) beside its SHA-256."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from cgov.core.types import UTCDateTime

METHODS = ("show-of-hands", "secret-ballot", "roll-call")
CHOICES = ("yes", "no", "abstain")
STAGES = ("propose", "discuss", "review", "resolve", "publish-resolution", "publish-result")


class MeetingTypeRow(SQLModel, table=True):
    """A meeting type given in YAML: overrides a shipped default or adds one."""

    __tablename__ = "meeting_type"

    code: str = Field(primary_key=True)
    name: str
    name_en: str
    quorum: str | None = None  # rule text, e.g. ">= 2/3 entitled"; None: no quorum
    passing: str
    voters: str = "all"
    entitled: str = "members"
    schedule: str | None = None
    scheduled_for: str = ""  # comma-separated organization classifications


class MeetingSchedule(SQLModel, table=True):
    """One organization's own schedule for a meeting type ("none" exempts it)."""

    __tablename__ = "meeting_schedule"
    __table_args__ = (UniqueConstraint("type", "organization_id"),)

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(index=True)
    organization_id: str = Field(foreign_key="organization.id", index=True)
    schedule: str


class Meeting(SQLModel, table=True):
    __tablename__ = "meeting"

    id: str = Field(primary_key=True)
    type: str = Field(index=True)
    # The type as it stood when the meeting was held.
    type_name: str
    type_name_en: str
    quorum_rule: str | None = None
    passing_rule: str
    voters: str
    entitled_rule: str
    title: str
    organization_id: str = Field(foreign_key="organization.id", index=True)
    organization_name: str
    at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    place: str | None = None
    chair_id: str | None = Field(default=None, foreign_key="person.id")
    chair_name: str | None = None
    recorder_id: str | None = Field(default=None, foreign_key="person.id")
    recorder_name: str | None = None
    entitled_count: int | None = None  # given at the meeting, not from the roster
    present_count: int | None = None  # counted at the meeting, without a name list
    minutes: str | None = Field(default=None, sa_column=Column(Text))
    published_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    published_where: str | None = None
    published_text: str | None = Field(default=None, sa_column=Column(Text))
    content_hash: str | None = None
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class MeetingConvener(SQLModel, table=True):
    """A further organization convening a meeting with the first (三方联席会, 两委)."""

    __tablename__ = "meeting_convener"
    __table_args__ = (UniqueConstraint("meeting_id", "organization_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: str = Field(foreign_key="meeting.id", index=True)
    organization_id: str = Field(foreign_key="organization.id", index=True)
    organization_name: str
    position: int


class Attendance(SQLModel, table=True):
    """One person at (or entitled to) a meeting.

    kind: "entitled" (on the roster of the convening organizations),
    "participant" (came to a meeting open to all) or "guest" (列席).
    votes: whether they count towards quorum and vote (a probationary party
    member or a guest does not). status: "present" or "absent"."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: str = Field(foreign_key="meeting.id", index=True)
    person_id: str | None = Field(default=None, foreign_key="person.id", index=True)
    name: str
    kind: str
    votes: bool
    party_status: str | None = None
    role: str | None = None
    status: str = "absent"
    reason: str | None = None


class AgendaItem(SQLModel, table=True):
    __tablename__ = "meeting_agenda_item"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: str = Field(foreign_key="meeting.id", index=True)
    position: int
    text: str


class Motion(SQLModel, table=True):
    """A motion and its vote (one vote per motion). The result is not stored:
    it follows from the counts, the attendance and the meeting's rules."""

    __tablename__ = "meeting_motion"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: str = Field(primary_key=True)
    meeting_id: str = Field(foreign_key="meeting.id", index=True)
    position: int
    item: int | None = None  # agenda item position
    text: str = Field(sa_column=Column(Text, nullable=False))
    method: str | None = None
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    voted_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class Ballot(SQLModel, table=True):
    """How one person voted in a roll call."""

    __tablename__ = "meeting_ballot"
    __table_args__ = (UniqueConstraint("motion_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    motion_id: str = Field(foreign_key="meeting_motion.id", index=True)
    person_id: str = Field(foreign_key="person.id")
    name: str
    choice: str


class ActionItem(SQLModel, table=True):
    """A decision to carry out (清单办): who, by when, and the case tracking it."""

    __tablename__ = "meeting_action"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: str = Field(foreign_key="meeting.id", index=True)
    position: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    owner_kind: str  # "organization" or "person"
    owner_id: str
    owner_name: str
    due: dt.date = Field(index=True)
    motion_id: str | None = Field(default=None, foreign_key="meeting_motion.id")
    case_id: str | None = Field(default=None, index=True)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class Addendum(SQLModel, table=True):
    """A dated note appended to minutes (after publication the only change)."""

    __tablename__ = "meeting_addendum"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: str = Field(foreign_key="meeting.id", index=True)
    position: int
    at: dt.datetime = Field(sa_type=UTCDateTime)
    text: str = Field(sa_column=Column(Text, nullable=False))


class Matter(SQLModel, table=True):
    """A major matter going through 四议两公开."""

    __tablename__ = "matter"

    id: str = Field(primary_key=True)
    title: str
    description: str | None = Field(default=None, sa_column=Column(Text))
    community_id: str = Field(foreign_key="area.id", index=True)
    stage: str | None = Field(default=None, index=True)  # the last stage reached
    stage_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class MatterStep(SQLModel, table=True):
    __tablename__ = "matter_step"
    __table_args__ = (UniqueConstraint("matter_id", "stage"),)

    id: int | None = Field(default=None, primary_key=True)
    matter_id: str = Field(foreign_key="matter.id", index=True)
    stage: str
    position: int
    at: dt.datetime = Field(sa_type=UTCDateTime)
    meeting_id: str | None = Field(default=None, foreign_key="meeting.id", index=True)
    motion_id: str | None = Field(default=None, foreign_key="meeting_motion.id")
    place: str | None = None


TABLES: list = [MeetingTypeRow, MeetingSchedule, Meeting, MeetingConvener, Attendance, AgendaItem,
                Motion, Ballot, ActionItem, Addendum, Matter, MatterStep]
