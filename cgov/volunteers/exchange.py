"""Import and export of the volunteers sections (DESIGN §2):
`registrations`, `volunteer_activities` (with their participants: the
ledger's earn entries), `points` (redemptions and corrections), `needs`,
`resources` and `projects`.

Paper records come in through here, under the same rules as the commands.
The ledger is append-only here too: an entry or participant already stored
is checked against the file (on the keys the file gives) and never changed;
a difference is refused with the way to correct it (a new adjust entry).
New participants and entries are added. After the whole file, no balance
may go below zero at any moment of the ledger.

A participant given as a bare person id is credited by the rule in force
(cgov points rule); given with `points`, it is taken as the paper says,
`credited_hours` defaulting to its `hours`. Export writes `points` always,
so what is stored reads back the same whatever the rule is then.
A key left out of any other record keeps what is stored."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import insert
from sqlmodel import select

from cgov.core import clock
from cgov.core.errors import CgovError
from cgov.core.schema import Problems, Record
from cgov.org.models import Area, Organization, Person
from cgov.org.service import community_of
from cgov.volunteers import common, points, registry, rules
from cgov.volunteers.models import (CATEGORIES, NEED_KINDS, NEED_STATUSES, PROJECT_STATUSES, RESOURCE_STATUSES,
                                    Need, PointsEntry, Project, ProjectNeed, ProjectResource, Registration,
                                    Resource, VolunteerActivity)

SECTIONS = ("registrations", "volunteer_activities", "points", "needs", "resources", "projects")
REGISTRATION_KEYS = {"id", "community", "organization", "person", "services", "start_date", "end_date", "note"}
ACTIVITY_KEYS = {"id", "title", "organization", "community", "at", "hours", "note", "participants"}
PARTICIPANT_KEYS = {"person", "hours", "credited_hours", "points"}
ENTRY_KEYS = {"id", "kind", "person", "points", "hours", "for", "reason", "organization", "community", "activity",
              "at"}
NEED_KEYS = {"id", "title", "kind", "category", "description", "person", "area", "at", "status", "claimed_by",
             "claimed_at", "fulfilled_at", "withdrawn_at", "note"}
RESOURCE_KEYS = {"id", "title", "category", "description", "provider", "area", "at", "status", "withdrawn_at", "note"}
PROJECT_KEYS = {"id", "title", "description", "owner", "area", "at", "status", "started_at", "done_at", "needs",
                "resources", "note"}
# The YAML key of a ledger column, for saying what differs.
ENTRY_KEY_OF = {"person_id": "person", "points_c": "points", "minutes": "hours", "organization_id": "organization",
                "community_id": "community", "activity_id": "activity"}
APPEND_ONLY = "the ledger is append-only: record a correction as a new adjust entry in 'points'"


@dataclass
class Item:
    rec: Record
    values: dict  # column -> value, for the keys the record gave
    old: object = None  # the stored row, if any
    extra: dict = field(default_factory=dict)


@dataclass
class NewEntry:
    """An entry the import will add, with the record that asked for it."""
    entry: PointsEntry
    rec: Record


class Lookup:
    """session.get with a memory. The session's identity map keeps an object
    only while something refers to it, and an import refers to the same
    persons, organizations and areas thousands of times."""

    def __init__(self, session):
        self.session = session
        self.found: dict = {}

    def __call__(self, model, rid):
        key = (model, rid)
        if key not in self.found:
            self.found[key] = self.session.get(model, rid) if rid is not None else None
        return self.found[key]


@dataclass
class Plan:
    get: Lookup
    registrations: list = field(default_factory=list)
    activities: list = field(default_factory=list)
    entries: list = field(default_factory=list)  # Items of the points section
    needs: list = field(default_factory=list)
    resources: list = field(default_factory=list)
    projects: list = field(default_factory=list)
    new_entries: list = field(default_factory=list)  # NewEntry, for the balance check and the writing


# ---- reading helpers ---------------------------------------------------------------------


def _records(sections: dict, name: str, problems: Problems, keys: set):
    seen: dict = {}
    for file, items in sections.get(name, []):
        for i, raw in enumerate(items):
            rec = Record(raw, file, name, problems, i)
            if not rec.ok:
                continue
            rec.known_keys(keys)
            rid = rec.ident("id")
            if rid is None:
                continue
            if rid in seen:
                rec.fail(f"'{rid}' is given twice in {name} (also at {seen[rid].file}:{seen[rid].line})")
                continue
            seen[rid] = rec
            yield rec, rid


def _strings(rec: Record, key: str) -> list[str]:
    out = []
    for v in rec.items(key):
        if not isinstance(v, str) or not v.strip():
            rec.fail(f"'{key}' must be a list of texts")
        else:
            out.append(v.strip())
    return out


def _exists(get: Lookup, model, rid, rec: Record, what: str, also=()) -> bool:
    if rid is None or rid in also or get(model, rid) is not None:
        return True
    rec.fail(f"{what} '{rid}' is not a known {what}")
    return False


def _party(get: Lookup, rec: Record, key: str):
    """(type, id) of a unit or person given by id."""
    rid = rec.ident(key, required=False)
    if rid is None:
        return None
    if get(Organization, rid) is not None:
        return "organization", rid
    if get(Person, rid) is not None:
        return "person", rid
    rec.fail(f"'{key}' '{rid}' is not a known organization or person")
    return None


def _community(get: Lookup, rec: Record, key: str = "community") -> str | None:
    cid = rec.ident(key, required=False)
    if cid is None:
        return None
    area = get(Area, cid)
    if area is None or area.classification not in ("community", "village"):
        rec.fail(f"'{key}' '{cid}' is not a known community or village")
        return None
    return cid


def _amount(parse, rec: Record, key: str, signed: bool) -> int | None:
    """A quantity read by one of rules' parsers, its error reported on the record."""
    if not rec.has(key):
        return None
    try:
        return parse(rec.text(key, required=True) or "", f"'{key}'", signed=signed)
    except CgovError as e:
        rec.fail(e.message)
        return None


