"""The volunteer points ledger (志愿者积分): activities and who served at
them, redemptions, corrections, balances, star levels and ranks.

The ledger is append-only. There is no function here that edits or deletes
an entry: a mistake is corrected by an `adjust` entry with its reason. A
balance never goes below zero, at any moment of the ledger: a redemption or
correction that would leave one short, now or before a later redemption, is
refused with the arithmetic. Points follow the rule in rules.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case as sql_case, func
from sqlmodel import select

from cgov.core import audit, clock
from cgov.core.errors import Invalid, Refused
from cgov.org.models import Area, Organization, Person
from cgov.org.service import get_org, get_person
from cgov.volunteers import common, rules
from cgov.volunteers.models import ENTRY_KINDS, PointsEntry, VolunteerActivity
from cgov.volunteers.rules import hours, number

# ---- activities ----------------------------------------------------------------------


def get_activity(session, ref: str) -> VolunteerActivity:
    return common.get_record(session, VolunteerActivity, ref, "volunteer activity",
                             "cgov points activity list shows the ids")


def activity_place(session, org: Organization, community: str | None) -> str:
    """The community an activity served: the one given, else the organizer's."""
    if community:
        return common.community(session, community).id
    from cgov.org.service import community_of

    c = community_of(session, org.area_id) if org.area_id else None
    if c is None:
        where = f"works at {org.area_id}" if org.area_id else "has no area"
        raise Invalid(f"{org.name} ({org.id}) {where}, not in one community: say which community the "
                      "activity served with --community")
    return c.id


def _new_activity(session, title: str, org: Organization, community_id: str, at: dt.datetime,
                  minutes: int | None, note: str | None, id: str | None = None) -> VolunteerActivity:
    act = VolunteerActivity(id=id or common.new_id(session, "activity", VolunteerActivity),
                            title=common.required(title, "the activity's title"), organization_id=org.id,
                            community_id=community_id, at=common.when(at), minutes=minutes,
                            note=common.text(note), recorded_by=session.info.get("actor"),
                            created_at=clock.now())
    session.add(act)
    session.flush()
    return act


def earn_entry(session, act: VolunteerActivity, person: Person, reported: int, rule: rules.Rule,
               credited: int | None = None, points_c: int | None = None, id: str | None = None) -> PointsEntry:
    """The earn entry of one participant: credited by the rule unless the
    credited minutes and points are given (a paper record says what it gave)."""
    taken = session.exec(select(PointsEntry.id).where(PointsEntry.earned_for == act.id,
                                                      PointsEntry.person_id == person.id)).first()
    if taken:
        raise Refused(f"{person.name} ({person.id}) already earned points for {act.id} '{act.title}' "
                      f"(entry {taken}); one activity earns once",
                      hint=f"to correct it: cgov points adjust {person.id} --activity {act.id} --hours ±H --reason …")
    if reported <= 0:
        raise Invalid(f"{person.name} ({person.id}): service of {hours(reported)} hours earns nothing")
    if credited is None:
        credited = rule.credit(reported)
        if credited <= 0:
            raise Invalid(f"{person.name} ({person.id}): {reported} minutes of service is less than one "
                          f"{rule.step_minutes}-minute step; nothing to credit")
    if points_c is None:
        points_c = rule.points(credited)
    entry = PointsEntry(id=id or common.new_id(session, "entry", PointsEntry), person_id=person.id, kind="earn",
                        at=act.at, activity_id=act.id, earned_for=act.id, community_id=act.community_id,
                        organization_id=act.organization_id, reported_minutes=reported, minutes=credited,
                        points_c=points_c, recorded_by=session.info.get("actor"), created_at=clock.now())
    session.add(entry)
    session.flush()
    return entry


