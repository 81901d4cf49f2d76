"""Personal information: validate on the way in, mask on the way out (DESIGN §6)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Landline: 0 and a 2-3 digit area code, then a 7-8 digit number.
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")

# Keys whose values are personal data, wherever they appear in a record.
PII_KEYS = {"id_number": "id_number", "phone": "phone", "reporter_phone": "phone"}


def _narrow(text: str) -> str:
    # NFKC turns full-width digits and letters into ASCII.
    return unicodedata.normalize("NFKC", text).strip()


def is_masked(text: str) -> bool:
    return "*" in text


def id_number_problem(text: str) -> str | None:
    """Why an ID number is invalid, or None if it is valid (after normalise)."""
    return check_id_number(text)[1]


def check_id_number(text: str) -> tuple[str, str | None]:
    """(normalised value, problem or None), validating once."""
    s = _narrow(text).upper()
    return s, _id_problem(s)


def _id_problem(s: str) -> str | None:
    if len(s) != 18:
        return f"has {len(s)} characters, needs 18"
    if not s.isascii() or not s[:17].isdigit() or not (s[17].isdigit() or s[17] == "X"):
        return "must be 17 digits and a digit or X"
    try:
        dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return f"birth date {s[6:10]}-{s[10:12]}-{s[12:14]} does not exist"
    total = sum(int(c) * w for c, w in zip(s[:17], _WEIGHTS))
    expected = _CHECK[total % 11]
    if s[17] != expected:
        return f"check digit is {s[17]}, should be {expected}"
    return None


def normalize_id_number(text: str) -> str:
    """The canonical form; raises ValueError with the reason."""
    value, problem = check_id_number(text)
    if problem:
        raise ValueError(f"ID number {problem}")
    return value


def normalize_phone(text: str) -> str:
    """Mobile `13800138000` or landline `02164881234`; raises ValueError."""
    s = re.sub(r"[\s\-()（）]", "", _narrow(text))
    for prefix in ("+86", "0086"):
        if s.startswith(prefix):
            s = s[len(prefix):]
    if _MOBILE.match(s) or _LANDLINE.match(s):
        return s
    raise ValueError(
        "phone is neither a mainland mobile (1[3-9] and 9 more digits) "
        "nor a landline (0, area code and 7-8 digits)"
    )


def mask_id_number(value: str | None) -> str | None:
    if not value or is_masked(value):
        return value
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    if not value or is_masked(value):
        return value
    if len(value) == 11 and value.startswith("1"):
        return value[:3] + "****" + value[-4:]
    # Landlines: keep the area code and the last 2 digits.
    return value[:4] + "*" * max(len(value) - 6, 1) + value[-2:]


def mask_value(kind: str, value):
    if not isinstance(value, str):
        return value
    return mask_id_number(value) if kind == "id_number" else mask_phone(value)


def mask_record(record):
    """Mask every PII key in a record (dicts and lists, nested)."""
    if isinstance(record, dict):
        out = {}
        for k, v in record.items():
            kind = PII_KEYS.get(k)
            out[k] = mask_value(kind, v) if kind else mask_record(v)
        return out
    if isinstance(record, list):
        return [mask_record(v) for v in record]
    return record


# Text that will be made public must carry no ID or phone number.
_ID_IN_TEXT = re.compile(r"(?<![0-9])\d{17}[\dXx](?![0-9])")
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?![0-9])")


def pii_lines(text: str) -> list[int]:
    """1-based line numbers that carry an ID number or a mobile number."""
    found = []
    for i, line in enumerate(unicodedata.normalize("NFKC", text).splitlines(), start=1):
        if _ID_IN_TEXT.search(line) or _MOBILE_IN_TEXT.search(line):
            found.append(i)
    return found
