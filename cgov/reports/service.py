"""The weekly summary and the at-a-glance status, built from the features'
own services (case metrics, meeting rules, the access list, grid checks) so
every figure means what it means everywhere else in cgov.

Everything is read inside the caller's one read transaction: the parts of a
report add up to its totals even while others write."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case as sql_case, func
from sqlmodel import select

from cgov.core import clock
from cgov.core.audit import AuditEntry, GENESIS
from cgov.core.errors import Invalid

HISTORY_WEEKS = 8
TOP_OVERDUE = 10


def last_complete_week(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    from cgov.cases.metrics import local_midnight

    today = clock.to_local(now or clock.now()).date()
    monday = today - dt.timedelta(days=today.weekday())
    return local_midnight(monday - dt.timedelta(days=7)), local_midnight(monday)


def resolve_period(week: str | None, since: str | None, until: str | None) -> tuple[dt.datetime, dt.datetime]:
    from cgov.cases import metrics

    if week and (since or until):
        raise Invalid("give --week or --since/--until, not both")
    if week or since or until:
        return metrics.period(week=week, since=since, until=until)
    return last_complete_week()


def _label(start: dt.datetime, end: dt.datetime) -> str:
    s, e = clock.to_local(start), clock.to_local(end)
    if e - s == dt.timedelta(days=7) and s.weekday() == 0 and s.time() == dt.time(0):
        year, week, _ = s.date().isocalendar()
        return f"{year}-W{week:02d}"
    return f"{s.date()}..{(e - dt.timedelta(microseconds=1)).date()}"


def _change(cur: dict, prev: dict) -> dict:
    """This period minus the previous one, figure by figure (rates in
    fractions: renderers show them as points)."""
    from cgov.cases.metrics import KEYS

    out = {}
    for k in KEYS:
        a, b = cur.get(k), prev.get(k)
        out[k] = None if a is None or b is None else round(a - b, 6)
    return out


def _strip(figures: dict) -> dict:
    from cgov.cases.metrics import KEYS

    return {k: figures[k] for k in KEYS}


def case_section(session, start, end, area=None) -> dict:
    from cgov.cases import metrics
    from cgov.cases import service as cases
    from cgov.org.service import get_area

    span = end - start
    cur_by_area_key = "community"
    if area and get_area(session, area).classification in ("community", "village", "grid", "building"):
        cur_by_area_key = "grid"
    cur = metrics.metrics(session, start, end, area=area, by=cur_by_area_key)
    prev = metrics.metrics(session, start - span, start, area=area)
    by_category = metrics.metrics(session, start, end, area=area, by="category")["groups"]
    overdue = cases.list_cases(session, status=["open"], area=area, overdue=True, now=end, sort="due",
                               limit=TOP_OVERDUE)
    escalated = cases.list_cases(session, status=["open"], area=area, escalated=True, now=end, sort="due")
    return {
        "figures": _strip(cur), "previous": _strip(prev), "change": _change(cur, prev),
        "by_area": {"by": cur_by_area_key, "groups": cur["groups"]},
        "by_category": by_category,
        "most_overdue": [_case_brief(c) for c in overdue],
        "escalated": [_case_brief(c) for c in escalated],
    }


def _case_brief(c: dict) -> dict:
    keep = ("id", "title", "status", "community_name", "grid_name", "handler_name", "reported_at",
            "resolve_by", "overdue_hours", "escalation_level", "category_name")
    return {k: c.get(k) for k in keep}


def meeting_section(session, start, end, area=None) -> dict:
    from cgov.meetings import service as meetings
    from cgov.meetings.models import Meeting, Motion
    from cgov.org.models import Organization
    from cgov.org.service import descendants, get_area

    q = select(Meeting).where(Meeting.at >= start, Meeting.at < end)
    pq = select(func.count()).select_from(Meeting).where(Meeting.published_at >= start, Meeting.published_at < end)
    if area:
        inside = descendants(session, get_area(session, area).id)
        q = q.join(Organization, Organization.id == Meeting.organization_id).where(Organization.area_id.in_(inside))
        pq = pq.join(Organization, Organization.id == Meeting.organization_id).where(
            Organization.area_id.in_(inside))
    held = session.exec(q.order_by(Meeting.at, Meeting.id)).all()
    by_type: dict = {}
    for m in held:
        row = by_type.setdefault(m.type, {"type": m.type, "name": m.type_name, "name_en": m.type_name_en,
                                          "held": 0})
        row["held"] += 1
    ids = [m.id for m in held]
    motions = session.exec(select(Motion).where(Motion.meeting_id.in_(ids))).all() if ids else []
    results = [meetings.motion_result(session, mo)["result"] for mo in motions if mo.method]
    published = session.exec(pq).one()
    last_day = clock.to_local(end - dt.timedelta(microseconds=1)).date()
    due = meetings.due(session, as_of=last_day, area=area)
    return {"held": len(held), "by_type": sorted(by_type.values(), key=lambda r: r["type"]),
            "motions_voted": len(results), "motions_passed": results.count("passed"),
            "motions_failed": results.count("failed"), "motions_void": results.count("void"),
            "minutes_published": published,
            "regular_overdue": [{k: r[k] for k in ("organization", "organization_name", "type", "type_name",
                                                   "type_name_en", "due", "overdue_days")} for r in due]}


def access_section(session, start, end, baseline: int | None = None) -> dict:
    from cgov.access import service as access

    f = access.period_figures(session, start, end, baseline=baseline)
    return {k: v for k, v in f.items() if k not in ("start", "end")}


def org_section(session, start, end, area=None) -> dict:
    from cgov.org.models import Membership, Person
    from cgov.org.service import descendants, get_area

    first, last = clock.to_local(start).date(), clock.to_local(end - dt.timedelta(microseconds=1)).date()
    pq = select(func.count()).select_from(Person).where(Person.created_at >= start, Person.created_at < end)
    started = select(func.count()).select_from(Membership).where(Membership.start_date >= first,
                                                                 Membership.start_date <= last)
    ended = select(func.count()).select_from(Membership).where(Membership.end_date >= first,
                                                               Membership.end_date <= last)
    if area:
        inside = descendants(session, get_area(session, area).id)
        pq = pq.where(Person.home_id.in_(inside))
        homes = select(Person.id).where(Person.home_id.in_(inside))
        started = started.where(Membership.person_id.in_(homes))
        ended = ended.where(Membership.person_id.in_(homes))
    return {"persons_added": session.exec(pq).one(), "posts_started": session.exec(started).one(),
            "posts_ended": session.exec(ended).one()}


def grid_section(session, area=None) -> dict:
    from cgov.org.service import grid_check

    result = grid_check(session, area=area)
    by_rule: dict = {}
    for f in result["findings"]:
        by_rule[f["rule"]] = by_rule.get(f["rule"], 0) + 1
    return {"findings": len(result["findings"]), "by_rule": dict(sorted(by_rule.items())),
            "cross_appointment_rate": result["cross_appointment"]["rate"]}


def audit_head(session) -> dict:
    row = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    return {"entries": row[0] if row else 0, "head": row[1] if row else GENESIS}


def history(session, end: dt.datetime, area=None, weeks: int = HISTORY_WEEKS) -> list[dict]:
    """Reported, closed, on-time and satisfaction figures for each of the last
    weeks up to `end`, in one query per figure (one sum per week)."""
    from cgov.cases.models import Case, CaseEvent
    from cgov.cases.service import area_condition

    bounds = [end - dt.timedelta(days=7 * (weeks - i)) for i in range(weeks + 1)]
    where = [Case.status != "cancelled", Case.duplicate_of.is_(None)]
    if area:
        where.append(area_condition(session, area)[0])

    def per_week(col, extra=None):
        conds = [] if extra is None else [extra]
        return [func.sum(sql_case((and_(col >= bounds[i], col < bounds[i + 1], *conds), 1), else_=0))
                for i in range(weeks)]

    reported = session.execute(select(*per_week(Case.reported_at)).where(*where)).one()
    due = session.execute(select(*per_week(Case.resolve_by)).where(*where, Case.status != "rejected")).one()
    on_time = session.execute(select(*per_week(Case.resolve_by, Case.first_closed_at <= Case.resolve_by))
                              .where(*where, Case.status != "rejected")).one()
    rated = session.execute(select(*per_week(CaseEvent.at)).select_from(CaseEvent).join(Case, Case.id == CaseEvent.case_id)
                            .where(*where, CaseEvent.kind == "rate")).one()
    content = session.execute(select(*per_week(CaseEvent.at, CaseEvent.satisfaction.in_(("satisfied", "basic"))))
                              .select_from(CaseEvent).join(Case, Case.id == CaseEvent.case_id)
                              .where(*where, CaseEvent.kind == "rate")).one()
    out = []
    for i in range(weeks):
        out.append({"week": _label(bounds[i], bounds[i + 1]), "reported": reported[i] or 0,
                    "due": due[i] or 0,
                    "on_time_rate": (on_time[i] or 0) / due[i] if due[i] else None,
                    "rated": rated[i] or 0,
                    "satisfaction_rate": (content[i] or 0) / rated[i] if rated[i] else None})
    return out


def weekly(session, start: dt.datetime, end: dt.datetime, area: str | None = None,
           baseline: int | None = None) -> dict:
    """Every figure of the weekly summary for [start, end), as plain data."""
    from cgov.org.service import get_area

    if end <= start:
        raise Invalid("the period is empty: it ends at or before it starts")
    area_row = get_area(session, area) if area else None
    area_id = area_row.id if area_row else None
    return {
        "period": {"label": _label(start, end), "start": start, "end": end,
                   "area": area_id, "area_name": area_row.name if area_row else None},
        "cases": case_section(session, start, end, area_id),
        "meetings": meeting_section(session, start, end, area_id),
        "access": access_section(session, start, end, baseline),
        "org": org_section(session, start, end, area_id),
        "grid_check": grid_section(session, area_id),
        "history": history(session, end, area_id),
        "audit": audit_head(session),
    }


def status(session, now: dt.datetime | None = None) -> list[dict]:
    """What needs attention today, one line a subject, each with the command
    that lists the details."""
    from cgov.access import service as access
    from cgov.cases import service as cases
    from cgov.cases.models import Case
    from cgov.cases.service import OPEN_STATUSES
    from cgov.meetings import service as meetings
    from cgov.org.service import grid_check

    now = now or clock.now()
    today = clock.to_local(now).date()
    day_end = now.replace(microsecond=0)
    from cgov.cases.metrics import local_midnight

    tomorrow = local_midnight(today + dt.timedelta(days=1))
    week_end = today + dt.timedelta(days=6 - today.weekday())
    by_state = dict(session.execute(select(Case.status, func.count()).where(Case.status.in_(OPEN_STATUSES))
                                    .group_by(Case.status)).all())
    overdue = cases.count_cases(session, status=["open"], overdue=True, now=now)
    due_today = session.exec(select(func.count()).select_from(Case).where(
        Case.status.in_(OPEN_STATUSES), Case.resolve_by >= day_end, Case.resolve_by < tomorrow)).one()
    escalated = cases.count_cases(session, status=["open"], escalated=True)
    owed = meetings.due(session, as_of=week_end, everything=True)
    due_week = [r for r in owed if r["status"] == "overdue" or (r["due"] and r["due"] <= week_end)]
    pending = access.list_items(session, status="pending")
    overdue_apps = [i for i in pending if i.get("overdue")]
    findings = grid_check(session)["findings"]
    open_total = sum(by_state.values())
    states = ", ".join(f"{k} {by_state[k]}" for k in OPEN_STATUSES if by_state.get(k))
    return [
        {"subject": "open-cases", "count": open_total, "detail": states, "command": "cgov case list --status open"},
        {"subject": "overdue-cases", "count": overdue, "detail": "", "command": "cgov case list --overdue --sort due"},
        {"subject": "due-today", "count": due_today, "detail": "", "command": "cgov case list --status open --sort due"},
        {"subject": "escalated", "count": escalated, "detail": "", "command": "cgov case list --escalated"},
        {"subject": "meetings-due", "count": len(due_week),
         "detail": ", ".join(sorted({r["type"] for r in due_week})), "command": "cgov meeting due"},
        {"subject": "pending-applications", "count": len(pending),
         "detail": f"{len(overdue_apps)} overdue" if overdue_apps else "", "command": "cgov access list --status pending"},
        {"subject": "grid-findings", "count": len(findings), "detail": "", "command": "cgov grid check"},
    ]
