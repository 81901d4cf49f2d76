"""Import and export of the access list (DESIGN §2): `access_items` with
their dated history, `access_refusals` (requests turned away) and
`access_holidays` (days the working-day limit treats specially).

```yaml
access_items:
  - id: A-0001
    name: 燃气安全隐患排查台账填报
    department: cj-fire
    kind: assist                       # duty | assist | negative
    basis: 《上海市燃气管理条例》
    funding: "12000"                   # CNY a year
    conditions: 提供排查表和入户培训
    valid_from: 2026-11-01
    valid_until: 2027-12-31
    status: admitted                   # must agree with the history
    history:
      - {at: "2026-10-12T09:30:00+08:00", action: apply}
      - {at: "2026-10-28T15:00:00+08:00", action: approve, reason: 经费已到位}
access_refusals:
  - {id: R-0001, at: "2026-11-12T10:30:00+08:00", department: cj-police, request: 开无犯罪记录证明, item: A-0031}
access_holidays:
  - {date: 2026-10-01, name: 国庆节}
  - {date: 2026-10-10, name: 国庆节调休上班, working: "true"}
```

A key absent from a record keeps what is stored. `history`, when given,
is the item's whole history and replaces the stored one; its last step sets
the status. A new item without history gets one step from its `status`
(admitted: add, pending: apply), dated its valid_from or the import.
The import checks the flow (apply → approve/reject, add, revoke; reasons for
rejections and revocations) and 费随事走 (an admitted assist item brings funding
or conditions). It trusts the file on the fuzzy rules (duplicates, negative
list): those judge new decisions in `approve` and `add`, not records of
decisions already taken. Each item or refusal created or changed is written
to the audit log with its content hash. Imported steps are not sealed one by
one (the `import` entry names the file they came from); when an import
rewrites a step or refusal that a command sealed, the seal is renewed
(`access.reseal`, see audit.reseal), so the rewrite is in the chain."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import delete
from sqlmodel import select

from cgov.access import service
from cgov.access.models import (ACTIONS, KINDS, NEEDS_REASON, STATUSES, TRANSITIONS, AccessEvent,
                                AccessHoliday, AccessItem, AccessRefusal)
from cgov.core import audit, clock, sequence
from cgov.core.schema import Problems, Record
from cgov.org.models import Organization

SECTIONS = ("access_items", "access_refusals", "access_holidays")
ITEM_KEYS = {"id", "name", "department", "kind", "basis", "funding", "conditions", "valid_from", "valid_until",
             "status", "history"}
STEP_KEYS = {"at", "action", "reason", "by"}
REFUSAL_KEYS = {"id", "at", "department", "request", "item", "reason"}
HOLIDAY_KEYS = {"date", "name", "working"}
# A new item given only a status gets this one step.
FIRST_STEP = {"admitted": "add", "pending": "apply"}
NUMBERED = re.compile(r"^([AR])-(\d+)$")
COUNTERS = {"A": "access_item", "R": "access_refusal"}


@dataclass
class Entry:
    rec: Record
    key: object
    values: dict  # column -> value, only for keys the record gave
    status: str | None = None
    history: list | None = None  # [{"at", "action", "reason", "by"?}] when the record gave one
    stored: object = None


@dataclass
class Plan:
    items: list = field(default_factory=list)
    refusals: list = field(default_factory=list)
    holidays: list = field(default_factory=list)
    stored_events: dict = field(default_factory=dict)


# ---- reading ---------------------------------------------------------------------


def _records(sections, name, problems, keys):
    for file, items in sections.get(name, []):
        for i, raw in enumerate(items):
            rec = Record(raw, file, name, problems, i)
            if rec.ok:
                rec.known_keys(keys)
                yield rec


def _optional(rec: Record, values: dict, key: str, column: str, read) -> None:
    if rec.has(key):
        values[column] = read(key)


def _moment(rec: Record, key: str, required: bool = False):
    at = rec.datetime(key, required=required)
    return at.replace(microsecond=0) if at else None


def _parse_item(rec: Record) -> Entry:
    v = {"id": rec.ident()}
    if rec.has("name"):
        v["name"] = rec.text("name", required=True)
    if rec.has("kind"):
        v["kind"] = rec.enum("kind", KINDS, required=True)
    if rec.has("department"):
        v["department_id"] = rec.ident("department")
    for key in ("basis", "conditions"):
        _optional(rec, v, key, key, rec.text)
    _optional(rec, v, "funding", "funding", rec.integer)
    for key in ("valid_from", "valid_until"):
        _optional(rec, v, key, key, rec.date)
    entry = Entry(rec, v["id"], v, status=rec.enum("status", STATUSES))
    if rec.has("history"):
        entry.history = []
        for j, raw in enumerate(rec.items("history")):
            step = Record(raw, rec.file, f"{rec.label}.history", rec.problems, j)
            if not step.ok:
                rec.ok = False
                continue
            step.known_keys(STEP_KEYS)
            s = {"at": _moment(step, "at", required=True), "action": step.enum("action", ACTIONS, required=True),
                 "reason": step.text("reason")}
            if step.has("by"):
                s["by"] = step.text("by")
            rec.ok = rec.ok and step.ok
            entry.history.append(s)
        if not entry.history and rec.ok:
            rec.fail("'history' is empty; leave it out to keep the stored history")
    return entry


def _check_flow(entry: Entry, kind: str | None) -> str | None:
    """Walk the history; the status it ends in, or None after reporting."""
    rec, status, last_at = entry.rec, None, None
    for n, s in enumerate(entry.history, 1):
        action = s["action"]
        if s["at"] is None or action is None:
            return None
        after = TRANSITIONS.get((status, action))
        if after is None:
            allowed = [a for (b, a) in TRANSITIONS if b == status]
            state = status or "not yet on the list"
            rec.fail(f"history step {n} ({action}): the item is {state} then; "
                     f"it can only be {' or '.join(service.PAST[a] for a in allowed) or 'left as it is'}")
            return None
        if last_at and s["at"] < last_at:
            rec.fail(f"history step {n} ({action}, {s['at']:%Y-%m-%d %H:%M} UTC) is earlier than the step before it")
            return None
        if action in NEEDS_REASON and not s["reason"]:
            rec.fail(f"history step {n} ({action}) needs a 'reason'")
            return None
        if action == "apply" and kind == "negative":
            rec.fail("a negative-list item is put on the list by the street ('add'), not applied for")
            return None
        status, last_at = after, s["at"]
    if entry.status and entry.status != status:
        rec.fail(f"status '{entry.status}' does not agree with the history, which ends {status}")
        return None
    return status


def _unique(entries: list, what: str) -> None:
    seen: dict = {}
    for e in entries:
        if e.key is None:
            continue
        if e.key in seen:
            first = seen[e.key].rec
            e.rec.fail(f"{what} '{e.key}' is defined twice (also at {first.file}:{first.line})")
        else:
            seen[e.key] = e


def _departments(session, ids) -> dict:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {o.id: o for o in session.exec(select(Organization).where(Organization.id.in_(ids)))}


def _check_department(entry: Entry, orgs: dict, required: bool) -> None:
    did = entry.values.get("department_id")
    if did is None:
        if required:
            entry.rec.fail("'department' is required")
        return
    org = orgs.get(did)
    if org is None:
        entry.rec.fail(f"department '{did}' is not a known organization")
    elif org.classification != "department":
        entry.rec.fail(f"'{did}' ({org.name}) is a {org.classification}, not a department")


def _plan_items(session, sections, problems, p: Plan) -> None:
    p.items = [_parse_item(rec) for rec in _records(sections, "access_items", problems, ITEM_KEYS)]
    _unique(p.items, "item")
    ids = [e.key for e in p.items if e.key]
    stored = {i.id: i for i in session.exec(select(AccessItem).where(AccessItem.id.in_(ids)))} if ids else {}
    p.stored_events = service.item_events(session, list(stored))
    orgs = _departments(session, [e.values.get("department_id") for e in p.items])
    for e in p.items:
        e.stored = stored.get(e.key)
        if not e.rec.ok:
            continue
        v, old = e.values, e.stored
        if old is None:
            for key in ("name", "kind"):
                if key not in v:
                    e.rec.fail(f"'{key}' is required for a new item")
        _check_department(e, orgs, required=old is None)

        def now(key):
            return v[key] if key in v else getattr(old, key, None)

        kind = now("kind")
        if e.history is not None:
            e.status = _check_flow(e, kind)
        elif old is None:
            if e.status not in FIRST_STEP:
                e.rec.fail(f"a new item with status '{e.status or '(none)'}' needs its dated 'history' "
                           f"(apply, then approve or reject…)" if e.status else
                           "a new item needs a 'status' (admitted or pending) or its dated 'history'")
                continue
            start = now("valid_from")
            at = (clock.parse_at(start.isoformat()) if start else clock.now()).replace(microsecond=0)
            e.history = [{"at": at, "action": FIRST_STEP[e.status], "reason": None}]
            if kind == "negative" and e.status == "pending":
                e.rec.fail("a negative-list item is put on the list by the street, it cannot be pending")
        elif e.status and e.status != old.status:
            e.rec.fail(f"status '{e.status}' differs from the stored '{old.status}'; a change of status needs "
                       f"its dated step in 'history' (or cgov access approve/reject/revoke)")
        status = e.status or (old.status if old else None)
        if not e.rec.ok:
            continue
        start, until = now("valid_from"), now("valid_until")
        if start and until and until < start:
            e.rec.fail(f"valid_until {until} is before valid_from {start}")
        if status == "admitted" and kind == "assist" and not now("funding") and not now("conditions"):
            e.rec.fail("an admitted assist item needs 'funding' or 'conditions' "
                       "(费随事走: a department that needs the community's help brings the money and the means)")


def _plan_refusals(session, sections, problems, p: Plan) -> None:
    for rec in _records(sections, "access_refusals", problems, REFUSAL_KEYS):
        v = {"id": rec.ident()}
        if rec.has("at"):
            v["at"] = _moment(rec, "at", required=True)
        if rec.has("department"):
            v["department_id"] = rec.ident("department")
        if rec.has("request"):
            v["request"] = rec.text("request", required=True)
        if rec.has("item"):
            v["item_id"] = rec.ident("item", required=False)
        _optional(rec, v, "reason", "reason", rec.text)
        p.refusals.append(Entry(rec, v["id"], v))
    _unique(p.refusals, "refusal")
    ids = [e.key for e in p.refusals if e.key]
    stored = {r.id: r for r in session.exec(select(AccessRefusal).where(AccessRefusal.id.in_(ids)))} if ids else {}
    file_items = {e.key for e in p.items}
    item_refs = {e.values.get("item_id") for e in p.refusals} - file_items - {None}
    stored_items = {i.id for i in session.exec(select(AccessItem.id).where(AccessItem.id.in_(item_refs)))} \
        if item_refs else set()
    orgs = _departments(session, [e.values.get("department_id") for e in p.refusals])
    for e in p.refusals:
        e.stored = stored.get(e.key)
        if not e.rec.ok:
            continue
        if e.stored is None:
            for key in ("at", "request"):
                if key not in e.values:
                    e.rec.fail(f"'{key}' is required for a new refusal")
        _check_department(e, orgs, required=e.stored is None)
        ref = e.values.get("item_id")
        if ref and ref not in file_items and ref not in stored_items:
            e.rec.fail(f"item '{ref}' is not a known access-list item")


def _plan_holidays(session, sections, problems, p: Plan) -> None:
    for rec in _records(sections, "access_holidays", problems, HOLIDAY_KEYS):
        day = rec.date("date", required=True)
        v = {"day": day}
        _optional(rec, v, "name", "name", rec.text)
        if rec.has("working"):
            v["working"] = rec.boolean("working")
        p.holidays.append(Entry(rec, day, v))
    _unique(p.holidays, "holiday")
    days = [e.key for e in p.holidays if e.key]
    stored = {h.day: h for h in session.exec(select(AccessHoliday).where(AccessHoliday.day.in_(days)))} \
        if days else {}
    for e in p.holidays:
        e.stored = stored.get(e.key)


def plan(session, sections: dict, problems: Problems) -> Plan:
    p = Plan()
    _plan_items(session, sections, problems, p)
    _plan_refusals(session, sections, problems, p)
    _plan_holidays(session, sections, problems, p)
    return p


# ---- writing ---------------------------------------------------------------------


def _counts():
    return {"created": 0, "updated": 0, "unchanged": 0}


def _set(obj, values: dict) -> bool:
    changed = False
    for k, val in values.items():
        if getattr(obj, k) != val:
            setattr(obj, k, val)
            changed = True
    return changed


def _same_history(given: list, stored: list) -> bool:
    if len(given) != len(stored):
        return False
    for g, s in zip(given, stored):
        if (g["at"], g["action"], g["reason"]) != (s.at, s.action, s.reason):
            return False
        if "by" in g and g["by"] != s.actor:
            return False
    return True


def _bump(session, ids) -> None:
    """New ids from the commands start above the numbered ids imported."""
    top: dict = {}
    for i in ids:
        m = NUMBERED.match(i or "")
        if m:
            top[m.group(1)] = max(top.get(m.group(1), 0), int(m.group(2)))
    for prefix, n in top.items():
        sequence.ensure_at_least(session, COUNTERS[prefix], n)


def _apply_items(session, p: Plan) -> dict:
    counts = _counts()
    rewritten = []
    for e in p.items:
        item, old_events = e.stored, p.stored_events.get(e.key, [])
        created = item is None
        columns = {k: v for k, v in e.values.items() if k != "id"}
        if created:
            item = AccessItem(id=e.key, status=e.status, created_at=clock.now(), **columns)
            session.add(item)
            changed = True
        else:
            changed = _set(item, columns)
        if e.history is not None and (created or not _same_history(e.history, old_events)):
            kept = {(s.at, s.action): s.actor for s in old_events}
            session.execute(delete(AccessEvent).where(AccessEvent.item_id == e.key))
            session.flush()
            status = None
            for s in e.history:
                status = TRANSITIONS[(status, s["action"])]
                by = s["by"] if "by" in s else kept.get((s["at"], s["action"]))
                session.add(AccessEvent(item_id=e.key, at=s["at"], action=s["action"], reason=s["reason"],
                                        actor=by, status=status))
            item.status = e.status
            changed = True
            rewritten.append(item.id)
        session.flush()
        if not changed:
            counts["unchanged"] += 1
            continue
        counts["created" if created else "updated"] += 1
        audit.record(session, "access.import", entity="access_item", ids=[item.id, item.department_id],
                     detail={"name": item.name, "status": item.status, "change": "created" if created else "updated"},
                     content_hash=service.item_hash(session, item))
    audit.reseal(session, rewritten, service)
    _bump(session, [e.key for e in p.items])
    return counts


def _apply_refusals(session, p: Plan) -> dict:
    counts = _counts()
    for e in p.refusals:
        columns = {k: v for k, v in e.values.items() if k != "id"}
        r = e.stored
        if r is None:
            r = AccessRefusal(id=e.key, created_at=clock.now(), **columns)
            session.add(r)
            counts["created"] += 1
        elif _set(r, columns):
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
            continue
        session.flush()
        audit.record(session, "access.import", entity="access_refusal", ids=[r.id, r.department_id],
                     detail={"request": r.request}, content_hash=service.digest(service.canonical_refusal(r)))
    audit.reseal(session, [e.key for e in p.refusals if e.stored is not None], service)
    _bump(session, [e.key for e in p.refusals])
    return counts


def _apply_holidays(session, p: Plan) -> dict:
    counts = _counts()
    for e in p.holidays:
        if e.stored is None:
            session.add(AccessHoliday(**e.values))
            counts["created"] += 1
        elif _set(e.stored, e.values):
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    session.flush()
    return counts


def apply(session, p: Plan) -> dict:
    result = {}
    if p.items:
        result["access_items"] = _apply_items(session, p)
    if p.refusals:
        result["access_refusals"] = _apply_refusals(session, p)
    if p.holidays:
        result["access_holidays"] = _apply_holidays(session, p)
    return result


# ---- export ----------------------------------------------------------------------


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def export(session) -> dict:
    events = service.item_events(session)
    items = []
    for i in session.exec(select(AccessItem).order_by(AccessItem.id)):
        rec = _drop_none({
            "id": i.id, "name": i.name, "department": i.department_id, "kind": i.kind, "basis": i.basis,
            "funding": i.funding, "conditions": i.conditions,
            "valid_from": i.valid_from.isoformat() if i.valid_from else None,
            "valid_until": i.valid_until.isoformat() if i.valid_until else None, "status": i.status})
        rec["history"] = [_drop_none({"at": clock.iso_local(e.at), "action": e.action, "reason": e.reason,
                                      "by": e.actor}) for e in events.get(i.id, [])]
        items.append(rec)
    refusals = [_drop_none({"id": r.id, "at": clock.iso_local(r.at), "department": r.department_id,
                            "request": r.request, "item": r.item_id, "reason": r.reason})
                for r in session.exec(select(AccessRefusal).order_by(AccessRefusal.id))]
    holidays = [_drop_none({"date": h.day.isoformat(), "name": h.name, "working": "true" if h.working else None})
                for h in session.exec(select(AccessHoliday).order_by(AccessHoliday.day))]
    return {"access_items": items, "access_refusals": refusals, "access_holidays": holidays}
