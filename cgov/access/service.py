"""The work-item access list (社区工作事项准入, DOMAIN §4): rules and queries.

Plain functions over a Session; nothing here prints. Only admitted items may
be handed down to a community; a department that needs the community's help
applies, and the street admits or rejects the application.

The flow (TRANSITIONS in models.py)::

    apply -> pending -> approve -> admitted -> revoke -> revoked
                     -> reject  -> rejected
    add   -> admitted             (the street seeding its own list)

An admitted item expires the day after its `valid_until`. Admission (add and
approve) is refused when

* an `assist` item brings neither funding nor working conditions (费随事走);
* the item matches an item on the negative list;
* the item duplicates an item already admitted (naming it).

The two matching rules use the fuzzy matcher of `matching.py` on the item
names at BLOCK_THRESHOLD, well above the threshold `check` uses for a
worker's free wording: both sides are formal item names here, so a real
duplicate scores 80-100 while distinct items of the same frame (医保参保登记
vs 养老保险参保登记) stay under 70. Lower scores are shown, not enforced
(`show` lists similar items for the reviewer).

Working days. An application undecided after `limit` working days is
overdue (Beijing Xicheng's rule: 15). Counting starts the day after the
application arrived (the day of receipt does not count, as usual for
administrative time limits), so one received on Monday 2026-11-02 is due by
Monday 2026-11-23 and overdue from the day after. Working days are Monday to
Friday, except the dates listed in the `access_holidays` section: public
holidays (copy the State Council's notice; its weekend days change nothing)
and weekend make-up days 调休 with `working: true`. The limit is 15 unless CGOV_ACCESS_LIMIT_DAYS says
otherwise; commands take `--limit-days` for one run.

Every change is in the audit log; a step (apply, add, approve, reject,
revoke) and a refusal carry `content_hash`, the SHA-256 of the step's history
row (`canonical_event`) or of the refusal (`canonical_refusal`), which
`cgov audit verify` recomputes (SEALS, sealed_hash). An import's entry
hashes the whole item with its history (`canonical_item`)."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import select

from cgov.access import matching
from cgov.access.labels import LABELS
from cgov.access.models import (ACTIONS, KINDS, NEEDS_REASON, SHOWN_STATUSES, TRANSITIONS, AccessEvent,
                                AccessHoliday, AccessItem, AccessRefusal)
from cgov.core import audit, clock, sequence
from cgov.core.errors import Invalid, NotFound, Refused
from cgov.org.models import Organization
from cgov.org.service import get_org

DEFAULT_LIMIT_DAYS = 15
LIMIT_ENV = "CGOV_ACCESS_LIMIT_DAYS"
BLOCK_THRESHOLD = 75.0
CANDIDATES = 5
# `check` warns when a second match this close to the first would give
# another verdict. Distinct items of one frame score 10-50 points apart
# against the same request (see tests/access/test_matching.py).
AMBIGUOUS_MARGIN = 15.0
DECISIONS = ("approve", "reject")
PAST = {"apply": "applied for", "add": "added", "approve": "approved", "reject": "rejected",
        "revoke": "revoked"}


# ---- working days ------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    off: frozenset = frozenset()  # public holidays
    working: frozenset = frozenset()  # weekend days worked (调休)

    def is_working(self, day: dt.date) -> bool:
        if day in self.working:
            return True
        if day in self.off:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after start (start itself does not count)."""
        day = start
        while n > 0:
            day += dt.timedelta(days=1)
            if self.is_working(day):
                n -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after start, up to and including end."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working(day)
        return count


def calendar(session) -> Calendar:
    rows = session.exec(select(AccessHoliday)).all()
    return Calendar(off=frozenset(h.day for h in rows if not h.working),
                    working=frozenset(h.day for h in rows if h.working))


def decision_limit(days: int | None = None) -> int:
    """Working days a department's application may wait: the option, else
    CGOV_ACCESS_LIMIT_DAYS, else 15."""
    source = "--limit-days"
    if days is None:
        env = os.environ.get(LIMIT_ENV, "").strip()
        if not env:
            return DEFAULT_LIMIT_DAYS
        source = LIMIT_ENV
        if not env.isdigit():
            raise Invalid(f"{LIMIT_ENV}: '{env}' is not a whole number of working days")
        days = int(env)
    if days < 1:
        raise Invalid(f"{source}: {days} working days; the limit must be at least 1")
    return days


# ---- small helpers -----------------------------------------------------------


def _today(on: dt.date | None) -> dt.date:
    return on or clock.to_local(clock.now()).date()


def _local_date(at: dt.datetime) -> dt.date:
    return clock.to_local(at).date()


def _at(at: dt.datetime | None) -> dt.datetime:
    # Whole seconds: the export writes seconds, and must read back unchanged.
    return (at or clock.now()).replace(microsecond=0)


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def get_department(session, ref: str) -> Organization:
    org = get_org(session, ref)
    if org.classification != "department":
        raise Invalid(f"'{org.id}' ({org.name}) is a {org.classification}, not a department",
                      hint="cgov org list --kind department shows the departments")
    return org


