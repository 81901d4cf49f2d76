"""Checks a record read from YAML against its schema, collecting every problem
with file, line and record instead of stopping at the first."""

from __future__ import annotations

import datetime as dt
import re

from cgov.core import privacy

ID_RE = re.compile(r"^[A-Za-z0-9._-]+$")
# The largest whole number either backend stores (a 64-bit integer).
MAX_INTEGER = 2**63 - 1
# A record's key is printed unmasked in every list and export, so it must
# not be a person's ID number or mobile number (privacy.is_personal_number).
PERSONAL_KEY = "looks like an ID or phone number; keys are shown unmasked everywhere, so choose another (like p-0001)"
# Popolo spells references with _id; cgov's own files use the plain name.
POPOLO = {"area_id": "area", "parent_id": "parent", "organization_id": "organization",
          "person_id": "person", "department_id": "department", "meeting_id": "meeting",
          "motion_id": "motion", "building_id": "building", "grid_id": "grid"}
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


class Problems(list):
    """All problems of an import, as `file:line: section[id]: message` lines."""

    def add(self, file: str, line: int | None, where: str, message: str) -> None:
        loc = f"{file}:{line}" if line else file
        self.append(f"{loc}: {where}: {message}")


class Record:
    """One mapping from a file, with typed getters that report, not raise."""

    def __init__(self, data, file: str, section: str, problems: Problems, index: int):
        self.file = file
        self.section = section
        self.problems = problems
        self.line = getattr(data, "line", None)
        self.ok = True
        self.data: dict = {}
        self.label = f"{section}[{index}]"
        if not isinstance(data, dict):
            self.fail(f"expected a mapping of fields, found {type(data).__name__}")
            return
        for k, v in data.items():
            key = POPOLO.get(k, k)
            if key in self.data:
                self.fail(f"'{k}' given twice (as {key} and {key}_id)")
            self.data[key] = v
        rid = self.data.get("id")
        if isinstance(rid, str) and not privacy.is_personal_number(rid.strip()):
            self.label = f"{section}[{rid}]"  # a personal number stays out of messages

    def fail(self, message: str) -> None:
        self.ok = False
        self.problems.add(self.file, self.line, self.label, message)

    def known_keys(self, allowed) -> None:
        for k in self.data:
            if k not in allowed:
                self.fail(f"unknown key '{k}' (allowed: {', '.join(sorted(allowed))})")

    def has(self, key: str) -> bool:
        return key in self.data

    def nested(self, raw, label: str, keys: set) -> "Record | None":
        """A nested mapping (a vote, a schedule) checked like a record and
        reporting under this one; None, and this record failed, when bad."""
        sub = Record(raw, self.file, self.section, self.problems, 0)
        sub.line, sub.label = getattr(raw, "line", None) or self.line, f"{self.label}.{label}"
        if sub.ok:
            sub.known_keys(keys)
        self.ok = self.ok and sub.ok
        return sub if sub.ok else None

    def text(self, key: str, required: bool = False, pattern: re.Pattern | None = None):
        v = self.data.get(key)
        if v is None:
            if required:
                self.fail(f"'{key}' is required")
            return None
        if not isinstance(v, str):
            self.fail(f"'{key}' must be a single value, not a {'list' if isinstance(v, list) else 'mapping'}")
            return None
        v = v.strip()
        if required and not v:
            self.fail(f"'{key}' is required")
            return None
        if pattern is not None and not pattern.match(v):
            self.fail(f"'{key}' value '{v}' has characters other than letters, digits, '.', '_' and '-'")
            return None
        return v

    def ident(self, key: str = "id", required: bool = True):
        v = self.text(key, required=required)
        if v is not None and privacy.is_personal_number(v):  # checked first: the other message repeats it
            self.fail(f"'{key}' {PERSONAL_KEY}")
            return None
        if v is not None and not ID_RE.match(v):
            self.fail(f"'{key}' value '{v}' has characters other than letters, digits, '.', '_' and '-'")
            return None
        return v

    def enum(self, key: str, choices, required: bool = False):
        v = self.text(key, required=required)
        if v is not None and v not in choices:
            self.fail(f"'{key}' value '{v}' is not one of: {', '.join(choices)}")
            return None
        return v

    def integer(self, key: str, minimum: int | None = 0):
        v = self.text(key)
        if v is None:
            return None
        if not re.fullmatch(r"-?\d+", v):
            self.fail(f"'{key}' value '{v}' is not a whole number")
            return None
        n = int(v)
        if minimum is not None and n < minimum:
            self.fail(f"'{key}' value {n} is below {minimum}")
            return None
        if abs(n) > MAX_INTEGER:
            self.fail(f"'{key}' value {v} is too large to store")
            return None
        return n

    def number(self, key: str, minimum: float | None = 0):
        v = self.text(key)
        if v is None:
            return None
        try:
            n = float(v)
        except ValueError:
            self.fail(f"'{key}' value '{v}' is not a number")
            return None
        if minimum is not None and n < minimum:
            self.fail(f"'{key}' value {v} is below {minimum}")
            return None
        if not abs(n) <= MAX_INTEGER:  # also inf and nan
            self.fail(f"'{key}' value {v} is too large to store")
            return None
        return n

    def boolean(self, key: str):
        v = self.text(key)
        if v is None:
            return None
        if v.lower() in _TRUE:
            return True
        if v.lower() in _FALSE:
            return False
        self.fail(f"'{key}' value '{v}' is not true or false")
        return None

    def date(self, key: str, required: bool = False):
        v = self.text(key, required=required)
        if v is None:
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
                raise ValueError
            return dt.date.fromisoformat(v)
        except ValueError:
            self.fail(f"'{key}' value '{v}' is not a real date (YYYY-MM-DD)")
            return None

    def datetime(self, key: str, required: bool = False):
        from cgov.core import clock
        from cgov.core.errors import Invalid

        v = self.text(key, required=required)
        if v is None:
            return None
        try:
            return clock.parse_at(v, what=key)
        except Invalid:
            self.fail(f"'{key}' value '{v}' is not a date or time (ISO 8601)")
            return None

    def id_number(self, key: str = "id_number"):
        """The normalised ID, '*' for a masked value (keep what is stored), or None."""
        v = self.text(key)
        if v is None:
            return None
        if privacy.is_masked(v):
            return "*"
        value, problem = privacy.check_id_number(v)
        if problem:
            self.fail(f"ID number {privacy.mask_id_number(v) if len(v) == 18 else repr(v)} {problem}")
            return None
        return value

    def phone(self, key: str = "phone"):
        v = self.text(key)
        if v is None:
            return None
        if privacy.is_masked(v):
            return "*"
        try:
            return privacy.normalize_phone(v)
        except ValueError as e:
            self.fail(f"'{key}' value '{v}': {e}")
            return None

    def mapping(self, key: str):
        v = self.data.get(key)
        if v is None:
            return None
        if not isinstance(v, dict):
            self.fail(f"'{key}' must be a mapping")
            return None
        return v

    def items(self, key: str) -> list:
        v = self.data.get(key)
        if v is None:
            return []
        if not isinstance(v, list):
            self.fail(f"'{key}' must be a list")
            return []
        return v
