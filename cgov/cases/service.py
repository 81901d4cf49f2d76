"""Case rules and queries: open a case, move it through the flow, route it,
list and show cases, and the category taxonomy.

Plain functions over a Session; nothing here prints. Each step records its
event and an audit entry in the caller's transaction and returns the case as
`show_case` does. The figures a community is assessed on live in metrics.py."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import func, insert, or_
from sqlmodel import select

from cgov.cases import flow, taxonomy
from cgov.cases.labels import PRIORITY, REQUEST_TYPE, SATISFACTION as SATISFACTION_ZH, SOURCE
from cgov.cases.models import (OPEN_STATUSES, PRIORITIES, REQUEST_TYPES, SATISFACTION, SOURCES, STATUSES,
                               Case, CaseCategory, CaseEvent)
from cgov.core import clock, privacy
# cgov.core.audit and .sequence are imported where a case is written: building
# their tables' models costs 5 ms that `case list` and `case show` need not pay.
from cgov.core.errors import Invalid, NotFound, Refused
from cgov.org.models import ORG_CLASSES, Area, Organization, Person
from cgov.org.service import ancestors, area_brief, community_brief, descendants, find_party, get_area

# The hot paths (open a case, list cases) read and write through Core table
# columns, never the ORM: see org.service's area rows for why.
_C = Case.__table__.c

CASE_ID = re.compile(r"^C(\d{4})-(\d{6,})$")
_DATE_ONLY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
# What people type for an enum besides its value: the Chinese label, and a few
# words they actually use.
_ALIASES = {"12345": "hotline", "qr": "qr-code", "walkin": "walk-in"}


# ---- small helpers ----------------------------------------------------------

def choice(value: str | None, choices, labels: dict, what: str) -> str | None:
    """An enum value from its English value, its Chinese label or a common alias."""
    if value is None:
        return None
    v = value.strip()
    if v in choices:
        return v
    if v.lower() in choices:
        return v.lower()
    for key, zh in labels.items():
        if v == zh and key in choices:
            return key
    alias = _ALIASES.get(v.lower())
    if alias in choices:
        return alias
    raise Invalid(f"{what} '{value}' is not one of: "
                  + ", ".join(f"{c} ({labels[c]})" if c in labels else c for c in choices))


def deadline(text: str, what: str = "--due") -> dt.datetime:
    """A deadline typed by a person: a bare date means the end of that local day."""
    if _DATE_ONLY.match(text):
        day = clock.parse_date(text.strip(), what)
        return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=clock.local_zone()).astimezone(clock.UTC)
    return clock.parse_at(text, what)


def _seconds(at: dt.datetime) -> dt.datetime:
    # Whole seconds: what export writes is what the store holds, so a
    # round trip through YAML changes nothing.
    return at.replace(microsecond=0)


def get_case(session, ref: str) -> Case:
    case = session.get(Case, ref.strip().upper()) if ref else None
    if case is None:
        raise NotFound(f"no case '{ref}'", hint="cgov case list shows the ids (like C2026-000123)")
    return case


def _text(value: str | None) -> str | None:
    """Stripped text, with blank meaning none."""
    if isinstance(value, str):
        return value.strip() or None
    return value


# ---- categories ---------------------------------------------------------------

def categories(session) -> dict[str, dict]:
    """The effective taxonomy: shipped, replaced or extended from YAML."""
    cc = CaseCategory.__table__.c
    stored = [r._asdict() for r in session.execute(select(
        cc.code, cc.name, cc.name_en, cc.parent, cc.respond_hours, cc.resolve_hours, cc.handler))]
    return taxonomy.merged(stored)


def get_category(cats: dict, ref: str) -> dict:
    """A category by code, Chinese name or English name."""
    ref = ref.strip()
    if ref in cats:
        return cats[ref]
    found = [c for c in cats.values() if ref == c["name"] or (c["name_en"] or "").lower() == ref.lower()]
    if len(found) > 1:
        raise Invalid(f"category '{ref}' is ambiguous: {', '.join(c['code'] for c in found)}",
                      hint="give the code instead")
    if not found:
        near = [c for c in cats.values() if ref in c["name"] or ref.lower() in (c["name_en"] or "").lower()]
        hint = ("did you mean: " + ", ".join(f"{c['code']} {c['name']}" for c in near[:5])) if near \
            else "cgov case categories lists them"
        raise NotFound(f"no case category '{ref}'", hint=hint)
    return found[0]


def list_categories(session) -> list[dict]:
    return [{"code": c["code"], "name": c["name"], "name_en": c["name_en"], "parent": c["parent"],
             "respond_hours": c["respond_hours_effective"], "resolve_hours": c["resolve_hours_effective"],
             "handler": c["handler_effective"], "origin": c["origin"]} for c in categories(session).values()]


def deadlines(reported_at: dt.datetime, category: dict | None, priority: str) -> tuple[dt.datetime, dt.datetime]:
    """(respond-by, resolve-by) from the category's hours; urgent cases get
    the shorter of those and the urgent limits."""
    respond = category["respond_hours_effective"] if category else taxonomy.DEFAULT_RESPOND_HOURS
    resolve = category["resolve_hours_effective"] if category else taxonomy.DEFAULT_RESOLVE_HOURS
    if priority == "urgent":
        respond = min(respond, taxonomy.URGENT_RESPOND_HOURS)
        resolve = min(resolve, taxonomy.URGENT_RESOLVE_HOURS)
    return reported_at + dt.timedelta(hours=respond), reported_at + dt.timedelta(hours=resolve)


# ---- places -------------------------------------------------------------------

def _find_area(session, ref: str, classes: tuple, what: str, within: Area | None = None) -> Area:
    """An area of one of `classes` by id, or by name (inside `within` when given)."""
    area = area_brief(session, ref)
    if area is None:
        q = select(Area).where(Area.name == ref.strip(), Area.classification.in_(classes))
        if within is not None:
            q = q.where(Area.id.in_(descendants(session, within.id)))
        found = session.exec(q).all()
        if len(found) > 1:
            listed = ", ".join(f"{a.id} ({_where(session, a)})" for a in found[:6])
            raise Invalid(f"{what} '{ref}' is ambiguous: {listed}",
                          hint="give the id, or the community (--community) or grid it is in")
        area = found[0] if found else None
    if area is None:
        where = f" in {within.name}" if within is not None else ""
        raise NotFound(f"no {what} '{ref}'{where}", hint="cgov area list --kind " + classes[0] + " shows them")
    if area.classification not in classes:
        raise Invalid(f"{what} '{ref}' is a {area.classification}, not a {' or '.join(classes)}")
    if within is not None and area.id not in descendants(session, within.id):
        raise Invalid(f"{what} '{ref}' is not in {within.name} ({within.id})")
    return area


def _where(session, area: Area) -> str:
    """Where an area lies, for telling apart areas of the same name: 裕安社区 第一网格."""
    return " ".join(a.name for a in reversed(ancestors(session, area.id))
                    if a.classification in ("community", "village", "grid"))


def resolve_place(session, building: str | None = None, grid: str | None = None,
                  community: str | None = None) -> tuple[str | None, str | None, str | None]:
    """(building, grid, community) ids from what was given: a building implies
    its grid and community, a grid its community. Names are looked up inside
    the community or grid given alongside, so '--community 裕安社区 --building 3号楼'
    finds the one 3号楼 there."""
    c = _find_area(session, community, ("community", "village"), "community") if community else None
    g = _find_area(session, grid, ("grid",), "grid", within=c) if grid else None
    b = _find_area(session, building, ("building",), "building", within=g or c) if building else None
    # A name or id given with its community or grid was checked to lie inside
    # it; what is left is to fill in the levels above.
    if b is not None:
        parent = area_brief(session, b.parent_id)
        g = parent if parent is not None and parent.classification == "grid" else g
    c = community_brief(session, (g or b).id) if (g or b) is not None else c
    return (b.id if b else None, g.id if g else None, c.id if c else None)


def area_condition(session, ref: str):
    """SQL condition for cases at or under an area (a town or street includes
    every community under it)."""
    a = area_brief(session, ref) or get_area(session, ref)
    if a.classification == "building":
        return _C.building_id == a.id, a
    if a.classification == "grid":
        return _C.grid_id == a.id, a
    if a.classification in ("community", "village"):
        return _C.community_id == a.id, a
    area = Area.__table__.c
    communities = session.execute(select(area.id).where(
        area.id.in_(descendants(session, a.id)), area.classification.in_(("community", "village")))).scalars().all()
    return _C.community_id.in_(communities), a


# ---- handlers and routing --------------------------------------------------------

def resolve_handler(session, ref: str) -> tuple[str, str]:
    """('organization' | 'person', id) for --to: an id, an exact name, or a
    unique part of an organization's name (`--to 派出所`)."""
    ref = ref.strip()
    found = find_party(session, ref, "handler")
    if found is not None:
        return found
    # lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
    near = session.exec(select(Organization).where(func.lower(Organization.name).contains(ref.lower(), autoescape=True))
                        .order_by(Organization.id)).all()
    if len(near) == 1:
        return "organization", near[0].id
    if near:
        raise Invalid(f"handler '{ref}' matches several organizations: "
                      + ", ".join(f"{o.id} {o.name}" for o in near[:6]), hint="give the id")
    raise NotFound(f"no organization or person '{ref}'",
                   hint="cgov org list --kind department shows departments; a rule like department:派出所 routes")


