"""Meetings and minutes: who was entitled and who came, whether the meeting
could sit, how each motion was voted and whether it passed under the law of
its kind, what is to be done, and what was made public.

Plain functions over a Session; nothing here prints. Every change records an
audit entry in the same transaction. A published meeting is locked: every
change is refused except an addendum."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

from sqlalchemy import func
from sqlmodel import select

from cgov.core import audit, clock, privacy, sequence
from cgov.core.errors import Invalid, NotFound, Refused
from cgov.core.schema import ID_RE
from cgov.meetings import minutes as minutes_text
from cgov.meetings import rules, schedule
from cgov.meetings.models import (CHOICES, METHODS, ActionItem, Addendum, AgendaItem, Attendance,
                                  Ballot, Meeting, MeetingConvener, MeetingSchedule, MeetingTypeRow,
                                  Motion)
from cgov.org import service as org
from cgov.org.models import ORG_CLASSES, ROLES, Organization

UNSET = object()  # "not given": leave as stored (None means clear)

# ---- meeting types -------------------------------------------------------------


def type_from_row(row: MeetingTypeRow) -> rules.MeetingType:
    return rules.MeetingType.from_dict({
        "code": row.code, "name": row.name, "name_en": row.name_en, "quorum": row.quorum,
        "passing": row.passing, "voters": row.voters, "schedule": row.schedule, "entitled": row.entitled,
        "scheduled_for": [c for c in row.scheduled_for.split(",") if c]})


def meeting_types(session) -> dict[str, rules.MeetingType]:
    """The shipped defaults, with the types given in YAML over them."""
    types = dict(rules.DEFAULT_TYPES)
    # By code: unordered rows come back in storage order, which PostgreSQL
    # changes when a row is updated.
    for row in session.exec(select(MeetingTypeRow).order_by(MeetingTypeRow.code)):
        types[row.code] = type_from_row(row)
    return types


def get_type(session, code: str) -> rules.MeetingType:
    types = meeting_types(session)
    if code not in types:
        raise NotFound(f"no meeting type '{code}'", hint=f"types: {', '.join(types)}")
    return types[code]


def check_type_fields(mt: rules.MeetingType) -> str | None:
    """What is wrong with a type beyond its own arithmetic: roles and
    classifications it names must exist."""
    for role in mt.entitled_roles:
        if role not in ROLES:
            return f"entitled names role '{role}', which is not one of: {', '.join(ROLES)}"
    for cls in mt.scheduled_for:
        if cls not in ORG_CLASSES:
            return f"scheduled_for names '{cls}', which is not an organization classification"
    return None


def list_types(session) -> list[dict]:
    rows = []
    for mt in meeting_types(session).values():
        d = mt.to_dict()
        d["scheduled_for"] = ", ".join(mt.scheduled_for) or None
        rows.append(d)
    return rows


def _snapshot_type(m: Meeting) -> rules.MeetingType:
    """The type as the meeting was held under it."""
    return rules.MeetingType(
        code=m.type, name=m.type_name, name_en=m.type_name_en,
        quorum=rules.Rule.parse(m.quorum_rule) if m.quorum_rule else None,
        passing=rules.Rule.parse(m.passing_rule), voters=m.voters, entitled=m.entitled_rule)


# ---- lookups -------------------------------------------------------------------


def get_meeting(session, ref: str) -> Meeting:
    m = session.get(Meeting, ref)
    if m is None:
        raise NotFound(f"no meeting '{ref}'", hint="cgov meeting list shows the ids")
    return m


def get_motion(session, ref: str) -> Motion:
    mo = session.get(Motion, ref)
    if mo is None:
        raise NotFound(f"no motion '{ref}'", hint="cgov meeting show MEETING lists its motions")
    return mo


def ensure_writable(session, meeting: str) -> Meeting:
    m = get_meeting(session, meeting)
    refuse_if_published(m)
    return m


def refuse_if_published(m: Meeting) -> None:
    if m.published_at is not None:
        raise Refused(
            f"meeting {m.id} was made public on {clock.fmt_local(m.published_at)} at {m.published_where} "
            f"and cannot change (published; add an addendum)",
            hint=f"cgov meeting addendum {m.id} \"…\"")


def _local_date(value: dt.datetime) -> dt.date:
    return clock.to_local(value).date()


def _text(value: str | None, what: str, required: bool = True) -> str | None:
    if value is None or not value.strip():
        if required:
            raise Invalid(f"{what} is empty")
        return None
    return value.strip()


def _not_before_meeting(m: Meeting, at: dt.datetime, what: str) -> None:
    if at < m.at:
        raise Invalid(f"{what} at {clock.fmt_local(at)} is before meeting {m.id} began "
                      f"({clock.fmt_local(m.at)})")


# ---- who is entitled ------------------------------------------------------------


def _roster(session, mt: rules.MeetingType, org_ids: list[str], on: dt.date) -> list[dict]:
    """Those entitled to attend: current members (or holders of the named
    roles) of the convening organizations on the meeting's day, each once."""
    roles = set(mt.entitled_roles)
    people: dict = {}
    for oid in org_ids:
        for post in org.list_posts(session, org=oid, on=on):
            if roles and post["role"] not in roles:
                continue
            people.setdefault(post["person"], {
                "person_id": post["person"], "name": post["person_name"], "role": post["role"],
                "party_status": post["party_status"],
                "votes": mt.voters == "all" or post["party_status"] == "full"})
    return list(people.values())


def _mode(m: Meeting) -> str:
    """How attendance is counted: "roster" (names of those entitled),
    "given" (a number given at the meeting) or "open" (whoever comes)."""
    if m.entitled_count is not None:
        return "given"
    return "open" if m.entitled_rule == "open" else "roster"