def _hours(rec: Record, key: str, signed: bool = False) -> int | None:
    return _amount(rules.parse_hours, rec, key, signed)


def _points(rec: Record, key: str = "points", signed: bool = False) -> int | None:
    return _amount(rules.parse_points, rec, key, signed)


def _order(rec: Record, pairs) -> None:
    """Each time given is not before the one it follows."""
    last_key, last = None, None
    for key, value in pairs:
        if value is None:
            continue
        if last is not None and value < last:
            rec.fail(f"'{key}' ({clock.fmt_local(value)}) is before '{last_key}' ({clock.fmt_local(last)})")
        last_key, last = key, value


def _merged(item: Item, columns) -> dict:
    """The record as it will be: stored values under what the file gives."""
    base = {c: getattr(item.old, c) for c in columns} if item.old is not None else {c: None for c in columns}
    base.update(item.values)
    return base


def _changes(item: Item) -> dict:
    if item.old is None:
        return dict(item.values)
    return {k: v for k, v in item.values.items() if getattr(item.old, k) != v}


def _update(session, item: Item) -> dict:
    """Write what the file changes onto the stored record; the changes."""
    changes = _changes(item)
    for k, v in changes.items():
        setattr(item.old, k, v)
    session.add(item.old)
    return changes


# ---- registrations -------------------------------------------------------------------------


def _plan_registrations(session, sections, problems, p: Plan) -> None:
    columns = ("community_id", "organization_id", "person_id", "services", "start_date", "end_date", "note")
    for rec, rid in _records(sections, "registrations", problems, REGISTRATION_KEYS):
        v: dict = {}
        if rec.has("community"):
            v["community_id"] = _community(p.get, rec)
        for key, model in (("organization", Organization), ("person", Person)):
            if rec.has(key):
                v[f"{key}_id"] = rec.ident(key, required=False)
                _exists(p.get, model, v[f"{key}_id"], rec, key)
        if rec.has("services"):
            v["services"] = json.dumps(registry.services_list(_strings(rec, "services")), ensure_ascii=False)
        for key in ("start_date", "end_date"):
            if rec.has(key):
                v[key] = rec.date(key, required=key == "start_date")
        if rec.has("note"):
            v["note"] = rec.text("note")
        item = Item(rec, v, session.get(Registration, rid))
        item.extra["id"] = rid
        if not rec.ok:
            continue
        m = _merged(item, columns)
        if item.old is not None:
            for key in ("community_id", "organization_id", "person_id"):
                if key in v and v[key] != getattr(item.old, key):
                    rec.fail(f"registration {rid} is of {item.old.organization_id or item.old.person_id} with "
                             f"{item.old.community_id}; who and where cannot change (end it and register anew)")
                    break
        if not m["community_id"] or (m["organization_id"] is None) == (m["person_id"] is None):
            rec.fail("a registration needs a 'community' and exactly one of 'organization' or 'person'")
            continue
        if not m["services"] or m["services"] == "[]":
            rec.fail("'services' must list at least one service offered")
        if m["start_date"] is None:
            rec.fail("'start_date' is required")
        elif m["end_date"] is not None and m["end_date"] < m["start_date"]:
            rec.fail(f"end_date {m['end_date']} is before start_date {m['start_date']}")
        kind, who = ("organization", m["organization_id"]) if m["organization_id"] else ("person", m["person_id"])
        if rec.ok and item.old is None:
            # Where a person lives is known for now, not for a registration
            # that ended before: an ended one is taken as the paper says.
            problem = registry.who_problem(session, kind, who, session.get(Area, m["community_id"]),
                                           check_home=m["end_date"] is None)
            if problem:
                rec.fail(problem)
        item.extra.update(key=(kind, who, m["community_id"]), current=m["end_date"] is None)
        p.registrations.append(item)
    _no_double_registration(session, p.registrations)


def _no_double_registration(session, items) -> None:
    """One open registration of a unit or person with a community."""
    open_in_file = {}
    for it in items:
        if not it.rec.ok or not it.extra["current"]:
            continue
        kind, who, cid = it.extra["key"]
        if it.extra["key"] in open_in_file:
            it.rec.fail(f"{who} is registered with {cid} twice (also {open_in_file[it.extra['key']]})")
            continue
        open_in_file[it.extra["key"]] = it.extra["id"]
        col = Registration.organization_id if kind == "organization" else Registration.person_id
        other = session.exec(select(Registration.id).where(
            col == who, Registration.community_id == cid, Registration.end_date.is_(None),
            Registration.id != it.extra["id"])).first()
        if other and other not in {i.extra["id"] for i in items}:
            it.rec.fail(f"{who} is already registered with {cid} ({other})")