def is_rule(text: str) -> bool:
    return all(cls in ORG_CLASSES for cls, _ in taxonomy.alternatives(text))


def place_chain(session, case: Case) -> list[str]:
    """The case's areas, nearest first: building, grid, community, town…"""
    chain = [a for a in (case.building_id, case.grid_id, case.community_id) if a]
    if chain:
        chain += [a.id for a in ancestors(session, chain[-1])]
    return chain


def route(session, case: Case, rule: str | None = None) -> tuple[str, str]:
    """The handler a rule names for this case (default: its category's rule)."""
    if rule is None:
        if not case.category:
            raise Refused(f"case {case.id} has no category, so it has no default handler",
                          hint=f"give the handler: cgov case dispatch {case.id} --to ORG-OR-PERSON")
        cat = categories(session).get(case.category)
        rule = cat and cat["handler_effective"]
        if not rule:
            raise Refused(f"category {case.category} names no default handler", hint="give --to")
        what = f"category {cat['name']} ({cat['code']}) is handled by {taxonomy.describe(rule)}"
    else:
        what = f"the rule '{rule}' asks for {taxonomy.describe(rule)}"
    chain = place_chain(session, case)
    if not chain:
        raise Refused(f"case {case.id} has no place (building, grid or community), so it cannot be routed",
                      hint=f"give the handler: cgov case dispatch {case.id} --to ORG-OR-PERSON")
    alts = taxonomy.alternatives(rule)
    orgs = session.exec(select(Organization).where(
        Organization.area_id.in_(chain), Organization.classification.in_([c for c, _ in alts]))).all()
    for cls, text in alts:
        for area_id in chain:
            found = [o for o in orgs if o.classification == cls and o.area_id == area_id
                     and (text is None or text in o.name)]
            if len(found) > 1:
                raise Refused(f"case {case.id}: {what}, and {area_id} has several: "
                              + ", ".join(f"{o.id} {o.name}" for o in found), hint="choose one with --to")
            if found:
                return "organization", found[0].id
    home = session.get(Area, case.community_id or chain[0])
    raise Refused(f"case {case.id}: {what}, and {home.name} ({home.id}) and the areas above it have none",
                  hint="give the handler with --to, or add the organization (cgov org add …)")