def _attendance(session, m: Meeting) -> list[Attendance]:
    return list(session.exec(select(Attendance).where(Attendance.meeting_id == m.id)
                             .order_by(Attendance.id)))


def counts(m: Meeting, rows: list[Attendance]) -> tuple[int | None, int | None]:
    """(entitled, present), counting only those with a vote; present is None
    while a counted meeting has no count yet."""
    mode = _mode(m)
    if mode == "given":
        return m.entitled_count, m.present_count
    voters = [r for r in rows if r.votes and r.kind != "guest"]
    present = sum(1 for r in voters if r.status == "present")
    if mode == "open":
        return None, m.present_count if m.present_count is not None else present
    return len(voters), present


def _rebuild_roster(session, m: Meeting, org_ids: list[str]) -> None:
    """(Re)take the list of those entitled from the roster on the meeting's
    day, keeping the marks of those still on it; refuses to drop someone
    marked present."""
    wanted = {}
    if _mode(m) == "roster":
        wanted = {p["person_id"]: p for p in _roster(session, _snapshot_type(m), org_ids, _local_date(m.at))}
    rows = {r.person_id: r for r in _attendance(session, m) if r.person_id}
    for pid, r in rows.items():
        if r.kind == "entitled" and pid not in wanted:
            if r.status == "present":
                raise Refused(f"{r.name} ({pid}) is marked present at {m.id} but would no longer be "
                              "entitled to attend it")
            session.delete(r)
    for pid, p in wanted.items():
        # A guest or participant who is now entitled keeps whether they came.
        r = rows.get(pid) or Attendance(meeting_id=m.id, person_id=pid, name=p["name"], kind="entitled",
                                        votes=p["votes"], status="absent")
        r.kind, r.name, r.votes, r.role, r.party_status = "entitled", p["name"], p["votes"], p["role"], \
            p["party_status"]
        session.add(r)
    session.flush()


# ---- adding a meeting --------------------------------------------------------------


def new_meeting_id(session, at: dt.datetime) -> str:
    year = _local_date(at).year
    while True:
        mid = f"M{year}-{sequence.next_value(session, f'meeting-{year}'):04d}"
        if session.get(Meeting, mid) is None:
            return mid


def claim_meeting_id(session, mid: str) -> None:
    """An id given in YAML in the generated form keeps later ids above it."""
    if len(mid) == 10 and mid[0] == "M" and mid[1:5].isdigit() and mid[5] == "-" and mid[6:].isdigit():
        sequence.ensure_at_least(session, f"meeting-{mid[1:5]}", int(mid[6:]))


def _conveners(session, org_ref: str, with_orgs) -> list[Organization]:
    orgs = [org.get_org(session, org_ref)]
    for ref in with_orgs or ():
        o = org.get_org(session, ref)
        if o.id in {x.id for x in orgs}:
            raise Invalid(f"organization '{o.id}' is given twice as a convener")
        orgs.append(o)
    return orgs


def _person_ref(session, ref: str | None):
    return org.get_person(session, ref) if ref else None


def _convene(session, m: Meeting, type: str, org_ref: str, with_orgs, at: dt.datetime,
             entitled: int | None) -> None:
    """Set what a meeting is held under: its type's rules as they stand, its
    conveners, its time, and the list of those entitled on that day."""
    mt = get_type(session, type)
    orgs = _conveners(session, org_ref, with_orgs)
    if entitled is not None and entitled < 0:
        raise Invalid(f"--entitled {entitled} is negative")
    if mt.entitled == "given" and entitled is None:
        raise Invalid(f"a {mt.name_en.lower()} ({mt.name}) counts all who are entitled, who are not in the "
                      "roster: give --entitled N")
    m.type, m.type_name, m.type_name_en = mt.code, mt.name, mt.name_en
    m.quorum_rule, m.passing_rule = (str(mt.quorum) if mt.quorum else None), str(mt.passing)
    m.voters, m.entitled_rule = mt.voters, mt.entitled
    m.organization_id, m.organization_name, m.at, m.entitled_count = orgs[0].id, orgs[0].name, at, entitled
    if _mode(m) == "roster" and m.present_count is not None:
        raise Refused(f"meeting {m.id} would name those entitled; its count of {m.present_count} present "
                      "without names no longer fits")
    session.add(m)
    session.flush()
    for c in session.exec(select(MeetingConvener).where(MeetingConvener.meeting_id == m.id)):
        session.delete(c)
    session.flush()
    for i, o in enumerate(orgs[1:], start=1):
        session.add(MeetingConvener(meeting_id=m.id, organization_id=o.id, organization_name=o.name, position=i))
    _rebuild_roster(session, m, [o.id for o in orgs])


def create_meeting(session, *, id: str | None, type: str, title: str, org_ref: str, at: dt.datetime,
                   place: str | None = None, chair: str | None = None, recorder: str | None = None,
                   entitled: int | None = None, with_orgs=()) -> Meeting:
    """The rules of adding a meeting, without the audit entry (import shares it)."""
    if id is None:
        id = new_meeting_id(session, at)
    elif not ID_RE.match(id):
        raise Invalid(f"id '{id}' may only have letters, digits, '.', '_' and '-'")
    elif session.get(Meeting, id) is not None:
        raise Refused(f"meeting '{id}' already exists")
    m = Meeting(id=id, created_at=clock.now(), at=at)
    describe(session, m, title=title, place=place, chair=chair, recorder=recorder)
    _convene(session, m, type, org_ref, with_orgs, at, entitled)
    return m