def add_activity(session, title: str, organization: str, participants: list[tuple[str, int | None]],
                 minutes: int | None = None, community: str | None = None, at: dt.datetime | None = None,
                 note: str | None = None, rule: rules.Rule | None = None) -> dict:
    """Record an activity once with everyone who served at it (a batch earn).
    `participants` are (person, minutes or None for the activity's)."""
    rule = rule or rules.current()
    if not participants:
        raise Invalid("an activity needs at least one participant", hint="list them: p-0053 p-0067=3 …")
    org = get_org(session, organization)
    community_id = activity_place(session, org, community)
    people, seen = [], set()
    for ref, own in participants:
        person = get_person(session, ref)
        if person.id in seen:
            raise Invalid(f"{person.name} ({person.id}) is listed twice")
        seen.add(person.id)
        if own is None and minutes is None:
            raise Invalid(f"how long did {person.name} ({person.id}) serve? give --hours, or {person.id}=HOURS")
        people.append((person, own if own is not None else minutes))
    act = _new_activity(session, title, org, community_id, at, minutes, note)
    entries = [earn_entry(session, act, person, served, rule) for person, served in people]
    audit.record(session, "points.activity", entity="volunteer_activity", ids=[act.id, *[e.id for e in entries]],
                 detail={"title": act.title, "organization": org.id, "community": community_id,
                         "at": clock.iso_local(act.at), "participants": len(entries),
                         "points": number(sum(e.points_c for e in entries))})
    return show_activity(session, act.id)


def earn(session, person: str, activity: str, minutes: int | None = None, organization: str | None = None,
         community: str | None = None, at: dt.datetime | None = None, rule: rules.Rule | None = None) -> dict:
    """Credit one person for an activity: an activity id joins it; a title
    records a new activity organised by `organization`."""
    rule = rule or rules.current()
    p = get_person(session, person)
    key = common.required(activity, "--activity")
    act = session.get(VolunteerActivity, key) or session.get(VolunteerActivity, key.upper())
    if act is None:
        if not organization:
            raise Invalid(f"'{activity}' is not an activity id; to record a new activity, say who organised it "
                          "with --org", hint="cgov points activity list shows the ids")
        org = get_org(session, organization)
        act = _new_activity(session, activity, org, activity_place(session, org, community), at, minutes, None)
    else:
        _same_activity(session, act, organization, community, at)
    served = minutes if minutes is not None else act.minutes
    if served is None:
        raise Invalid(f"how long did {p.name} ({p.id}) serve at {act.id}? give --hours")
    entry = earn_entry(session, act, p, served, rule)
    audit.record(session, "points.earn", entity="points_entry", ids=[entry.id, p.id, act.id],
                 detail={"activity": act.id, "hours": hours(entry.minutes), "points": number(entry.points_c),
                         "reported_hours": hours(entry.reported_minutes), "at": clock.iso_local(entry.at)})
    return entry_row(session, entry)


def _same_activity(session, act: VolunteerActivity, organization, community, at) -> None:
    """Options given for an existing activity must agree with it."""
    if organization and get_org(session, organization).id != act.organization_id:
        raise Invalid(f"{act.id} was organised by {act.organization_id}, not {organization}")
    if community and common.community(session, community).id != act.community_id:
        raise Invalid(f"{act.id} served {act.community_id}, not {community}")
    if at and common.seconds(at) != act.at:
        raise Invalid(f"{act.id} took place at {clock.fmt_local(act.at)}; its participants earn at that time",
                      hint="leave out --at")


# ---- redemptions and corrections ------------------------------------------------------


@dataclass
class Shortfall:
    entry: object  # the entry (row or PointsEntry) at which the balance goes below zero
    before: int
    after: int


def ledger_order(e) -> tuple:
    # Credits before debits at the same moment, then in the order recorded.
    return (e.at, e.points_c < 0, e.id)


def shortfall(entries) -> Shortfall | None:
    """The first entry, in the ledger's order, after which the balance is
    below zero."""
    balance = 0
    for e in sorted(entries, key=ledger_order):
        before, balance = balance, balance + e.points_c
        if balance < 0:
            return Shortfall(e, before, balance)
    return None


