"""`cgov case …`: parse, call the case service, render.

`case add` is the command people type most: it loads the store and the case
service, and the renderers only for `-f json`."""

# No `from __future__ import annotations` here: with real annotations typer
# does not have to evaluate strings for each command on every start-up,
# which saves `cgov case add` a noticeable part of its start.
import sys
from typing import Annotated, Optional

import typer

from cgov.cases.labels import GROUPING, LABELS
from cgov.core import cmd, i18n
from cgov.core.cmd import AtOpt, FormatOpt, LangOpt, ReasonOpt, RevealOpt


case_app = cmd.sub_app("Cases: the community blows the whistle, departments report.")

CaseArg = Annotated[str, typer.Argument(help="Case id, e.g. C2026-000123.", show_default=False)]
NoteOpt = Annotated[Optional[str], typer.Option("--note", "-n", help="A remark for the timeline.")]
StepReason = Annotated[str, typer.Option("--reason", help="Why (kept in the timeline).", show_default=False)]


def _interactive() -> bool:
    # Ask only a person at a terminal; a script gets an error instead, also
    # one that reads a terminal but captures the output (id=$(cgov case add)).
    return sys.stdin.isatty() and cmd.is_tty()


def _cols(*spec):
    from cgov.core.output import cols

    return cols(*spec, labels=LABELS)


def _at(at: str | None):
    import datetime as dt

    from cgov.core import clock
    from cgov.core.errors import Invalid

    if not at:
        return None
    when = clock.parse_at(at)
    # A case records what has happened: a time past tomorrow is a typo
    # (2027 for 2026), and would open the next year's numbering.
    if when > clock.now() + dt.timedelta(days=1):
        raise Invalid(f"--at {clock.fmt_local(when)} is in the future; a case records what has happened")
    return when


def _done(ctx: typer.Context, fmt: str | None, lang: str | None, row: dict, en: str = "", zh: str | None = None) -> None:
    """After a step: the case id and where it now stands (with `en`/`zh` after
    it), or the whole case with -f json."""
    o = cmd.out(ctx, fmt, lang)
    if o.fmt == "json":
        from cgov.core.output import render_show

        render_show(row, [], o)
        return
    typer.echo(f"{row['id']} {i18n.label(row['status'], o.lang, LABELS)}{i18n.t(en, en if zh is None else zh, o.lang)}")


# ---- add ---------------------------------------------------------------------------------

