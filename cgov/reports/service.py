"""The weekly summary and the at-a-glance status, built from the features'
own services (case metrics, meeting rules, the access list, grid checks) so
every figure means what it means everywhere else in cgov.

Everything is read inside the caller's one read transaction: the parts of a
report add up to its totals even while others write. Nothing here reads the
clock for a weekly summary (only `status` and the default period do), so the
same store gives the same summary whenever it is run.

Counting stays in SQL: the only rows that come into Python are the ten most
overdue cases, the period's escalations shown, the period's meetings and
motions, and what the access list and grid check read themselves."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, exists, func, not_, or_
from sqlalchemy import case as sql_case
from sqlmodel import select

from cgov.core import clock
from cgov.core.audit import GENESIS, AuditEntry
from cgov.core.errors import Invalid

HISTORY_WEEKS = 8
TOP = 10  # rows of the most-overdue and escalation lists


# ---- periods ----------------------------------------------------------------------

def last_complete_week(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Monday to Monday (local time) of the week before the current one."""
    from cgov.cases.metrics import local_midnight

    today = clock.to_local(now or clock.now()).date()
    monday = today - dt.timedelta(days=today.weekday())
    return local_midnight(monday - dt.timedelta(days=7)), local_midnight(monday)


def resolve_period(week: str | None, since: str | None, until: str | None) -> tuple[dt.datetime, dt.datetime]:
    """(start, end) from --week or --since/--until; by default the last complete week."""
    from cgov.cases import metrics

    if week is not None and (since is not None or until is not None):
        raise Invalid("give --week or --since/--until, not both")
    if week is not None or since is not None or until is not None:
        return metrics.period(week=week, since=since, until=until)
    return last_complete_week()


def _weeks_before(end: dt.datetime, n: int) -> dt.datetime:
    # Wall-clock arithmetic in the local zone: a week back is the same local
    # time seven days earlier, also across a daylight-saving change.
    return (clock.to_local(end) - dt.timedelta(days=7 * n)).astimezone(clock.UTC)


def _last_day(end: dt.datetime) -> dt.date:
    """The last local day inside a period that ends (exclusive) at `end`."""
    return clock.to_local(end - dt.timedelta(microseconds=1)).date()


def label(start: dt.datetime, end: dt.datetime) -> str:
    """2026-W47 for an ISO week, else first..last local day."""
    s = clock.to_local(start)
    if s.weekday() == 0 and s.time() == dt.time(0) and _weeks_before(end, 1) == start:
        year, week, _ = s.date().isocalendar()
        return f"{year}-W{week:02d}"
    return f"{s.date()}..{_last_day(end)}"


# ---- cases ------------------------------------------------------------------------

def _counted(session, area: str | None) -> list:
    """The cases every figure counts: not cancelled, not closed as a duplicate,
    at or under the area. coalesce(): "duplicate_of IS NULL" matches nearly
    every case, and SQLite then takes the duplicate_of index and scans them
    all instead of the period's range (as in cases/metrics.py)."""
    from cgov.cases.models import Case
    from cgov.cases.service import area_condition

    where = [Case.status != "cancelled", func.coalesce(Case.duplicate_of, "") == ""]
    if area:
        where.append(area_condition(session, area)[0])
    return where


def _open_overdue_at(end: dt.datetime) -> list:
    """Conditions for a case that was open and past its resolve-by at `end`,
    besides being open now or closed only after `end` (see `most_overdue`):
    the cases the `open_overdue` figure of cases/metrics.py counts, so that
    the list of the most overdue is the head of that count."""
    from cgov.cases.models import Case, CaseEvent
    from sqlalchemy.orm import aliased

    close_ev, reopen_ev = aliased(CaseEvent), aliased(CaseEvent)
    undone = exists().where(reopen_ev.case_id == close_ev.case_id, reopen_ev.kind == "reopen",
                            reopen_ev.at > close_ev.at, reopen_ev.at < end)
    closed_then = exists().where(close_ev.case_id == Case.id, close_ev.kind == "close", close_ev.at < end,
                                 not_(undone))
    return [Case.resolve_by < end, not_(and_(Case.status == "rejected", Case.responded_at < end)),
            or_(Case.first_closed_at.is_(None), Case.first_closed_at >= end, not_(closed_then))]