def get_item(session, ref: str) -> AccessItem:
    """An item by id, or by exact name when the name is unique."""
    item = session.get(AccessItem, ref) or session.get(AccessItem, ref.upper())
    if item is None:
        found = session.exec(select(AccessItem).where(AccessItem.name == ref.strip())).all()
        if len(found) > 1:
            raise Invalid(f"item name '{ref}' is ambiguous: {', '.join(i.id for i in found[:5])}",
                          hint="give the id instead")
        item = found[0] if found else None
    if item is None:
        raise NotFound(f"no access-list item '{ref}'", hint="cgov access list shows the ids")
    return item


def _dept_names(session) -> dict:
    return dict(session.execute(select(Organization.id, Organization.name)
                                .where(Organization.classification == "department")).all())


def item_events(session, item_ids=None) -> dict:
    """item id -> its history, oldest first."""
    q = select(AccessEvent)
    if item_ids is not None:
        q = q.where(AccessEvent.item_id.in_(list(item_ids)))
    out: dict = {}
    for e in session.exec(q.order_by(AccessEvent.at, AccessEvent.id)):
        out.setdefault(e.item_id, []).append(e)
    return out


def _first(events, actions):
    return next((e for e in events if e.action in actions), None)


def _last_reason(events):
    return next((e.reason for e in reversed(events) if e.action in NEEDS_REASON), None)


# ---- status, validity and the time limit ------------------------------------


def shown_status(item: AccessItem, on: dt.date) -> str:
    if item.status == "admitted" and item.valid_until and item.valid_until < on:
        return "expired"
    return item.status


def status_on(item: AccessItem, events, day: dt.date) -> str | None:
    """The item's status at the end of `day`, replaying its history."""
    status = None
    for e in events:
        if _local_date(e.at) > day:
            break
        status = e.status
    if status == "admitted" and item.valid_until and item.valid_until < day:
        return "expired"
    return status


def in_force_on(item: AccessItem, events, day: dt.date) -> bool:
    """Admitted and valid on `day`: an item that may be handed down then
    (or, for a negative item, that forbids it then)."""
    return status_on(item, events, day) == "admitted" and (item.valid_from is None or item.valid_from <= day)


def _timing(events, cal: Calendar, limit: int, on: dt.date) -> dict:
    applied = _first(events, ("apply",))
    decided = _first(events, DECISIONS)
    if applied is None:
        return {"applied_at": None, "decided_at": decided.at if decided else None, "due": None,
                "waited": None, "overdue": False, "late": False}
    start = _local_date(applied.at)
    due = cal.add_working_days(start, limit)
    end = _local_date(decided.at) if decided else on
    return {"applied_at": applied.at, "decided_at": decided.at if decided else None, "due": due,
            "waited": cal.working_days_between(start, end),
            "overdue": decided is None and on > due,
            "late": decided is not None and end > due}


def _row(item: AccessItem, events, names: dict, cal: Calendar, limit: int, on: dt.date) -> dict:
    row = {"id": item.id, "name": item.name, "department": item.department_id,
           "department_name": names.get(item.department_id), "kind": item.kind, "basis": item.basis,
           "funding": item.funding, "conditions": item.conditions, "valid_from": item.valid_from,
           "valid_until": item.valid_until, "status": shown_status(item, on)}
    row.update(_timing(events, cal, limit, on))
    row["reason"] = _last_reason(events)
    return row


# ---- queries ---------------------------------------------------------------------


def list_items(session, department: str | None = None, kind: str | None = None,
               status: str | None = None, overdue: bool = False, search: str | None = None,
               limit_days: int | None = None, on: dt.date | None = None) -> list[dict]:
    on = _today(on)
    limit = decision_limit(limit_days)
    q = select(AccessItem)
    if department:
        q = q.where(AccessItem.department_id == get_department(session, department).id)
    if kind:
        if kind not in KINDS:
            raise Invalid(f"--kind '{kind}' is not one of: {', '.join(KINDS)}")
        q = q.where(AccessItem.kind == kind)
    if status:
        if status not in SHOWN_STATUSES:
            raise Invalid(f"--status '{status}' is not one of: {', '.join(SHOWN_STATUSES)}")
        # expired items are stored as admitted; the date decides below
        q = q.where(AccessItem.status == ("admitted" if status == "expired" else status))
    if overdue:
        q = q.where(AccessItem.status == "pending")
    if search:
        # lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
        q = q.where(func.lower(AccessItem.name).contains(search.strip().lower()))
    items = session.exec(q.order_by(AccessItem.id)).all()
    events = item_events(session, [i.id for i in items])
    names, cal = _dept_names(session), calendar(session)
    rows = [_row(i, events.get(i.id, []), names, cal, limit, on) for i in items]
    if status:
        rows = [r for r in rows if r["status"] == status]
    if overdue:
        rows = [r for r in rows if r["overdue"]]
    return rows


def _similar(session, name: str, exclude: str | None, on: dt.date, threshold: float,
             in_force_only: bool = True) -> list[tuple[AccessItem, float]]:
    items = [i for i in session.exec(select(AccessItem)) if i.id != exclude]
    events = item_events(session, [i.id for i in items]) if in_force_only else {}
    if in_force_only:
        items = [i for i in items if in_force_on(i, events.get(i.id, []), on)]
    by_id = {i.id: i for i in items}
    return [(by_id[iid], s) for iid, s in
            matching.best_matches(name, [(i.id, i.name) for i in items], limit=len(items), threshold=threshold)]


