"""Time at the edges: the store keeps UTC-aware datetimes; users type and read
local time (the machine's zone, or TZ)."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re

UTC = dt.timezone.utc

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def now() -> dt.datetime:
    # CGOV_NOW pins the clock for reproducible demos and tests.
    pinned = os.environ.get("CGOV_NOW")
    if pinned:
        return parse_at(pinned)
    # Whole seconds: the YAML export writes times to the second, and a
    # record stamped "now" must read back equal, or `cgov export | cgov
    # import -` would see a published meeting as changed.
    return dt.datetime.now(UTC).replace(microsecond=0)


def local_zone() -> dt.tzinfo:
    return _zone(os.environ.get("TZ"))


@functools.lru_cache(maxsize=8)
def _zone(tz: str | None) -> dt.tzinfo:
    # Cached: an import of a million records asks for every timestamp.
    if tz:
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(tz.lstrip(":"))
        except Exception:  # unknown zone names fall back to the system's zone
            pass
    return dt.datetime.now().astimezone().tzinfo


def parse_at(text: str, what: str = "--at") -> dt.datetime:
    """ISO 8601 date or date-time; local time unless a zone is given."""
    s = text.strip()
    try:
        if _DATE.match(s):
            value = dt.datetime.fromisoformat(s)
        else:
            value = dt.datetime.fromisoformat(s.replace(" ", "T", 1).replace("Z", "+00:00"))
    except ValueError:
        from cgov.core.errors import Invalid

        raise Invalid(
            f"{what}: '{text}' is not a date or time",
            hint="use ISO 8601, e.g. 2026-11-16T09:00, '2026-11-16 09:00' or 2026-11-16",
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value.astimezone(UTC)


def parse_date(text: str, what: str = "date") -> dt.date:
    try:
        if not _DATE.match(text.strip()):
            raise ValueError
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        from cgov.core.errors import Invalid

        raise Invalid(f"{what}: '{text}' is not a valid date (YYYY-MM-DD)") from None


def to_local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(local_zone())


def fmt_local(value: dt.datetime | None) -> str | None:
    """Local time for people: minutes are enough on paper records."""
    v = to_local(value)
    return v.strftime("%Y-%m-%d %H:%M") if v else None


def iso_local(value: dt.datetime | None) -> str | None:
    """Local time with its offset, for JSON and export."""
    v = to_local(value)
    return v.isoformat(timespec="seconds") if v else None