def _names(session, cases) -> dict:
    """Names of the communities and handlers of a few cases, by id."""
    from cgov.org.models import Area, Organization, Person

    areas = {c.community_id for c in cases if c.community_id}
    handlers = {c.handler_id for c in cases if c.handler_id}
    names = dict(session.execute(select(Area.id, Area.name).where(Area.id.in_(areas))).all()) if areas else {}
    if handlers:
        names.update(session.execute(select(Organization.id, Organization.name)
                                     .where(Organization.id.in_(handlers))).all())
        names.update(session.execute(select(Person.id, Person.name).where(Person.id.in_(handlers))).all())
    return names


def _brief(c, names: dict, cats: dict) -> dict:
    cat = cats.get(c.category) if c.category else None
    return {"id": c.id, "title": c.title, "community": c.community_id, "community_name": names.get(c.community_id),
            "category": c.category, "category_name": cat["name"] if cat else None,
            "handler": c.handler_id, "handler_name": names.get(c.handler_id),
            "reported_at": c.reported_at, "resolve_by": c.resolve_by}


def most_overdue(session, end: dt.datetime, area: str | None = None, limit: int = TOP) -> list[dict]:
    """The open cases furthest past their resolve-by at the end of the
    period, most overdue first, with how many days overdue they were then."""
    from cgov.cases.models import Case
    from cgov.cases.service import categories

    # Open now, or closed only after the end: each one range of the
    # (closed_at, resolve_by) index read in deadline order, instead of
    # walking every case ever due before the end. The far bound makes the
    # second a two-sided range, as in cases/metrics.py.
    far = dt.datetime(9999, 1, 1, tzinfo=clock.UTC)
    rows = []
    for still_open in ([Case.closed_at.is_(None)], [Case.closed_at >= end, Case.closed_at < far]):
        rows += session.exec(select(Case).where(*still_open, *_counted(session, area), *_open_overdue_at(end))
                             .order_by(Case.resolve_by, Case.id).limit(limit)).all()
    rows = sorted(rows, key=lambda c: (c.resolve_by, c.id))[:limit]
    names, cats = _names(session, rows), categories(session)
    return [{**_brief(c, names, cats),
             "overdue_days": round((end - c.resolve_by).total_seconds() / 86400, 1)} for c in rows]


def escalations(session, start: dt.datetime, end: dt.datetime, area: str | None = None,
                limit: int = TOP) -> dict:
    """督办 in the period: how many, and the highest-level ones with when."""
    from cgov.cases.models import Case, CaseEvent
    from cgov.cases.service import categories

    where = [*_counted(session, area), CaseEvent.kind == "escalate", CaseEvent.at >= start, CaseEvent.at < end]
    joined = select(func.count()).select_from(CaseEvent).join(Case, Case.id == CaseEvent.case_id).where(*where)
    count = session.exec(joined).one()
    rows = session.execute(select(Case, CaseEvent.level, CaseEvent.at).join(CaseEvent, CaseEvent.case_id == Case.id)
                           .where(*where).order_by(CaseEvent.level.desc(), CaseEvent.at, Case.id)
                           .limit(limit)).all()
    names, cats = _names(session, [r[0] for r in rows]), categories(session)
    return {"count": count,
            "cases": [{**_brief(c, names, cats), "level": level, "at": at} for c, level, at in rows]}


def _change(cur: dict, prev: dict) -> dict:
    """This period minus the previous one, figure by figure (rates in
    fractions: renderers show them as points)."""
    from cgov.cases.metrics import KEYS

    return {k: None if cur[k] is None or prev[k] is None else round(cur[k] - prev[k], 6) for k in KEYS}


def _figures(m: dict) -> dict:
    from cgov.cases.metrics import KEYS

    return {k: m[k] for k in KEYS}