# ---- opening a case -----------------------------------------------------------------

def new_case_id(session, reported_at: dt.datetime) -> str:
    """C<year>-<sequence>: the local year of the report and a per-year number
    that never repeats (the counter is bumped inside this write transaction)."""
    from cgov.core import sequence

    year = clock.to_local(reported_at).year
    while True:
        cid = f"C{year}-{sequence.next_value(session, f'case-{year}'):06d}"
        if session.execute(select(_C.id).where(_C.id == cid)).first() is None:
            return cid


def add_case(session, **fields) -> dict:
    """Open a case (吹哨) and return it as `show_case` does, with key "id".
    Takes the arguments of `open_case`."""
    return show_case(session, open_case(session, **fields))


def open_case(session, *, title: str, description: str | None = None, category: str | None = None,
              building: str | None = None, grid: str | None = None, community: str | None = None,
              source: str = "other", request_type: str = "help", priority: str = "normal",
              reporter_name: str | None = None, reporter_phone: str | None = None,
              reported_at: dt.datetime | None = None, due: dt.datetime | None = None) -> str:
    """Open a case (吹哨) and return its id.

    Places, category, source and types accept ids/values, names and Chinese
    labels. Deadlines come from the category (respond-within, resolve-within
    hours), shorter for urgent cases; `due` overrides the resolve-by deadline.
    Records the audit entry `case.add` in the caller's transaction."""
    from cgov.core import audit

    title = _text(title)
    if not title:
        raise Invalid("a case needs a title: what is the matter, in a few words")
    source = choice(source or "other", SOURCES, SOURCE, "source")
    request_type = choice(request_type or "help", REQUEST_TYPES, REQUEST_TYPE, "request type")
    priority = choice(priority or "normal", PRIORITIES, PRIORITY, "priority")
    if reporter_phone:
        try:
            reporter_phone = privacy.normalize_phone(reporter_phone)
        except ValueError as e:
            raise Invalid(f"reporter phone: {e}") from None
    cat = get_category(categories(session), category) if category else None
    b, g, c = resolve_place(session, building, grid, community)
    now = clock.now()
    reported_at = _seconds(reported_at or now)
    respond_by, resolve_by = deadlines(reported_at, cat, priority)
    if due is not None:
        if due <= reported_at:
            raise Invalid(f"the deadline {clock.fmt_local(due)} is not after the report "
                          f"({clock.fmt_local(reported_at)})")
        resolve_by = _seconds(due)
    case_id = new_case_id(session, reported_at)
    code = cat["code"] if cat else None
    session.execute(insert(Case.__table__).values(
        id=case_id, title=title, description=_text(description), category=code,
        building_id=b, grid_id=g, community_id=c, source=source, request_type=request_type,
        priority=priority, reporter_name=_text(reporter_name), reporter_phone=reporter_phone or None,
        reported_at=reported_at, respond_by=respond_by, due=resolve_by, resolve_by=resolve_by,
        status="new", reopen_count=0, extension_count=0, updated_at=reported_at,
        recorded_by=session.info.get("actor"), created_at=now))
    audit.record(session, "case.add", entity="case", ids=[case_id],
                 detail={"title": title, "category": code, "community": c, "source": source,
                         "reported_at": clock.iso_local(reported_at)})
    return case_id