def _apply_registrations(session, items) -> dict:
    return _apply_simple(session, items, Registration, "registration")


# ---- activities and their participants -------------------------------------------------------


def _parse_participants(get: Lookup, rec: Record) -> list[dict]:
    out, seen = [], set()
    for j, raw in enumerate(rec.items("participants")):
        if isinstance(raw, str):
            sub, given = None, {"person": raw.strip()}
        else:
            sub = rec.nested(raw, f"participants[{j}]", PARTICIPANT_KEYS)
            if sub is None:
                continue
            given = {"person": sub.ident("person"), "reported": _hours(sub, "hours"),
                     "credited": _hours(sub, "credited_hours"), "points_c": _points(sub)}
            rec.ok = rec.ok and sub.ok
        pid = given["person"]
        if not pid:
            continue
        if pid in seen:
            rec.fail(f"participant '{pid}' is listed twice")
        seen.add(pid)
        if get(Person, pid) is None:
            rec.fail(f"participant '{pid}' is not a known person")
        if given.get("credited") is not None and given.get("points_c") is None:
            (sub or rec).fail("'credited_hours' goes with 'points': a paper record says both")
        given["rec"] = sub or rec
        out.append(given)
    return out


def _plan_activities(session, sections, problems, p: Plan, rule: rules.Rule) -> None:
    parsed = []
    for rec, rid in _records(sections, "volunteer_activities", problems, ACTIVITY_KEYS):
        v: dict = {}
        if rec.has("title"):
            v["title"] = rec.text("title", required=True)
        if rec.has("organization"):
            v["organization_id"] = rec.ident("organization")
            _exists(p.get, Organization, v["organization_id"], rec, "organization")
        if rec.has("community"):
            v["community_id"] = _community(p.get, rec)
        if rec.has("at"):
            at = rec.datetime("at", required=True)
            v["at"] = common.seconds(at) if at else None
        if rec.has("hours"):
            v["minutes"] = _hours(rec, "hours")
        if rec.has("note"):
            v["note"] = rec.text("note")
        participants = _parse_participants(p.get, rec) if rec.has("participants") else None
        parsed.append((rec, rid, v, participants))
    # What is stored, in a few queries for the whole file.
    stored = {a.id: a for a in common.fetch(session, VolunteerActivity, VolunteerActivity.id,
                                            [rid for _, rid, _, _ in parsed])}
    earned: dict = {}
    for e in common.fetch(session, PointsEntry, PointsEntry.earned_for, list(stored)):
        earned.setdefault(e.earned_for, {})[e.person_id] = e
    for rec, rid, v, participants in parsed:
        old = stored.get(rid)
        item = Item(rec, v, old, {"id": rid, "participants": participants or [], "earned": earned.get(rid, {})})
        if not rec.ok:
            continue
        if old is None:
            _new_activity_checks(session, item, p.get)
        else:
            for key, what in (("organization_id", "organizer"), ("community_id", "community"), ("at", "time"),
                              ("minutes", "hours")):
                if key in v and v[key] != getattr(old, key):
                    rec.fail(f"activity {rid} is recorded with another {what}; its participants' entries stand "
                             f"by it ({APPEND_ONLY})")
        if rec.ok:
            _plan_participants(item, rule, p)
        if rec.ok:
            p.activities.append(item)


def _new_activity_checks(session, item: Item, get: Lookup) -> None:
    v, rec = item.values, item.rec
    for key in ("title", "organization_id", "at"):
        if not v.get(key):
            rec.fail(f"'{key.removesuffix('_id')}' is required for a new activity")
    if not item.extra["participants"]:
        rec.fail("'participants' must list who served")
    if rec.ok and not v.get("community_id"):
        org = get(Organization, v["organization_id"])
        c = community_of(session, org.area_id) if org.area_id else None
        if c is None:
            rec.fail(f"'community' is required: {org.id} is not in one community")
        else:
            v["community_id"] = c.id