def admission_problems(session, name: str, kind: str, funding: int | None, conditions: str | None,
                       exclude: str | None = None, on: dt.date | None = None) -> list[tuple[str, str]]:
    """Why an item could not be admitted now, as (message, hint) pairs; empty
    when it could. The messages finish "<the item> cannot be admitted: …"."""
    on = _today(on)
    problems = []
    if kind == "assist" and not funding and not _text(conditions):
        problems.append((
            "it is an assist item with neither funding nor working conditions "
            "(费随事走: a department that needs the community's help brings the money and the means)",
            "give --funding and/or --conditions if the department has agreed them, or reject it"))
    similar = _similar(session, name, exclude, on, BLOCK_THRESHOLD)
    negatives = [(o, s) for o, s in similar if o.kind == "negative"]
    others = [(o, s) for o, s in similar if o.kind != "negative"]
    if kind != "negative" and negatives:
        o, s = negatives[0]
        problems.append((
            f"it matches negative-list item {o.id} '{o.name}' (score {s:.1f}); an item on the negative "
            "list may never be handed down to a community",
            "reject it (cgov access reject ID --reason …)"))
    if kind == "negative" and others:
        o, s = others[0]
        problems.append((
            f"it matches {o.id} '{o.name}' (score {s:.1f}), which is admitted as {_a(o.kind)} item",
            f"revoke {o.id} first if it is no longer to be handed down"))
    same_kind = negatives if kind == "negative" else others
    if same_kind:
        o, s = same_kind[0]
        problems.append((
            f"it duplicates {o.id} '{o.name}' of {o.department_id}, already admitted (score {s:.1f})",
            f"reject it, or revoke {o.id} first if this one replaces it"))
    return problems


def show_item(session, ref: str, limit_days: int | None = None, on: dt.date | None = None) -> dict:
    on = _today(on)
    item = get_item(session, ref)
    events = item_events(session, [item.id]).get(item.id, [])
    names = _dept_names(session)
    row = _row(item, events, names, calendar(session), decision_limit(limit_days), on)
    row["history"] = [{"at": e.at, "action": e.action, "status": e.status, "reason": e.reason,
                       "by": e.actor} for e in events]
    row["similar"] = [{"id": o.id, "name": o.name, "department": o.department_id,
                       "department_name": names.get(o.department_id), "kind": o.kind,
                       "status": shown_status(o, on), "score": s}
                      for o, s in _similar(session, item.name, item.id, on, matching.MATCH_THRESHOLD,
                                           in_force_only=False)]
    # What stands in the way of admitting a pending application, for the reviewer.
    row["problems"] = [{"problem": m, "hint": h} for m, h in admission_problems(
        session, item.name, item.kind, item.funding, item.conditions, item.id, on)] \
        if item.status == "pending" else []
    return row


# ---- changes -------------------------------------------------------------------


def canonical_item(item: AccessItem, events) -> dict:
    """The item as hashed into the audit log: every field and the whole
    history, times in UTC, so the hash does not depend on the reader's zone."""
    def d(v):
        return v.isoformat() if v is not None else None

    return {"id": item.id, "name": item.name, "department": item.department_id, "kind": item.kind,
            "basis": item.basis, "funding": item.funding, "conditions": item.conditions,
            "valid_from": d(item.valid_from), "valid_until": d(item.valid_until), "status": item.status,
            "history": [{"at": e.at.astimezone(clock.UTC).isoformat(), "action": e.action,
                         "status": e.status, "reason": e.reason, "by": e.actor} for e in events]}


def canonical_refusal(r: AccessRefusal) -> dict:
    return {"id": r.id, "at": r.at.astimezone(clock.UTC).isoformat(), "department": r.department_id,
            "request": r.request, "item": r.item_id, "reason": r.reason}


def canonical_event(e: AccessEvent) -> dict:
    """One step of an item's history as it is sealed: a decision and nothing
    that later steps change, times in UTC."""
    return {"item": e.item_id, "at": audit.utc_text(e.at), "action": e.action, "status": e.status,
            "reason": e.reason, "by": e.actor}


def digest(record: dict) -> str:
    return audit.record_digest(record)


def item_hash(session, item: AccessItem) -> str:
    return digest(canonical_item(item, item_events(session, [item.id]).get(item.id, [])))


# ---- seals ------------------------------------------------------------------------
# What `cgov audit verify` rechecks for the access list (see cgov/core/audit.py).
# A step is found again by its item and action: the flow allows each action
# at most once in an item's history.

SEALS = {
    **{f"access.{a}": (f"the {a} step no longer matches the hash recorded when it was taken",
                       f"the {a} step it sealed is gone from the item's history") for a in ACTIONS},
    "access.refuse": ("the refusal no longer matches the hash recorded when the request was turned away",
                      "the refusal it sealed is gone"),
    "access.reseal": ("the record no longer matches the hash recorded when an import rewrote it",
                      "the record it sealed is gone"),
    # An imported refusal is checked like one turned away by command; an
    # imported item's entry sealed the whole item, which its later steps
    # change, so sealed_hash leaves that one unchecked.
    "access.import": ("the imported record no longer matches the hash recorded when it was imported",
                      "the imported record is gone"),
}