def reconvene(session, m: Meeting, type: str, org_ref: str, with_orgs, at: dt.datetime,
              entitled: int | None) -> None:
    """Correct what a meeting was held under (import of a corrected record)."""
    refuse_if_published(m)
    _convene(session, m, type, org_ref, with_orgs, at, entitled)
    _check_votes_still_fit(session, m)



def describe(session, m: Meeting, title=UNSET, place=UNSET, chair=UNSET, recorder=UNSET) -> None:
    """Set the meeting's title, place, chair and recorder (those given)."""
    refuse_if_published(m)
    if title is not UNSET:
        m.title = _text(title, "--title")
    if place is not UNSET:
        m.place = _text(place, "--place", required=False)
    if chair is not UNSET:
        p = _person_ref(session, chair)
        m.chair_id, m.chair_name = (p.id, p.name) if p else (None, None)
    if recorder is not UNSET:
        p = _person_ref(session, recorder)
        m.recorder_id, m.recorder_name = (p.id, p.name) if p else (None, None)


def add_meeting(session, type: str, title: str, org_ref: str, at: dt.datetime | None = None,
                place: str | None = None, chair: str | None = None, recorder: str | None = None,
                entitled: int | None = None, with_orgs=(), id: str | None = None) -> dict:
    m = create_meeting(session, id=id, type=type, title=title, org_ref=org_ref, at=at or clock.now(),
                       place=place, chair=chair, recorder=recorder, entitled=entitled, with_orgs=with_orgs)
    ent, _ = counts(m, _attendance(session, m))
    audit.record(session, "meeting.add", entity="meeting", ids=[m.id],
                 detail={"type": m.type, "title": m.title, "organization": m.organization_id,
                         "at": m.at, "entitled": ent})
    return show_meeting(session, m.id)


def convener_ids(session, m: Meeting) -> list[str]:
    extra = session.exec(select(MeetingConvener.organization_id).where(MeetingConvener.meeting_id == m.id)
                         .order_by(MeetingConvener.position)).all()
    return [m.organization_id, *extra]


# ---- attendance -------------------------------------------------------------------


def _row_for(session, m: Meeting, person_id: str) -> Attendance | None:
    return session.exec(select(Attendance).where(Attendance.meeting_id == m.id,
                                                 Attendance.person_id == person_id)).first()


def _who_is_entitled(session, m: Meeting) -> str:
    names = ", ".join(convener_ids(session, m))
    mt = _snapshot_type(m)
    roles = f" holding a post as {', '.join(mt.entitled_roles)}" if mt.entitled_roles else ""
    return f"current members of {names}{roles} on {_local_date(m.at)}"


def mark_attendance(session, m: Meeting, present=(), absent=(), reason: str | None = None, guests=(),
                    guest_names=(), present_count: int | None = None, all_present: bool = False) -> dict:
    """Mark who came (adds to what is marked). Returns what changed, for the
    audit entry."""
    reason = _text(reason, "--reason", required=False)
    if reason and not absent:
        raise Invalid("--reason goes with --absent: whose absence does it explain?")
    if not (present or absent or guests or guest_names or all_present or present_count is not None):
        raise Invalid("nothing to mark: give --present, --absent, --guest, --guest-name, --present-count "
                      "or --all-present")
    changed = _mark(session, m, present, [(ref, reason) for ref in absent], guests, guest_names, all_present)
    if present_count is not None:
        _set_present_count(session, m, present_count)
        changed["present_count"] = present_count
    _check_votes_still_fit(session, m)
    return changed


def set_attendance(session, m: Meeting, present=None, absent=None, guests=None, guest_names=None,
                   present_count=UNSET) -> None:
    """Set attendance exactly as a paper record has it (import). `present`
    lists everyone who came on the roster (or, open to all, everyone who came),
    `absent` gives (person, reason) for absentees, `guests` and `guest_names`
    every guest. None leaves that part as it is."""
    refuse_if_published(m)
    for r in _attendance(session, m):
        if present is not None and r.kind == "participant":
            session.delete(r)
        elif present is not None and r.kind == "entitled":
            r.status, r.reason = "absent", None
            session.add(r)
        elif (guests is not None or guest_names is not None) and r.kind == "guest":
            session.delete(r)
    session.flush()
    if present_count is not UNSET:
        m.present_count = None
        if present_count is not None:
            _set_present_count(session, m, present_count)
    _mark(session, m, present or (), absent or (), guests or (), guest_names or (), False)
    _check_votes_still_fit(session, m)