def _plan_participants(item: Item, rule: rules.Rule, p: Plan) -> None:
    """Stored participants are checked, new ones become earn entries."""
    rid, old, rec = item.extra["id"], item.old, item.rec
    stored = item.extra["earned"]
    given = {g["person"] for g in item.extra["participants"]}
    if item.extra["participants"] and old is not None:
        missing = sorted(set(stored) - given)
        if missing:
            rec.fail(f"'participants' leaves out {', '.join(missing)}, who are in the ledger for {rid}; "
                     f"{APPEND_ONLY}")
    act = _merged(item, ("title", "organization_id", "community_id", "at", "minutes"))
    new = []
    for g in item.extra["participants"]:
        e = stored.get(g["person"])
        if e is not None:
            for key, col, what in (("reported", "reported_minutes", "hours"), ("credited", "minutes", "credited_hours"),
                                   ("points_c", "points_c", "points")):
                if g.get(key) is not None and g[key] != getattr(e, col):
                    g["rec"].fail(f"{g['person']}'s entry {e.id} for {rid} has other {what}; {APPEND_ONLY}")
            continue
        reported = g.get("reported") if g.get("reported") is not None else act["minutes"]
        if reported is None:
            g["rec"].fail(f"how long did {g['person']} serve? give 'hours' for them or for the activity")
            continue
        if g.get("points_c") is not None:
            credited, points_c = (g["credited"] if g.get("credited") is not None else reported), g["points_c"]
        else:
            credited = rule.credit(reported)
            points_c = rule.points(credited)
        if reported <= 0 or credited <= 0:
            g["rec"].fail(f"{g['person']}: {reported} minutes of service credits nothing "
                          f"(service counts in {rule.step_minutes}-minute steps)")
            continue
        entry = _draft(id=f"~{rid}~{g['person']}", person_id=g["person"], kind="earn", at=act["at"],
                       activity_id=rid, earned_for=rid, community_id=act["community_id"],
                       organization_id=act["organization_id"], reported_minutes=reported, minutes=credited,
                       points_c=points_c)
        new.append(NewEntry(entry, g["rec"]))
    item.extra["new"] = new
    if rec.ok:
        p.new_entries.extend(new)


def _apply_activities(session, items, avoid=frozenset()) -> dict:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    actor, now = session.info.get("actor"), clock.now()
    for it in items:
        if it.old is None:
            session.add(VolunteerActivity(id=it.extra["id"], recorded_by=actor, created_at=now, **it.values))
            counts["created"] += 1
            continue
        changes = _update(session, it)
        counts["updated" if changes or it.extra["new"] else "unchanged"] += 1
    common.claim_ids(session, "activity", [it.extra["id"] for it in items if it.old is None])
    session.flush()
    # The earn entries after their activities, numbered in one block.
    new = [n.entry for it in items for n in it.extra["new"]]
    for entry, eid in zip(new, common.new_ids(session, "entry", PointsEntry, len(new), avoid)):
        entry.id = eid
    _insert_entries(session, new)
    return counts


# ---- points: redemptions and corrections ---------------------------------------------------


def _plan_entries(session, sections, problems, p: Plan, rule: rules.Rule) -> None:
    file_activities = {it.extra["id"]: it for it in p.activities}
    for rec, rid in _records(sections, "points", problems, ENTRY_KEYS):
        kind = rec.enum("kind", ("redeem", "adjust", "earn"), required=True)
        if kind == "earn":
            rec.fail("earn entries are the participants of a record in 'volunteer_activities'")
            continue
        v: dict = {"kind": kind}
        if rec.has("person"):
            v["person_id"] = rec.ident("person")
            _exists(p.get, Person, v["person_id"], rec, "person")
        if rec.has("at"):
            at = rec.datetime("at", required=True)
            v["at"] = common.seconds(at) if at else None
        if kind == "redeem":
            _plan_redeem(p, rec, v)
        elif kind == "adjust":
            _plan_adjust(session, rec, v, rule, file_activities)
        old = session.get(PointsEntry, rid)
        item = Item(rec, v, old, {"id": rid})
        if not rec.ok:
            continue
        if old is not None:
            differs = sorted(ENTRY_KEY_OF.get(k, k) if k != "note" else ("for" if old.kind == "redeem" else "reason")
                             for k, x in v.items() if getattr(old, k) != x)
            if differs:
                rec.fail(f"ledger entry {rid} is recorded with other {', '.join(differs)}; {APPEND_ONLY}")
                continue
        else:
            _new_entry(session, item, p)
        p.entries.append(item)


def _not_for(rec: Record, kind: str, keys) -> None:
    for key in keys:
        if rec.has(key):
            rec.fail(f"'{key}' is not a key of a{'n' if kind == 'adjust' else ''} {kind} entry")


def _plan_redeem(p: Plan, rec: Record, v: dict) -> None:
    _not_for(rec, "redeem", ("hours", "reason", "activity"))
    points_c = _points(rec)
    if points_c is not None:
        if points_c <= 0:
            rec.fail("'points' of a redemption must be above 0")
        v["points_c"] = -points_c
    if rec.has("for"):
        v["note"] = rec.text("for", required=True)
    if rec.has("organization"):
        v["organization_id"] = rec.ident("organization", required=False)
        _exists(p.get, Organization, v["organization_id"], rec, "organization")
    if rec.has("community"):
        v["community_id"] = _community(p.get, rec)


def _plan_adjust(session, rec: Record, v: dict, rule: rules.Rule, file_activities: dict) -> None:
    _not_for(rec, "adjust", ("for", "organization", "community"))
    points_c = _points(rec, signed=True)
    minutes = _hours(rec, "hours", signed=True)
    if rec.has("points") or rec.has("hours"):
        if not points_c and not minutes:
            rec.fail("a correction changes 'points' or 'hours' by a number other than 0")
        v["minutes"] = minutes or 0
        v["points_c"] = points_c if points_c is not None else rule.points(minutes or 0)
    if rec.has("reason"):
        v["note"] = rec.text("reason", required=True)
    if rec.has("activity"):
        aid = rec.ident("activity", required=False)
        act = session.get(VolunteerActivity, aid) if aid else None
        item = file_activities.get(aid)
        if aid and act is None and item is None:
            rec.fail(f"activity '{aid}' is not a known activity")
            return
        v["activity_id"] = aid
        # The correction counts where the activity was, as it does from the command.
        where = {"community_id": act.community_id, "organization_id": act.organization_id} if act is not None \
            else item.values
        v["community_id"], v["organization_id"] = where.get("community_id"), where.get("organization_id")