def shortfall_message(short: Shortfall, new, name: str) -> str:
    verb = "redeeming" if new.kind == "redeem" else "taking off"
    if short.entry is new:
        return (f"{name} has {number(short.before)} points on {clock.fmt_local(new.at)}; {verb} "
                f"{number(-new.points_c)} would leave {number(short.before)} - {number(-new.points_c)} = "
                f"{number(short.after)}")
    did = f"{verb} {number(-new.points_c)} points on {clock.fmt_local(new.at)}"
    e = short.entry
    return (f"{did} would leave {name} short for {e.id} ({e.kind} of {number(-e.points_c)} on "
            f"{clock.fmt_local(e.at)}): the balance would be {number(short.before)} - {number(-e.points_c)} "
            f"= {number(short.after)}")


def _person_entries(session, person_id: str) -> list[PointsEntry]:
    return list(session.exec(select(PointsEntry).where(PointsEntry.person_id == person_id)))


def _append(session, entry: PointsEntry, person: Person, hint: str) -> None:
    """Add a debit or correction if no balance goes below zero by it."""
    short = shortfall([*_person_entries(session, person.id), entry])
    if short is not None:
        raise Refused(shortfall_message(short, entry, f"{person.name} ({person.id})"), hint=hint)
    session.add(entry)
    session.flush()


def redeem(session, person: str, points_c: int, what: str, organization: str | None = None,
           community: str | None = None, at: dt.datetime | None = None) -> dict:
    """Exchange points for goods or services (积分兑换)."""
    p = get_person(session, person)
    if points_c <= 0:
        raise Invalid("--points: redeem a number of points above 0")
    what = common.required(what, "--for (what the points are exchanged for)")
    org = get_org(session, organization).id if organization else None
    if community:
        community_id = common.community(session, community).id
    else:
        home = common.home_community(session, p)
        community_id = home.id if home else None
    entry = PointsEntry(id=common.new_id(session, "entry", PointsEntry), person_id=p.id, kind="redeem",
                        at=common.when(at), community_id=community_id, organization_id=org,
                        points_c=-points_c, note=what, recorded_by=session.info.get("actor"),
                        created_at=clock.now())
    _append(session, entry, p, "a balance never goes below zero; cgov points balance shows it")
    audit.record(session, "points.redeem", entity="points_entry", ids=[entry.id, p.id],
                 detail={"points": number(points_c), "for": what, "organization": org,
                         "at": clock.iso_local(entry.at)})
    return entry_row(session, entry)


def adjust(session, person: str, reason: str, points_c: int | None = None, minutes: int | None = None,
           activity: str | None = None, at: dt.datetime | None = None, rule: rules.Rule | None = None) -> dict:
    """A correction: a new entry of points and/or hours (either sign) with
    its reason; hours without points are worth what the rule gives them."""
    rule = rule or rules.current()
    p = get_person(session, person)
    reason = common.required(reason, "--reason (why the correction)")
    if not points_c and not minutes:
        raise Invalid("a correction changes points (--points) or hours (--hours), by a number other than 0")
    if points_c is None:
        points_c = rule.points(minutes)
    minutes = minutes or 0
    act = get_activity(session, activity) if activity else None
    if act is not None:
        _check_activity_hours(session, p, act, minutes, rule)
    elif minutes < 0:
        total = session.exec(select(func.coalesce(func.sum(PointsEntry.minutes), 0))
                             .where(PointsEntry.person_id == p.id)).one()
        if total + minutes < 0:
            raise Refused(f"{p.name} ({p.id}) has {hours(total)} hours of service; taking off "
                          f"{hours(-minutes)} would leave {hours(total + minutes)}")
    entry = PointsEntry(id=common.new_id(session, "entry", PointsEntry), person_id=p.id, kind="adjust",
                        at=common.when(at), activity_id=act.id if act else None,
                        community_id=act.community_id if act else None,
                        organization_id=act.organization_id if act else None, minutes=minutes,
                        points_c=points_c, note=reason, recorded_by=session.info.get("actor"),
                        created_at=clock.now())
    _append(session, entry, p, "points already redeemed stay redeemed; correct by fewer points")
    audit.record(session, "points.adjust", entity="points_entry", ids=[entry.id, p.id],
                 detail={"points": number(points_c), "hours": hours(minutes), "activity": entry.activity_id,
                         "reason": reason, "at": clock.iso_local(entry.at)})
    return entry_row(session, entry)


