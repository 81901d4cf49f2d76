"""`cgov report weekly` (for cron) and `cgov report status` (for the terminal)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cgov.core import cmd
from cgov.core.cmd import FormatOpt, LangOpt

report_app = cmd.sub_app("Reports: the weekly summary and what needs attention today.")

STATUS_LABELS = {
    "open-cases": ("Open cases", "未结案件"), "overdue-cases": ("Overdue cases", "超期案件"),
    "due-today": ("Due today", "今日到期"), "escalated": ("Escalated", "督办中"),
    "meetings-due": ("Regular meetings due this week", "本周应开例会"),
    "pending-applications": ("Pending access applications", "待审准入申请"),
    "grid-findings": ("Grid-check findings", "网格检查问题"),
}


@report_app.command("weekly")
def weekly(
    ctx: typer.Context,
    week: Annotated[Optional[str], typer.Option("--week", help="ISO week, e.g. 2026-W47 (default: the last complete week).")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Start date (local time).")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="End date, included (local time).")] = None,
    area: Annotated[Optional[str], typer.Option("--area", help="A street, community or grid (default: everything).")] = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Write the file atomically and print nothing.")] = None,
    stamp: Annotated[bool, typer.Option("--stamp", help="Add when and by whom it was generated (otherwise the same data gives the same bytes).")] = False,
    baseline: Annotated[Optional[int], typer.Option("--baseline", help="Access-list items before the cut, for the reduction rate.")] = None,
    wait: Annotated[int, typer.Option("--wait", help="Seconds to wait for another run writing the same file.")] = 60,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """The weekly summary: case figures beside last week's, by community and
    category, overdue and escalated cases, meetings, the access list, org-chart
    changes, grid-check findings and the audit chain's head hash.

    Formats: md, plain, json, html (one self-contained page for printing).

    \b
    Examples:
      cgov report weekly --week 2026-W47 -f md
      cgov report weekly --area cj-yh4 --lang zh -f html -o /srv/reports/yh4-week.html"""
    from cgov.core import clock
    from cgov.core.files import exclusive, write_atomic
    from cgov.reports import render, service

    o = cmd.out(ctx, fmt, lang, formats=("md", "plain", "json", "html"))
    with cmd.reading(ctx) as s:
        start, end = service.resolve_period(week, since, until)
        data = service.weekly(s, start, end, area=area, baseline=baseline)
    note = None
    if stamp:
        from cgov.core import i18n

        note = i18n.t("Generated", "生成于", o.lang) + f" {clock.fmt_local(clock.now())} · {cmd.actor(ctx)}"
    text = render.render(data, o.fmt, o.lang, note)
    if output:
        with exclusive(output + ".lock", wait, what=f"another `cgov report weekly` is writing {output}"):
            write_atomic(output, text.encode("utf-8"), mode=0o644)
    else:
        typer.echo(text, nl=False)


@report_app.command("status")
def status(ctx: typer.Context, fmt: FormatOpt = None, lang: LangOpt = None):
    """One screen of what needs attention today, each line with the command
    that lists the details.

    Example: cgov report status --lang zh"""
    from cgov.core.output import Col, render_list
    from cgov.reports import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = service.status(s)
    if o.fmt != "json":
        for r in rows:
            en, zh = STATUS_LABELS[r["subject"]]
            r["label"] = zh if o.lang == "zh" else en
    render_list(rows, [Col("label", "Subject", "事项"), Col("count", "Count", "数量"),
                       Col("detail", "Detail", "说明"), Col("command", "Details with", "查看命令")], o)
