"""Renderers shared by every command: table (rich), plain, md, csv, json.

Services hand over plain dicts; this module masks personal data, translates
enum values for --lang zh and lays the rows out. Rich and tabulate are
imported only when a format needs them, to keep `cgov --help` quick."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field

from cgov.core import clock, i18n, privacy

FORMATS = ("table", "plain", "md", "csv", "json")


@dataclass(frozen=True)
class Col:
    key: str
    en: str
    zh: str
    enum: bool = False  # translate the value under --lang zh
    # The column's own Chinese labels, where one word means different things
    # in different features ("rejected": 不予受理 for a case, 不予准入 for an item).
    labels: dict | None = None

    def heading(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def cols(*spec, labels: dict | None = None) -> list[Col]:
    """Columns from (key, en, zh[, True]) tuples; a true fourth item marks
    an enum, shown under --lang zh from the feature's `labels` (then the org
    chart's words)."""
    return [Col(s[0], s[1], s[2], enum=True, labels=labels) if len(s) > 3 and s[3] else Col(s[0], s[1], s[2])
            for s in spec]


@dataclass
class Out:
    fmt: str
    lang: str = "en"
    reveal: bool = False
    reason: str | None = None
    stream: object = None
    revealed: list = field(default_factory=list)  # (kind, record id) pairs shown unmasked

    def write(self, text: str) -> None:
        (self.stream or sys.stdout).write(text)


def default_format() -> str:
    env = os.environ.get("CGOV_FORMAT")
    if env:
        return env
    return "table" if sys.stdout.isatty() else "plain"