@case_app.command("add")
def add(
    ctx: typer.Context,
    title: Annotated[Optional[str], typer.Argument(help="What is the matter, in a few words.")] = None,
    description: Annotated[Optional[str], typer.Option("--description", "-d", help="Details.")] = None,
    category: Annotated[Optional[str], typer.Option("--category", "-c", help="Code or name: 1001, 楼道堆物.")] = None,
    building: Annotated[Optional[str], typer.Option("--building", "-b", help="Building id or name.")] = None,
    grid: Annotated[Optional[str], typer.Option("--grid", "-g", help="Grid id or name.")] = None,
    community: Annotated[Optional[str], typer.Option("--community", help="Community or village id or name.")] = None,
    source: Annotated[str, typer.Option("--source", "-s", help="patrol, visit, hotline (12345), qr-code, wechat, walk-in, meeting, other.")] = "other",
    request_type: Annotated[str, typer.Option("--type", "-t", help="consultation, help, complaint, report, suggestion.")] = "help",
    priority: Annotated[str, typer.Option("--priority", "-p", help="normal or urgent.")] = "normal",
    reporter: Annotated[Optional[str], typer.Option("--reporter", "-r", help="Who reported it.")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="The reporter's phone (checked, masked on output).")] = None,
    due: Annotated[Optional[str], typer.Option("--due", help="Resolve-by deadline instead of the category's; a date means the end of that day.")] = None,
    at: AtOpt = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Open a case (吹哨); prints the new id (the whole case with -f json).

    At a terminal, a missing title is asked for; from a script it is an error.

    \b
    Examples:
      cgov case add "3号楼楼道堆放纸箱" -c 楼道堆物 -b cj-yh4-b03 -s patrol
      cgov case add "深夜KTV噪音" -c 1201 --community 裕安社区 -s hotline -t complaint -r 张女士 --phone 13900001234"""
    from cgov.cases import service
    from cgov.core.errors import Invalid

    if title is None or not title.strip():
        if not _interactive():
            raise Invalid("a case needs a title", hint='cgov case add "3号楼楼道堆放纸箱" --building …')
        title = typer.prompt(i18n.t("Title", "标题", i18n.resolve_lang(lang or cmd.state(ctx).lang)))
    due_at = service.deadline(due, "--due") if due else None
    whole = (fmt or cmd.state(ctx).fmt) == "json"
    with cmd.writing(ctx) as s:
        case_id = service.open_case(s, title=title, description=description, category=category,
                                    building=building, grid=grid, community=community, source=source,
                                    request_type=request_type, priority=priority, reporter_name=reporter,
                                    reporter_phone=phone, reported_at=_at(at), due=due_at)
        row = service.show_case(s, case_id) if whole else None
    if whole:
        _done(ctx, fmt, lang, row)
    else:
        typer.echo(case_id)


# ---- reading -----------------------------------------------------------------------------

LIST_COLS = (("id", "Id", "编号"), ("reported_at", "Reported", "上报时间"), ("status", "Status", "状态", True),
             ("priority", "Priority", "紧急程度", True), ("category_name", "Category", "类别"),
             ("title", "Title", "标题"), ("place", "Place", "地点"), ("handler_name", "Handler", "承办方"),
             ("resolve_by", "Resolve by", "办结时限"), ("overdue", "Overdue", "超期"),
             ("escalation_level", "Escalated", "督办级别"))


@case_app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[Optional[list[str]], typer.Option("--status", help="new, accepted, rejected, dispatched, replied, closed, rated, cancelled, or open; repeat or comma-separate.")] = None,
    area: Annotated[Optional[str], typer.Option("--area", "--grid", "--community", help="At or under this area (a grid, community, street or town; --grid and --community are other names for it).")] = None,
    category: Annotated[Optional[str], typer.Option("--category", "-c", help="Code or name; a class includes its subclasses.")] = None,
    handler: Annotated[Optional[str], typer.Option("--handler", help="Dispatched to this organization or person.")] = None,
    source: Annotated[Optional[str], typer.Option("--source", "-s", help="patrol, hotline, …")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Open and past the resolve-by deadline.")] = False,
    escalated: Annotated[bool, typer.Option("--escalated", help="Escalated (督办) cases.")] = False,
    since: Annotated[Optional[str], typer.Option("--since", help="Reported on or after this date or time.")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Reported up to this date (inclusive) or before this time.")] = None,
    search: Annotated[Optional[str], typer.Option("--search", help="Title or description contains.")] = None,
    sort: Annotated[str, typer.Option("--sort", help="reported, due, updated, id or status; '-' first sorts descending.")] = "-reported",
    limit: Annotated[int, typer.Option("--limit", min=0, help="At most this many (0: all).")] = 100,
    fmt: FormatOpt = None, lang: LangOpt = None, reveal: RevealOpt = False, reason: ReasonOpt = None,
):
    """List cases, newest first.

    \b
    Examples:
      cgov case list --status open --area cj-yh4
      cgov case list --overdue --sort due
      cgov case list --since 2026-11-16 --until 2026-11-22 --category 楼道堆物 -f json"""
    from cgov.cases import metrics, service
    from cgov.core.output import render_list

    o = cmd.out(ctx, fmt, lang, reveal, reason)
    filters = dict(status=status, area=area, category=category, handler=handler, source=source,
                   overdue=overdue, escalated=escalated, search=search,
                   since=metrics.bound(since, "--since") if since else None,
                   until=metrics.bound(until, "--until", end=True) if until else None)
    with cmd.reading(ctx) as s:
        rows = service.list_cases(s, sort=sort, limit=limit or None, **filters)
        # Chatter for a person at a terminal only; scripts get just the rows.
        more = limit and len(rows) == limit and sys.stderr.isatty()
        total = service.count_cases(s, **filters) if more else len(rows)
    render_list(rows, _cols(*LIST_COLS), o)
    if total > len(rows):
        cmd.echo_err(i18n.t(f"showing {len(rows)} of {total}; --limit 0 shows all",
                            f"共{total}件，显示{len(rows)}件；--limit 0 显示全部", o.lang))
    cmd.log_reveal(ctx, o, "case")


SHOW_COLS = (("id", "Id", "编号"), ("title", "Title", "标题"), ("status", "Status", "状态", True),
             ("category", "Category", "类别代码"), ("category_name", "Category name", "类别"),
             ("source", "Source", "来源", True), ("request_type", "Request", "诉求类型", True),
             ("priority", "Priority", "紧急程度", True), ("place", "Place", "地点"),
             ("reporter_name", "Reporter", "反映人"), ("reporter_phone", "Phone", "联系电话"),
             ("reported_at", "Reported", "上报时间"), ("respond_by", "Respond by", "响应时限"),
             ("responded_at", "Responded", "响应时间"), ("resolve_by", "Resolve by", "办结时限"),
             ("handler_name", "Handler", "承办方"), ("closed_at", "Closed", "结案时间"),
             ("resolved", "Resolved", "已解决"), ("satisfaction", "Satisfaction", "满意度", True),
             ("escalation_level", "Escalation level", "督办级别"), ("reopen_count", "Reopened", "返工次数"),
             ("extension_count", "Extensions", "延期次数"), ("duplicate_of", "Duplicate of", "重复于"),
             ("duplicates", "Duplicates", "重复件"), ("overdue", "Overdue", "超期"),
             ("overdue_hours", "Hours overdue", "超期小时数"),
             ("description", "Description", "详情"))
EVENT_COLS = (("at", "When", "时间"), ("kind", "Step", "环节", True), ("actor", "By", "操作人"),
              ("detail", "Detail", "内容"), ("note", "Note", "说明"))


def _detail(e: dict, case: dict, lang: str) -> str:
    """One line for a step of the timeline, in the reader's language."""
    from cgov.core import clock

    t = i18n.t
    kind = e["kind"]
    if kind == "add":
        who = case.get("reporter_name")
        return i18n.label(case["source"], lang, LABELS) + (f" · {who}" if who else "")
    if kind == "dispatch":
        return f"→ {e['to_name'] or e['to']}"
    if kind == "rate":
        done = t("resolved", "已解决", lang) if e["resolved"] else t("not resolved", "未解决", lang)
        return f"{done}, {i18n.label(e['satisfaction'], lang, LABELS)}"
    if kind == "extend":
        return (f"{clock.fmt_local(e['previous'])} → {clock.fmt_local(e['until'])}"
                f" ({t('approved by', '审批', lang)} {e['approver']})")
    if kind == "escalate":
        return t(f"level {e['level']}", f"{e['level']}级督办", lang)
    if kind == "link":
        return t(f"duplicate of {e['duplicate_of']}", f"重复于 {e['duplicate_of']}", lang)
    return ""