def _mark(session, m: Meeting, present, absent, guests, guest_names, all_present) -> dict:
    refuse_if_published(m)
    mode = _mode(m)
    changed: dict = {"present": [], "absent": [], "guests": []}
    if (present or absent or all_present) and mode == "given":
        raise Refused(f"meeting {m.id} counts those entitled ({m.entitled_count}, given at the meeting) rather "
                      "than naming them: record --present-count N; named people can attend as --guest")
    if all_present:
        if mode != "roster":
            raise Refused(f"meeting {m.id} is open to whoever comes: there is no list of those entitled "
                          "to mark present; name them with --present")
        for r in _attendance(session, m):
            if r.kind == "entitled" and r.status != "present":
                r.status, r.reason = "present", None
                session.add(r)
                changed["present"].append(r.person_id)
    for ref in present:
        p = org.get_person(session, ref)
        r = _row_for(session, m, p.id)
        if mode == "roster":
            if r is None or r.kind == "guest":
                raise Refused(f"{p.name} ({p.id}) is not entitled to attend {m.id}: entitled are the "
                              f"{_who_is_entitled(session, m)}", hint="mark them as a guest (列席) with --guest")
        elif m.present_count is not None:
            raise Refused(f"meeting {m.id} counted {m.present_count} present without a name list; "
                          "naming people present would contradict it")
        elif r is None:
            r = Attendance(meeting_id=m.id, person_id=p.id, name=p.name, kind="participant", votes=True,
                           party_status=p.party_status)
        elif r.kind == "guest":
            raise Refused(f"{p.name} ({p.id}) attends {m.id} as a guest (列席)")
        r.status, r.reason = "present", None
        session.add(r)
        session.flush()
        changed["present"].append(p.id)
    for ref, why in absent:
        p = org.get_person(session, ref)
        r = _row_for(session, m, p.id)
        if mode == "open":
            raise Refused(f"meeting {m.id} is open to whoever comes: nobody in particular is absent")
        if r is None or r.kind != "entitled":
            raise Refused(f"{p.name} ({p.id}) is not entitled to attend {m.id}, so cannot be absent from it")
        r.status, r.reason = "absent", why
        session.add(r)
        changed["absent"].append(p.id)
    for ref in guests:
        p = org.get_person(session, ref)
        r = _row_for(session, m, p.id)
        if r is not None and r.kind != "guest":
            raise Refused(f"{p.name} ({p.id}) is entitled to attend {m.id}: mark them present, not as a guest")
        if r is None:
            session.add(Attendance(meeting_id=m.id, person_id=p.id, name=p.name, kind="guest", votes=False,
                                   party_status=p.party_status, status="present"))
            session.flush()
        changed["guests"].append(p.id)
    known = {r.name for r in _attendance(session, m) if r.person_id is None}
    for name in guest_names:
        name = _text(name, "--guest-name")
        if name not in known:
            session.add(Attendance(meeting_id=m.id, name=name, kind="guest", votes=False, status="present"))
            known.add(name)
        changed["guests"].append(name)
    session.flush()
    return changed


def _set_present_count(session, m: Meeting, n: int) -> None:
    mode = _mode(m)
    if mode == "roster":
        raise Refused(f"meeting {m.id} has a name list of those entitled: mark them present by name "
                      "(--present, --all-present), the count follows")
    if n < 0:
        raise Invalid(f"--present-count {n} is negative")
    if mode == "given" and n > m.entitled_count:
        raise Invalid(f"--present-count {n} is more than the {m.entitled_count} entitled to attend")
    if mode == "open" and any(r.kind == "participant" and r.status == "present" for r in _attendance(session, m)):
        raise Refused(f"meeting {m.id} names those present; a count without names would contradict it")
    m.present_count = n
    session.add(m)
    session.flush()


def _check_votes_still_fit(session, m: Meeting) -> None:
    """A change of attendance may not leave a recorded vote impossible."""
    rows = _attendance(session, m)
    entitled, present = counts(m, rows)
    voting_present = {r.person_id for r in rows if r.votes and r.status == "present" and r.kind != "guest"}
    for mo in session.exec(select(Motion).where(Motion.meeting_id == m.id, Motion.method.is_not(None))):
        ballots = mo.yes + mo.no + mo.abstain
        if present is None or ballots > present:
            raise Refused(f"motion {mo.id} recorded {ballots} votes; only {present or 0} would be present "
                          "and entitled to vote")
        for b in session.exec(select(Ballot).where(Ballot.motion_id == mo.id)):
            if b.person_id not in voting_present:
                raise Refused(f"{b.name} ({b.person_id}) voted on {mo.id} in a roll call, so was present "
                              "with a vote")


def attend(session, meeting: str, present=(), absent=(), reason=None, guests=(), guest_names=(),
           present_count=None, all_present=False, at: dt.datetime | None = None) -> dict:
    m = get_meeting(session, meeting)
    changed = mark_attendance(session, m, present, absent, reason, guests, guest_names, present_count,
                              all_present)
    audit.record(session, "meeting.attend", entity="meeting", ids=[m.id],
                 detail={**changed, "at": at or clock.now()})
    return show_meeting(session, m.id)


# ---- agenda, motions, votes --------------------------------------------------------


def _next_position(session, model, m: Meeting) -> int:
    last = session.exec(select(func.max(model.position)).where(model.meeting_id == m.id)).one()
    return (last or 0) + 1


def create_item(session, m: Meeting, text: str) -> AgendaItem:
    refuse_if_published(m)
    item = AgendaItem(meeting_id=m.id, position=_next_position(session, AgendaItem, m),
                      text=_text(text, "agenda item"))
    session.add(item)
    session.flush()
    return item


def add_item(session, meeting: str, text: str, at: dt.datetime | None = None) -> dict:
    m = get_meeting(session, meeting)
    item = create_item(session, m, text)
    audit.record(session, "meeting.item", entity="meeting", ids=[m.id],
                 detail={"item": item.position, "text": item.text, "at": at or clock.now()})
    return {"meeting": m.id, "item": item.position, "text": item.text}


def create_motion(session, m: Meeting, text: str, item: int | None = None, id: str | None = None) -> Motion:
    refuse_if_published(m)
    if item is not None and session.exec(select(AgendaItem).where(
            AgendaItem.meeting_id == m.id, AgendaItem.position == item)).first() is None:
        n = _next_position(session, AgendaItem, m) - 1
        raise NotFound(f"meeting {m.id} has no agenda item {item} (it has {n})",
                       hint=f"cgov meeting item {m.id} \"…\" adds one")
    pos = _next_position(session, Motion, m)
    mo = Motion(id=id or f"{m.id}-{pos}", meeting_id=m.id, position=pos, item=item, text=_text(text, "motion"))
    if session.get(Motion, mo.id) is not None:
        raise Refused(f"motion '{mo.id}' already exists")
    session.add(mo)
    session.flush()
    return mo