def sealed_hash(session, entry) -> str | None:
    """The hash of the step or refusal an entry sealed, as stored now (None: gone)."""
    record_id = audit.first_id(entry)
    if entry.entity == "access_refusal":
        r = session.get(AccessRefusal, record_id)
        return digest(canonical_refusal(r)) if r is not None else None
    if entry.action == "access.import":
        return audit.NOT_SEALED  # the whole item as imported; its later steps change it
    action = json.loads(entry.detail).get("event")
    if action is None:
        return audit.UNCHECKED  # sealed the whole item, before steps were sealed one by one
    e = session.exec(select(AccessEvent).where(AccessEvent.item_id == record_id,
                                               AccessEvent.action == action)).first()
    return digest(canonical_event(e)) if e is not None else None


def _step(session, item: AccessItem, action: str, at: dt.datetime, reason: str | None = None,
          detail: dict | None = None) -> None:
    """Move the item along the flow, record the step and audit it."""
    current = None if action in ("apply", "add") else item.status
    after = TRANSITIONS.get((current, action))
    if after is None:
        raise _forbidden(item, action)
    if action in NEEDS_REASON and not _text(reason):
        raise Invalid(f"--reason is required: say why {item.id} is {PAST[action]}")
    last = session.exec(select(AccessEvent).where(AccessEvent.item_id == item.id)
                        .order_by(AccessEvent.at.desc(), AccessEvent.id.desc())).first()
    if last is not None and at < last.at:
        raise Invalid(f"--at {clock.fmt_local(at)} is before {item.id}'s last step "
                      f"({last.action}, {clock.fmt_local(last.at)})")
    item.status = after
    session.add(item)
    ev = AccessEvent(item_id=item.id, at=at, action=action, status=after, reason=_text(reason),
                     actor=session.info.get("actor"))
    session.add(ev)
    session.flush()
    # The step is sealed on its own ("event" names it): later steps add to
    # the history without changing what was decided here.
    audit.record(session, f"access.{action}", entity="access_item", ids=[item.id, item.department_id],
                 detail={"name": item.name, "kind": item.kind, "status": after, "at": at,
                         "reason": _text(reason), "event": action, **(detail or {})},
                 content_hash=digest(canonical_event(ev)))


def _forbidden(item: AccessItem, action: str) -> Refused:
    on = _today(None)
    status = shown_status(item, on)
    if status == "expired" and action == "revoke":
        return Refused(f"{item.id} expired on {item.valid_until}: it is no longer on the list, "
                       "there is nothing to revoke")
    allowed = [] if status == "expired" else [a for (s, a) in TRANSITIONS if s == item.status]
    what = f"{item.id} is {status}: it cannot be {PAST[action]}"
    if allowed:
        return Refused(f"{what}; {_a(status)} item can only be {' or '.join(PAST[a] for a in allowed)}")
    return Refused(f"{what}; {_a(status)} item stays as it is",
                   hint="the department may apply again: cgov access apply")


def _new_id(session) -> str:
    while True:
        new_id = f"A-{sequence.next_value(session, 'access_item'):04d}"
        if session.get(AccessItem, new_id) is None:
            return new_id


def _validated(session, name, department, kind, funding, valid_from, valid_until) -> tuple:
    name = _text(name)
    if not name:
        raise Invalid("the item's name is empty")
    if kind not in KINDS:
        raise Invalid(f"--kind '{kind}' is not one of: {', '.join(KINDS)}")
    if funding is not None and funding < 0:
        raise Invalid(f"--funding {funding} is negative; give CNY a year")
    if valid_from and valid_until and valid_until < valid_from:
        raise Invalid(f"--valid-until {valid_until} is before --valid-from {valid_from}")
    return name, get_department(session, department)


def _create(session, action, name, department, kind, basis, funding, conditions, valid_from,
            valid_until, at) -> dict:
    at = _at(at)
    name, dept = _validated(session, name, department, kind, funding, valid_from, valid_until)
    if action == "add":
        _refuse_admission(session, f"'{name}'", name, kind, funding, conditions, None, _local_date(at))
    item = AccessItem(id=_new_id(session), name=name, department_id=dept.id, kind=kind, basis=_text(basis),
                      funding=funding, conditions=_text(conditions), valid_from=valid_from,
                      valid_until=valid_until, status=TRANSITIONS[(None, action)], created_at=clock.now())
    session.add(item)
    session.flush()
    _step(session, item, action, at)
    return show_item(session, item.id, on=_local_date(at))


def _refuse_admission(session, what, name, kind, funding, conditions, exclude, on) -> None:
    problems = admission_problems(session, name, kind, funding, conditions, exclude, on)
    if len(problems) == 1:
        message, hint = problems[0]
        raise Refused(f"{what} cannot be admitted: {message}", hint=hint)
    if problems:
        raise Refused(f"{what} cannot be admitted: " + "; ".join(
            f"({n}) {m}" for n, (m, _) in enumerate(problems, 1)), hint="; ".join(h for _, h in problems))


