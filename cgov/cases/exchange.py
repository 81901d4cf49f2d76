"""Import and export of `case_categories` and `cases` (with their events).

A case's timeline in YAML is replayed through the same state machine as the
commands (flow.apply_event), so history back-filled from paper obeys the flow
and leaves the same columns behind. A key left out of a case keeps what is
stored; `events`, when given, is the whole timeline. `status` is a check: it
must be where the events lead. A masked reporter phone keeps the stored one.

The audit log seals the closes and ratings typed as commands, not those of
imported history: that history was decided elsewhere and comes from a file
the `import` entry names, and sealing it event by event would add an entry
per close to imports of a whole district's past (hundreds of thousands of
entries, each extending the chain in turn). When an import rewrites the
timeline of a case whose close or rating was sealed, the seal is renewed
(`case.reseal`, see audit.reseal), so the rewrite is in the chain."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import delete, insert, select, update

from cgov.cases import flow, service, taxonomy
from cgov.cases.models import (EVENT_KINDS, MAX_ESCALATION, PRIORITIES, REQUEST_TYPES, SATISFACTION, SOURCES,
                               STATUSES, Case, CaseCategory, CaseEvent)
from cgov.core import audit, clock, sequence
from cgov.core.errors import CgovError
from cgov.core.schema import Problems, Record
from cgov.org.models import ORG_CLASSES

SECTIONS = ("case_categories", "cases")
CATEGORY_KEYS = {"code", "name", "name_en", "parent", "respond_hours", "resolve_hours", "handler"}
CASE_KEYS = {"id", "title", "description", "category", "building", "grid", "community", "source",
             "request_type", "priority", "reporter_name", "reporter_phone", "reported_at", "respond_by",
             "due", "status", "events"}
# The text of a step is stored as its note; YAML names it for what it is.
TEXT_KEY = {"reject": "reason", "cancel": "reason", "extend": "reason", "reopen": "reason", "reply": "result"}
EVENT_FIELDS = {"dispatch": {"to"}, "rate": {"resolved", "satisfaction"}, "extend": {"until", "approver"},
                "escalate": {"level"}, "link": {"duplicate_of"}}
# Columns set by the case's own fields (the rest follow from the events).
INPUT_COLUMNS = ("title", "description", "category", "building_id", "grid_id", "community_id", "source",
                 "request_type", "priority", "reporter_name", "reporter_phone", "reported_at", "respond_by",
                 "due", "recorded_by", "created_at")
EVENT_COLUMNS = ("seq", "kind", "at", "actor", "note", "handler_type", "handler_id", "resolved",
                 "satisfaction", "deadline", "previous_deadline", "approver", "level", "duplicate_of")
CHUNK = 900


@dataclass
class Plan:
    categories: list = field(default_factory=list)  # (values, stored row or None)
    cases: list = field(default_factory=list)  # (Case, [CaseEvent], stored row or None, changed)


def _chunks(seq):
    seq = list(seq)
    for i in range(0, len(seq), CHUNK):
        yield seq[i:i + CHUNK]


def _rows(session, table, column, keys) -> list[dict]:
    out = []
    for part in _chunks(keys):
        out.extend(dict(r) for r in session.execute(select(table).where(table.c[column].in_(part))).mappings())
    return out


# ---- categories -------------------------------------------------------------------

def _plan_categories(session, sections, problems: Problems, p: Plan) -> list[dict]:
    stored = {r["code"]: r for r in session.execute(select(CaseCategory.__table__)).mappings()}
    seen: dict = {}
    for file, items in sections.get("case_categories", []):
        for i, raw in enumerate(items):
            rec = Record(raw, file, "case_categories", problems, i)
            if not rec.ok:
                continue
            rec.known_keys(CATEGORY_KEYS)
            code = rec.text("code", required=True)
            if code is not None:
                rec.label = f"case_categories[{code}]"
            v = {"code": code, "name": rec.text("name", required=True)}
            for key in ("name_en", "handler"):
                if rec.has(key):
                    v[key] = rec.text(key)
            for key in ("respond_hours", "resolve_hours"):
                if rec.has(key):
                    v[key] = rec.integer(key, minimum=1)
            parent = rec.text("parent") if rec.has("parent") else None
            if code is not None:
                problem = taxonomy.code_problem(code, parent)
                if problem:
                    rec.fail(problem)
                elif code in seen:
                    rec.fail(f"category '{code}' is defined twice (also at {seen[code].file}:{seen[code].line})")
                seen.setdefault(code, rec)
            if v.get("handler"):
                problem = taxonomy.handler_problem(v["handler"], ORG_CLASSES)
                if problem:
                    rec.fail(problem)
            if rec.ok:
                v["parent"] = taxonomy.parent_code(code)
                p.categories.append((v, stored.get(code), rec))
    known = {c[0] for c in taxonomy.DEFAULTS} | set(stored) | set(seen)
    for v, _, rec in p.categories:
        if v["parent"] and v["parent"] not in known:
            rec.fail(f"its class '{v['parent']}' is neither shipped nor defined")
    merged_rows = {**stored}
    for v, old, _ in p.categories:
        merged_rows[v["code"]] = {**(old or {}), **v}
    return list(merged_rows.values())


# ---- cases ----------------------------------------------------------------------------

def _parse_event(rec: Record, kind: str | None) -> dict:
    if kind:  # an unknown kind was reported already; its keys can't be judged
        rec.known_keys({"kind", "at", "by", TEXT_KEY.get(kind, "note")} | EVENT_FIELDS.get(kind, set()))
    v = {"kind": kind, "at": rec.datetime("at", required=True), "by": rec.text("by"),
         "note": rec.text(TEXT_KEY.get(kind, "note"))}
    if kind == "dispatch":
        v["to"] = rec.text("to", required=True)
    elif kind == "rate":
        v["resolved"] = rec.boolean("resolved")
        v["satisfaction"] = rec.enum("satisfaction", SATISFACTION, required=True)
        if v["resolved"] is None and rec.ok:
            rec.fail("'resolved' (true or false) is required")
    elif kind == "extend":
        v["until"] = rec.datetime("until", required=True)
        v["approver"] = rec.text("approver", required=True)
    elif kind == "escalate":
        v["level"] = rec.integer("level", minimum=1) if rec.has("level") else None
        if v["level"] is not None and v["level"] > MAX_ESCALATION:
            rec.fail(f"'level' {v['level']} is above the highest level, {MAX_ESCALATION}")
    elif kind == "link":
        v["duplicate_of"] = rec.text("duplicate_of", required=True)
    return v


def _parse_case(rec: Record, cats: dict) -> dict:
    rec.known_keys(CASE_KEYS)
    v: dict = {"id": rec.text("id", required=True)}
    if v["id"] is not None and not service.CASE_ID.match(v["id"]):
        rec.fail(f"id '{v['id']}' is not a case id like C2026-000123 (C, year, '-', 6 digits)")
    for key in ("title", "description", "reporter_name"):
        if rec.has(key):
            v[key] = rec.text(key, required=key == "title")
    for key, choices in (("source", SOURCES), ("request_type", REQUEST_TYPES), ("priority", PRIORITIES)):
        if rec.has(key):
            v[key] = rec.enum(key, choices, required=True)
    if rec.has("category"):
        v["category"] = None
        ref = rec.text("category")
        if ref:
            try:
                v["category"] = service.get_category(cats, ref)["code"]
            except CgovError as e:
                rec.fail(e.message)
    if rec.has("reporter_phone"):
        v["reporter_phone"] = rec.phone("reporter_phone")
    for key in ("reported_at", "respond_by", "due"):
        if rec.has(key):
            v[key] = rec.datetime(key, required=True)
    if rec.has("status"):
        v["status"] = rec.enum("status", STATUSES)
    v["place"] = {k: rec.text(k) for k in ("building", "grid", "community") if rec.has(k)}
    return v


# A case being imported is replayed on a plain record, not an ORM instance:
# building a SQLModel object costs more than the rest of the replay, and a
# district back-fills a million cases. The flow only reads and sets fields.
REPLAY_CASE_FIELDS = tuple(c.name for c in Case.__table__.columns)
REPLAY_EVENT_FIELDS = tuple(c.name for c in CaseEvent.__table__.columns)


def _record(fields: tuple, **values) -> SimpleNamespace:
    rec = SimpleNamespace(**dict.fromkeys(fields))
    rec.__dict__.update(values)
    return rec


class _Lookups:
    """Places and handlers resolved once per import: a file names the same
    few hundred grids and handlers over and over."""

    def __init__(self, session):
        self.session = session
        self.places: dict = {}
        self.handlers: dict = {}

    def place(self, building, grid, community):
        key = (building, grid, community)
        if key not in self.places:
            self.places[key] = service.resolve_place(self.session, building, grid, community)
        return self.places[key]

    def handler(self, ref):
        if ref not in self.handlers:
            self.handlers[ref] = service.resolve_handler(self.session, ref)
        return self.handlers[ref]


def _new_case(v: dict, old: dict | None, cats: dict, actor: str, lookups: _Lookups, rec: Record):
    """The case as its fields say before any event, from the file over what is stored."""
    base = {k: old[k] for k in INPUT_COLUMNS} if old else {"source": "other", "request_type": "help",
                                                         "priority": "normal", "recorded_by": actor,
                                                         "created_at": clock.now(), "description": None,
                                                         "category": None, "reporter_name": None,
                                                         "reporter_phone": None, "building_id": None,
                                                         "grid_id": None, "community_id": None}
    for key in ("title", "description", "category", "source", "request_type", "priority", "reporter_name",
                "reported_at", "respond_by", "due"):
        if key in v:
            base[key] = v[key]
    if v.get("reporter_phone") == "*":
        if old is None:
            rec.fail("'reporter_phone' is masked, which keeps a stored value, but this case is new")
    elif "reporter_phone" in v:
        base["reporter_phone"] = v["reporter_phone"]
    if v["place"]:
        try:
            base["building_id"], base["grid_id"], base["community_id"] = lookups.place(
                v["place"].get("building"), v["place"].get("grid"), v["place"].get("community"))
        except CgovError as e:
            rec.fail(e.message)
    if old is None:
        for key in ("title", "reported_at"):
            if not base.get(key):
                rec.fail(f"'{key}' is required for a new case")
        if not rec.ok:
            return None
        respond_by, resolve_by = service.deadlines(base["reported_at"], cats.get(base["category"]),
                                                   base["priority"])
        base.setdefault("respond_by", respond_by)
        base.setdefault("due", resolve_by)
    if not rec.ok:
        return None
    if base["due"] <= base["reported_at"] or base["respond_by"] <= base["reported_at"]:
        rec.fail("'respond_by' and 'due' must come after 'reported_at'")
        return None
    return _record(REPLAY_CASE_FIELDS, id=v["id"], status="new", resolve_by=base["due"],
                   updated_at=base["reported_at"], reopen_count=0, extension_count=0, **base)


def _replay(lookups: _Lookups, case, events: list[dict], rec: Record, case_ids: set) -> list | None:
    out = []
    for i, e in enumerate(events, start=1):
        ev = _record(REPLAY_EVENT_FIELDS, case_id=case.id, seq=i, kind=e["kind"], at=e["at"], actor=e["by"],
                     note=e["note"], resolved=e.get("resolved"), satisfaction=e.get("satisfaction"),
                     deadline=e.get("until"), approver=e.get("approver"), level=e.get("level"),
                     duplicate_of=e.get("duplicate_of"))
        try:
            if e["kind"] == "dispatch":
                ev.handler_type, ev.handler_id = lookups.handler(e["to"])
            if e["kind"] == "link" and e["duplicate_of"] not in case_ids:
                raise CgovError(f"case '{e['duplicate_of']}' is not a known case")
            flow.apply_event(case, ev)
        except CgovError as err:
            # Reported at the event's own line when it came from the file.
            if e.get("rec"):
                e["rec"].fail(err.message)
            else:
                rec.fail(f"stored event {i} ({e['kind']}): {err.message}")
            rec.ok = False
            return None
        out.append(ev)
    return out


def _event_values(ev) -> tuple:
    get = ev.get if isinstance(ev, dict) else lambda k: getattr(ev, k)
    return tuple(get(k) for k in EVENT_COLUMNS)


def _plan_cases(session, sections, problems: Problems, p: Plan, cats: dict) -> None:
    actor = session.info.get("actor", "import")
    parsed = []
    for file, items in sections.get("cases", []):
        for i, raw in enumerate(items):
            rec = Record(raw, file, "cases", problems, i)
            if not rec.ok:
                continue
            v = _parse_case(rec, cats)
            events = None
            if rec.has("events"):
                events = []
                for j, raw_ev in enumerate(rec.items("events")):
                    erec = Record(raw_ev, file, f"{rec.label}.events", problems, j)
                    if not erec.ok:
                        continue
                    kind = erec.enum("kind", EVENT_KINDS, required=True)
                    events.append({**_parse_event(erec, kind), "rec": erec})
                    rec.ok = rec.ok and erec.ok
            parsed.append((rec, v, events))
    ids = [v["id"] for _, v, _ in parsed if v["id"]]
    stored = {r["id"]: r for r in _rows(session, Case.__table__, "id", ids)}
    stored_events: dict = {}
    for r in sorted(_rows(session, CaseEvent.__table__, "case_id", list(stored)), key=lambda r: r["seq"]):
        stored_events.setdefault(r["case_id"], []).append(r)
    dup_refs = {e["duplicate_of"] for _, _, evs in parsed for e in evs or [] if e.get("duplicate_of")}
    case_ids = set(ids) | {r["id"] for r in _rows(session, Case.__table__, "id", dup_refs)}
    seen: dict = {}
    lookups = _Lookups(session)
    for rec, v, events in parsed:
        if v["id"] in seen:
            rec.fail(f"case '{v['id']}' is defined twice (also at {seen[v['id']].file}:{seen[v['id']].line})")
            continue
        seen[v["id"]] = rec
        if not rec.ok:
            continue
        old = stored.get(v["id"])
        case = _new_case(v, old, cats, actor, lookups, rec)
        if case is None:
            continue
        old_events = stored_events.get(v["id"], [])
        if events is None:
            events = [{"kind": e["kind"], "at": e["at"], "by": e["actor"], "note": e["note"],
                       "to": e["handler_id"], "resolved": e["resolved"], "satisfaction": e["satisfaction"],
                       "until": e["deadline"], "approver": e["approver"], "level": e["level"],
                       "duplicate_of": e["duplicate_of"]} for e in old_events]
        for i, e in enumerate(events):
            if e["by"] is None:  # left out: keep who it was, else the importer
                e["by"] = old_events[i]["actor"] if i < len(old_events) else actor
        new_events = _replay(lookups, case, events, rec, case_ids)
        if new_events is None:
            continue
        if v.get("status") and v["status"] != case.status:
            rec.fail(f"status '{v['status']}' does not follow from the events, which leave the case {case.status}")
            continue
        changed = old is None or any(getattr(case, c.name) != old[c.name] for c in Case.__table__.columns) \
            or [_event_values(e) for e in new_events] != [_event_values(e) for e in old_events]
        p.cases.append((case, new_events, old, changed))


def plan(session, sections: dict, problems: Problems) -> Plan:
    p = Plan()
    stored_cats = _plan_categories(session, sections, problems, p)
    cats = taxonomy.merged(stored_cats)
    _plan_cases(session, sections, problems, p, cats)
    return p


# ---- writing --------------------------------------------------------------------------

def _apply_categories(session, p: Plan) -> dict:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    table = CaseCategory.__table__
    for v, old, _ in p.categories:
        if old is None:
            row = {c.name: None for c in table.columns}
            row.update(v, created_at=clock.now())
            session.execute(insert(table).values(**row))
            counts["created"] += 1
            continue
        changes = {k: val for k, val in v.items() if old.get(k) != val}
        if changes:
            session.execute(update(table).where(table.c.code == v["code"]).values(**changes))
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


def _apply_cases(session, p: Plan) -> dict:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    cases, events, highest, rewritten = [], [], {}, []
    table = Case.__table__
    for case, evs, old, changed in p.cases:
        m = service.CASE_ID.match(case.id)
        highest[m.group(1)] = max(highest.get(m.group(1), 0), int(m.group(2)))
        if not changed:
            counts["unchanged"] += 1
            continue
        row = {c.name: getattr(case, c.name) for c in table.columns}
        if old is None:
            cases.append(row)
            counts["created"] += 1
        else:
            session.execute(delete(CaseEvent.__table__).where(CaseEvent.__table__.c.case_id == case.id))
            session.execute(update(table).where(table.c.id == case.id).values(**row))
            counts["updated"] += 1
            rewritten.append(case.id)
        events.extend({"case_id": case.id, **dict(zip(EVENT_COLUMNS, _event_values(e)))} for e in evs)
    for part in _chunks(cases):
        session.execute(insert(table), part)
    for part in _chunks(events):
        session.execute(insert(CaseEvent.__table__), part)
    audit.reseal(session, rewritten, service)
    # New cases typed after an import of history get numbers above it.
    for year, n in highest.items():
        sequence.ensure_at_least(session, f"case-{year}", n)
    return counts


def apply(session, p: Plan) -> dict:
    result = {}
    if p.categories:
        result["case_categories"] = _apply_categories(session, p)
    if p.cases:
        result["cases"] = _apply_cases(session, p)
    return result


# ---- export ----------------------------------------------------------------------------

def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _export_event(e: dict) -> dict:
    kind = e["kind"]
    d = {"kind": kind, "at": clock.iso_local(e["at"]), "by": e["actor"],
         TEXT_KEY.get(kind, "note"): e["note"]}
    if kind == "dispatch":
        d["to"] = e["handler_id"]
    elif kind == "rate":
        d["resolved"] = "true" if e["resolved"] else "false"
        d["satisfaction"] = e["satisfaction"]
    elif kind == "extend":
        d.update(until=clock.iso_local(e["deadline"]), approver=e["approver"])
    elif kind == "escalate":
        d["level"] = e["level"]
    elif kind == "link":
        d["duplicate_of"] = e["duplicate_of"]
    return _drop_none(d)


def export(session) -> dict:
    cats = [_drop_none({"code": r["code"], "name": r["name"], "name_en": r["name_en"], "parent": r["parent"],
                        "respond_hours": r["respond_hours"],
                        "resolve_hours": r["resolve_hours"],
                        "handler": r["handler"]})
            for r in session.execute(select(CaseCategory.__table__).order_by(CaseCategory.code)).mappings()]
    events: dict = {}
    for e in session.execute(select(CaseEvent.__table__).order_by(CaseEvent.case_id, CaseEvent.seq)).mappings():
        events.setdefault(e["case_id"], []).append(_export_event(e))
    cases = []
    for r in session.execute(select(Case.__table__).order_by(Case.id)).mappings():
        place = ("building", r["building_id"]) if r["building_id"] else \
            ("grid", r["grid_id"]) if r["grid_id"] else ("community", r["community_id"])
        d = _drop_none({
            "id": r["id"], "title": r["title"], "description": r["description"], "category": r["category"],
            place[0]: place[1], "source": r["source"], "request_type": r["request_type"],
            "priority": r["priority"], "reporter_name": r["reporter_name"],
            "reporter_phone": r["reporter_phone"], "reported_at": clock.iso_local(r["reported_at"]),
            "respond_by": clock.iso_local(r["respond_by"]), "due": clock.iso_local(r["due"]),
            "status": r["status"]})
        if r["id"] in events:
            d["events"] = events[r["id"]]
        cases.append(d)
    return {"case_categories": cats, "cases": cases}
