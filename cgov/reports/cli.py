"""`cgov report weekly` (for cron) and `cgov report status` (for the terminal)."""

from __future__ import annotations

import contextlib
from typing import Annotated, Optional

import typer

from cgov.core import cmd, i18n
from cgov.core.cmd import FormatOpt, LangOpt
from cgov.reports.labels import OTHER, SUBJECTS

report_app = cmd.sub_app("Reports: the weekly summary and what needs attention today.")

FORMATS = ("md", "plain", "json", "html")
# The shared --format with this command's own formats in its help.
ReportFormatOpt = Annotated[Optional[str], typer.Option(
    "--format", "-f", show_default=False,
    help="md, plain, json or html (default: from the suffix of -o, else plain).")]
# `-o weekly.html` alone gives HTML: cron has no terminal to default from.
SUFFIXES = {".md": "md", ".markdown": "md", ".txt": "plain", ".json": "json", ".html": "html", ".htm": "html"}


@contextlib.contextmanager
def _one_line():
    """A failure is one line on stderr (a cron job's mail, a log line): the
    hint goes on the same line."""
    from cgov.core.errors import CgovError

    try:
        yield
    except CgovError as e:
        if e.hint:
            e.message, e.hint = f"{e.message} ({e.hint})", None
        raise


def lock_path(output: str) -> str:
    """The lock beside the output, hidden: it outlives the run (removing it
    would let a waiting run and a new one lock two different files)."""
    from pathlib import Path

    p = Path(output)
    return str(p.with_name(f".{p.name}.lock"))


@report_app.command("weekly")
def weekly(
    ctx: typer.Context,
    week: Annotated[Optional[str], typer.Option("--week", help="ISO week, e.g. 2026-W47 (default: the last complete week).")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Start date or time (local).")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="End date (included) or time (local).")] = None,
    area: Annotated[Optional[str], typer.Option("--area", help="A street, community or grid (default: everything).")] = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Write this file atomically and print nothing; the format follows its suffix (.md .txt .json .html) unless -f is given.")] = None,
    stamp: Annotated[bool, typer.Option("--stamp", help="Add when and by whom it was generated (otherwise the same data gives the same bytes).")] = False,
    baseline: Annotated[Optional[int], typer.Option("--baseline", help="Access-list items before the cut, for the reduction rate.")] = None,
    wait: Annotated[int, typer.Option("--wait", min=0, help="Seconds to wait for another run writing the same file before giving up.")] = 60,
    fmt: ReportFormatOpt = None, lang: LangOpt = None,
):
    """The weekly summary: case figures beside the previous week's, by
    community (or grid) and category, the most overdue cases, escalations,
    meetings, the access list, org-chart changes, grid-check findings and the
    audit chain's head hash. Formats: md, plain, json, html (one
    self-contained page for A4).

    With -o the file is replaced whole or not at all, under a lock (.FILE.lock
    beside it) that makes an overlapping run wait; nothing is printed on
    success; a failure is one line on stderr and exit 1.

    \b
    Examples:
      cgov report weekly --week 2026-W47 -f md
      cgov report weekly --area cj-yh4 --lang zh -o /srv/reports/yh4-weekly.html
      # crontab: Mondays 06:15, last week's summary
      15 6 * * 1  TZ=Asia/Shanghai /opt/cgov/.venv/bin/cgov --db /srv/cgov/town.db report weekly --lang zh -f html -o /srv/cgov/reports/weekly.html"""
    from pathlib import Path

    with _one_line():
        if output and not (fmt or cmd.state(ctx).fmt):
            fmt = SUFFIXES.get(Path(output).suffix.lower())
        o = cmd.out(ctx, fmt, lang, formats=FORMATS)
        cmd.existing_store(ctx)
        if output:
            from cgov.core.errors import Invalid
            from cgov.core.files import check_target, exclusive, write_atomic

            check_target(output)

            # The whole run under the lock: a second run waits for the first
            # and then reports on the store as it is after it.
            try:
                with exclusive(lock_path(output), wait, what=f"another `cgov report weekly` is writing {output}"):
                    text = _render(ctx, o, week, since, until, area, baseline, stamp)
                    write_atomic(output, text.encode("utf-8"), mode=0o644)
            except OSError as e:
                raise Invalid(f"cannot write {output}: {e.strerror or e}") from None
        else:
            typer.echo(_render(ctx, o, week, since, until, area, baseline, stamp), nl=False)


def _render(ctx, o, week, since, until, area, baseline, stamp) -> str:
    from cgov.core import clock, privacy
    from cgov.reports import render, service

    with cmd.reading(ctx) as s:
        start, end = service.resolve_period(week, since, until)
        # Case titles in the overdue and escalation lists are free text.
        data = privacy.mask_record(service.weekly(s, start, end, area=area, baseline=baseline))
    note = None
    if stamp:
        note = i18n.t("Generated", "生成于", o.lang) + f" {clock.fmt_local(clock.now())} · {cmd.actor(ctx)}"
    return render.render(data, o.fmt, o.lang, note)


def _detail(parts: list[dict], lang: str) -> str:
    from cgov.cases.labels import LABELS as CASE_LABELS  # the parts of the case lines are case states
    words = []
    for p in parts:
        if p["name"]:
            name = p["name"] if lang == "zh" else (p["name_en"] or p["name"])
        else:
            pair = OTHER.get(p["key"])
            name = (pair[1] if lang == "zh" else pair[0]) if pair else i18n.label(p["key"], lang, CASE_LABELS)
        words.append(f"{name} {p['count']}")
    return ("，" if lang == "zh" else ", ").join(words)


@report_app.command("status")
def status(ctx: typer.Context, fmt: FormatOpt = None, lang: LangOpt = None):
    """One screen of what needs attention today: open cases by state, overdue
    and due today, escalations, regular meetings owed by Sunday (overdue ones included), pending
    access applications and grid-check findings, each line with the command
    that lists the details.

    Example: cgov report status --lang zh"""
    from cgov.core.output import Col, render_list
    from cgov.reports import service

    with _one_line():
        o = cmd.out(ctx, fmt, lang)
        cmd.existing_store(ctx)
        with cmd.reading(ctx) as s:
            rows = service.status(s)
    if o.fmt != "json":
        rows = [{**r, "label": SUBJECTS[r["subject"]][1 if o.lang == "zh" else 0],
                 "detail": _detail(r["parts"], o.lang)} for r in rows]
    render_list(rows, [Col("label", "Subject", "事项"), Col("count", "Count", "数量"),
                       Col("detail", "Detail", "说明"), Col("command", "Details with", "查看命令")], o)