def add_item(session, name: str, department: str, kind: str, basis: str | None = None,
             funding: int | None = None, conditions: str | None = None, valid_from: dt.date | None = None,
             valid_until: dt.date | None = None, at: dt.datetime | None = None) -> dict:
    """Admit an item directly: the street seeding or extending its own list."""
    return _create(session, "add", name, department, kind, basis, funding, conditions, valid_from,
                   valid_until, at)


def apply_item(session, name: str, department: str, kind: str, basis: str | None = None,
               funding: int | None = None, conditions: str | None = None,
               valid_from: dt.date | None = None, valid_until: dt.date | None = None,
               at: dt.datetime | None = None) -> dict:
    """Record a department's application; it waits for approve or reject."""
    if kind == "negative":
        raise Invalid("departments do not apply for negative-list items: the street puts them on the list",
                      hint="cgov access add NAME --kind negative --department D")
    return _create(session, "apply", name, department, kind, basis, funding, conditions, valid_from,
                   valid_until, at)


def approve(session, ref: str, at: dt.datetime | None = None, note: str | None = None,
            funding: int | None = None, conditions: str | None = None) -> dict:
    """Admit a pending application. Funding and conditions agreed at review
    may be given here."""
    at = _at(at)
    item = get_item(session, ref)
    if item.status != "pending":
        raise _forbidden(item, "approve")
    if funding is not None:
        if funding < 0:
            raise Invalid(f"--funding {funding} is negative; give CNY a year")
        item.funding = funding
    if _text(conditions):
        item.conditions = _text(conditions)
    on = _local_date(at)
    if item.valid_until and item.valid_until < on:
        raise Refused(f"{item.id} cannot be admitted: its validity ended on {item.valid_until}",
                      hint="reject it; the department may apply again with new dates")
    _refuse_admission(session, f"{item.id} '{item.name}'", item.name, item.kind, item.funding,
                      item.conditions, item.id, on)
    _step(session, item, "approve", at, note, detail={"funding": item.funding, "conditions": item.conditions})
    return show_item(session, item.id, on=on)


def reject(session, ref: str, reason: str, at: dt.datetime | None = None) -> dict:
    at = _at(at)
    item = get_item(session, ref)
    _step(session, item, "reject", at, reason)
    return show_item(session, item.id, on=_local_date(at))


def revoke(session, ref: str, reason: str, at: dt.datetime | None = None) -> dict:
    """Take an admitted item off the list (退出)."""
    at = _at(at)
    item = get_item(session, ref)
    if shown_status(item, _local_date(at)) == "expired":
        raise _forbidden(item, "revoke")
    _step(session, item, "revoke", at, reason)
    return show_item(session, item.id, on=_local_date(at))


# ---- the gatekeeper ---------------------------------------------------------------

# How a matched item bears on a request: these four make the verdict
# admitted or refused; the others (pending, expired, not yet in force, no
# longer negative) leave the request not on the list.
_DECISIVE = {"admitted": "admitted", "negative-list": "refused", "rejected-before": "refused",
             "revoked": "refused"}
_RANK = {"admitted": 0, "negative-list": 1, "revoked": 2, "rejected-before": 3}


def _ground(item: AccessItem, events, on: dt.date) -> str:
    status = status_on(item, events, on)
    if item.kind == "negative":
        return "negative-list" if in_force_on(item, events, on) else "no-longer-negative"
    if status == "admitted":
        return "admitted" if in_force_on(item, events, on) else "not-yet-in-force"
    return {"rejected": "rejected-before", "revoked": "revoked", "pending": "pending",
            "expired": "expired"}.get(status, "pending")


def check(session, request: str, department: str | None = None, limit: int = CANDIDATES,
          on: dt.date | None = None) -> dict:
    """What a community worker should do with a department's request: take it
    on (an admitted item), turn it away (negative list, or rejected or revoked
    before), or ask the department to apply (not on the list)."""
    on = _today(on)
    text = _text(request)
    if not text or not matching.normalize(text):
        raise Invalid(f"'{request}' says nothing to match once polite and generic words are set aside",
                      hint="type what is asked, e.g. cgov access check 燃气安全排查台账")
    if limit < 1:
        raise Invalid(f"--limit {limit}: show at least one candidate")
    dept = get_department(session, department) if department else None
    items = {i.id: i for i in session.exec(select(AccessItem))}
    ranked = matching.best_matches(text, [(i.id, i.name) for i in items.values()], limit=len(items), threshold=0)
    events = item_events(session, [iid for iid, s in ranked if s >= matching.MATCH_THRESHOLD])
    names = _dept_names(session)
    matched = []  # (item, score, ground) above the threshold, best first
    for iid, score in ranked:
        if score < matching.MATCH_THRESHOLD:
            break
        item = items[iid]
        matched.append((item, score, _ground(item, events.get(iid, []), on)))
    # The negative list binds every department; other items bind their own.
    # The closest item decides; on equal scores the list as it stands now
    # (admitted, negative) goes before past decisions.
    own = sorted((m for m in matched if dept is None or m[0].kind == "negative" or m[0].department_id == dept.id),
                 key=lambda m: (-m[1], _RANK.get(m[2], len(_RANK)), m[0].id))
    # Another department's admitted item that matches clearly better than
    # anything of the asking department's own says whose work this is (the
    # housing office asking for the fire station's gas-safety ledger).
    elsewhere = next((m for m in matched if m[2] == "admitted" and m not in own), None)
    if own and not (elsewhere and elsewhere[1] - own[0][1] > AMBIGUOUS_MARGIN):
        chosen, verdict = own[0], _DECISIVE.get(own[0][2], "not-listed")
    else:
        chosen = (elsewhere[0], elsewhere[1], "other-department") if elsewhere else None
        verdict = "not-listed"
    result = {"request": text, "department": dept.id if dept else None,
              "department_name": dept.name if dept else None, "verdict": verdict,
              "ground": chosen[2] if chosen else "no-match", "threshold": matching.MATCH_THRESHOLD}
    result.update(_verdict_item(chosen, events, names, session, on))
    # The verdict follows the closest decisive item; when another match
    # nearly as close points the other way, say so rather than hide it.
    other = next((m for m in own if m[0] is not chosen[0] and _DECISIVE.get(m[2], "not-listed") != verdict and
                  chosen[1] - m[1] <= AMBIGUOUS_MARGIN), None) if chosen else None
    result["also"] = None if other is None else {
        "id": other[0].id, "name": other[0].name, "ground": other[2],
        "verdict": _DECISIVE.get(other[2], "not-listed"), "score": other[1]}
    result["candidates"] = [
        {"id": iid, "name": items[iid].name, "department": items[iid].department_id,
         "department_name": names.get(items[iid].department_id), "kind": items[iid].kind,
         "status": shown_status(items[iid], on), "score": score,
         "match": score >= matching.MATCH_THRESHOLD}
        for iid, score in ranked[:limit]]
    return result