def _json_value(v):
    if isinstance(v, dt.datetime):
        return clock.iso_local(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _text_value(v, col: Col | None, lang: str) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return i18n.label("true" if v else "false", lang) if lang == "zh" else ("yes" if v else "no")
    if isinstance(v, dt.datetime):
        return clock.fmt_local(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return f"{v:.1%}" if col and col.key.endswith("rate") else f"{v:g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(_text_value(x, col, lang) for x in v)
    if col and (col.enum or col.labels is not None):
        return str(i18n.label(v, lang, col.labels))
    return str(v)


def _protect(rows: list[dict], out: Out) -> list[dict]:
    if not out.reveal:
        return [privacy.mask_record(r) for r in rows]
    for r in rows:
        # Rows about a person's post carry the person's id under "person".
        owner = r.get("person") if isinstance(r.get("person"), str) else r.get("id")
        for key, kind in privacy.PII_KEYS.items():
            if r.get(key):
                out.revealed.append((kind, owner))
    return rows


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?%?")


def _csv_cell(text: str) -> str:
    # Spreadsheet programs run cells that start with these as formulas; a
    # plain negative number is no formula, and must stay a number to add up.
    if text and text[0] in "=+-@\t\r" and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def table_text(rows: list[dict], cols: list[Col], out: Out, title: str | None = None) -> str:
    """Lay out rows as text in out.fmt (not json)."""
    lang = out.lang
    heads = [c.heading(lang) for c in cols]
    body = [[_text_value(r.get(c.key), c, lang) for c in cols] for r in rows]
    if out.fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(heads)
        for line in body:
            w.writerow([_csv_cell(x) for x in line])
        return buf.getvalue()
    if out.fmt == "md":
        from tabulate import tabulate

        text = tabulate([[_md_cell(x) for x in line] for line in body],
                        headers=heads, tablefmt="pipe", disable_numparse=True)
        return (f"### {title}\n\n" if title else "") + text + "\n"
    if out.fmt == "plain":
        if not body:
            return (title + "\n" if title else "") + "  ".join(heads) + "\n"
        return (title + "\n" if title else "") + _plain_table(heads, body) + "\n"
    return _rich_text(body, heads, title)


def _console(buf=None):
    from rich.console import Console

    if buf is not None:
        return Console(file=buf, width=max(_term_width(), 80), no_color=True,
                       force_terminal=False, highlight=False)
    return Console(highlight=False, soft_wrap=False)


def _term_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 120


# One short token of ASCII (an id, a number, a masked phone), or a local
# date and time.
_ID_OR_DATE = re.compile(r"^(?:[A-Z]{1,3}\d{4}-\d+(?:-\d+)?|[a-z]{1,3}-[\w-]+|\d{3}\*+\d{3}[\dX]|\d{3}\*{4}\d{4}"
                         r"|\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?)$")
_ATOMIC = re.compile(r"^(?:[A-Za-z0-9_.:+*%/-]{1,24}|\d{4}-\d{2}-\d{2} \d{2}:\d{2})$")


def _whole_columns(body, heads, width: int) -> list[bool]:
    """Which columns to keep unbroken: ids, dates and times, numbers and
    masked values, as many of them as leave the other columns room to fold
    into — all of them; else ids and dates; else the first column (the id)."""
    from rich.cells import cell_len

    def kind(i):
        cells = [line[i] for line in body if line[i]]
        if cells and all(_ID_OR_DATE.match(c) for c in cells):
            return 2
        return 1 if all(_ATOMIC.match(c) for c in cells) else 0

    kinds = [kind(i) for i in range(len(heads))]
    widest = [max([cell_len(heads[i])] + [cell_len(line[i]) for line in body]) for i in range(len(heads))]
    for whole in ([k > 0 for k in kinds], [k == 2 for k in kinds], [i == 0 and kinds[0] > 0 for i in range(len(heads))]):
        # Three cells of padding and rule a column; six at least to fold into.
        need = sum(3 + (w if keep else min(w, 6)) for w, keep in zip(widest, whole))
        if need <= width:
            return whole
    return [False] * len(heads)


def _rich_text(body, heads, title) -> str:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    buf = io.StringIO()
    con = _console(buf) if not sys.stdout.isatty() or os.environ.get("NO_COLOR") else None
    if con is None:
        from rich.console import Console

        con = Console(file=buf, force_terminal=True, width=_term_width(), highlight=False)
    table = Table(title=Text(title) if title else None, box=box.SIMPLE_HEAVY, title_justify="left")
    for h, whole in zip(heads, _whole_columns(body, heads, con.width)):
        table.add_column(Text(h), overflow="fold", no_wrap=whole)
    for line in body:
        # Text, not markup: a cell like "[party-branch]" must print as written.
        table.add_row(*(Text(c) for c in line))
    con.print(table)
    return buf.getvalue()


def render_list(rows: list[dict], cols: list[Col], out: Out, title: str | None = None) -> None:
    rows = _protect(rows, out)
    if out.fmt == "json":
        out.write(json.dumps([{k: _json_value(v) for k, v in r.items()} for r in rows],
                             ensure_ascii=False, indent=2, default=str) + "\n")
        return
    if out.fmt == "csv" and not _is_tty(out):
        out.write("\ufeff")
    out.write(table_text(rows, cols, out, title))


def _is_tty(out: Out) -> bool:
    s = out.stream or sys.stdout
    return hasattr(s, "isatty") and s.isatty()


def _deep_json(v):
    if isinstance(v, dict):
        return {k: _deep_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_deep_json(x) for x in v]
    return _json_value(v)


@dataclass(frozen=True)
class Part:
    """A list inside a record shown by `show` (a grid's buildings, a case's timeline)."""
    key: str
    en: str
    zh: str
    cols: list


def render_show(record: dict, fields: list[Col], out: Out, parts: list[Part] = ()) -> None:
    record = _protect([record], out)[0]
    for p in parts:
        record[p.key] = _protect(record.get(p.key) or [], out)
    if out.fmt == "json":
        out.write(json.dumps(_deep_json(record), ensure_ascii=False, indent=2, default=str) + "\n")
        return
    lang = out.lang
    pairs = [{"field": f.heading(lang), "value": _text_value(record.get(f.key), f, lang)} for f in fields]
    kv = [Col("field", "Field", "字段"), Col("value", "Value", "值")]
    if out.fmt == "csv":
        if not _is_tty(out):
            out.write("\ufeff")
        out.write(table_text(pairs, kv, out))
        for p in parts:
            out.write("\n" + table_text(record.get(p.key) or [], p.cols, out))
        return
    if out.fmt == "md":
        title = record.get("name") or record.get("title") or record.get("id")
        out.write(f"## {title}\n\n")
        for pr in pairs:
            out.write(f"- **{pr['field']}**: {_md_cell(pr['value'])}\n")
        out.write("\n")
    else:
        width = max((display_width(pr["field"]) for pr in pairs), default=0)
        for pr in pairs:
            out.write(pr["field"] + " " * (width - display_width(pr["field"])) + "  " + pr["value"] + "\n")
    for p in parts:
        rows = record.get(p.key) or []
        title = p.zh if lang == "zh" else p.en
        if not rows:
            continue
        out.write("\n")
        out.write(table_text(rows, p.cols, out, title=f"{title} ({len(rows)})"))


def _plain_table(heads: list[str], body: list[list[str]]) -> str:
    """tabulate's "simple" layout, laid out here: piping a listing into
    another program is the commonest call of all, and importing tabulate and
    wcwidth for it took longer than the rest of the listing's own work.
    Cells with line breaks, other unprintable characters or characters whose
    width terminals disagree on still go to tabulate."""
    if not all(map(_plainly_wide, heads)) or not all(_plainly_wide(x) for line in body for x in line):
        from tabulate import tabulate

        return tabulate(body, headers=heads, tablefmt="simple", disable_numparse=True)
    body = [[x.strip() for x in line] for line in body]
    # As tabulate: a column is as wide as its widest cell, and its heading
    # plus two; two spaces between columns; no trailing spaces.
    widths = [max([display_width(h) + 2] + [display_width(line[i]) for line in body]) for i, h in enumerate(heads)]

    def row(cells):
        return "  ".join(c + " " * (w - display_width(c)) for c, w in zip(cells, widths)).rstrip()

    return "\n".join([row(heads), row(["-" * w for w in widths])] + [row(line) for line in body])


# Where display_width and wcwidth (which tabulate uses) part ways: emoji with
# a presentation or keycap selector (⚠️, 1️⃣), skin-tone modifiers, conjoining
# Hangul jamo, spacing marks of Indic scripts.
_UNSURE = re.compile("[\u1100-\u11ff\u20e3\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0100-\U000e01ef]")
_UNSURE_CATEGORIES = {"Mc", "Me", "Sk", "Cf", "Co", "Cn", "Cs"}


def _plainly_wide(text: str) -> bool:
    """Whether display_width measures `text` as terminals (and tabulate) do."""
    if text.isascii():
        return text.isprintable()
    return (text.isprintable() and not _UNSURE.search(text)
            and not any(unicodedata.category(ch) in _UNSURE_CATEGORIES for ch in text))


def display_width(text: str) -> int:
    """Terminal columns of printable text: East Asian wide and full-width
    characters take two, combining marks and format characters none."""
    if text.isascii():
        return len(text)
    width = 0
    for ch in text:
        if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width
