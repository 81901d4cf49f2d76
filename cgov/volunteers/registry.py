"""双报到: co-building units (共建单位) and in-service party members (在职党员)
register with a community, with the services they offer; the community
sees who has registered, who has served this year and who has not.

Served, in the community during the year, means any of: organised a
volunteer activity there (a unit), earned points at one there (a person),
had a case there dispatched to them (派单), met a need or micro-wish there,
or owned a project there that was under way."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, or_
from sqlmodel import select

from cgov.cases.models import Case, CaseEvent
from cgov.core import audit, clock
from cgov.core.errors import Invalid, NotFound, Refused
from cgov.org.models import Area, Organization, Person
from cgov.org.service import descendants
from cgov.volunteers import common, points
from cgov.volunteers.models import Need, Project, Registration, VolunteerActivity
from cgov.volunteers.rules import hours

UNIT_CLASS = "co-building-unit"
PARTY_MEMBERS = ("full", "probationary")


def _today(on: dt.date | None) -> dt.date:
    return on or clock.to_local(clock.now()).date()


def _current(q, on: dt.date):
    return q.where(or_(Registration.end_date.is_(None), Registration.end_date > on))


def services_list(values) -> list[str]:
    out: list[str] = []
    for v in values or []:
        v = common.text(v)
        if v and v not in out:
            out.append(v)
    return out


def who_problem(session, kind: str, who_id: str, community: Area, check_home: bool = True) -> str | None:
    """Why this unit or person may not register with the community, or None."""
    if kind == "organization":
        org = session.get(Organization, who_id)
        if org.classification != UNIT_CLASS:
            return (f"{org.name} ({org.id}) is a {org.classification}; 双报到 registers co-building units "
                    f"({UNIT_CLASS}) and in-service party members")
        return None
    p = session.get(Person, who_id)
    if p.party_status not in PARTY_MEMBERS:
        status = p.party_status or "none"
        return (f"{p.name} ({p.id}) is not a party member (party status: {status}); 双报到 registers "
                "in-service party members and co-building units")
    home = common.home_community(session, p) if check_home else None
    if home is not None and home.id != community.id:
        return (f"{p.name} ({p.id}) lives in {home.name} ({home.id}); in-service party members register with "
                "the community where they live")
    return None


def current_registration(session, kind: str, who_id: str, community_id: str, on: dt.date) -> Registration | None:
    col = Registration.organization_id if kind == "organization" else Registration.person_id
    return session.exec(_current(select(Registration).where(col == who_id, Registration.community_id == community_id),
                                 on)).first()


def registered(session, community_id: str, on: dt.date | None = None) -> set[tuple[str, str]]:
    """(type, id) of every unit and person registered with the community."""
    q = _current(select(Registration).where(Registration.community_id == community_id), _today(on))
    return {("organization", r.organization_id) if r.organization_id else ("person", r.person_id)
            for r in session.exec(q)}


def register(session, who: str, community: str, services: list[str], on: dt.date | None = None,
             note: str | None = None) -> dict:
    """Register a unit or an in-service party member with a community."""
    on = _today(on)
    kind, who_id = common.resolve_party(session, who, "who registers")
    c = common.community(session, community)
    problem = who_problem(session, kind, who_id, c)
    if problem:
        raise Refused(problem)
    offered = services_list(services)
    if not offered:
        raise Invalid("say which services are offered: --service 金融知识讲座 (repeat for more)")
    dup = current_registration(session, kind, who_id, c.id, on)
    if dup is not None:
        raise Refused(f"{who_id} is already registered with {c.name} ({c.id}) since {dup.start_date} ({dup.id})")
    reg = Registration(id=common.new_id(session, "registration", Registration), community_id=c.id,
                       organization_id=who_id if kind == "organization" else None,
                       person_id=who_id if kind == "person" else None,
                       services=json.dumps(offered, ensure_ascii=False), start_date=on, note=common.text(note),
                       created_at=clock.now())
    session.add(reg)
    session.flush()
    audit.record(session, "registration.add", entity="co_building_registration", ids=[reg.id, who_id, c.id],
                 detail={"services": offered, "start_date": on})
    return show_registration(session, reg.id)


def end_registration(session, who: str, community: str, on: dt.date | None = None) -> dict:
    on = _today(on)
    kind, who_id = common.resolve_party(session, who, "who registers")
    c = common.community(session, community)
    reg = current_registration(session, kind, who_id, c.id, on)
    if reg is None:
        raise NotFound(f"{who_id} is not registered with {c.name} ({c.id}) on {on}")
    if on < reg.start_date:
        raise Invalid(f"the end {on} is before the registration's start {reg.start_date}")
    reg.end_date = on
    session.add(reg)
    session.flush()
    audit.record(session, "registration.end", entity="co_building_registration", ids=[reg.id, who_id, c.id],
                 detail={"end_date": on})
    return show_registration(session, reg.id)


def show_registration(session, rid: str) -> dict:
    reg = session.get(Registration, rid)
    if reg is None:
        raise NotFound(f"no registration '{rid}'")
    return _rows(session, [reg])[0]


def _rows(session, regs: list[Registration]) -> list[dict]:
    names = common.party_names(session, [("organization", r.organization_id) if r.organization_id
                                         else ("person", r.person_id) for r in regs])
    areas = common.names(session, Area, [r.community_id for r in regs])
    rows = []
    for r in regs:
        kind, who = ("organization", r.organization_id) if r.organization_id else ("person", r.person_id)
        rows.append({"id": r.id, "community": r.community_id, "community_name": areas.get(r.community_id),
                     "type": kind, "who": who, "name": names.get((kind, who)), "services": json.loads(r.services),
                     "start_date": r.start_date, "end_date": r.end_date, "note": r.note})
    return rows


SERVED = ("served", "not-served")


def registrations(session, community: str | None = None, year: int | None = None, served: str | None = None,
                  include_ended: bool = False, on: dt.date | None = None) -> list[dict]:
    """Who has registered (with a community, or with any), and what each has
    done there in the year (default this year): activities, hours, cases
    dispatched to them, needs met, projects under way. `served` keeps those
    who have ('served') or have not ('not-served')."""
    if served is not None and served not in SERVED:
        raise Invalid(f"'{served}' is not one of: {', '.join(SERVED)}")
    on = _today(on)
    year = year or on.year
    start, end = common.year_period(year)
    q = select(Registration)
    if community:
        q = q.where(Registration.community_id == common.community(session, community).id)
    if not include_ended:
        q = _current(q, on)
    regs = list(session.exec(q.order_by(Registration.community_id, Registration.start_date, Registration.id)))
    rows = _rows(session, regs)
    done: dict = {}
    for cid in {r["community"] for r in rows}:
        done[cid] = service_in(session, cid, start, end)
    for r in rows:
        figures = done[r["community"]].get((r["type"], r["who"]), {})
        r.update({k: figures.get(k, 0) for k in ("activities", "hours", "dispatches", "needs_met", "projects")})
        r["last_served"] = figures.get("last")
        r["served"] = bool(figures)
        r["year"] = year
    if served:
        rows = [r for r in rows if r["served"] == (served == "served")]
    return rows


def service_in(session, community_id: str, start: dt.datetime, end: dt.datetime) -> dict:
    """(type, id) -> what that unit or person did for the community in
    [start, end): activities, hours, dispatches, needs_met, projects, last."""
    out: dict = {}

    def add(key, what, count, last, hours_=None):
        row = out.setdefault(key, {})
        row[what] = row.get(what, 0) + count
        if hours_ is not None:
            row["hours"] = row.get("hours", 0) + hours_
        if last is not None and (row.get("last") is None or last > row["last"]):
            row["last"] = last

    for org, n, last in session.execute(
            select(VolunteerActivity.organization_id, func.count(), func.max(VolunteerActivity.at)).where(
                VolunteerActivity.community_id == community_id, VolunteerActivity.at >= start,
                VolunteerActivity.at < end).group_by(VolunteerActivity.organization_id)):
        add(("organization", org), "activities", n, last)
    for pid, (n, minutes, last) in points.served_by(session, start, end, community_id).items():
        if n or minutes > 0:
            add(("person", pid), "activities", n, last, hours(minutes))
    for htype, hid, n, last in session.execute(
            select(CaseEvent.handler_type, CaseEvent.handler_id, func.count(), func.max(CaseEvent.at))
            .join(Case, Case.id == CaseEvent.case_id).where(
                CaseEvent.kind == "dispatch", Case.community_id == community_id, CaseEvent.at >= start,
                CaseEvent.at < end).group_by(CaseEvent.handler_type, CaseEvent.handler_id)):
        add((htype, hid), "dispatches", n, last)
    for ctype, cid, n, last in session.execute(
            select(Need.claimed_by_type, Need.claimed_by, func.count(), func.max(Need.fulfilled_at)).where(
                Need.status == "fulfilled", Need.community_id == community_id, Need.fulfilled_at >= start,
                Need.fulfilled_at < end).group_by(Need.claimed_by_type, Need.claimed_by)):
        add((ctype, cid), "needs_met", n, last)
    inside = descendants(session, community_id)
    for otype, oid, started, done in session.execute(
            select(Project.owner_type, Project.owner_id, Project.started_at, Project.done_at).where(
                Project.area_id.in_(inside), Project.started_at.is_not(None), Project.started_at < end,
                or_(Project.done_at.is_(None), Project.done_at >= start))):
        # Under way in the year: its last moment there is when it was done,
        # else when it started (if that fell in the year).
        last = done if done is not None and done < end else started if started >= start else None
        add((otype, oid), "projects", 1, last)
    return out