def _verdict_item(chosen, events, names, session, on) -> dict:
    keys = ("item", "item_name", "item_department", "item_department_name", "kind", "score", "funding",
            "conditions", "valid_from", "valid_until", "decided_at", "decision_reason", "due")
    if chosen is None:
        return dict.fromkeys(keys)
    item, score, ground = chosen
    ev = events.get(item.id, [])
    decision = next((e for e in reversed(ev) if e.action in NEEDS_REASON), None)
    due = None
    if ground == "pending":
        due = _timing(ev, calendar(session), decision_limit(), on)["due"]
    return dict(zip(keys, (item.id, item.name, item.department_id, names.get(item.department_id), item.kind,
                           score, item.funding, item.conditions, item.valid_from, item.valid_until,
                           decision.at if decision else None, decision.reason if decision else None, due)))


def explain(result: dict, lang: str = "en") -> str:
    """The verdict of `check` as one sentence for people, with a warning
    when another close item would give a different verdict."""
    text = _because(result, lang)
    also = result.get("also")
    if also:
        text += (f"。注意：也接近 {also['id']} {also['name']}（{LABELS[also['ground']]}，相似度{also['score']}），"
                 "请核实所交办的是哪一项" if lang == "zh" else
                 f". Note: it also resembles {also['id']} {also['name']} ({also['ground']}, score "
                 f"{also['score']}); make sure which one is asked")
    return text


def _because(r: dict, lang: str) -> str:
    zh = lang == "zh"
    item = f"{r['item']} {r['item_name']}" if r.get("item") else ""
    date = clock.fmt_local(r["decided_at"])[:10] if r.get("decided_at") else "?"
    why = r.get("decision_reason") or ("未说明" if zh else "no reason given")
    ground = r["ground"]
    if ground == "admitted":
        if r["kind"] == "duty":
            money = "社区依法履职事项，无需部门经费" if zh else "the community's own statutory duty, no funding needed"
        else:
            parts = []
            if r.get("funding"):
                parts.append(f"经费{r['funding']}元/年" if zh else f"funding {r['funding']} CNY a year")
            if r.get("conditions"):
                parts.append(f"工作条件：{r['conditions']}" if zh else f"conditions: {r['conditions']}")
            money = ("；".join(parts) if zh else "; ".join(parts)) or \
                ("未登记经费和工作条件" if zh else "no funding or conditions recorded")
        return (f"已准入：{item}（{r['item_department_name']}），{money}" if zh else
                f"admitted: {item} ({r['item_department_name']}), {money}")
    if ground == "negative-list":
        return (f"拒绝：属于负面清单事项 {item}，不得交由社区承担" if zh else
                f"refused: on the negative list as {item}; it may never be handed down to a community")
    if ground == "rejected-before":
        return (f"拒绝：{item} 曾申请准入，于{date}被驳回：{why}" if zh else
                f"refused: {item} was applied for and rejected on {date}: {why}")
    if ground == "revoked":
        return (f"拒绝：{item} 已于{date}退出清单：{why}" if zh else
                f"refused: {item} was taken off the list on {date}: {why}")
    if ground == "pending":
        return (f"未列入清单：{item} 的准入申请尚在审核（办结期限{r['due']}），准入前不得交办" if zh else
                f"not on the list: {item} is an application under review (due {r['due']}); "
                "it may not be handed down before it is admitted")
    if ground == "expired":
        return (f"未列入清单：{item} 已于{r['valid_until']}到期，部门须重新申请" if zh else
                f"not on the list: {item} expired on {r['valid_until']}; the department must apply again")
    if ground == "not-yet-in-force":
        return (f"未列入清单：{item} 自{r['valid_from']}起生效" if zh else
                f"not on the list yet: {item} is in force from {r['valid_from']}")
    if ground == "no-longer-negative":
        return (f"未列入清单：{item} 已不在负面清单上，部门须申请准入" if zh else
                f"not on the list: {item} is no longer on the negative list; the department must apply")
    if ground == "other-department":
        return (f"未列入清单：{item} 仅准入给{r['item_department_name']}，{r['department_name']}须申请准入" if zh else
                f"not on the list for {r['department_name']}: {item} is admitted for "
                f"{r['item_department_name']} only; {r['department_name']} must apply")
    closest = r["candidates"][0] if r.get("candidates") else None
    near = ""
    if closest:
        near = (f"（最接近：{closest['id']} {closest['name']}，相似度{closest['score']}，低于{r['threshold']:g}；"
                "如确为该事项，请用其名称重新核对）" if zh else
                f" (closest: {closest['id']} {closest['name']}, score {closest['score']}, below "
                f"{r['threshold']:g}; if that is what is asked, check again with its name)")
    return (f"未列入清单：没有匹配的事项{near}。部门须先申请准入，否则可拒绝承接" if zh else
            f"not on the list: no item matches{near}. The department must apply first; "
            "until then the request can be turned away")