@case_app.command("show")
def show(ctx: typer.Context, case: CaseArg, fmt: FormatOpt = None, lang: LangOpt = None,
         reveal: RevealOpt = False, reason: ReasonOpt = None):
    """Show a case and draw its timeline.

    Example: cgov case show C2026-000123 --lang zh"""
    from cgov.cases import service
    from cgov.core.output import Part, render_show

    o = cmd.out(ctx, fmt, lang, reveal, reason)
    with cmd.reading(ctx) as s:
        row = service.show_case(s, case)
    if o.fmt != "json":
        for e in row["events"]:
            e["detail"] = _detail(e, row, o.lang)
    # On paper, only what the case has; JSON keeps every key for scripts.
    fields = SHOW_COLS if o.fmt == "json" else [c for c in SHOW_COLS if row.get(c[0]) not in (None, "", [], 0)]
    render_show(row, _cols(*fields), o, [Part("events", "Timeline", "办理过程", _cols(*EVENT_COLS))])
    cmd.log_reveal(ctx, o, "case")


# ---- the flow --------------------------------------------------------------------------------

@case_app.command("accept")
def accept(ctx: typer.Context, case: CaseArg, note: NoteOpt = None, at: AtOpt = None,
           fmt: FormatOpt = None, lang: LangOpt = None):
    """Accept a new case (应哨).

    Example: cgov case accept C2026-000123 --at "2026-11-16 09:30\""""
    from cgov.cases import service

    with cmd.writing(ctx) as s:
        row = service.accept(s, case, note=note, at=_at(at))
    _done(ctx, fmt, lang, row)