def _group(g: dict) -> dict:
    from cgov.cases.metrics import KEYS

    return {"key": g["key"], "name": g["name"], **{k: g[k] for k in KEYS}}


def case_section(session, start: dt.datetime, end: dt.datetime, area=None) -> dict:
    from cgov.cases import metrics
    from cgov.org.service import get_area

    # Inside a community the parts are its grids; above it, communities.
    by = "community"
    if area and get_area(session, area).classification in ("community", "village", "grid", "building"):
        by = "grid"
    # The period before, as long: a week is the local week before.
    prev_start = _weeks_before(start, 1) if _weeks_before(end, 1) == start else start - (end - start)
    cur = metrics.metrics_by(session, start, end, area=area, bys=(by, "category"))
    prev = metrics.metrics(session, prev_start, start, area=area)
    esc, esc_prev = escalations(session, start, end, area), escalations(session, prev_start, start, area, limit=0)
    return {
        "figures": _figures(cur), "previous": _figures(prev), "change": _change(cur, prev),
        "by_area": {"by": by, "groups": [_group(g) for g in cur["groups_by"][by]]},
        "by_category": [_group(g) for g in cur["groups_by"]["category"]],
        "most_overdue": most_overdue(session, end, area),
        "escalations": {"count": esc["count"], "previous": esc_prev["count"],
                        "change": esc["count"] - esc_prev["count"], "cases": esc["cases"]},
    }


def history(session, end: dt.datetime, area=None, weeks: int = HISTORY_WEEKS) -> list[dict]:
    """Reported, due, on-time and satisfaction figures of each of the last
    weeks up to `end`, as cases/metrics.py counts them: three queries, each
    one index range over the eight weeks with one sum per week."""
    from cgov.cases.models import Case, CaseEvent

    bounds = [_weeks_before(end, weeks - i) for i in range(weeks + 1)]
    where = _counted(session, area)

    def per_week(col, extra=None):
        return [func.sum(sql_case((and_(col >= bounds[i], col < bounds[i + 1],
                                        *([] if extra is None else [extra])), 1), else_=0))
                for i in range(weeks)]

    def span(col):
        return [col >= bounds[0], col < bounds[-1]]

    reported = session.execute(select(*per_week(Case.reported_at)).where(*where, *span(Case.reported_at))).one()
    due = session.execute(select(*per_week(Case.resolve_by), *per_week(Case.resolve_by,
                                                                        Case.first_closed_at <= Case.resolve_by))
                          .where(*where, Case.status != "rejected", *span(Case.resolve_by))).one()
    content = CaseEvent.satisfaction.in_(("satisfied", "basic"))
    rated = session.execute(select(*per_week(CaseEvent.at), *per_week(CaseEvent.at, content))
                            .select_from(CaseEvent).join(Case, Case.id == CaseEvent.case_id)
                            .where(*where, CaseEvent.kind == "rate", *span(CaseEvent.at))).one()
    out = []
    for i in range(weeks):
        d, on_time = due[i] or 0, due[weeks + i] or 0
        r, happy = rated[i] or 0, rated[weeks + i] or 0
        out.append({"week": label(bounds[i], bounds[i + 1]), "start": bounds[i], "end": bounds[i + 1],
                    "reported": reported[i] or 0, "due": d, "closed_on_time": on_time,
                    "on_time_rate": round(on_time / d, 4) if d else None,
                    "rated": r, "satisfaction_rate": round(happy / r, 4) if r else None})
    return out


# ---- the other features -----------------------------------------------------------

def _orgs_in(session, area: str):
    """Ids of the organizations at or under an area, as a subquery."""
    from cgov.org.models import Organization
    from cgov.org.service import descendants, get_area

    return select(Organization.id).where(Organization.area_id.in_(descendants(session, get_area(session, area).id)))