def _new_entry(session, item: Item, p: Plan) -> None:
    v, rec = item.values, item.rec
    need = {"redeem": ("person_id", "points_c", "note", "at"), "adjust": ("person_id", "points_c", "note", "at")}
    names = {"person_id": "person", "points_c": "points or hours", "note": "for" if v["kind"] == "redeem" else "reason",
             "at": "at"}
    missing = [names[k] for k in need[v["kind"]] if v.get(k) is None]
    if missing:
        rec.fail(f"a new {v['kind']} entry needs {', '.join(missing)}")
        return
    if v["kind"] == "redeem" and "community_id" not in v:
        home = common.home_community(session, p.get(Person, v["person_id"]))
        v["community_id"] = home.id if home else None
    if v["kind"] == "adjust" and v.get("activity_id"):
        earned = session.exec(select(PointsEntry.id).where(PointsEntry.earned_for == v["activity_id"],
                                                           PointsEntry.person_id == v["person_id"])).first()
        if earned is None and not any(n.entry.earned_for == v["activity_id"] and n.entry.person_id == v["person_id"]
                                      for n in p.new_entries):
            rec.fail(f"{v['person_id']} has no entry for {v['activity_id']} to correct")
            return
    entry = _draft(**v, id=item.extra["id"])
    p.new_entries.append(NewEntry(entry, rec))
    item.extra["new"] = entry


def _check_balances(session, p: Plan) -> None:
    """No balance below zero at any moment, stored and new entries together."""
    by_person: dict = {}
    for n in p.new_entries:
        by_person.setdefault(n.entry.person_id, []).append(n)
    for pid, new in by_person.items():
        stored = list(session.exec(select(PointsEntry).where(PointsEntry.person_id == pid)))
        short = points.shortfall([*stored, *[n.entry for n in new]])
        if short is None:
            continue
        debits = sorted((n for n in new if n.entry.points_c < 0), key=lambda n: points.ledger_order(n.entry))
        blamed = next((n for n in debits if n.entry is short.entry), None) or \
            next((n for n in debits if points.ledger_order(n.entry) <= points.ledger_order(short.entry)), None)
        if blamed is None:  # only stored debits: the store was short already
            continue
        person = session.get(Person, pid)
        blamed.rec.fail(points.shortfall_message(short, blamed.entry, f"{person.name} ({pid})"))


def _apply_entries(session, items) -> dict:
    new = [it.extra["new"] for it in items if it.extra.get("new") is not None]
    _insert_entries(session, new)
    return {"created": len(new), "updated": 0, "unchanged": len(items) - len(new)}


def _draft(**values) -> SimpleNamespace:
    """A ledger row to be: light, as an import may bring tens of thousands,
    and enough like an entry for the balance check."""
    row = {c.name: None for c in PointsEntry.__table__.columns}
    row.update(minutes=0)
    row.update(values)
    return SimpleNamespace(**row)


def _insert_entries(session, drafts) -> None:
    actor, now = session.info.get("actor"), clock.now()
    rows = [{**vars(d), "recorded_by": actor, "created_at": now} for d in drafts]
    for i in range(0, len(rows), common.CHUNK):
        session.execute(insert(PointsEntry.__table__), rows[i:i + common.CHUNK])


# ---- needs, resources, projects -------------------------------------------------------------


def _times(rec: Record, v: dict, keys: dict) -> None:
    for key, col in keys.items():
        if rec.has(key):
            at = rec.datetime(key)
            v[col] = common.seconds(at) if at else None


def _plan_needs(session, sections, problems, p: Plan) -> None:
    columns = ("title", "kind", "category", "description", "person_id", "area_id", "community_id", "posted_at",
               "status", "claimed_by_type", "claimed_by", "claimed_at", "fulfilled_at", "withdrawn_at", "note")
    for rec, rid in _records(sections, "needs", problems, NEED_KEYS):
        v: dict = {}
        for key in ("title", "description", "note"):
            if rec.has(key):
                v[key] = rec.text(key, required=key == "title")
        for key, choices in (("kind", NEED_KINDS), ("category", CATEGORIES), ("status", NEED_STATUSES)):
            if rec.has(key):
                v[key] = rec.enum(key, choices, required=True)
        if rec.has("person"):
            v["person_id"] = rec.ident("person", required=False)
            _exists(p.get, Person, v["person_id"], rec, "person")
        if rec.has("area"):
            v["area_id"] = rec.ident("area", required=False)
            if _exists(p.get, Area, v["area_id"], rec, "area") and v["area_id"]:
                c = community_of(session, v["area_id"])
                if c is None:
                    rec.fail(f"area '{v['area_id']}' is not in a community; a need belongs to one")
                v["community_id"] = c.id if c else None
        if rec.has("claimed_by"):
            who = _party(p.get, rec, "claimed_by")
            v["claimed_by_type"], v["claimed_by"] = who or (None, None)
        _times(rec, v, {"at": "posted_at", "claimed_at": "claimed_at", "fulfilled_at": "fulfilled_at",
                        "withdrawn_at": "withdrawn_at"})
        item = Item(rec, v, session.get(Need, rid), {"id": rid})
        if not rec.ok:
            continue
        m = _merged(item, columns)
        if item.old is None:
            m["kind"], m["status"] = m["kind"] or "need", m["status"] or "open"
            v.setdefault("kind", m["kind"])
            v.setdefault("status", m["status"])
            for key in ("title", "category", "posted_at"):
                if not m[key]:
                    rec.fail(f"'{'at' if key == 'posted_at' else key}' is required for a new need")
            if not m["area_id"] and m["person_id"]:
                home = session.get(Person, m["person_id"]).home_id
                if home:
                    v["area_id"], v["community_id"] = home, community_of(session, home).id
                    m.update(area_id=v["area_id"], community_id=v["community_id"])
            if not m["community_id"]:
                rec.fail("'area' is required: where is the need?")
        _check_need_state(rec, m)
        p.needs.append(item)