@case_app.command("reject")
def reject(ctx: typer.Context, case: CaseArg, reason: StepReason, at: AtOpt = None,
           fmt: FormatOpt = None, lang: LangOpt = None):
    """Refuse a new case (不予受理), with the reason.

    Example: cgov case reject C2026-000123 --reason "属民事纠纷，已引导至法院起诉\""""
    from cgov.cases import service

    with cmd.writing(ctx) as s:
        row = service.reject(s, case, reason=reason, at=_at(at))
    _done(ctx, fmt, lang, row)


@case_app.command("dispatch")
def dispatch(
    ctx: typer.Context, case: CaseArg,
    to: Annotated[Optional[str], typer.Option("--to", help="Organization or person (id or name), or a rule such as department:派出所; default: the category's handler.")] = None,
    note: NoteOpt = None, at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Dispatch a case (派单); again to re-dispatch. Without --to it goes to the
    category's default handler for the case's community (the property company
    for stairwell clutter, the police station for noise, …).

    \b
    Examples:
      cgov case dispatch C2026-000123
      cgov case dispatch C2026-000123 --to cj-urban --note "涉及违章搭建\""""
    from cgov.cases import service

    with cmd.writing(ctx) as s:
        row = service.dispatch(s, case, to=to, note=note, at=_at(at))
    _done(ctx, fmt, lang, row, f" → {row['handler_name'] or row['handler']} ({row['handler']})")


@case_app.command("reply")
def reply(ctx: typer.Context, case: CaseArg,
          result: Annotated[str, typer.Argument(help="What the handler did.", show_default=False)],
          at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None):
    """Record the handler's result (办理反馈).

    Example: cgov case reply C2026-000123 "物业已清理楼道纸箱，并张贴告示\""""
    from cgov.cases import service

    with cmd.writing(ctx) as s:
        row = service.reply(s, case, result=result, at=_at(at))
    _done(ctx, fmt, lang, row)


@case_app.command("close")
def close(ctx: typer.Context, case: CaseArg, note: NoteOpt = None, at: AtOpt = None,
          fmt: FormatOpt = None, lang: LangOpt = None):
    """Check the result and close the case (核查结案).

    Example: cgov case close C2026-000123 --note "网格员现场核查，已清理\""""
    from cgov.cases import service

    with cmd.writing(ctx) as s:
        row = service.close(s, case, note=note, at=_at(at))
    _done(ctx, fmt, lang, row)


@case_app.command("rate")
def rate(
    ctx: typer.Context, case: CaseArg,
    resolved: Annotated[Optional[bool], typer.Option("--resolved/--unresolved", help="Did it get resolved? (required)", show_default=False)] = None,
    satisfaction: Annotated[Optional[str], typer.Option("--satisfaction", help="satisfied (满意), basic (基本满意) or dissatisfied (不满意).")] = None,
    note: NoteOpt = None, at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Record the resident's rating of a closed case (评价).

    Example: cgov case rate C2026-000123 --resolved --satisfaction satisfied"""
    from cgov.cases import service

    with cmd.writing(ctx) as s:
        row = service.rate(s, case, resolved=resolved, satisfaction=satisfaction, note=note, at=_at(at))
    _done(ctx, fmt, lang, row)


@case_app.command("reopen")
def reopen(ctx: typer.Context, case: CaseArg, reason: StepReason, at: AtOpt = None,
           fmt: FormatOpt = None, lang: LangOpt = None):
    """Send a replied or closed case back to its handler (返工).

    Example: cgov case reopen C2026-000123 --reason "居民反映纸箱又堆回来了\""""
    from cgov.cases import service

    with cmd.writing(ctx) as s:
        row = service.reopen(s, case, reason=reason, at=_at(at))
    _done(ctx, fmt, lang, row)


@case_app.command("extend")
def extend(
    ctx: typer.Context, case: CaseArg,
    until: Annotated[str, typer.Option("--until", help="The new resolve-by deadline; a date means the end of that day.", show_default=False)],
    reason: StepReason,
    approver: Annotated[str, typer.Option("--approver", help="Who approved the extension.", show_default=False)],
    at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Move the resolve-by deadline (延期); every extension is kept.

    Example: cgov case extend C2026-000123 --until 2026-11-30 --reason "需等待配件" --approver 王建国"""
    from cgov.cases import service
    from cgov.core import clock

    with cmd.writing(ctx) as s:
        row = service.extend(s, case, until=service.deadline(until, "--until"), reason=reason,
                             approver=approver, at=_at(at))
    _done(ctx, fmt, lang, row, f" → {clock.fmt_local(row['resolve_by'])}")


@case_app.command("escalate")
def escalate(
    ctx: typer.Context, case: CaseArg,
    level: Annotated[Optional[int], typer.Option("--level", help="1 to 3 (default: one above the current).")] = None,
    note: NoteOpt = None, at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Flag a case for supervision (督办); lists show the level.

    Example: cgov case escalate C2026-000123 --level 2 --note "超期未办结，镇级督办\""""
    from cgov.cases import service

    with cmd.writing(ctx) as s:
        row = service.escalate(s, case, level=level, note=note, at=_at(at))
    _done(ctx, fmt, lang, row, f" (escalated, level {row['escalation_level']})", f"（{row['escalation_level']}级督办）")


@case_app.command("cancel")
def cancel(ctx: typer.Context, case: CaseArg, reason: StepReason, at: AtOpt = None,
           fmt: FormatOpt = None, lang: LangOpt = None):
    """Cancel a case entered by mistake or withdrawn (作废); metrics leave it out.

    Example: cgov case cancel C2026-000123 --reason "录入错误\""""
    from cgov.cases import service

    with cmd.writing(ctx) as s:
        row = service.cancel(s, case, reason=reason, at=_at(at))
    _done(ctx, fmt, lang, row)


@case_app.command("link")
def link(
    ctx: typer.Context, case: CaseArg,
    duplicate_of: Annotated[str, typer.Option("--duplicate-of", help="The case this one repeats.", show_default=False)],
    note: NoteOpt = None, at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Close a case as a duplicate of another; metrics count only the other.

    Example: cgov case link C2026-000124 --duplicate-of C2026-000123"""
    from cgov.cases import service

    with cmd.writing(ctx) as s:
        row = service.link(s, case, duplicate_of=duplicate_of, note=note, at=_at(at))
    _done(ctx, fmt, lang, row, f" (duplicate of {row['duplicate_of']})", f"（重复于 {row['duplicate_of']}）")


# ---- categories and figures ----------------------------------------------------------------

@case_app.command("categories")
def categories(ctx: typer.Context, fmt: FormatOpt = None, lang: LangOpt = None):
    """List the case categories: code, names, time limits and default handler.

    Shipped with cgov; a YAML `case_categories` section replaces or extends them.

    Example: cgov case categories --lang zh"""
    from cgov.cases import service
    from cgov.core.output import render_list

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = service.list_categories(s)
    if o.lang == "zh" and o.fmt != "json":
        from cgov.cases.taxonomy import describe_zh

        origins = {"shipped": "内置", "replaced": "已替换", "added": "新增"}
        for r in rows:
            r["handler"] = describe_zh(r["handler"]) if r["handler"] else r["handler"]
            r["origin"] = origins.get(r["origin"], r["origin"])
    render_list(rows, _cols(("code", "Code", "代码"), ("name", "Name", "名称"), ("name_en", "English", "英文名"),
                            ("respond_hours", "Respond (h)", "响应时限（小时）"),
                            ("resolve_hours", "Resolve (h)", "办结时限（小时）"),
                            ("handler", "Default handler", "默认承办"), ("origin", "Origin", "来源")), o)


METRIC_COLS = (
    ("reported", "Reported", "上报"), ("responded_on_time", "Responded on time", "按时响应"),
    ("response_rate", "Response rate", "响应率"), ("due", "Due", "应结"),
    ("closed_on_time", "Closed on time", "按期结案"), ("on_time_rate", "On-time rate", "按期结案率"),
    ("due_closed", "Due and closed", "应结已结"), ("closure_rate", "Closure rate", "结案率"),
    ("rated", "Rated", "评价"), ("resolved", "Resolved", "已解决"), ("satisfied", "Satisfied", "满意"),
    ("basic", "Basically satisfied", "基本满意"), ("dissatisfied", "Dissatisfied", "不满意"),
    ("resolution_rate", "Resolution rate", "解决率"), ("satisfaction_rate", "Satisfaction rate", "满意率"),
    ("closed", "Closed", "结案"), ("reopened", "Reopened", "返工"), ("rework_rate", "Rework rate", "返工率"),
    ("extended", "Extended", "延期"), ("median_hours_to_close", "Median hours to close", "结案时长中位数（小时）"),
    ("open_overdue", "Open and overdue", "超期未结"))
# The columns of a table by community, grid, …: the rates and their bases.
GROUP_KEYS = ("reported", "response_rate", "due", "on_time_rate", "closure_rate", "rated", "resolution_rate",
              "satisfaction_rate", "closed", "rework_rate", "extended", "median_hours_to_close", "open_overdue")


@case_app.command("stats")
def stats(
    ctx: typer.Context,
    week: Annotated[Optional[str], typer.Option("--week", help="ISO week, e.g. 2026-W47 (default: this week).")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="From this date or time (local).")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="To this date (inclusive) or before this time.")] = None,
    area: Annotated[Optional[str], typer.Option("--area", help="Only cases at or under this area.")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="community, grid, category or handler.")] = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """The figures a community is assessed on: response, on-time and closure
    rates, resolution and satisfaction, rework, extensions, overdue cases.

    \b
    Examples:
      cgov case stats --week 2026-W47 --by community --lang zh
      cgov case stats --since 2026-10-01 --until 2026-10-31 --area cj-yh4 -f json"""
    import datetime as dt

    from cgov.cases import metrics
    from cgov.core import clock
    from cgov.core.output import render_list, render_show

    o = cmd.out(ctx, fmt, lang)
    start, end = metrics.period(week, since, until)
    with cmd.reading(ctx) as s:
        result = metrics.metrics(s, start, end, area=area, by=by)
    if o.fmt == "json":
        render_show(result, [], o)
        return
    last = clock.to_local(end - dt.timedelta(seconds=1))
    span = f"{clock.to_local(start):%Y-%m-%d} – {last:%Y-%m-%d}"
    where = f" · {result['area_name']}" if result["area_name"] else ""
    heading = i18n.t(f"Cases {span}{where}", f"案件 {span}{where}", o.lang)
    if o.fmt in ("plain", "table", "md"):
        o.write(("### " if o.fmt == "md" else "") + heading + "\n\n")
    if by is None:
        render_show(result, _cols(*METRIC_COLS), o)
        return
    keys = [c[0] for c in METRIC_COLS] if o.fmt == "csv" else list(GROUP_KEYS)
    cols = [("key", by.capitalize(), GROUPING[by]), ("name", "Name", "名称")]
    cols += [c for c in METRIC_COLS if c[0] in keys]
    none = i18n.t("(none)", "（无）", o.lang)  # cases with no community, category or handler yet
    rows = [{**g, "name": g["name"] or (none if g["key"] is None else g["key"])} for g in result["groups"]]
    total = {"key": "", "name": i18n.t("All", "合计", o.lang), **{k: result[k] for k in keys}}
    render_list(rows + [total], _cols(*cols), o)
