"""The points rule, as data: how hours of service become points, and the
star levels (星级志愿者) hours lead to.

Defaults, each changed for an installation with an environment variable:

    CGOV_POINTS_PER_HOUR      1       points for one hour of service
    CGOV_POINTS_STEP_MINUTES  30      service counts in steps of this many
                                      minutes, rounded down (2 h 50 min → 2.5 h)
    CGOV_POINTS_MAX_HOURS     8       hours credited at most for one activity
    CGOV_POINTS_STARS         100,300,600,1000,1500
                                      hours of service for 1 to 5 stars

Environment variables rather than a YAML section because the rule belongs
to the installation (a district's points scheme), like CGOV_ACCESS_LIMIT_DAYS,
and the ledger keeps what each entry was credited: changing the rule never
rewrites history. `cgov points rule` shows the rule in force."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from cgov.core.errors import Invalid

ENV = {"points_per_hour": "CGOV_POINTS_PER_HOUR", "step_minutes": "CGOV_POINTS_STEP_MINUTES",
       "max_hours": "CGOV_POINTS_MAX_HOURS", "stars": "CGOV_POINTS_STARS"}
DEFAULT_STARS = (100, 300, 600, 1000, 1500)
_HOURS = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)$")
_CLOCK = re.compile(r"^([+-]?)(\d+):([0-5]\d)$")
_POINTS = re.compile(r"^([+-]?)(\d+)(?:\.(\d{1,2}))?$")


@dataclass(frozen=True)
class Rule:
    points_per_hour: Decimal = Decimal(1)
    step_minutes: int = 30
    max_hours: Decimal = Decimal(8)
    stars: tuple = DEFAULT_STARS
    sources: dict = field(default_factory=dict)  # setting -> environment variable it came from

    @property
    def max_minutes(self) -> int:
        return int(self.max_hours * 60)

    def credit(self, minutes: int) -> int:
        """Minutes credited for `minutes` of service at one activity: capped,
        then rounded down to the step."""
        capped = min(minutes, self.max_minutes)
        return capped - capped % self.step_minutes

    def points(self, minutes: int) -> int:
        """Points, in hundredths, for credited minutes (rounded down)."""
        value = Decimal(minutes) * self.points_per_hour * 100 / 60
        sign = -1 if value < 0 else 1
        return sign * int(abs(value).to_integral_value(rounding=ROUND_FLOOR))

    def stars_for(self, minutes: int) -> tuple[int, int | None]:
        """(star level, hours needed for the next level or None at the top)."""
        hours = Decimal(minutes) / 60
        level = sum(1 for h in self.stars if hours >= h)
        nxt = self.stars[level] if level < len(self.stars) else None
        return level, nxt

    def to_rows(self) -> list[dict]:
        def row(key, value, en, zh):
            return {"setting": key, "value": value, "source": self.sources.get(key, "default"),
                    "meaning": en, "meaning_zh": zh}

        return [
            row("points_per_hour", number(int(self.points_per_hour * 100)), "points for one hour of service",
                "每服务1小时积分"),
            row("step_minutes", self.step_minutes, "service counts in steps of this many minutes, rounded down",
                "服务时长按此分钟数为单位向下取整"),
            row("max_hours", number(int(self.max_hours * 100)), "hours credited at most for one activity",
                "单次活动最多计入小时数"),
            row("stars", ", ".join(str(h) for h in self.stars), "hours of service for 1 to 5 stars",
                "一至五星志愿者所需服务小时数"),
        ]


def _decimal(name: str, text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Invalid(f"{name}: '{text}' is not a number") from None
    if not value.is_finite() or value <= 0:
        raise Invalid(f"{name}: '{text}' must be a number above 0")
    return value


def current() -> Rule:
    """The rule in force: the defaults, changed by the environment."""
    values: dict = {}
    sources: dict = {}
    for key, var in ENV.items():
        text = os.environ.get(var, "").strip()
        if not text:
            continue
        sources[key] = var
        if key == "points_per_hour":
            values[key] = _decimal(var, text)
            if values[key] * 100 != int(values[key] * 100):
                raise Invalid(f"{var}: '{text}' has more than two decimals")
        elif key == "max_hours":
            values[key] = _decimal(var, text)
        elif key == "step_minutes":
            if not text.isdigit() or not 1 <= int(text) <= 60:
                raise Invalid(f"{var}: '{text}' must be a whole number of minutes from 1 to 60")
            values[key] = int(text)
        else:
            parts = [p.strip() for p in text.split(",")]
            if not all(p.isdigit() and int(p) > 0 for p in parts):
                raise Invalid(f"{var}: '{text}' must be hours separated by commas, e.g. 100,300,600,1000,1500")
            hours = tuple(int(p) for p in parts)
            if list(hours) != sorted(set(hours)):
                raise Invalid(f"{var}: '{text}' must rise from one level to the next")
            values[key] = hours
    rule = Rule(**values, sources=sources)
    if rule.max_minutes < rule.step_minutes:
        raise Invalid(f"{ENV['max_hours']}: at most {rule.max_hours} hours an activity is less than one "
                      f"{rule.step_minutes}-minute step; nothing could ever be credited")
    return rule


# ---- numbers people type and read ---------------------------------------------


def parse_hours(text: str, what: str = "--hours", signed: bool = False) -> int:
    """Minutes from hours as people write them: 2, 2.5 or 2:30 (a sign only
    where `signed`)."""
    s = str(text).strip()
    m = _HOURS.match(s)
    if m:
        minutes = int((Decimal(m.group(2)) * 60).to_integral_value())
    else:
        m = _CLOCK.match(s)
        if not m:
            raise Invalid(f"{what}: '{text}' is not a number of hours", hint="e.g. 2, 2.5 or 2:30")
        minutes = int(m.group(2)) * 60 + int(m.group(3))
    if m.group(1) and not signed:
        raise Invalid(f"{what}: '{text}' must be a number of hours without a sign")
    return -minutes if m.group(1) == "-" else minutes


def parse_points(text: str, what: str = "--points", signed: bool = False) -> int:
    """Hundredths of a point from 10, 2.5 or 0.25 (a sign only where `signed`)."""
    m = _POINTS.match(str(text).strip())
    if not m:
        raise Invalid(f"{what}: '{text}' is not a number of points (at most two decimals)")
    if m.group(1) and not signed:
        raise Invalid(f"{what}: '{text}' must be a number of points without a sign")
    value = int(m.group(2)) * 100 + int((m.group(3) or "0").ljust(2, "0"))
    return -value if m.group(1) == "-" else value


def number(hundredths: int | None):
    """Hundredths as the number people read: 250 → 2.5, 300 → 3."""
    if hundredths is None:
        return None
    return hundredths // 100 if hundredths % 100 == 0 else hundredths / 100


def hours(minutes: int | None):
    """Minutes as hours: 150 → 2.5, 120 → 2, 20 → 0.33."""
    if minutes is None:
        return None
    return minutes // 60 if minutes % 60 == 0 else round(minutes / 60, 2)


def text(value) -> str | None:
    """A number as YAML writes it back (a string, read back exactly)."""
    return None if value is None else str(value)