def _check_need_state(rec: Record, m: dict) -> None:
    if m["kind"] == "micro-wish" and not m["person_id"]:
        rec.fail("a micro-wish is one household's: 'person' is required")
    status = m["status"]
    if status in ("claimed", "fulfilled") and not (m["claimed_by"] and m["claimed_at"]):
        rec.fail(f"a {status} need says who took it on and when: 'claimed_by' and 'claimed_at'")
    if status == "open" and (m["claimed_by"] or m["fulfilled_at"] or m["withdrawn_at"]):
        rec.fail("an open need has no 'claimed_by', 'fulfilled_at' or 'withdrawn_at'")
    if status == "fulfilled" and not m["fulfilled_at"]:
        rec.fail("a fulfilled need says when: 'fulfilled_at'")
    if status != "fulfilled" and m["fulfilled_at"]:
        rec.fail(f"a {status} need has no 'fulfilled_at'")
    if status == "withdrawn" and not m["withdrawn_at"]:
        rec.fail("a withdrawn need says when: 'withdrawn_at'")
    if status != "withdrawn" and m["withdrawn_at"]:
        rec.fail(f"a {status} need has no 'withdrawn_at'")
    if m["claimed_by_type"] == "person" and m["claimed_by"] == m["person_id"] and m["person_id"]:
        rec.fail(f"{m['person_id']} posted it; someone else takes it on")
    _order(rec, [("at", m["posted_at"]), ("claimed_at", m["claimed_at"]), ("fulfilled_at", m["fulfilled_at"])])
    _order(rec, [("at", m["posted_at"]), ("withdrawn_at", m["withdrawn_at"])])


def _plan_resources(session, sections, problems, p: Plan) -> None:
    columns = ("title", "category", "description", "provider_type", "provider_id", "area_id", "offered_at",
               "status", "withdrawn_at", "note")
    for rec, rid in _records(sections, "resources", problems, RESOURCE_KEYS):
        v: dict = {}
        for key in ("title", "description", "note"):
            if rec.has(key):
                v[key] = rec.text(key, required=key == "title")
        for key, choices in (("category", CATEGORIES), ("status", RESOURCE_STATUSES)):
            if rec.has(key):
                v[key] = rec.enum(key, choices, required=True)
        if rec.has("provider"):
            who = _party(p.get, rec, "provider")
            v["provider_type"], v["provider_id"] = who or (None, None)
        if rec.has("area"):
            v["area_id"] = rec.ident("area", required=False)
            _exists(p.get, Area, v["area_id"], rec, "area")
        _times(rec, v, {"at": "offered_at", "withdrawn_at": "withdrawn_at"})
        item = Item(rec, v, session.get(Resource, rid), {"id": rid})
        if not rec.ok:
            continue
        m = _merged(item, columns)
        if item.old is None:
            v.setdefault("status", m["status"] or "available")
            m["status"] = v["status"]
            for key, name in (("title", "title"), ("category", "category"), ("provider_id", "provider"),
                              ("offered_at", "at")):
                if not m[key]:
                    rec.fail(f"'{name}' is required for a new resource")
            if rec.ok and not m["area_id"]:
                from cgov.volunteers.lists import party_area

                v["area_id"] = party_area(session, (m["provider_type"], m["provider_id"]))
                if v["area_id"] is None:
                    rec.fail("'area' is required: where is it offered?")
        if (m["status"] == "withdrawn") != (m["withdrawn_at"] is not None):
            rec.fail("a withdrawn resource says when ('withdrawn_at'); an available one has none")
        _order(rec, [("at", m["offered_at"]), ("withdrawn_at", m["withdrawn_at"])])
        p.resources.append(item)