# ---- the flow ---------------------------------------------------------------------

def _step(session, ref: str, kind: str, at: dt.datetime | None, **fields) -> dict:
    from cgov.core import audit

    case = get_case(session, ref)
    seq = session.exec(select(func.max(CaseEvent.seq)).where(CaseEvent.case_id == case.id)).one() or 0
    ev = CaseEvent(case_id=case.id, seq=seq + 1, kind=kind, at=_seconds(at or clock.now()),
                   actor=session.info.get("actor"), **fields)
    flow.apply_event(case, ev)
    session.add(case)
    session.add(ev)
    session.flush()
    detail = {k: v for k, v in fields.items() if v is not None}
    detail.update(at=clock.iso_local(ev.at), status=case.status)
    if ev.level is not None:
        detail["level"] = ev.level
    content = None
    if f"case.{kind}" in SEALS:
        # Closes and ratings are sealed in the chain: the event row, which
        # `audit verify` finds again by its place in the case's timeline.
        detail["event"] = ev.seq
        content = event_hash(ev)
    audit.record(session, f"case.{kind}", entity="case", ids=[case.id], detail=detail, content_hash=content)
    return show_case(session, case.id)


# ---- seals ------------------------------------------------------------------------
# What `cgov audit verify` rechecks for cases (see cgov/core/audit.py).

SEALS = {
    "case.close": ("the close event no longer matches the hash recorded when the case was closed",
                   "the close event it sealed is gone from the case's timeline"),
    "case.rate": ("the rating no longer matches the hash recorded when the case was rated",
                  "the rating it sealed is gone from the case's timeline"),
    "case.reseal": ("the event no longer matches the hash recorded when an import rewrote the timeline",
                    "the event it sealed is gone from the case's timeline"),
}


