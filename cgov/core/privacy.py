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


def has_masked_number(text: str) -> bool:
    """Whether text holds a masked ID or phone number: every mask, 139****5678
    or 310***********0016, has four stars in a row."""
    return "****" in text


def is_personal_number(text: str) -> bool:
    """Whether text is nothing but an ID number (15 or 18 characters) or a
    mobile number: what a record's key, printed unmasked, must not be."""
    return _PERSONAL_NUMBER.match(text) is not None


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


def mask_record(record, free_text: bool = True):
    """Mask every PII key in a record (dicts and lists, nested), and with
    free_text also ID and mobile numbers written into text ("联系人电话138…"
    in a case title). An export masks both; imported back, a masked field
    or masked text keeps what is stored (exchange.service.restore_masked_text)."""
    if isinstance(record, dict):
        out = {}
        for k, v in record.items():
            kind = PII_KEYS.get(k)
            out[k] = mask_value(kind, v) if kind else mask_record(v, free_text)
        return out
    if isinstance(record, list):
        return [mask_record(v, free_text) for v in record]
    if free_text and isinstance(record, str):
        return mask_text(record)
    return record


# An ID number and a mainland mobile as written in text, spaced or not.
_ID_TEXT = r"\d{17}[\dXx]"
_MOBILE_TEXT = r"(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}"
_PERSONAL_NUMBER = re.compile(rf"^(?:\d{{15}}|{_ID_TEXT}|(?:\+?86)?1[3-9]\d{{9}})$")
# On output, only a number standing on its own (not inside a run of letters
# and digits: a hash, a code) is masked.
_ID_STANDALONE = re.compile(rf"(?<![0-9A-Za-z]){_ID_TEXT}(?![0-9A-Za-z])")
_MOBILE_STANDALONE = re.compile(rf"(?<![0-9A-Za-z+]){_MOBILE_TEXT}(?![0-9A-Za-z])")
_LONG_DIGITS = re.compile(r"\d{3}[\s-]?\d{4}[\s-]?\d{4}")


def mask_text(text: str) -> str:
    """Free text with each ID number and mobile number in it masked."""
    if not _LONG_DIGITS.search(text):  # most text: no run of 11 digits at all
        return text
    text = _ID_STANDALONE.sub(lambda m: mask_id_number(m.group()), text)
    return _MOBILE_STANDALONE.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group())[-11:]), text)


# Text that will be made public must carry no ID or phone number: any
# run of digits shaped like one counts.
_ID_IN_TEXT = re.compile(rf"(?<![0-9]){_ID_TEXT}(?![0-9])")
_MOBILE_IN_TEXT = re.compile(rf"(?<![0-9]){_MOBILE_TEXT}(?![0-9])")
# A landline with its area code: 021-51234567, (0571) 8765 4321.
_LANDLINE_IN_TEXT = re.compile(r"(?<![0-9])[(（]?0\d{2,3}[)）]?[\s-]?\d{3,4}[\s-]?\d{4}(?![0-9])")


def pii_lines(text: str) -> list[int]:
    """1-based line numbers that carry an ID number or a phone number,
    mobile or landline."""
    found = []
    for i, line in enumerate(unicodedata.normalize("NFKC", text).splitlines(), start=1):
        if _ID_IN_TEXT.search(line) or _MOBILE_IN_TEXT.search(line) or _LANDLINE_IN_TEXT.search(line):
            found.append(i)
    return found