def _plan_projects(session, sections, problems, p: Plan) -> None:
    columns = ("title", "description", "owner_type", "owner_id", "area_id", "status", "planned_at", "started_at",
               "done_at", "note")
    file_needs = {it.extra["id"]: it for it in p.needs}
    file_resources = {it.extra["id"] for it in p.resources}
    for rec, rid in _records(sections, "projects", problems, PROJECT_KEYS):
        v: dict = {}
        for key in ("title", "description", "note"):
            if rec.has(key):
                v[key] = rec.text(key, required=key == "title")
        if rec.has("status"):
            v["status"] = rec.enum("status", PROJECT_STATUSES, required=True)
        if rec.has("owner"):
            who = _party(p.get, rec, "owner")
            v["owner_type"], v["owner_id"] = who or (None, None)
        if rec.has("area"):
            v["area_id"] = rec.ident("area", required=False)
            _exists(p.get, Area, v["area_id"], rec, "area")
        _times(rec, v, {"at": "planned_at", "started_at": "started_at", "done_at": "done_at"})
        links = {}
        for key, model, also in (("needs", Need, file_needs), ("resources", Resource, file_resources)):
            if rec.has(key):
                links[key] = []
                for x in _strings(rec, key):
                    if _exists(p.get, model, x, rec, key[:-1], also):
                        links[key].append(x)
        item = Item(rec, v, session.get(Project, rid), {"id": rid, "links": links})
        if not rec.ok:
            continue
        m = _merged(item, columns)
        if item.old is None:
            v.setdefault("status", m["status"] or "planned")
            m["status"] = v["status"]
            for key, name in (("title", "title"), ("owner_id", "owner"), ("planned_at", "at")):
                if not m[key]:
                    rec.fail(f"'{name}' is required for a new project")
            if rec.ok and not m["area_id"]:
                first = (links.get("needs") or [None])[0]
                if first:
                    need = session.get(Need, first)
                    v["area_id"] = need.community_id if need else file_needs[first].values.get("community_id")
                else:
                    from cgov.volunteers.lists import party_area

                    v["area_id"] = party_area(session, (m["owner_type"], m["owner_id"]))
                if not v["area_id"]:
                    rec.fail("'area' is required: where does the project work?")
        status = m["status"]
        if status in ("running", "done") and not m["started_at"]:
            rec.fail(f"a {status} project says when it started: 'started_at'")
        if status == "planned" and (m["started_at"] or m["done_at"]):
            rec.fail("a planned project has no 'started_at' or 'done_at'")
        if (status == "done") != (m["done_at"] is not None):
            rec.fail("a done project says when ('done_at'); an unfinished one has none")
        _order(rec, [("at", m["planned_at"]), ("started_at", m["started_at"]), ("done_at", m["done_at"])])
        p.projects.append(item)
    _one_project_a_need(session, p.projects)


def _one_project_a_need(session, items) -> None:
    """A need belongs to one project, after the file's lists replace the
    stored ones of their projects."""
    given = [it for it in items if "needs" in it.extra["links"]]
    refs = {n for it in given for n in it.extra["links"]["needs"]}
    replaced = {it.extra["id"] for it in given}
    holder = {n: pj for n, pj in session.execute(select(ProjectNeed.need_id, ProjectNeed.project_id).where(
        ProjectNeed.need_id.in_(refs))) if pj not in replaced} if refs else {}
    for it in given:
        for nid in it.extra["links"]["needs"]:
            other = holder.get(nid)
            if other is not None and other != it.extra["id"]:
                it.rec.fail(f"need '{nid}' is also taken on by project {other}; a need belongs to one project")
            holder[nid] = it.extra["id"]


def _apply_simple(session, items, model, kind: str) -> dict:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for it in items:
        rid = it.extra["id"]
        if it.old is None:
            session.add(model(id=rid, created_at=clock.now(), **it.values))
            counts["created"] += 1
            continue
        counts["updated" if _update(session, it) else "unchanged"] += 1
    common.claim_ids(session, kind, [it.extra["id"] for it in items if it.old is None])
    session.flush()
    return counts


def _apply_projects(session, items) -> dict:
    fields_changed = {it.extra["id"]: it.old is None or bool(_changes(it)) for it in items}
    counts = _apply_simple(session, items, Project, "project")
    for it in items:
        rid = it.extra["id"]
        changed = False
        for key, table, col in (("needs", ProjectNeed, "need_id"), ("resources", ProjectResource, "resource_id")):
            if key not in it.extra["links"]:
                continue
            want = it.extra["links"][key]
            have = {getattr(r, col): r for r in session.exec(select(table).where(table.project_id == rid))}
            for ref, row in have.items():
                if ref not in want:
                    session.delete(row)
                    changed = True
            session.flush()
            for ref in want:
                if ref not in have:
                    session.add(table(project_id=rid, **{col: ref}))
                    changed = True
        if changed and not fields_changed[rid]:
            counts["unchanged"] -= 1
            counts["updated"] += 1
    session.flush()
    return counts


# ---- plan, apply, export ------------------------------------------------------------------------


def plan(session, sections: dict, problems: Problems) -> Plan:
    p = Plan(get=Lookup(session))
    if not any(sections.get(s) for s in SECTIONS):
        return p
    try:
        rule = rules.current()
    except CgovError as e:
        problems.add("environment", None, "points rule", e.message)
        return p
    _plan_registrations(session, sections, problems, p)
    _plan_activities(session, sections, problems, p, rule)
    _plan_entries(session, sections, problems, p, rule)
    if not problems:
        _check_balances(session, p)
    _plan_needs(session, sections, problems, p)
    _plan_resources(session, sections, problems, p)
    _plan_projects(session, sections, problems, p)
    return p