def _check_activity_hours(session, p: Person, act: VolunteerActivity, minutes: int, rule: rules.Rule) -> None:
    """A correction for an activity keeps the person's hours there between
    zero and the most one activity credits."""
    mine = session.exec(select(PointsEntry.kind, PointsEntry.minutes).where(
        PointsEntry.person_id == p.id, PointsEntry.activity_id == act.id)).all()
    if not any(kind == "earn" for kind, _ in mine):
        raise Refused(f"{p.name} ({p.id}) has no entry for {act.id} '{act.title}' to correct",
                      hint=f"to credit them for it: cgov points earn {p.id} --activity {act.id} --hours H")
    now = sum(m for _, m in mine)
    after = now + minutes
    if after > rule.max_minutes:
        raise Refused(f"{p.name} ({p.id}) has {hours(now)} hours for {act.id}; adding {hours(minutes)} would make "
                      f"{hours(after)}, above the {hours(rule.max_minutes)} hours one activity credits at most")
    if after < 0:
        raise Refused(f"{p.name} ({p.id}) has {hours(now)} hours for {act.id}; taking off {hours(-minutes)} "
                      f"would leave {hours(after)}")


# ---- reading ------------------------------------------------------------------------------


def _entry_names(session, entries) -> dict:
    return {"person": common.names(session, Person, [e.person_id for e in entries]),
            "organization": common.names(session, Organization, [e.organization_id for e in entries]),
            "area": common.names(session, Area, [e.community_id for e in entries]),
            "activity": common.pairs(session, VolunteerActivity.id, VolunteerActivity.title,
                                     [e.activity_id for e in entries])}


def _entry_dict(e: PointsEntry, n: dict) -> dict:
    return {"id": e.id, "at": e.at, "kind": e.kind, "person": e.person_id, "person_name": n["person"].get(e.person_id),
            "activity": e.activity_id, "activity_title": n["activity"].get(e.activity_id),
            "organization": e.organization_id, "organization_name": n["organization"].get(e.organization_id),
            "community": e.community_id, "community_name": n["area"].get(e.community_id),
            "reported_hours": hours(e.reported_minutes),
            "hours": None if e.kind == "redeem" else hours(e.minutes), "points": number(e.points_c),
            "note": e.note, "recorded_by": e.recorded_by}


def entry_row(session, entry: PointsEntry) -> dict:
    return _entry_dict(entry, _entry_names(session, [entry]))


def ledger(session, person: str | None = None, organization: str | None = None, activity: str | None = None,
           kind: str | None = None, area: str | None = None, since: dt.datetime | None = None,
           until: dt.datetime | None = None, limit: int | None = None) -> list[dict]:
    """Entries oldest first (with `limit`, the latest so many). For one
    person, each row carries the balance after it."""
    q = select(PointsEntry)
    pid = get_person(session, person).id if person else None
    if pid:
        q = q.where(PointsEntry.person_id == pid)
    if organization:
        q = q.where(PointsEntry.organization_id == get_org(session, organization).id)
    if activity:
        q = q.where(PointsEntry.activity_id == get_activity(session, activity).id)
    if kind:
        if kind not in ENTRY_KINDS:
            raise Invalid(f"--kind '{kind}' is not one of: {', '.join(ENTRY_KINDS)}")
        q = q.where(PointsEntry.kind == kind)
    q = common.narrowed(session, q, PointsEntry.community_id, PointsEntry.at, area, since, until)
    q = q.order_by(PointsEntry.at.desc(), PointsEntry.id.desc())
    if limit:
        q = q.limit(limit)
    entries = sorted(session.exec(q).all(), key=ledger_order)
    n = _entry_names(session, entries)
    rows = [_entry_dict(e, n) for e in entries]
    if pid:
        after = {}
        running = 0
        for e in sorted(_person_entries(session, pid), key=ledger_order):
            running += e.points_c
            after[e.id] = running
        for r in rows:
            r["balance"] = number(after[r["id"]])
    return rows