# ---- requests turned away ------------------------------------------------------------


def refuse(session, request: str, department: str, item: str | None = None, reason: str | None = None,
           at: dt.datetime | None = None) -> dict:
    """Record a department's request the community turned away. The item it
    matched (or --item) is kept with it; turning away a request for an
    admitted item needs a reason."""
    at = _at(at)
    text = _text(request)
    if not text:
        raise Invalid("the request is empty: write down what the department asked for")
    dept = get_department(session, department)
    on = _local_date(at)
    if item:
        found = get_item(session, item)
        ground = _ground(found, item_events(session, [found.id]).get(found.id, []), on)
    else:
        result = check(session, text, dept.id, on=on)
        found = session.get(AccessItem, result["item"]) if result["item"] else None
        ground = result["ground"]
    if ground == "admitted" and not _text(reason):
        raise Refused(f"'{text}' is admitted item {found.id} '{found.name}': {dept.name} may hand it down",
                      hint="give --reason to record the refusal anyway (e.g. the agreed funding never came)")
    while True:
        rid = f"R-{sequence.next_value(session, 'access_refusal'):04d}"
        if session.get(AccessRefusal, rid) is None:
            break
    r = AccessRefusal(id=rid, at=at, department_id=dept.id, request=text, item_id=found.id if found else None,
                      reason=_text(reason), created_at=clock.now())
    session.add(r)
    session.flush()
    audit.record(session, "access.refuse", entity="access_refusal",
                 ids=[rid, dept.id] + ([found.id] if found else []),
                 detail={"request": text, "at": at, "ground": ground, "reason": r.reason},
                 content_hash=digest(canonical_refusal(r)))
    return _refusal_row(r, _dept_names(session), {found.id: found.name} if found else {}) | {"ground": ground}


def _refusal_row(r: AccessRefusal, names: dict, item_names: dict) -> dict:
    return {"id": r.id, "at": r.at, "department": r.department_id, "department_name": names.get(r.department_id),
            "request": r.request, "item": r.item_id, "item_name": item_names.get(r.item_id), "reason": r.reason}


def list_refusals(session, department: str | None = None, since: dt.datetime | None = None,
                  until: dt.datetime | None = None) -> list[dict]:
    q = select(AccessRefusal)
    if department:
        q = q.where(AccessRefusal.department_id == get_department(session, department).id)
    if since:
        q = q.where(AccessRefusal.at >= since)
    if until:
        q = q.where(AccessRefusal.at < until)
    rows = session.exec(q.order_by(AccessRefusal.at, AccessRefusal.id)).all()
    item_names = dict(session.execute(select(AccessItem.id, AccessItem.name)).all())
    names = _dept_names(session)
    return [_refusal_row(r, names, item_names) for r in rows]


# ---- figures -------------------------------------------------------------------------


def _reduction(baseline: int | None, admitted: int) -> dict:
    if baseline is None:
        return {"reduction": None, "reduction_rate": None}
    return {"reduction": baseline - admitted, "reduction_rate": round((baseline - admitted) / baseline, 3)}


def _baseline(items, events, baseline: int | None, baseline_date: dt.date | None) -> int | None:
    if baseline is not None and baseline_date is not None:
        raise Invalid("give --baseline or --baseline-date, not both")
    if baseline is not None and baseline < 1:
        raise Invalid(f"--baseline {baseline}: the list before the cut must have at least one item")
    if baseline_date is None:
        return baseline
    count = sum(1 for i in items if i.kind != "negative" and in_force_on(i, events.get(i.id, []), baseline_date))
    if count == 0:
        raise Refused(f"no item was in force on {baseline_date}, so there is nothing to measure the cut against",
                      hint="give the count from before cgov as --baseline N")
    return count


