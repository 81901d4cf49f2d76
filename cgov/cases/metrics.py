"""The figures a community is assessed on (响应率, 按期结案率, 结案率, 解决率,
满意率, 返工率 …), for `cgov case stats` and the weekly report.

Counted in SQL, grouped in SQL: only the closes of the period (for the median)
come into Python, so the figures stay quick on a store with a million cases.
Periods are cut in local time by the helpers below and handed over as
UTC-aware datetimes."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import defaultdict

from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import aliased

from cgov.cases.models import Case, CaseEvent
from cgov.cases.service import area_condition, categories
from cgov.core import clock
from cgov.core.errors import Invalid
from cgov.org.models import Area, Organization, Person

GROUPINGS = ("community", "grid", "category", "handler")
# Every figure, in the order reports show them. Counts add up across groups;
# rates and the median are worked out from them.
KEYS = ("reported", "responded_on_time", "response_rate",
        "due", "closed_on_time", "on_time_rate", "due_closed", "closure_rate",
        "rated", "resolved", "satisfied", "basic", "dissatisfied", "resolution_rate", "satisfaction_rate",
        "closed", "reopened", "rework_rate", "extended", "median_hours_to_close", "open_overdue")
COUNTS = ("reported", "responded_on_time", "due", "closed_on_time", "due_closed", "rated", "resolved",
          "satisfied", "basic", "dissatisfied", "closed", "reopened", "extended", "open_overdue")
_WEEK = re.compile(r"^(\d{4})-?[Ww](\d{1,2})$")


# ---- periods in local time ------------------------------------------------------

def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=clock.local_zone()).astimezone(clock.UTC)


def week_period(text: str | None = None) -> tuple[dt.datetime, dt.datetime]:
    """[Monday 00:00, next Monday 00:00) local time of an ISO week such as
    2026-W47; without text, the current week."""
    if text is None:
        monday = clock.to_local(clock.now()).date()
        monday -= dt.timedelta(days=monday.weekday())
    else:
        m = _WEEK.match(text.strip())
        try:
            if not m:
                raise ValueError
            monday = dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            raise Invalid(f"--week '{text}' is not an ISO week", hint="e.g. 2026-W47 (weeks start on Monday)") from None
    return local_midnight(monday), local_midnight(monday + dt.timedelta(days=7))


def bound(text: str, what: str, end: bool = False) -> dt.datetime:
    """A period bound: a date is a whole local day (as an end, it includes that
    day); a date-time is taken as it is."""
    if re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", text):
        day = clock.parse_date(text.strip(), what)
        return local_midnight(day + dt.timedelta(days=1) if end else day)
    return clock.parse_at(text, what)


def period(week: str | None = None, since: str | None = None, until: str | None = None):
    """(start, end) from --week, or --since/--until (either may be left out:
    from the beginning, until now)."""
    if week and (since or until):
        raise Invalid("give --week or --since/--until, not both")
    if since or until:
        start = bound(since, "--since") if since else dt.datetime(1970, 1, 1, tzinfo=clock.UTC)
        end = bound(until, "--until", end=True) if until else clock.now()
        return start, end
    return week_period(week)


# ---- the figures --------------------------------------------------------------------

def _rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def _figures(counts: dict, hours: list[float]) -> dict:
    c = counts
    out = dict.fromkeys(KEYS)
    out.update({k: c[k] for k in COUNTS})
    out["response_rate"] = _rate(c["responded_on_time"], c["reported"])
    out["on_time_rate"] = _rate(c["closed_on_time"], c["due"])
    out["closure_rate"] = _rate(c["due_closed"], c["due"])
    out["resolution_rate"] = _rate(c["resolved"], c["rated"])
    out["satisfaction_rate"] = _rate(c["satisfied"] + c["basic"], c["rated"])
    out["rework_rate"] = _rate(c["reopened"], c["closed"])
    out["median_hours_to_close"] = round(statistics.median(hours), 1) if hours else None
    return out


def _sum_if(condition):
    return func.sum(sql_case((condition, 1), else_=0))


def metrics(session, start: dt.datetime, end: dt.datetime, area: str | None = None,
            by: str | None = None) -> dict:
    """The case figures for the period [start, end) (UTC-aware datetimes; see
    `week_period` and `period` for local-time periods), over the cases at or
    under `area` (an id or name; a town or street includes its communities),
    leaving out cancelled cases and cases closed as duplicates.

    Counts:
      reported           reported in the period
      responded_on_time  of those, accepted or rejected at or before respond-by
      due                not rejected, resolve-by (after extensions) in the period
      closed_on_time     of `due`, first closed at or before resolve-by
      due_closed         of `due`, first closed before the end of the period
      rated              ratings given in the period, of which `resolved` said
                         yes, and `satisfied` / `basic` / `dissatisfied`
      closed             cases with a close in the period (once per case)
      reopened           cases reopened in the period (once per case)
      extended           extensions granted in the period
      open_overdue       at the end: not closed (a reopen undoes a close), not
                         rejected, resolve-by before the end
    Rates (fractions, None when the denominator is 0):
      response_rate = responded_on_time / reported      响应率
      on_time_rate = closed_on_time / due               按期结案率
      closure_rate = due_closed / due                   结案率
      resolution_rate = resolved / rated                解决率
      satisfaction_rate = (satisfied + basic) / rated   满意率
      rework_rate = reopened / closed                   返工率 (it can pass 1
                    in a period with more reopens than closes)
    median_hours_to_close: hours from report to the (last) close in the period,
    over the cases closed in the period.

    Returns {start, end, area, area_name, by, <every key of KEYS>} and, with
    `by` (community, grid, category or handler, as the case stands now),
    `groups`: one dict per group, {key, name, <KEYS>}, sorted by key."""
    m = metrics_by(session, start, end, area=area, bys=(by,) if by is not None else ())
    result = {"start": start, "end": end, "area": m["area"], "area_name": m["area_name"], "by": by}
    result.update({k: m[k] for k in KEYS})
    if by is not None:
        result["groups"] = m["groups_by"][by]
    return result


def metrics_by(session, start: dt.datetime, end: dt.datetime, area: str | None = None,
               bys: tuple = ()) -> dict:
    """`metrics` with the groups of several groupings at once (the weekly
    report wants communities and categories): one pass over the cases groups
    by all of them together and each grouping is summed up from that, so a
    second grouping costs no second walk over a million cases. Returns the
    figures and `groups_by`: {by: [groups as `metrics` gives them]}."""
    if end <= start:
        raise Invalid(f"the period is empty: it ends ({clock.fmt_local(end)}) "
                      f"at or before it starts ({clock.fmt_local(start)})")
    for by in bys:
        if by not in GROUPINGS:
            raise Invalid(f"--by '{by}' is not one of: {', '.join(GROUPINGS)}")
    C, E = Case, CaseEvent
    # coalesce(): "duplicate_of IS NULL" matches nearly every case, and a
    # planner that takes the duplicate_of index for it scans them all
    # instead of the period's range on reported_at / resolve_by.
    base = [C.status != "cancelled", func.coalesce(C.duplicate_of, "") == ""]
    area_row = None
    if area:
        cond, area_row = area_condition(session, area)
        base.append(cond)
    column = {"community": C.community_id, "grid": C.grid_id, "category": C.category, "handler": C.handler_id}
    keys = [column[by] for by in bys]
    groups: dict = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    hours: dict = defaultdict(list)

    keyed = [k.label(f"k{i}") for i, k in enumerate(keys)]

    def group_of(row) -> tuple:
        return tuple(row[f"k{i}"] for i in range(len(keys)))

    def tally(columns: dict, *where, events: bool = False):
        q = select(*keyed, *(expr.label(name) for name, expr in columns.items()))
        q = (q.select_from(E).join(C, C.id == E.case_id) if events else q.select_from(C)).where(*base, *where)
        if keys:
            q = q.group_by(*keys)
        for row in session.execute(q).mappings():
            counts = groups[group_of(row)]
            for name in columns:
                counts[name] += row[name] or 0

    def in_period(col):
        return and_(col >= start, col < end)

    tally({"reported": func.count(),
           "responded_on_time": _sum_if(and_(C.responded_at.is_not(None), C.responded_at <= C.respond_by))},
          in_period(C.reported_at))
    tally({"due": func.count(), "closed_on_time": _sum_if(C.first_closed_at <= C.resolve_by),
           "due_closed": _sum_if(C.first_closed_at < end)},
          C.status != "rejected", in_period(C.resolve_by))
    tally({"rated": func.count(), "resolved": _sum_if(E.resolved.is_(True)),
           "satisfied": _sum_if(E.satisfaction == "satisfied"), "basic": _sum_if(E.satisfaction == "basic"),
           "dissatisfied": _sum_if(E.satisfaction == "dissatisfied")},
          E.kind == "rate", in_period(E.at), events=True)
    tally({"closed": func.count(func.distinct(E.case_id))}, E.kind == "close", in_period(E.at), events=True)
    tally({"reopened": func.count(func.distinct(E.case_id))}, E.kind == "reopen", in_period(E.at), events=True)
    tally({"extended": func.count()}, E.kind == "extend", in_period(E.at), events=True)

    # Open at the end: no close before the end that a reopen before the end
    # did not undo. The column tests spare the subquery for most cases: one
    # closed now and last closed before the end was closed then too; one
    # first closed at or after the end (or never) was open then.
    close_ev, reopen_ev = aliased(E), aliased(E)
    undone = exists().where(reopen_ev.case_id == close_ev.case_id, reopen_ev.kind == "reopen",
                            reopen_ev.at > close_ev.at, reopen_ev.at < end)
    closed_at_end = exists().where(close_ev.case_id == C.id, close_ev.kind == "close", close_ev.at < end,
                                   not_(undone))
    # Two counts, each one index range: open now, or closed only after the
    # end. The far bound makes the second a two-sided range, which SQLite's
    # planner then prefers to scanning every case due before the end.
    far = dt.datetime(9999, 1, 1, tzinfo=clock.UTC)
    for still_open in (C.closed_at.is_(None), and_(C.closed_at >= end, C.closed_at < far)):
        tally({"open_overdue": func.count()},
              still_open, C.resolve_by < end, not_(and_(C.status == "rejected", C.responded_at < end)),
              or_(C.first_closed_at.is_(None), C.first_closed_at >= end, not_(closed_at_end)))

    q = (select(*keyed, E.case_id, func.max(E.at).label("at"), C.reported_at).select_from(E)
         .join(C, C.id == E.case_id).where(*base, E.kind == "close", in_period(E.at))
         .group_by(*keys, E.case_id, C.reported_at))
    for row in session.execute(q).mappings():
        hours[group_of(row)].append((row["at"] - row["reported_at"]).total_seconds() / 3600)

    result = {"start": start, "end": end, "area": area_row.id if area_row else None,
              "area_name": area_row.name if area_row else None}
    result.update(_figures(*_sum_up(groups, hours, lambda g: None).get(None, (dict.fromkeys(COUNTS, 0), []))))
    result["groups_by"] = {}
    for i, by in enumerate(bys):
        parts = _sum_up(groups, hours, lambda g, i=i: g[i])
        names = _group_names(session, by, [g for g in parts if g is not None])
        result["groups_by"][by] = [{"key": g, "name": names.get(g), **_figures(*parts[g])}
                                   for g in sorted(parts, key=lambda x: (x is None, x or ""))]
    return result


def _sum_up(groups: dict, hours: dict, part) -> dict:
    """{part: (counts, hours)} of the fine groups summed up by `part` of their key."""
    out: dict = {}
    for g in groups:  # every close is counted, so every key with hours is here
        counts, hs = out.setdefault(part(g), (dict.fromkeys(COUNTS, 0), []))
        for name in COUNTS:
            counts[name] += groups[g][name] if g in groups else 0
        hs.extend(hours.get(g, []))
    return out


def _group_names(session, by: str, keys: list[str]) -> dict:
    if by == "category":
        cats = categories(session)
        return {k: cats[k]["name"] for k in keys if k in cats}
    if by == "handler":
        names = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(keys))).all())
        names.update(session.execute(select(Organization.id, Organization.name)
                                     .where(Organization.id.in_(keys))).all())
        return names
    areas = dict(session.execute(select(Area.id, Area.name).where(Area.id.in_(keys))).all())
    if by == "grid":
        # Grid names repeat across communities (第一网格 in each): name both.
        parents = dict(session.execute(select(Area.id, Area.parent_id).where(Area.id.in_(keys))).all())
        communities = dict(session.execute(select(Area.id, Area.name)
                                           .where(Area.id.in_(set(parents.values()) - {None}))).all())
        return {k: f"{communities.get(parents.get(k), '')} {v}".strip() for k, v in areas.items()}
    return areas