def apply(session, p: Plan) -> dict:
    result = {}
    if p.registrations:
        result["registrations"] = _apply_registrations(session, p.registrations)
    given = {it.extra["id"] for it in p.entries if it.extra.get("new") is not None}
    if p.activities:
        result["volunteer_activities"] = _apply_activities(session, p.activities, avoid=given)
    if p.entries:
        result["points"] = _apply_entries(session, p.entries)
        common.claim_ids(session, "entry", given)
    if p.needs:
        result["needs"] = _apply_simple(session, p.needs, Need, "need")
    if p.resources:
        result["resources"] = _apply_simple(session, p.resources, Resource, "resource")
    if p.projects:
        result["projects"] = _apply_projects(session, p.projects)
    return result


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None and v != []}


def _iso(value):
    return clock.iso_local(value) if value else None


def _export_activity(act: VolunteerActivity, entries: list[PointsEntry]) -> dict:
    participants = []
    for e in entries:
        d = {"person": e.person_id}
        if act.minutes is None or e.reported_minutes != act.minutes:
            d["hours"] = rules.text(rules.hours(e.reported_minutes))
        if e.minutes != e.reported_minutes:
            d["credited_hours"] = rules.text(rules.hours(e.minutes))
        d["points"] = rules.text(rules.number(e.points_c))
        participants.append(d)
    return _drop_none({"id": act.id, "title": act.title, "organization": act.organization_id,
                       "community": act.community_id, "at": _iso(act.at), "hours": rules.text(rules.hours(act.minutes)),
                       "note": act.note, "participants": participants})


def _export_entry(e: PointsEntry) -> dict:
    if e.kind == "redeem":
        return _drop_none({"id": e.id, "kind": e.kind, "person": e.person_id, "at": _iso(e.at),
                           "points": rules.text(rules.number(-e.points_c)), "for": e.note,
                           "organization": e.organization_id, "community": e.community_id})
    return _drop_none({"id": e.id, "kind": e.kind, "person": e.person_id, "at": _iso(e.at),
                       "points": rules.text(rules.number(e.points_c)),
                       "hours": rules.text(rules.hours(e.minutes)) if e.minutes else None,
                       "activity": e.activity_id, "reason": e.note})


def export(session) -> dict:
    # Persons are referred to by id: nothing here to mask.
    regs = [_drop_none({"id": r.id, "community": r.community_id, "organization": r.organization_id,
                        "person": r.person_id, "services": json.loads(r.services),
                        "start_date": r.start_date.isoformat(), "end_date": r.end_date.isoformat() if r.end_date else None,
                        "note": r.note})
            for r in session.exec(select(Registration).order_by(Registration.id))]
    earned: dict = {}
    for e in session.exec(select(PointsEntry).where(PointsEntry.kind == "earn").order_by(PointsEntry.id)):
        earned.setdefault(e.activity_id, []).append(e)
    activities = [_export_activity(a, earned.get(a.id, [])) for a in
                  session.exec(select(VolunteerActivity).order_by(VolunteerActivity.at, VolunteerActivity.id))]
    entries = [_export_entry(e) for e in session.exec(select(PointsEntry).where(PointsEntry.kind != "earn")
                                                      .order_by(PointsEntry.at, PointsEntry.id))]
    needs = [_drop_none({"id": n.id, "title": n.title, "kind": n.kind, "category": n.category,
                         "description": n.description, "person": n.person_id, "area": n.area_id,
                         "at": _iso(n.posted_at), "status": n.status, "claimed_by": n.claimed_by,
                         "claimed_at": _iso(n.claimed_at), "fulfilled_at": _iso(n.fulfilled_at),
                         "withdrawn_at": _iso(n.withdrawn_at), "note": n.note})
             for n in session.exec(select(Need).order_by(Need.id))]
    resources = [_drop_none({"id": r.id, "title": r.title, "category": r.category, "description": r.description,
                             "provider": r.provider_id, "area": r.area_id, "at": _iso(r.offered_at),
                             "status": r.status, "withdrawn_at": _iso(r.withdrawn_at), "note": r.note})
                 for r in session.exec(select(Resource).order_by(Resource.id))]
    links: dict = {}
    for table, col, key in ((ProjectNeed, "need_id", "needs"), (ProjectResource, "resource_id", "resources")):
        for row in session.exec(select(table).order_by(table.id)):
            links.setdefault(row.project_id, {}).setdefault(key, []).append(getattr(row, col))
    projects = [_drop_none({"id": pr.id, "title": pr.title, "description": pr.description, "owner": pr.owner_id,
                            "area": pr.area_id, "at": _iso(pr.planned_at), "status": pr.status,
                            "started_at": _iso(pr.started_at), "done_at": _iso(pr.done_at), "note": pr.note,
                            **links.get(pr.id, {})})
                for pr in session.exec(select(Project).order_by(Project.id))]
    return {"registrations": regs, "volunteer_activities": activities, "points": entries, "needs": needs,
            "resources": resources, "projects": projects}