def add_motion(session, meeting: str, text: str, item: int | None = None, at: dt.datetime | None = None) -> dict:
    m = get_meeting(session, meeting)
    mo = create_motion(session, m, text, item)
    audit.record(session, "meeting.motion", entity="motion", ids=[mo.id, m.id],
                 detail={"text": mo.text, "item": item, "at": at or clock.now()})
    return _motion_row(session, m, mo, _attendance(session, m))


def record_vote(session, mo: Motion, method: str, tally: dict | None = None, ballots: dict | None = None,
                at: dt.datetime | None = None, replace: bool = False) -> None:
    """`tally`: {"yes": n, "no": n, "abstain": n} for a show of hands or a
    secret ballot; `ballots`: {"yes": [person…], …} for a roll call."""
    m = session.get(Meeting, mo.meeting_id)
    refuse_if_published(m)
    if method not in METHODS:
        raise Invalid(f"--method '{method}' is not one of: {', '.join(METHODS)}")
    if mo.method is not None and not replace:
        raise Refused(f"motion {mo.id} was already voted on ({mo.method}: {mo.yes} yes, {mo.no} no, "
                      f"{mo.abstain} abstain)", hint="give --replace to correct a mistaken record")
    at = at or clock.now()
    _not_before_meeting(m, at, "the vote")
    rows = _attendance(session, m)
    people: list[tuple[str, Attendance]] = []
    if method == "roll-call":
        if ballots is None:
            raise Invalid("a roll call records who voted how: give person ids, e.g. --yes p-0001,p-0002")
        by_person = {r.person_id: r for r in rows if r.person_id}
        seen: dict = {}
        for choice in CHOICES:
            for ref in ballots.get(choice) or ():
                p = org.get_person(session, ref)
                if p.id in seen:
                    raise Invalid(f"{p.name} ({p.id}) is given as voting both {seen[p.id]} and {choice}")
                seen[p.id] = choice
                r = by_person.get(p.id)
                if r is None or r.status != "present":
                    raise Refused(f"{p.name} ({p.id}) is not marked present at {m.id}")
                if r.kind == "guest":
                    raise Refused(f"{p.name} ({p.id}) attends {m.id} as a guest (列席), without a vote")
                if not r.votes:
                    raise Refused(f"{p.name} ({p.id}) attends {m.id} without a vote "
                                  f"({r.party_status or 'not a full member'}; 预备党员没有表决权)")
                people.append((choice, r))
        tally = {c: sum(1 for ch, _ in people if ch == c) for c in CHOICES}
    elif ballots is not None or tally is None:
        raise Invalid(f"a {method} vote is counted: give numbers, e.g. --yes 12 --no 3 --abstain 1")
    if not any(tally.values()):
        raise Invalid(f"motion {mo.id}: no votes given", hint="e.g. --yes 12 --no 3 --abstain 1")
    entitled, present = counts(m, rows)
    if present is None:
        raise Refused(f"meeting {m.id} has no attendance count yet",
                      hint=f"cgov meeting attend {m.id} --present-count N")
    try:
        rules.vote_result(_snapshot_type(m), entitled, present, tally["yes"], tally["no"], tally["abstain"])
    except ValueError as e:
        raise Invalid(f"motion {mo.id}: {e}") from None
    for b in session.exec(select(Ballot).where(Ballot.motion_id == mo.id)):
        session.delete(b)
    for choice, r in people:
        session.add(Ballot(motion_id=mo.id, person_id=r.person_id, name=r.name, choice=choice))
    mo.method, mo.yes, mo.no, mo.abstain, mo.voted_at = method, tally["yes"], tally["no"], tally["abstain"], at
    session.add(mo)
    session.flush()


def vote(session, motion: str, method: str, tally: dict | None = None, ballots: dict | None = None,
         at: dt.datetime | None = None, replace: bool = False) -> dict:
    mo = get_motion(session, motion)
    record_vote(session, mo, method, tally, ballots, at, replace)
    m = session.get(Meeting, mo.meeting_id)
    row = _motion_row(session, m, mo, _attendance(session, m))
    audit.record(session, "meeting.vote", entity="motion", ids=[mo.id, m.id],
                 detail={"method": method, "yes": mo.yes, "no": mo.no, "abstain": mo.abstain,
                         "result": row["result"], "replace": replace, "at": mo.voted_at})
    return row


def _motion_row(session, m: Meeting, mo: Motion, rows: list[Attendance]) -> dict:
    row = {"id": mo.id, "meeting": m.id, "position": mo.position, "item": mo.item, "text": mo.text,
           "method": mo.method, "yes": mo.yes, "no": mo.no, "abstain": mo.abstain, "voted_at": mo.voted_at,
           "result": "not-voted", "needed": None, "explanation": None, "explanation_zh": None, "ballots": []}
    if mo.method is None:
        return row
    entitled, present = counts(m, rows)
    v = rules.vote_result(_snapshot_type(m), entitled, present, mo.yes, mo.no, mo.abstain)
    row.update(result=v.result, needed=v.needed, explanation=v.explanation_en, explanation_zh=v.explanation_zh)
    row["ballots"] = [{"person": b.person_id, "name": b.name, "choice": b.choice} for b in session.exec(
        select(Ballot).where(Ballot.motion_id == mo.id).order_by(Ballot.id))]
    return row


def motion_result(session, mo: Motion) -> dict:
    m = session.get(Meeting, mo.meeting_id)
    return _motion_row(session, m, mo, _attendance(session, m))