def meeting_section(session, start: dt.datetime, end: dt.datetime, area=None) -> dict:
    from cgov.meetings import service as meetings
    from cgov.meetings.models import Meeting, Motion

    held_q = select(Meeting).where(Meeting.at >= start, Meeting.at < end)
    published_q = select(func.count()).select_from(Meeting).where(Meeting.published_at >= start,
                                                                  Meeting.published_at < end)
    if area:
        held_q = held_q.where(Meeting.organization_id.in_(_orgs_in(session, area)))
        published_q = published_q.where(Meeting.organization_id.in_(_orgs_in(session, area)))
    held = session.exec(held_q.order_by(Meeting.at, Meeting.id)).all()
    by_type: dict = {}
    for m in held:
        row = by_type.setdefault(m.type, {"type": m.type, "name": m.type_name, "name_en": m.type_name_en,
                                          "held": 0})
        row["held"] += 1
    ids = [m.id for m in held]
    motions = session.exec(select(Motion).where(Motion.meeting_id.in_(ids), Motion.method.is_not(None))
                           .order_by(Motion.id)).all() if ids else []
    results = [meetings.motion_result(session, mo)["result"] for mo in motions]
    overdue = meetings.due(session, as_of=_last_day(end), area=area)
    return {"held": len(held), "by_type": sorted(by_type.values(), key=lambda r: r["type"]),
            "motions_voted": len(results), "motions_passed": results.count("passed"),
            "motions_failed": results.count("failed"), "motions_void": results.count("void"),
            "minutes_published": session.exec(published_q).one(),
            # A city owes thousands: the count, and the ten most overdue
            # (`cgov meeting due` lists them all).
            "regular_overdue": len(overdue),
            "regular_overdue_top": [{k: r[k] for k in ("organization", "organization_name", "type", "type_name",
                                                       "type_name_en", "last_held", "due", "overdue_days")}
                                    for r in overdue[:TOP]]}


def access_section(session, start: dt.datetime, end: dt.datetime, baseline: int | None = None) -> dict:
    """The access list is the street's, one for all its communities: --area
    does not narrow it."""
    from cgov.access import service as access

    f = access.period_figures(session, start, end, baseline=baseline)
    return {k: v for k, v in f.items() if k not in ("start", "end")}


def org_section(session, start: dt.datetime, end: dt.datetime, area=None) -> dict:
    """People added to the store, and posts started and ended, in the period;
    inside an area: people living there, posts in its organizations or for
    its grids and buildings."""
    from cgov.org.models import Membership, Person
    from cgov.org.service import descendants, get_area

    first, last = clock.to_local(start).date(), _last_day(end)
    added = select(func.count()).select_from(Person).where(Person.created_at >= start, Person.created_at < end)
    started = select(func.count()).select_from(Membership).where(Membership.start_date >= first,
                                                                 Membership.start_date <= last)
    ended = select(func.count()).select_from(Membership).where(Membership.end_date >= first,
                                                               Membership.end_date <= last)
    if area:
        inside = descendants(session, get_area(session, area).id)
        added = added.where(Person.home_id.in_(inside))
        here = or_(Membership.organization_id.in_(_orgs_in(session, area)), Membership.area_id.in_(inside))
        started, ended = started.where(here), ended.where(here)
    return {"persons_added": session.exec(added).one(), "posts_started": session.exec(started).one(),
            "posts_ended": session.exec(ended).one()}


def volunteer_section(session, start: dt.datetime, end: dt.datetime, area=None) -> dict:
    """Volunteer service, the points ledger, the three lists and 双报到
    registrations in the period (the volunteers feature computes them)."""
    from cgov.volunteers import service as volunteers

    return volunteers.period_figures(session, start, end, area)


def grid_section(session, end: dt.datetime, area=None) -> dict:
    """`cgov grid check` as of the period's last day."""
    from cgov.org.service import grid_check

    result = grid_check(session, area=area, on=_last_day(end))
    by_rule: dict = {}
    for f in result["findings"]:
        by_rule[f["rule"]] = by_rule.get(f["rule"], 0) + 1
    return {"findings": len(result["findings"]), "by_rule": dict(sorted(by_rule.items())),
            "cross_appointment_rate": result["cross_appointment"]["rate"]}