def canonical_event(ev) -> dict:
    """An event row as it is sealed: every stored field but the row number,
    times in UTC. The same whether the row came from a command or an import."""
    from cgov.core import audit

    return {"case": ev.case_id, "seq": ev.seq, "kind": ev.kind, "at": audit.utc_text(ev.at), "actor": ev.actor,
            "note": ev.note, "handler_type": ev.handler_type, "handler": ev.handler_id, "resolved": ev.resolved,
            "satisfaction": ev.satisfaction, "deadline": audit.utc_text(ev.deadline),
            "previous_deadline": audit.utc_text(ev.previous_deadline), "approver": ev.approver,
            "level": ev.level, "duplicate_of": ev.duplicate_of}


def event_hash(ev) -> str:
    from cgov.core import audit

    return audit.record_digest(canonical_event(ev))


def sealed_hash(session, entry) -> str | None:
    """The hash of the event an entry sealed, as stored now (None: gone)."""
    from cgov.core import audit

    seq = json.loads(entry.detail).get("event")
    if seq is None:
        return audit.UNCHECKED  # a close sealed before events were hashed as rows
    ev = session.exec(select(CaseEvent).where(CaseEvent.case_id == audit.first_id(entry),
                                              CaseEvent.seq == seq)).first()
    return event_hash(ev) if ev is not None else None


def accept(session, ref: str, note: str | None = None, at: dt.datetime | None = None) -> dict:
    """应哨: the community takes the case on."""
    return _step(session, ref, "accept", at, note=_text(note))


def reject(session, ref: str, reason: str, at: dt.datetime | None = None) -> dict:
    """不予受理: not the community's to handle, with the reason."""
    return _step(session, ref, "reject", at, note=_text(reason))


def dispatch(session, ref: str, to: str | None = None, note: str | None = None,
             at: dt.datetime | None = None) -> dict:
    """派单 to a department, a community body or a person. Without `to`, the
    category's default handler for the case's place (see taxonomy.py); `to`
    may also be such a rule, e.g. 'department:派出所'."""
    case = get_case(session, ref)
    if case.status not in flow.ALLOWED["dispatch"]:
        raise flow.refusal(case, "dispatch")
    if to is None:
        htype, hid = route(session, case)
    elif session.get(Organization, to.strip()) is None and session.get(Person, to.strip()) is None \
            and is_rule(to):
        htype, hid = route(session, case, to.strip())
    else:
        htype, hid = resolve_handler(session, to)
    return _step(session, ref, "dispatch", at, handler_type=htype, handler_id=hid, note=_text(note))


def reply(session, ref: str, result: str, at: dt.datetime | None = None) -> dict:
    """办理反馈: the handler reports what was done."""
    return _step(session, ref, "reply", at, note=_text(result))


def close(session, ref: str, note: str | None = None, at: dt.datetime | None = None) -> dict:
    """核查结案: the community checks the result and closes the case."""
    return _step(session, ref, "close", at, note=_text(note))


def rate(session, ref: str, resolved: bool | None, satisfaction: str | None, note: str | None = None,
         at: dt.datetime | None = None) -> dict:
    """评价: the resident says whether it was resolved and how satisfied they are."""
    if resolved is None:
        raise Invalid("a rating says whether the matter was resolved: --resolved or --unresolved")
    if satisfaction is None:
        raise Invalid("a rating needs --satisfaction: satisfied (满意), basic (基本满意) or dissatisfied (不满意)")
    sat = choice(satisfaction, SATISFACTION, SATISFACTION_ZH, "satisfaction")
    return _step(session, ref, "rate", at, resolved=resolved, satisfaction=sat, note=_text(note))


def reopen(session, ref: str, reason: str, at: dt.datetime | None = None) -> dict:
    """返工: back to the handler (dispatched), counted."""
    return _step(session, ref, "reopen", at, note=_text(reason))


def extend(session, ref: str, until: dt.datetime, reason: str, approver: str,
           at: dt.datetime | None = None) -> dict:
    """延期: a later resolve-by deadline, with the reason and who approved it."""
    return _step(session, ref, "extend", at, deadline=_seconds(until), note=_text(reason), approver=_text(approver))