def _totals_query():
    earn = PointsEntry.kind == "earn"
    return select(
        PointsEntry.person_id,
        func.coalesce(func.sum(sql_case((earn, PointsEntry.points_c), else_=0)), 0),
        func.coalesce(func.sum(sql_case((PointsEntry.kind == "redeem", -PointsEntry.points_c), else_=0)), 0),
        func.coalesce(func.sum(sql_case((PointsEntry.kind == "adjust", PointsEntry.points_c), else_=0)), 0),
        func.coalesce(func.sum(PointsEntry.minutes), 0),
        func.count(func.distinct(PointsEntry.earned_for)),
        func.max(sql_case((earn, PointsEntry.at), else_=None)),
    ).group_by(PointsEntry.person_id)


def _balance_row(pid: str, name: str | None, earned, redeemed, adjusted, minutes, activities, last,
                 rule: rules.Rule) -> dict:
    level, nxt = rule.stars_for(minutes)
    return {"person": pid, "name": name, "balance": number(earned - redeemed + adjusted), "earned": number(earned),
            "redeemed": number(redeemed), "adjusted": number(adjusted), "hours": hours(minutes),
            "activities": activities, "stars": level, "next_stars_at": nxt,
            "hours_to_next": None if nxt is None else hours(max(nxt * 60 - minutes, 0)),
            "last_served": last}


def balance(session, person: str, rule: rules.Rule | None = None) -> dict:
    """One person's points: earned, redeemed, corrected, the balance, hours
    of service and star level."""
    rule = rule or rules.current()
    p = get_person(session, person)
    row = session.execute(_totals_query().where(PointsEntry.person_id == p.id)).first()
    values = tuple(row[1:]) if row else (0, 0, 0, 0, 0, None)
    return _balance_row(p.id, p.name, *values, rule=rule)


def balances(session, organization: str | None = None, area: str | None = None, min_stars: int | None = None,
             rule: rules.Rule | None = None) -> list[dict]:
    """Balances of everyone with entries, highest first; `organization` and
    `area` keep those who served with it or there (the balance is the
    person's whole balance)."""
    rule = rule or rules.current()
    q = _totals_query()
    who = select(PointsEntry.person_id)
    if organization:
        who = who.where(PointsEntry.organization_id == get_org(session, organization).id)
    inside = common.scope(session, area)
    if inside is not None:
        who = who.where(PointsEntry.community_id.in_(inside))
    if organization or inside is not None:
        q = q.where(PointsEntry.person_id.in_(who))
    rows = session.execute(q).all()
    n = common.names(session, Person, [r[0] for r in rows])
    out = [_balance_row(r[0], n.get(r[0]), *r[1:], rule=rule) for r in rows]
    if min_stars is not None:
        out = [r for r in out if r["stars"] >= min_stars]
    return sorted(out, key=lambda r: (-r["balance"], -r["hours"], r["person"]))


RANK_BY = ("hours", "points")


def rank(session, start: dt.datetime, end: dt.datetime, area: str | None = None, top: int = 10,
         by: str = "hours") -> list[dict]:
    """A period's top volunteers in each community, by hours of service (or
    points) credited there, corrections included; equal figures share a rank."""
    if by not in RANK_BY:
        raise Invalid(f"--by '{by}' is not one of: {', '.join(RANK_BY)}")
    if top < 1:
        raise Invalid(f"--top {top}: show at least 1")
    q = select(PointsEntry.community_id, PointsEntry.person_id, func.sum(PointsEntry.minutes),
               func.sum(PointsEntry.points_c), func.count(func.distinct(PointsEntry.earned_for))).where(
        PointsEntry.kind.in_(("earn", "adjust")), PointsEntry.community_id.is_not(None)).group_by(
        PointsEntry.community_id, PointsEntry.person_id)
    q = common.narrowed(session, q, PointsEntry.community_id, PointsEntry.at, area, start, end)
    groups: dict = {}
    for cid, pid, minutes, points_c, acts in session.execute(q):
        if minutes > 0 or points_c > 0:
            groups.setdefault(cid, []).append((pid, minutes, points_c, acts))
    persons = common.names(session, Person, [r[0] for g in groups.values() for r in g])
    areas = common.names(session, Area, groups)
    key = (lambda r: (-r[1], -r[2], r[0])) if by == "hours" else (lambda r: (-r[2], -r[1], r[0]))
    out = []
    for cid in sorted(groups):
        ordered = sorted(groups[cid], key=key)
        place, last = 0, None
        for i, (pid, minutes, points_c, acts) in enumerate(ordered, start=1):
            figure = minutes if by == "hours" else points_c
            if figure != last:
                place, last = i, figure
            if place > top:
                break
            out.append({"community": cid, "community_name": areas.get(cid), "rank": place, "person": pid,
                        "name": persons.get(pid), "hours": hours(minutes), "points": number(points_c),
                        "activities": acts})
    return out


