"""Helpers the volunteers services share: ids, who is meant by a reference
(a unit or a person), enum choices, places and periods."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import text as sql_text
from sqlmodel import select

from cgov.cases.metrics import bound, local_midnight
from cgov.core import clock, sequence
from cgov.core.errors import Invalid, NotFound
from cgov.org.models import Area, Organization, Person
from cgov.org.service import community_of, descendants, find_party, get_area

CHUNK = 900  # stays under SQLite's bound-parameter limit


# ---- ids --------------------------------------------------------------------------

# Record kind -> (prefix, counter name, digits). New ids count up and never
# repeat; an import of ids of this shape moves the counter past them.
ID_FORMS = {
    "activity": ("VA-", "volunteer-activity", 4),
    "entry": ("L-", "points-entry", 6),
    "registration": ("RG-", "co-building-registration", 4),
    "need": ("N-", "need", 4),
    "resource": ("RS-", "resource", 4),
    "project": ("PJ-", "project", 4),
}


def new_id(session, kind: str, model) -> str:
    prefix, counter, width = ID_FORMS[kind]
    while True:
        rid = f"{prefix}{sequence.next_value(session, counter):0{width}d}"
        # An imported record may have taken the number already.
        if session.get(model, rid) is None:
            return rid


def new_ids(session, kind: str, model, n: int, avoid=frozenset()) -> list[str]:
    """`n` new ids in one block (an import's earn entries), skipping any
    a record has, and those in `avoid` (ids the same import gives)."""
    prefix, counter, width = ID_FORMS[kind]
    out: list[str] = []
    while len(out) < n:
        need = n - len(out)
        first = sequence.next_value(session, counter)
        sequence.ensure_at_least(session, counter, first + need - 1)
        block = [f"{prefix}{i:0{width}d}" for i in range(first, first + need)]
        taken = {row.id for row in fetch(session, model, model.id, block)}
        out += [rid for rid in block if rid not in taken and rid not in avoid]
    return out


def claim_ids(session, kind: str, ids) -> None:
    """After an import of these ids, new ids of their kind start above them."""
    prefix, counter, _ = ID_FORMS[kind]
    numbers = [int(m.group(1)) for m in (re.fullmatch(re.escape(prefix) + r"(\d+)", i) for i in ids) if m]
    if numbers:
        sequence.ensure_at_least(session, counter, max(numbers))


def get_record(session, model, ref: str, what: str, hint: str):
    """A record by its id, as typed or in capitals (n-0003 for N-0003)."""
    key = required(ref, what)
    row = session.get(model, key) or session.get(model, key.upper())
    if row is None:
        raise NotFound(f"no {what} '{ref}'", hint=hint)
    return row


def seconds(at: dt.datetime) -> dt.datetime:
    # Whole seconds: what export writes is what the store holds.
    return at.replace(microsecond=0)


def when(at: dt.datetime | None) -> dt.datetime:
    return seconds(at or clock.now())


def text(value: str | None) -> str | None:
    """Stripped text, with blank meaning none."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def required(value: str | None, what: str) -> str:
    value = text(value)
    if not value:
        raise Invalid(f"{what} is empty")
    return value


def choice(value: str | None, choices, labels: dict, what: str) -> str | None:
    """An enum value from its English value or its Chinese label."""
    if value is None:
        return None
    v = value.strip()
    if v.lower() in choices:
        return v.lower()
    for key in choices:
        if labels.get(key) == v:
            return key
    raise Invalid(f"{what} '{value}' is not one of: "
                  + ", ".join(f"{c} ({labels[c]})" if c in labels else c for c in choices))


# ---- who: a unit or a person ------------------------------------------------------


def resolve_party(session, ref: str, what: str) -> tuple[str, str]:
    """('organization' | 'person', id) from an id or an exact name."""
    found = find_party(session, required(ref, what), what)
    if found is not None:
        return found
    raise NotFound(f"{what}: no organization or person '{ref}'",
                   hint="cgov org list / cgov person find NAME show the ids")


def rows_in(session, key, value, keys) -> list[tuple]:
    """(key, value) rows whose key is one of `keys`, asked in chunks: a
    list of thousands stays under the database's limit of parameters."""
    keys = [k for k in set(keys) if k]
    out: list = []
    for i in range(0, len(keys), CHUNK):
        out.extend(session.execute(select(key, value).where(key.in_(keys[i:i + CHUNK]))).all())
    return out


def fetch(session, model, column, keys) -> list:
    """The rows of `model` whose `column` is one of `keys`, in chunks."""
    keys = [k for k in set(keys) if k]
    out: list = []
    for i in range(0, len(keys), CHUNK):
        out.extend(session.exec(select(model).where(column.in_(keys[i:i + CHUNK]))))
    return out


def pairs(session, key, value, keys) -> dict:
    return dict(rows_in(session, key, value, keys))


def names(session, model, ids) -> dict:
    return pairs(session, model.id, model.name, ids)


def party_names(session, pairs) -> dict:
    """(type, id) -> name for units and persons."""
    pairs = list(pairs)
    orgs = names(session, Organization, [i for t, i in pairs if t == "organization"])
    persons = names(session, Person, [i for t, i in pairs if t == "person"])
    return {("organization", k): v for k, v in orgs.items()} | {("person", k): v for k, v in persons.items()}


# ---- places -------------------------------------------------------------------------


def community(session, ref: str, what: str = "--community") -> Area:
    area = get_area(session, ref)
    if area.classification not in ("community", "village"):
        raise Invalid(f"{what} '{ref}' is a {area.classification}, not a community or village")
    return area


def home_community(session, person: Person) -> Area | None:
    return community_of(session, person.home_id) if person.home_id else None


# The communities and villages at or under an area, without walking below
# them: volunteer records are kept by community.
_COMMUNITIES = sql_text(
    "WITH RECURSIVE sub(id, classification) AS ("
    " SELECT id, classification FROM area WHERE id = :root"
    " UNION ALL SELECT a.id, a.classification FROM area a JOIN sub ON a.parent_id = sub.id"
    " WHERE sub.classification NOT IN ('community', 'village'))"
    " SELECT id FROM sub WHERE classification IN ('community', 'village')")


def scope(session, area: str | None) -> list[str] | None:
    """The communities a figure or list counts: those under `area`. Volunteer
    records are kept by community, so an area inside a community (a grid, a
    building) counts its whole community."""
    if not area:
        return None
    a = get_area(session, area)
    if a.classification in ("grid", "building"):
        a = community_of(session, a.id) or a
    return list(session.execute(_COMMUNITIES, {"root": a.id}).scalars())


def narrowed(session, q, community_col, at_col, area: str | None = None, since=None, until=None):
    """A list's query kept to the communities under `area` (see scope) and
    to records at or after `since` and before `until`."""
    inside = scope(session, area)
    if inside is not None:
        q = q.where(community_col.in_(inside))
    if since:
        q = q.where(at_col >= since)
    if until:
        q = q.where(at_col < until)
    return q


def area_scope(session, area: str | None) -> list[str] | None:
    """Every area a record placed anywhere (a project, a resource) may sit
    in to count under `area`: all below the area's community, or below it."""
    if not area:
        return None
    a = get_area(session, area)
    if a.classification in ("grid", "building"):
        a = community_of(session, a.id) or a
    return descendants(session, a.id)


# ---- periods --------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def year_period(year: int | None = None) -> tuple[dt.datetime, dt.datetime]:
    y = year or clock.to_local(clock.now()).year
    if not 1900 <= y <= 9998:
        raise Invalid(f"--year {y} is not a year cgov keeps records for")
    return local_midnight(dt.date(y, 1, 1)), local_midnight(dt.date(y + 1, 1, 1))


def month_period(text_: str | None = None) -> tuple[dt.datetime, dt.datetime]:
    if text_ is None:
        first = clock.to_local(clock.now()).date().replace(day=1)
    else:
        m = _MONTH.match(text_.strip())
        try:
            if not m:
                raise ValueError
            first = dt.date(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            raise Invalid(f"--month '{text_}' is not a month", hint="e.g. 2026-11") from None
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return local_midnight(first), local_midnight(nxt)


def period(month: str | None = None, year: int | None = None, since: str | None = None,
           until: str | None = None, default: str = "month") -> tuple[dt.datetime, dt.datetime]:
    """(start, end) from --month, --year or --since/--until; without any, the
    current month or year (`default`)."""
    given = [n for n, v in (("--month", month), ("--year", year), ("--since/--until", since or until)) if v]
    if len(given) > 1:
        raise Invalid(f"give one of --month, --year or --since/--until, not {' and '.join(given)}")
    if since or until:
        start = bound(since, "--since") if since else dt.datetime(1970, 1, 1, tzinfo=clock.UTC)
        end = bound(until, "--until", end=True) if until else clock.now()
        if end <= start:
            raise Invalid("the period is empty: it ends at or before it starts")
        return start, end
    if year:
        return year_period(year)
    if month or default == "month":
        return month_period(month)
    return year_period()
