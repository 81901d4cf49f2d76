"""Regular meetings as pure date arithmetic, and the meeting-type data that
says who is entitled and whom a schedule binds."""

import datetime as dt

import pytest

from cgov.meetings import schedule
from cgov.meetings.rules import DEFAULT_TYPES, MeetingType, Rule, valid_schedule

D = dt.date


@pytest.mark.parametrize("sched,day,start,due", [
    ("monthly", D(2026, 11, 5), D(2026, 11, 1), D(2026, 11, 30)),
    ("monthly", D(2026, 2, 28), D(2026, 2, 1), D(2026, 2, 28)),
    ("monthly:15", D(2026, 11, 20), D(2026, 11, 1), D(2026, 11, 15)),
    ("monthly:31", D(2026, 2, 3), D(2026, 2, 1), D(2026, 2, 28)),
    ("quarterly", D(2026, 11, 5), D(2026, 10, 1), D(2026, 12, 31)),
    ("quarterly", D(2026, 3, 31), D(2026, 1, 1), D(2026, 3, 31)),
])
def test_period_and_due_date(sched, day, start, due):
    assert schedule.period_start(sched, day) == start
    assert schedule.due_date(sched, start) == due


def test_periods_roll_over_the_year():
    assert schedule.next_period("monthly", D(2026, 12, 1)) == D(2027, 1, 1)
    assert schedule.next_period("quarterly", D(2026, 10, 1)) == D(2027, 1, 1)
    assert schedule.previous_period("monthly", D(2026, 1, 1)) == D(2025, 12, 1)
    assert schedule.previous_period("quarterly", D(2026, 1, 1)) == D(2025, 10, 1)


def test_night_talk_on_the_15th_due_that_day_overdue_the_next():
    held = [D(2026, 11, 15)]
    on_the_day = schedule.status("monthly:15", held, D(2026, 12, 15))
    assert on_the_day["due"] == D(2026, 12, 15) and not on_the_day["overdue"]
    after = schedule.status("monthly:15", held, D(2026, 12, 16))
    assert after["overdue"] and after["overdue_days"] == 1 and after["missed"] == 1


def test_a_late_meeting_still_counts_for_its_month():
    st = schedule.status("monthly:15", [D(2026, 11, 20)], D(2026, 11, 25))
    assert not st["overdue"] and st["due"] == D(2026, 12, 15)


def test_missed_periods_in_a_row_are_counted():
    st = schedule.status("monthly", [D(2026, 8, 10)], D(2026, 12, 2))
    assert st["due"] == D(2026, 9, 30) and st["missed"] == 3 and st["overdue_days"] == 63


def test_never_held_is_overdue_from_the_latest_due_date_passed():
    st = schedule.status("quarterly", [], D(2026, 11, 23))
    assert st["last_held"] is None and st["due"] == D(2026, 9, 30)
    assert st["overdue_days"] == 54 and st["missed"] is None


def test_meetings_after_the_day_asked_about_do_not_count():
    st = schedule.status("monthly", [D(2026, 12, 3)], D(2026, 11, 10))
    assert st["last_held"] is None


def test_schedule_labels():
    assert schedule.label("monthly:15", "zh") == "每月15日"
    assert schedule.label("monthly:1", "en") == "monthly on the 1st"
    assert schedule.label("quarterly", "zh") == "每季度"


@pytest.mark.parametrize("text,ok", [("monthly", True), ("quarterly", True), ("monthly:15", True),
                                     ("monthly:0", False), ("monthly:32", False), ("weekly", False)])
def test_valid_schedule(text, ok):
    assert valid_schedule(text) is ok


def test_who_is_entitled_is_data():
    t = DEFAULT_TYPES
    assert t["residents-meeting"].entitled == "given"
    assert t["residents-representatives-meeting"].entitled_roles == (
        "director", "deputy-director", "member", "representative")
    assert t["party-members-meeting"].entitled == "members"
    assert t["party-members-meeting"].scheduled_for == ("party-branch",)
    assert t["hearing"].entitled == "open"


def test_a_meeting_open_to_all_cannot_count_on_entitled():
    with pytest.raises(ValueError, match="open"):
        MeetingType("x", "某会", "X", Rule.parse("> 1/2 entitled"), Rule.parse("yes > no"), entitled="open")
    with pytest.raises(ValueError, match="entitled"):
        MeetingType("x", "某会", "X", None, Rule.parse("yes > no"), entitled="everyone")