def _activity_rows(session, acts: list[VolunteerActivity]) -> list[dict]:
    ids = [a.id for a in acts]
    totals = {}
    for i in range(0, len(ids), common.CHUNK):
        totals.update({r[0]: r[1:] for r in session.execute(
            select(PointsEntry.activity_id, func.sum(sql_case((PointsEntry.kind == "earn", 1), else_=0)),
                   func.sum(PointsEntry.minutes), func.sum(PointsEntry.points_c))
            .where(PointsEntry.activity_id.in_(ids[i:i + common.CHUNK])).group_by(PointsEntry.activity_id))})
    orgs = common.names(session, Organization, [a.organization_id for a in acts])
    areas = common.names(session, Area, [a.community_id for a in acts])
    rows = []
    for a in acts:
        people, minutes, points_c = totals.get(a.id, (0, 0, 0))
        rows.append({"id": a.id, "at": a.at, "title": a.title, "organization": a.organization_id,
                     "organization_name": orgs.get(a.organization_id), "community": a.community_id,
                     "community_name": areas.get(a.community_id), "served": people,
                     "hours": hours(minutes), "points": number(points_c), "note": a.note})
    return rows


def list_activities(session, organization: str | None = None, area: str | None = None,
                    since: dt.datetime | None = None, until: dt.datetime | None = None,
                    limit: int | None = None) -> list[dict]:
    """Activities, newest first, with how many served and the hours and
    points credited for them (corrections included)."""
    q = select(VolunteerActivity)
    if organization:
        q = q.where(VolunteerActivity.organization_id == get_org(session, organization).id)
    q = common.narrowed(session, q, VolunteerActivity.community_id, VolunteerActivity.at, area, since, until)
    q = q.order_by(VolunteerActivity.at.desc(), VolunteerActivity.id.desc())
    if limit:
        q = q.limit(limit)
    return _activity_rows(session, list(session.exec(q)))


def show_activity(session, ref: str) -> dict:
    act = get_activity(session, ref)
    row = _activity_rows(session, [act])[0]
    entries = session.exec(select(PointsEntry).where(PointsEntry.activity_id == act.id)
                           .order_by(PointsEntry.at, PointsEntry.id)).all()
    n = _entry_names(session, entries)
    row["participants"] = [_entry_dict(e, n) for e in entries if e.kind == "earn"]
    row["corrections"] = [_entry_dict(e, n) for e in entries if e.kind == "adjust"]
    row["recorded_by"] = act.recorded_by
    row["default_hours"] = hours(act.minutes)
    return row


def served_by(session, start: dt.datetime, end: dt.datetime, community_id: str) -> dict:
    """person id -> (activities, minutes, last time) of the service credited
    in a community in [start, end): for who-has-served queries."""
    q = select(PointsEntry.person_id, func.count(func.distinct(PointsEntry.earned_for)),
               func.sum(PointsEntry.minutes), func.max(PointsEntry.at)).where(
        PointsEntry.kind.in_(("earn", "adjust")), PointsEntry.community_id == community_id,
        PointsEntry.at >= start, PointsEntry.at < end).group_by(PointsEntry.person_id)
    return {r[0]: (r[1], r[2], r[3]) for r in session.execute(q)}