# ---- action items ---------------------------------------------------------------


def resolve_owner(session, ref: str) -> tuple[str, str, str]:
    """An organization or a person, by id first, then by name."""
    o = session.get(Organization, ref)
    if o is not None:
        return "organization", o.id, o.name
    try:
        p = org.get_person(session, ref)
        return "person", p.id, p.name
    except NotFound:
        pass
    try:
        o = org.get_org(session, ref)
    except NotFound:
        raise NotFound(f"--owner '{ref}' is neither an organization nor a person",
                       hint="cgov org list / cgov person find NAME") from None
    return "organization", o.id, o.name


def create_action(session, m: Meeting, text: str, owner: str, due: dt.date, motion: str | None = None,
                  at: dt.datetime | None = None) -> ActionItem:
    refuse_if_published(m)
    kind, owner_id, owner_name = resolve_owner(session, owner)
    if due < _local_date(m.at):
        raise Invalid(f"due date {due} is before meeting {m.id} ({_local_date(m.at)})")
    motion_id = None
    if motion:
        mo = get_motion(session, motion)
        if mo.meeting_id != m.id:
            raise Invalid(f"motion {mo.id} belongs to meeting {mo.meeting_id}, not {m.id}")
        motion_id = mo.id
    a = ActionItem(meeting_id=m.id, position=_next_position(session, ActionItem, m), text=_text(text, "action"),
                   owner_kind=kind, owner_id=owner_id, owner_name=owner_name, due=due, motion_id=motion_id,
                   created_at=at or clock.now())
    session.add(a)
    session.flush()
    return a


def open_case(session, m: Meeting, a: ActionItem) -> str:
    """Track an action item to the end in the case flow (清单办)."""
    from cgov.cases.service import add_case

    o = session.get(Organization, m.organization_id)
    community = org.community_of(session, o.area_id) if o and o.area_id else None
    if community is None:
        raise Refused(f"meeting {m.id} was convened by {m.organization_name}, which is in no community or "
                      "village: a case needs one")
    title = a.text if len(a.text) <= 60 else a.text[:59] + "…"
    description = (f"{a.text}\n\n{m.title}（{m.id}，{clock.fmt_local(m.at)}）决定；"
                   f"责任：{a.owner_name}；完成时限：{a.due}")
    due = clock.parse_at(f"{a.due.isoformat()}T23:59:59")
    case = add_case(session, title=title, description=description, community=community.id, source="meeting",
                    request_type="suggestion", reported_at=a.created_at, due=due)
    a.case_id = case["id"]
    session.add(a)
    session.flush()
    return a.case_id


def add_action(session, meeting: str, text: str, owner: str, due: dt.date, motion: str | None = None,
               as_case: bool = False, at: dt.datetime | None = None) -> dict:
    m = get_meeting(session, meeting)
    a = create_action(session, m, text, owner, due, motion, at)
    if as_case:
        open_case(session, m, a)
    audit.record(session, "meeting.action", entity="meeting", ids=[m.id] + ([a.case_id] if a.case_id else []),
                 detail={"action": a.position, "text": a.text, "owner": a.owner_id, "due": a.due,
                         "motion": a.motion_id, "case": a.case_id, "at": a.created_at})
    return _action_row(a)


def _action_row(a: ActionItem) -> dict:
    return {"meeting": a.meeting_id, "position": a.position, "text": a.text, "owner_kind": a.owner_kind,
            "owner": a.owner_id, "owner_name": a.owner_name, "due": a.due, "motion": a.motion_id,
            "case": a.case_id}


# ---- minutes, publication, addenda ------------------------------------------------


def set_minutes(session, meeting: str, text: str, at: dt.datetime | None = None) -> dict:
    m = get_meeting(session, meeting)
    refuse_if_published(m)
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise Invalid("the minutes are empty; nothing was changed")
    before = m.minutes
    m.minutes = text
    session.add(m)
    session.flush()
    audit.record(session, "meeting.minutes", entity="meeting", ids=[m.id],
                 detail={"chars": len(text), "replaced": before is not None, "at": at or clock.now()},
                 content_hash=audit.content_digest(text))
    return {"id": m.id, "minutes": m.minutes}


def _public_texts(show: dict) -> list[tuple[str, str]]:
    """Every piece of text that goes public with the minutes, named."""
    texts = [("title", show["title"]), ("place", show["place"] or ""), ("minutes", show["minutes"] or "")]
    texts += [(f"agenda item {i['item']}", i["text"]) for i in show["agenda"]]
    texts += [(f"motion {mo['id']}", mo["text"]) for mo in show["motions"]]
    texts += [(f"action {a['position']}", a["text"]) for a in show["actions"]]
    texts += [(f"absence reason of {r['name']}", r["reason"]) for r in show["attendance"] if r["reason"]]
    texts += [(f"guest {r['name']}", r["name"]) for r in show["attendance"] if r["kind"] == "guest"]
    texts += [(f"addendum {i}", a["text"]) for i, a in enumerate(show["addenda"], start=1)]
    return texts


def pii_problems(texts: list[tuple[str, str]]) -> list[str]:
    found = []
    for what, text in texts:
        lines = privacy.pii_lines(text)
        if lines:
            found.append(f"{what} line {', '.join(map(str, lines))}" if "\n" in text.strip()
                         else what)
    return found


def _refuse_pii(found: list[str], doing: str) -> None:
    if found:
        raise Refused(f"{doing} refused: an ID number or phone number is in {'; '.join(found)}",
                      hint="remove them from the text first: public minutes carry no personal numbers")