def escalate(session, ref: str, level: int | None = None, note: str | None = None,
             at: dt.datetime | None = None) -> dict:
    """督办: flag the case for supervision at a level (1–3, default one up)."""
    return _step(session, ref, "escalate", at, level=level, note=_text(note))


def cancel(session, ref: str, reason: str, at: dt.datetime | None = None) -> dict:
    """作废: entered by mistake or withdrawn; left out of every metric."""
    return _step(session, ref, "cancel", at, note=_text(reason))


def link(session, ref: str, duplicate_of: str, note: str | None = None, at: dt.datetime | None = None) -> dict:
    """Close a case as a duplicate of another (the one that is worked on)."""
    target = get_case(session, duplicate_of)
    case = get_case(session, ref)
    if target.id == case.id:
        raise Invalid(f"case {case.id} cannot be a duplicate of itself")
    if target.duplicate_of:
        raise Refused(f"case {target.id} is itself a duplicate of {target.duplicate_of}; link to that case")
    if target.status == "cancelled":
        raise Refused(f"case {target.id} is cancelled; a duplicate must point at a case that is worked on")
    return _step(session, ref, "link", at, duplicate_of=target.id, note=_text(note))


# ---- reading ---------------------------------------------------------------------------

def _names(session, cases: list[Case], events: list[CaseEvent] = ()) -> dict:
    area_ids = {a for c in cases for a in (c.building_id, c.grid_id, c.community_id) if a}
    handlers = {(c.handler_type, c.handler_id) for c in cases} | {(e.handler_type, e.handler_id) for e in events}
    org_ids = {h for t, h in handlers if t == "organization"}
    person_ids = {h for t, h in handlers if t == "person"}
    names = {"area": {}, "organization": {}, "person": {}}
    for key, model, ids in (("area", Area, area_ids), ("organization", Organization, org_ids),
                            ("person", Person, person_ids)):
        ids, col = list(ids), model.__table__.c
        for i in range(0, len(ids), 900):
            names[key].update(session.execute(select(col.id, col.name).where(col.id.in_(ids[i:i + 900]))).all())
    return names


def _row(c: Case, names: dict, cats: dict, now: dt.datetime) -> dict:
    areas = names["area"]
    cat = cats.get(c.category) if c.category else None
    place = " ".join(areas[a] for a in (c.community_id, c.grid_id, c.building_id) if a in areas)
    overdue = c.status in OPEN_STATUSES and c.resolve_by < now
    return {
        "id": c.id, "title": c.title, "description": c.description, "status": c.status,
        "category": c.category, "category_name": cat["name"] if cat else None,
        "source": c.source, "request_type": c.request_type, "priority": c.priority,
        "building": c.building_id, "grid": c.grid_id, "community": c.community_id,
        "community_name": areas.get(c.community_id), "grid_name": areas.get(c.grid_id),
        "building_name": areas.get(c.building_id), "place": place or None,
        "reporter_name": c.reporter_name, "reporter_phone": c.reporter_phone,
        "reported_at": c.reported_at, "respond_by": c.respond_by, "due": c.due, "resolve_by": c.resolve_by,
        "responded_at": c.responded_at, "closed_at": c.closed_at,
        "handler_type": c.handler_type, "handler": c.handler_id,
        "handler_name": names.get(c.handler_type or "", {}).get(c.handler_id),
        "escalation_level": c.escalation_level, "reopen_count": c.reopen_count,
        "extension_count": c.extension_count, "duplicate_of": c.duplicate_of,
        "resolved": c.resolved, "satisfaction": c.satisfaction, "rated_at": c.rated_at,
        "overdue": overdue,
        "overdue_hours": round((now - c.resolve_by).total_seconds() / 3600, 1) if overdue else None,
        "updated_at": c.updated_at,
    }


def _event_row(e: CaseEvent, names: dict) -> dict:
    return {"seq": e.seq, "at": e.at, "kind": e.kind, "actor": e.actor, "note": e.note,
            "to_type": e.handler_type, "to": e.handler_id,
            "to_name": names.get(e.handler_type or "", {}).get(e.handler_id),
            "resolved": e.resolved, "satisfaction": e.satisfaction, "until": e.deadline,
            "previous": e.previous_deadline, "approver": e.approver, "level": e.level,
            "duplicate_of": e.duplicate_of}


