"""Regular meetings: which period a date falls in, when that period's meeting
is due, and whether an organization is overdue. Pure: dates in, dates out.

A schedule is "monthly" (some time in each calendar month, due by its last
day), "monthly:<day>" (each month on that day, e.g. the 15th for the grid
night talk; the 31st means the month's last day in short months) or
"quarterly" (once a calendar quarter, due by its last day). A meeting held
late in its period still counts for the period: the night talk on the 20th
is late, but it was held."""

from __future__ import annotations

import datetime as dt


def _day(schedule: str) -> int | None:
    return int(schedule.split(":", 1)[1]) if schedule.startswith("monthly:") else None


def _months(schedule: str) -> int:
    return 3 if schedule == "quarterly" else 1


def period_start(schedule: str, day: dt.date) -> dt.date:
    """The first day of the month or quarter that holds `day`."""
    month = day.month - (day.month - 1) % _months(schedule)
    return dt.date(day.year, month, 1)


def next_period(schedule: str, start: dt.date) -> dt.date:
    month = start.month - 1 + _months(schedule)
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def _index(schedule: str, start: dt.date) -> int:
    """A period's number, counting months or quarters from year 0."""
    return (start.year * 12 + start.month - 1) // _months(schedule)


def previous_period(schedule: str, start: dt.date) -> dt.date:
    month = start.month - 1 - _months(schedule)
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def due_date(schedule: str, start: dt.date) -> dt.date:
    """When the meeting of the period beginning at `start` is due."""
    last = next_period(schedule, start) - dt.timedelta(days=1)
    day = _day(schedule)
    return last if day is None else start.replace(day=min(day, last.day))


def status(schedule: str, held: list[dt.date], as_of: dt.date) -> dict:
    """Where an organization stands with one regular meeting as of a date.

    `due` is the due date of the first period after the last meeting held
    (or, with none held, of the latest period already due); `overdue_days`
    counts from it; `missed` is how many periods in a row have gone by
    without a meeting (None when none was ever held: we cannot know since
    when)."""
    past = [d for d in held if d <= as_of]
    last = max(past) if past else None
    if last is not None:
        start = next_period(schedule, period_start(schedule, last))
    else:
        start = period_start(schedule, as_of)
        if due_date(schedule, start) >= as_of:
            start = previous_period(schedule, start)
    due = due_date(schedule, start)
    # Periods from `start` whose due date has passed: every whole period
    # before the one holding as_of, and that one once its day is gone.
    # Counted, not walked: a city asks this of ten thousand organizations.
    now = period_start(schedule, as_of)
    missed = max(0, _index(schedule, now) - _index(schedule, start))
    if now >= start and due_date(schedule, now) < as_of:
        missed += 1
    overdue = due < as_of
    return {"last_held": last, "due": due, "overdue": overdue,
            "overdue_days": (as_of - due).days if overdue else 0,
            "missed": missed if last is not None else None}


def label(schedule: str | None, lang: str) -> str:
    """"monthly:15" → "monthly on the 15th" / "每月15日"."""
    if not schedule:
        return ""
    day = _day(schedule)
    if lang == "zh":
        if day:
            return f"每月{day}日"
        return {"monthly": "每月", "quarterly": "每季度"}.get(schedule, schedule)
    if day:
        suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
        return f"monthly on the {day}{suffix}"
    return schedule