def canonical_minutes(session, m: Meeting) -> str:
    """The text whose SHA-256 is published: the Chinese Markdown minutes in
    China Standard Time, without the disclosure and addenda that follow it."""
    return minutes_text.render(show_meeting(session, m.id, verify=False), lang="zh",
                               tz=minutes_text.CHINA, canonical=True)


def publish_meeting(session, m: Meeting, where: str, at: dt.datetime) -> None:
    refuse_if_published(m)
    where = _text(where, "--where")
    _not_before_meeting(m, at, "publication")
    _refuse_pii(pii_problems(_public_texts(show_meeting(session, m.id, verify=False))), "publishing")
    text = canonical_minutes(session, m)
    m.published_text, m.content_hash = text, audit.content_digest(text)
    m.published_at, m.published_where = at, where
    session.add(m)
    session.flush()


def publish(session, meeting: str, where: str, at: dt.datetime | None = None) -> dict:
    m = get_meeting(session, meeting)
    publish_meeting(session, m, where, at or clock.now())
    seal_publication(session, m)
    return show_meeting(session, m.id)


def create_addendum(session, m: Meeting, text: str, at: dt.datetime) -> Addendum:
    text = _text(text, "addendum")
    _not_before_meeting(m, at, "the addendum")
    if m.published_at is not None:
        _refuse_pii(pii_problems([("the addendum", text)]), "the addendum")
    a = Addendum(meeting_id=m.id, position=_next_position(session, Addendum, m), at=at, text=text)
    session.add(a)
    session.flush()
    return a


def add_addendum(session, meeting: str, text: str, at: dt.datetime | None = None) -> dict:
    m = get_meeting(session, meeting)
    a = create_addendum(session, m, text, at or clock.now())
    seal_addendum(session, m, a)
    return {"meeting": m.id, "position": a.position, "at": a.at, "text": a.text}


# ---- seals ------------------------------------------------------------------------
# What `cgov audit verify` rechecks for meetings (see cgov/core/audit.py). The
# draft minutes (`meeting.minutes`) are hashed too, but a draft may be
# replaced until publication, so only what was made public is rechecked.

SEALS = {
    "meeting.publish": ("the published minutes no longer match the hash recorded when they were published",
                        "the published minutes it sealed are gone"),
    "meeting.addendum": ("the addendum no longer matches the hash recorded when it was added",
                         "the addendum it sealed is gone"),
}


def sealed_hash(session, entry) -> str | None:
    """The hash of the published text or addendum an entry sealed, as stored now (None: gone)."""
    meeting_id = audit.first_id(entry)
    if entry.action == "meeting.publish":
        m = session.get(Meeting, meeting_id)
        return audit.content_digest(m.published_text) if m is not None and m.published_text is not None else None
    a = session.exec(select(Addendum).where(Addendum.meeting_id == meeting_id,
                                            Addendum.position == json.loads(entry.detail)["position"])).first()
    return audit.content_digest(a.text) if a is not None else None


def seal_publication(session, m: Meeting, imported: bool = False) -> None:
    audit.record(session, "meeting.publish", entity="meeting", ids=[m.id],
                 detail={"where": m.published_where, "published_at": m.published_at,
                         **({"imported": True} if imported else {})},
                 content_hash=m.content_hash)


def seal_addendum(session, m: Meeting, a: Addendum, imported: bool = False) -> None:
    audit.record(session, "meeting.addendum", entity="meeting", ids=[m.id],
                 detail={"position": a.position, "at": a.at, **({"imported": True} if imported else {})},
                 content_hash=audit.content_digest(a.text))


# ---- reading ------------------------------------------------------------------------


def _ratio(entitled, present) -> float | None:
    return float(Fraction(present, entitled)) if entitled and present is not None else None


def _quorum(m: Meeting, entitled, present) -> dict:
    if present is None:
        return {"quorum_met": None, "quorum_needed": None, "quorum_explanation": "attendance not recorded",
                "quorum_explanation_zh": "未登记到会人数"}
    q = rules.quorum(_snapshot_type(m), entitled, present)
    return {"quorum_met": q.met, "quorum_needed": q.needed, "quorum_explanation": q.explanation_en,
            "quorum_explanation_zh": q.explanation_zh}


def integrity(session, m: Meeting) -> dict:
    """Whether the published text still has its SHA-256 ("verified", or what
    broke), and whether the stored meeting still renders to that text (False
    after the stored content was changed, or under a cgov that renders
    minutes differently: the published text is the record, not this)."""
    if m.published_at is None:
        return {"integrity": None, "renders_as_published": None}
    ok = m.published_text is not None and audit.content_digest(m.published_text) == m.content_hash
    return {"integrity": "verified" if ok else "the published text no longer matches its SHA-256",
            "renders_as_published": canonical_minutes(session, m) == m.published_text}