def show_case(session, ref: str, now: dt.datetime | None = None) -> dict:
    """The case with its timeline (`events`, oldest first; the first is the report)."""
    c = get_case(session, ref)
    events = session.exec(select(CaseEvent).where(CaseEvent.case_id == c.id).order_by(CaseEvent.seq)).all()
    names = _names(session, [c], events)
    row = _row(c, names, categories(session), now or clock.now())
    # The report itself opens the timeline; it is the case row, not an event row.
    report = CaseEvent(case_id=c.id, seq=0, kind="add", at=c.reported_at, actor=c.recorded_by)
    row["events"] = [_event_row(e, names) for e in (report, *events)]
    row["duplicates"] = session.exec(select(Case.id).where(Case.duplicate_of == c.id).order_by(Case.id)).all()
    return row


SORTS = {"reported": _C.reported_at, "due": _C.resolve_by, "updated": _C.updated_at,
         "id": _C.id, "status": _C.status}


def _query(session, status=None, area=None, category=None, handler=None, source=None, overdue=False,
           escalated=False, since=None, until=None, search=None, now=None):
    q = select(Case.__table__)
    if status:
        wanted = set()
        for s in status:
            for part in s.split(","):
                part = part.strip()
                if part == "open":
                    wanted.update(OPEN_STATUSES)
                elif part in STATUSES:
                    wanted.add(part)
                elif part:
                    raise Invalid(f"--status '{part}' is not one of: {', '.join(STATUSES)}, open")
        q = q.where(_C.status.in_(sorted(wanted)))
    if area:
        q = q.where(area_condition(session, area)[0])
    if category:
        cats = categories(session)
        cat = get_category(cats, category)
        q = q.where(_C.category.in_([cat["code"]] + [c["code"] for c in cats.values() if c["parent"] == cat["code"]]))
    if handler:
        htype, hid = resolve_handler(session, handler)
        q = q.where(_C.handler_type == htype, _C.handler_id == hid)
    if source:
        q = q.where(_C.source == choice(source, SOURCES, SOURCE, "--source"))
    if overdue:
        q = q.where(_C.status.in_(OPEN_STATUSES), _C.resolve_by < (now or clock.now()))
    if escalated:
        q = q.where(_C.escalation_level.is_not(None))
    if since:
        q = q.where(_C.reported_at >= since)
    if until:
        q = q.where(_C.reported_at < until)
    if search:
        term = search.strip().lower()
        q = q.where(or_(func.lower(_C.title).contains(term, autoescape=True),
                        func.lower(func.coalesce(_C.description, "")).contains(term, autoescape=True)))
    return q


def list_cases(session, status: list[str] | None = None, area: str | None = None, category: str | None = None,
               handler: str | None = None, source: str | None = None, overdue: bool = False,
               escalated: bool = False, since: dt.datetime | None = None, until: dt.datetime | None = None,
               search: str | None = None, sort: str = "-reported", limit: int | None = None,
               now: dt.datetime | None = None) -> list[dict]:
    """Cases matching every filter given. `status` values may be comma-separated
    and include 'open' (new, accepted, dispatched, replied); an area includes
    everything under it; a category class includes its subclasses; `since` /
    `until` bound the reported time [since, until); `sort` is reported, due,
    updated, id or status, with a leading '-' for descending."""
    now = now or clock.now()
    q = _query(session, status, area, category, handler, source, overdue, escalated, since, until, search, now)
    key = sort.lstrip("-")
    if key not in SORTS:
        raise Invalid(f"--sort '{sort}' is not one of: {', '.join(SORTS)} (a leading '-' sorts descending)")
    col = SORTS[key]
    q = q.order_by(col.desc() if sort.startswith("-") else col, _C.id.desc() if sort.startswith("-") else _C.id)
    if limit:
        q = q.limit(limit)
    cases = session.execute(q).all()  # rows with the Case's attribute names
    names = _names(session, cases)
    cats = categories(session)
    return [_row(c, names, cats, now) for c in cases]


def count_cases(session, **filters) -> int:
    q = _query(session, **filters)
    return session.exec(select(func.count()).select_from(q.subquery())).one()