def stats(session, baseline: int | None = None, baseline_date: dt.date | None = None,
          limit_days: int | None = None, on: dt.date | None = None) -> dict:
    """The burden cut: items in force now against a baseline (a number, or
    the count in force on a date), by department and kind, with the
    applications and refused requests behind it. `admitted` counts duty and
    assist items in force: negative-list items are no burden, they are shown
    apart."""
    on = _today(on)
    limit = decision_limit(limit_days)
    items = session.exec(select(AccessItem).order_by(AccessItem.id)).all()
    events = item_events(session)
    base = _baseline(items, events, baseline, baseline_date)
    cal, names = calendar(session), _dept_names(session)
    refusals = [r for r in session.exec(select(AccessRefusal)) if _local_date(r.at) <= on]
    by_dept: dict = {}
    by_kind = {k: {"kind": k, "admitted": 0, "pending": 0, "rejected": 0, "revoked": 0, "expired": 0}
               for k in KINDS}
    apps = {"received": 0, "decided": 0, "admitted": 0, "rejected": 0, "pending": 0, "overdue": 0}

    def dept_row(did):
        return by_dept.setdefault(did, {
            "department": did, "department_name": names.get(did), "admitted": 0, "negative": 0,
            "funding": 0, "pending": 0, "overdue": 0, "rejected": 0, "revoked": 0, "refused_requests": 0})

    for i in items:
        ev = [e for e in events.get(i.id, []) if _local_date(e.at) <= on]
        if not ev:
            continue
        status = status_on(i, ev, on)
        force = in_force_on(i, ev, on)
        d = dept_row(i.department_id)
        k = by_kind[i.kind]
        if force:
            k["admitted"] += 1
            d["negative" if i.kind == "negative" else "admitted"] += 1
            if i.kind == "assist":
                d["funding"] += i.funding or 0
        elif status in k:
            k[status] += 1
        if status in ("rejected", "revoked"):
            d[status] += 1
        timing = _timing(ev, cal, limit, on)
        if timing["applied_at"]:
            apps["received"] += 1
            decision = _first(ev, DECISIONS)
            if decision:
                apps["decided"] += 1
                apps["admitted" if decision.action == "approve" else "rejected"] += 1
            else:
                apps["pending"] += 1
                d["pending"] += 1
            if timing["overdue"]:
                apps["overdue"] += 1
                d["overdue"] += 1
    for r in refusals:
        dept_row(r.department_id)["refused_requests"] += 1
    admitted = sum(1 for i in items if i.kind != "negative" and in_force_on(i, events.get(i.id, []), on))
    out = {"as_of": on, "baseline": base, "baseline_date": baseline_date, "admitted": admitted}
    out.update(_reduction(base, admitted))
    out.update({
        "negative": by_kind["negative"]["admitted"],
        "funding": sum(d["funding"] for d in by_dept.values()),
        **{f"applications_{k}": v for k, v in apps.items()},
        "refused_requests": len(refusals),
        "limit_days": limit,
        "by_department": sorted(by_dept.values(), key=lambda d: d["department"]),
        "by_kind": list(by_kind.values()),
    })
    return out


def period_figures(session, start: dt.datetime, end: dt.datetime, baseline: int | None = None,
                   baseline_date: dt.date | None = None, limit_days: int | None = None) -> dict:
    """The access list's part of a report for [start, end): applications
    received and decided in the period, decided late, still undecided past
    the limit at its end; items admitted and revoked; requests turned away;
    and the list's size at the end against the baseline."""
    if end <= start:
        raise Invalid(f"the period ends ({clock.fmt_local(end)}) before it starts ({clock.fmt_local(start)})")
    limit = decision_limit(limit_days)
    # The last day inside the period, for "in force" and "overdue at its end".
    last_day = _local_date(end - dt.timedelta(microseconds=1))
    items = session.exec(select(AccessItem)).all()
    events = item_events(session)
    cal = calendar(session)
    base = _baseline(items, events, baseline, baseline_date)
    figures = {"received": 0, "decided": 0, "decided_late": 0, "overdue": 0, "admitted": 0, "revoked": 0}
    for i in items:
        ev = events.get(i.id, [])
        within = [e for e in ev if start <= e.at < end]
        figures["received"] += sum(e.action == "apply" for e in within)
        figures["admitted"] += sum(e.action in ("approve", "add") for e in within)
        figures["revoked"] += sum(e.action == "revoke" for e in within)
        decided = [e for e in within if e.action in DECISIONS]
        figures["decided"] += len(decided)
        timing = _timing([e for e in ev if e.at < end], cal, limit, last_day)
        figures["decided_late"] += bool(decided) and timing["late"]
        figures["overdue"] += timing["overdue"]
    refused = sum(1 for r in session.exec(select(AccessRefusal)) if start <= r.at < end)
    admitted = sum(1 for i in items if i.kind != "negative" and in_force_on(i, events.get(i.id, []), last_day))
    out = {"start": start, "end": end,
           "applications_received": figures["received"], "applications_decided": figures["decided"],
           "applications_decided_late": figures["decided_late"], "applications_overdue": figures["overdue"],
           "items_admitted": figures["admitted"], "items_revoked": figures["revoked"],
           "requests_refused": refused, "admitted": admitted, "baseline": base, "limit_days": limit}
    out.update(_reduction(base, admitted))
    return out