def show_meeting(session, ref: str, verify: bool = True) -> dict:
    m = get_meeting(session, ref)
    rows = _attendance(session, m)
    entitled, present = counts(m, rows)
    conv = session.exec(select(MeetingConvener).where(MeetingConvener.meeting_id == m.id)
                        .order_by(MeetingConvener.position)).all()
    d = {"id": m.id, "type": m.type, "type_name": m.type_name, "type_name_en": m.type_name_en,
         "title": m.title, "organization": m.organization_id, "organization_name": m.organization_name,
         "with": [{"organization": c.organization_id, "organization_name": c.organization_name} for c in conv],
         "at": m.at, "place": m.place, "chair": m.chair_id, "chair_name": m.chair_name,
         "recorder": m.recorder_id, "recorder_name": m.recorder_name,
         "rules": {"quorum": m.quorum_rule, "passing": m.passing_rule, "voters": m.voters,
                   "entitled": m.entitled_rule},
         "counting": _mode(m), "entitled": entitled, "present": present,
         "attendance_rate": _ratio(entitled, present),
         **_quorum(m, entitled, present)}
    d["attendance"] = [{"person": r.person_id, "name": r.name, "kind": r.kind, "votes": r.votes,
                        "party_status": r.party_status, "role": r.role, "status": r.status, "reason": r.reason}
                       for r in rows]
    d["agenda"] = [{"item": i.position, "text": i.text} for i in session.exec(
        select(AgendaItem).where(AgendaItem.meeting_id == m.id).order_by(AgendaItem.position))]
    d["minutes"] = m.minutes
    d["motions"] = [_motion_row(session, m, mo, rows) for mo in session.exec(
        select(Motion).where(Motion.meeting_id == m.id).order_by(Motion.position))]
    d["actions"] = [_action_row(a) for a in session.exec(
        select(ActionItem).where(ActionItem.meeting_id == m.id).order_by(ActionItem.position))]
    d.update(published=m.published_at is not None, published_at=m.published_at,
             published_where=m.published_where, content_hash=m.content_hash,
             **(integrity(session, m) if verify else {"integrity": None, "renders_as_published": None}))
    d["addenda"] = [{"at": a.at, "text": a.text} for a in session.exec(
        select(Addendum).where(Addendum.meeting_id == m.id).order_by(Addendum.position))]
    return d


def list_meetings(session, org_ref: str | None = None, type: str | None = None, area: str | None = None,
                  since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[dict]:
    q = select(Meeting)
    if org_ref:
        o = org.get_org(session, org_ref)
        q = q.where(Meeting.organization_id == o.id)
    if type:
        q = q.where(Meeting.type == get_type(session, type).code)
    if area:
        inside = org.descendants(session, org.get_area(session, area).id)
        q = q.where(Meeting.organization_id.in_(select(Organization.id).where(Organization.area_id.in_(inside))))
    if since:
        q = q.where(Meeting.at >= since)
    if until:
        q = q.where(Meeting.at < until)
    meetings = session.exec(q.order_by(Meeting.at, Meeting.id)).all()
    ids = [m.id for m in meetings]
    rows_by: dict = {}
    for r in session.exec(select(Attendance).where(Attendance.meeting_id.in_(ids))):
        rows_by.setdefault(r.meeting_id, []).append(r)
    motions: dict = {}
    for mo in session.exec(select(Motion).where(Motion.meeting_id.in_(ids))):
        motions.setdefault(mo.meeting_id, []).append(mo)
    out = []
    for m in meetings:
        rows = rows_by.get(m.id, [])
        entitled, present = counts(m, rows)
        q_met = _quorum(m, entitled, present)["quorum_met"]
        results = [_motion_row(session, m, mo, rows)["result"] for mo in motions.get(m.id, [])]
        out.append({"id": m.id, "at": m.at, "type": m.type, "type_name": m.type_name,
                    "type_name_en": m.type_name_en, "title": m.title, "organization": m.organization_id,
                    "organization_name": m.organization_name, "entitled": entitled, "present": present,
                    "quorum_met": q_met, "motions": len(results),
                    "passed": sum(1 for r in results if r == "passed"),
                    "published": m.published_at is not None, "published_at": m.published_at})
    return out


# ---- regular meetings ------------------------------------------------------------


def org_schedules(session) -> dict:
    return {(s.type, s.organization_id): s.schedule for s in session.exec(select(MeetingSchedule))}


def due(session, as_of: dt.date | None = None, org_ref: str | None = None, area: str | None = None,
        type: str | None = None, everything: bool = False) -> list[dict]:
    """Regular meetings each organization owes as of a day: overdue ones, or
    (everything) every schedule that binds someone, with its standing."""
    as_of = as_of or _local_date(clock.now())
    types = meeting_types(session)
    if type:
        types = {type: get_type(session, type)}
    if org_ref:
        orgs = {o.id: o for o in [org.get_org(session, org_ref)]}
    else:
        # Plain rows: a city has thousands of organizations to go through.
        orgs = {o.id: o for o in session.execute(select(Organization.id, Organization.name,
                                                        Organization.classification, Organization.area_id))}
    if area:
        inside = set(org.descendants(session, org.get_area(session, area).id))
        orgs = {k: o for k, o in orgs.items() if o.area_id in inside}
    held: dict = {}
    for mtype, oid, at in session.execute(select(Meeting.type, Meeting.organization_id, Meeting.at)):
        held.setdefault((mtype, oid), []).append(_local_date(at))
    own = org_schedules(session)
    bound: dict = {}
    for code, mt in types.items():
        if mt.schedule:
            for o in orgs.values():
                if o.classification in mt.scheduled_for or (code, o.id) in held:
                    bound[(code, o.id)] = mt.schedule
    for (code, oid), sched in own.items():
        if code in types and oid in orgs:
            bound[(code, oid)] = sched
    rows = []
    for (code, oid), sched in bound.items():
        if sched == "none":
            continue
        st = schedule.status(sched, held.get((code, oid), []), as_of)
        if not (st["overdue"] or everything):
            continue
        o = orgs[oid]
        rows.append({"organization": oid, "organization_name": o.name, "type": code,
                     "type_name": types[code].name, "type_name_en": types[code].name_en, "schedule": sched,
                     "last_held": st["last_held"], "due": st["due"],
                     "status": "overdue" if st["overdue"] else "on-time", "overdue_days": st["overdue_days"],
                     "missed": st["missed"]})
    rows.sort(key=lambda r: (-r["overdue_days"], r["organization"], r["type"]))
    return rows
