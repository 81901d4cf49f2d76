"""Volunteers and co-building: the figures of a period, for the weekly report.

The rules live with the records they govern, each a service over a Session
that prints nothing:
  points.py    activities, the append-only points ledger, balances, ranks
  rules.py     the points rule (rate, steps, cap, star levels) as data
  registry.py  双报到 registrations and who has served
  lists.py     needs and micro-wishes, resources, projects, matching"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import select

from cgov.core import clock
from cgov.core.errors import Invalid
from cgov.volunteers import common
from cgov.volunteers.models import Need, PointsEntry, Project, Registration, VolunteerActivity
from cgov.volunteers.rules import hours, number


def _count(session, q) -> int:
    return session.exec(q).one() or 0


def period_figures(session, start: dt.datetime, end: dt.datetime, area: str | None = None) -> dict:
    """The volunteers' part of a report for [start, end), under `area` (by
    community: an area inside one counts its community): activities held,
    volunteers who served, hours served and points earned (corrections in
    hours and points of the period counted apart), points redeemed, wishes
    and other needs posted and fulfilled, projects started and done, units
    and party members newly registered (双报到)."""
    if end <= start:
        raise Invalid(f"the period ends ({clock.fmt_local(end)}) before it starts ({clock.fmt_local(start)})")
    inside = common.scope(session, area)
    placed = common.area_scope(session, area)  # projects sit in any area, a town's or a grid's

    def within(q, at_col, area_col, where=inside):
        q = q.where(at_col >= start, at_col < end)
        return q if where is None else q.where(area_col.in_(where))

    by_kind = {kind: (n, minutes or 0, points_c or 0) for kind, n, minutes, points_c in session.execute(
        within(select(PointsEntry.kind, func.count(), func.sum(PointsEntry.minutes), func.sum(PointsEntry.points_c)),
               PointsEntry.at, PointsEntry.community_id).group_by(PointsEntry.kind))}
    earn, redeem, adjust = (by_kind.get(k, (0, 0, 0)) for k in ("earn", "redeem", "adjust"))
    volunteers = _count(session, within(select(func.count(func.distinct(PointsEntry.person_id))).where(
        PointsEntry.kind == "earn"), PointsEntry.at, PointsEntry.community_id))
    activities = _count(session, within(select(func.count()).select_from(VolunteerActivity),
                                        VolunteerActivity.at, VolunteerActivity.community_id))

    def needs(kind, at_col):
        return _count(session, within(select(func.count()).select_from(Need).where(Need.kind == kind),
                                      at_col, Need.community_id))

    def projects(at_col):
        return _count(session, within(select(func.count()).select_from(Project), at_col, Project.area_id, placed))

    first = clock.to_local(start).date()
    last = clock.to_local(end - dt.timedelta(microseconds=1)).date()
    regs = select(func.count()).select_from(Registration).where(Registration.start_date >= first,
                                                               Registration.start_date <= last)
    if inside is not None:
        regs = regs.where(Registration.community_id.in_(inside))
    return {
        "activities": activities, "volunteers": volunteers,
        "hours_served": hours(earn[1]), "points_earned": number(earn[2]),
        "hours_adjusted": hours(adjust[1]), "points_adjusted": number(adjust[2]),
        "redemptions": redeem[0], "points_redeemed": number(-redeem[2]),
        "wishes_posted": needs("micro-wish", Need.posted_at), "wishes_fulfilled": needs("micro-wish", Need.fulfilled_at),
        "needs_posted": needs("need", Need.posted_at), "needs_fulfilled": needs("need", Need.fulfilled_at),
        "projects_started": projects(Project.started_at), "projects_done": projects(Project.done_at),
        "registrations": _count(session, regs),
    }