def audit_head(session) -> dict:
    """The chain's head now: the anchor to publish (`cgov audit verify --anchor`)."""
    row = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    count = session.exec(select(func.count()).select_from(AuditEntry)).one()
    return {"entries": count, "head": row[1] if row else GENESIS}


def weekly(session, start: dt.datetime, end: dt.datetime, area: str | None = None,
           baseline: int | None = None) -> dict:
    """Every figure of the weekly summary for [start, end), as plain data."""
    from cgov.org.service import get_area

    if end <= start:
        raise Invalid(f"the period is empty: it ends ({clock.fmt_local(end)}) at or before it starts "
                      f"({clock.fmt_local(start)})")
    area_row = get_area(session, area) if area else None
    area_id = area_row.id if area_row else None
    return {
        "period": {"label": label(start, end), "start": start, "end": end,
                   "area": area_id, "area_name": area_row.name if area_row else None},
        "cases": case_section(session, start, end, area_id),
        "meetings": meeting_section(session, start, end, area_id),
        "access": access_section(session, start, end, baseline),
        "org": org_section(session, start, end, area_id),
        "volunteers": volunteer_section(session, start, end, area_id),
        "grid_check": grid_section(session, end, area_id),
        "history": history(session, end, area_id),
        "audit": audit_head(session),
    }


# ---- today ------------------------------------------------------------------------

def status(session, now: dt.datetime | None = None) -> list[dict]:
    """What needs attention today, one row a subject: its count, what makes
    it up (`parts`: {key, name, name_en, count}) and the command that lists
    the details."""
    from cgov.access import service as access
    from cgov.cases import service as cases
    from cgov.cases.metrics import local_midnight
    from cgov.cases.models import OPEN_STATUSES, Case
    from cgov.meetings import service as meetings
    from cgov.org.service import grid_check

    now = now or clock.now()
    today = clock.to_local(now).date()
    tomorrow = local_midnight(today + dt.timedelta(days=1))
    sunday = today + dt.timedelta(days=6 - today.weekday())
    by_state = dict(session.execute(select(Case.status, func.count()).where(Case.status.in_(OPEN_STATUSES))
                                    .group_by(Case.status)).all())
    overdue = cases.count_cases(session, status=["open"], overdue=True, now=now)
    due_today = session.exec(select(func.count()).select_from(Case).where(
        Case.status.in_(OPEN_STATUSES), Case.resolve_by >= now, Case.resolve_by < tomorrow)).one()
    escalated = cases.count_cases(session, status=["open"], escalated=True)
    # Owed by Sunday: overdue already, or due on a day of this week.
    owed = [r for r in meetings.due(session, as_of=sunday, everything=True) if r["due"] <= sunday]
    types: dict = {}
    for r in owed:
        types.setdefault(r["type"], {"key": r["type"], "name": r["type_name"], "name_en": r["type_name_en"],
                                     "count": 0})["count"] += 1
    pending = access.list_items(session, status="pending", on=today)
    late = sum(1 for i in pending if i["overdue"])
    findings = grid_check(session, on=today)["findings"]

    def part(key, count):
        return {"key": key, "name": None, "name_en": None, "count": count}

    return [
        {"subject": "open-cases", "count": sum(by_state.values()),
         "parts": [part(k, by_state[k]) for k in OPEN_STATUSES if by_state.get(k)],
         "command": "cgov case list --status open"},
        {"subject": "overdue-cases", "count": overdue, "parts": [], "command": "cgov case list --overdue --sort due"},
        {"subject": "due-today", "count": due_today, "parts": [], "command": "cgov case list --status open --sort due"},
        {"subject": "escalated", "count": escalated, "parts": [],
         "command": "cgov case list --status open --escalated"},
        {"subject": "meetings-due", "count": len(owed), "parts": sorted(types.values(), key=lambda p: p["key"]),
         "command": "cgov meeting due"},
        {"subject": "pending-applications", "count": len(pending), "parts": [part("overdue", late)] if late else [],
         "command": "cgov access list --status pending"},
        {"subject": "grid-findings", "count": len(findings), "parts": [], "command": "cgov grid check"},
    ]
