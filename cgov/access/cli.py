"""`cgov access …`: the work-item access list (社区工作事项准入).

Thin: parse, call cgov.access.service, render. Heavy imports stay inside the
commands so `cgov --help` stays quick."""

from typing import Annotated, Optional

import typer

from cgov.access.labels import LABELS
from cgov.core import cmd
from cgov.core.cmd import AtOpt, FormatOpt, LangOpt


access_app = cmd.sub_app("The work-item access list (社区工作事项准入): what departments may hand down to communities.")

DeptOpt = Annotated[Optional[str], typer.Option(
    "--department", "-d", help="Department (organization of classification department): id or name.")]
KindOpt = Annotated[str, typer.Option(
    "--kind", help="duty (依法履职), assist (依法协助) or negative (负面清单).")]
BasisOpt = Annotated[Optional[str], typer.Option("--basis", help="Legal basis: the law or document behind it.")]
FundingOpt = Annotated[Optional[int], typer.Option(
    "--funding", help="Funding the department provides, CNY a year.", show_default=False)]
ConditionsOpt = Annotated[Optional[str], typer.Option(
    "--conditions", help="Working conditions the department provides (equipment, training, staff…).")]
FromOpt = Annotated[Optional[str], typer.Option("--valid-from", help="In force from this date (YYYY-MM-DD).")]
UntilOpt = Annotated[Optional[str], typer.Option(
    "--valid-until", help="In force until this date, inclusive (YYYY-MM-DD).")]
LimitDaysOpt = Annotated[Optional[int], typer.Option(
    "--limit-days", show_default=False,
    help="Working days an application may wait before it is overdue (default 15, or CGOV_ACCESS_LIMIT_DAYS).")]
ItemArg = Annotated[str, typer.Argument(help="Item id (A-0001) or exact name.")]
NameArg = Annotated[str, typer.Argument(help="The item's name, e.g. 燃气安全隐患排查台账填报.")]

ITEM_COLS = (("id", "Id", "编号"), ("name", "Name", "事项名称"), ("department_name", "Department", "责任部门"),
             ("kind", "Kind", "类别", True), ("status", "Status", "状态", True),
             ("funding", "Funding (CNY/yr)", "经费（元/年）"), ("valid_until", "Valid until", "有效期至"),
             ("due", "Due", "办结期限"), ("overdue", "Overdue", "超期"))
SHOW_COLS = (("id", "Id", "编号"), ("name", "Name", "事项名称"), ("department", "Department", "责任部门"),
             ("department_name", "Department name", "部门名称"), ("kind", "Kind", "类别", True),
             ("status", "Status", "状态", True), ("basis", "Legal basis", "依据"),
             ("funding", "Funding (CNY/yr)", "经费（元/年）"), ("conditions", "Working conditions", "工作条件"),
             ("valid_from", "Valid from", "生效日期"), ("valid_until", "Valid until", "有效期至"),
             ("applied_at", "Applied", "申请时间"), ("due", "Due", "办结期限"),
             ("waited", "Working days taken", "已用工作日"), ("overdue", "Overdue", "超期"),
             ("decided_at", "Decided", "审核时间"), ("late", "Decided late", "超期审核"), ("reason", "Reason", "理由"))
HISTORY_COLS = (("at", "When", "时间"), ("action", "Step", "环节", True), ("status", "Status", "状态", True),
                ("reason", "Reason", "理由"), ("by", "By", "操作人"))
CANDIDATE_COLS = (("id", "Id", "编号"), ("name", "Name", "事项名称"), ("department_name", "Department", "责任部门"),
                  ("kind", "Kind", "类别", True), ("status", "Status", "状态", True), ("score", "Score", "相似度"),
                  ("match", "Match", "匹配"))
REFUSAL_COLS = (("id", "Id", "编号"), ("at", "When", "时间"), ("department_name", "Department", "提出部门"),
                ("request", "Request", "交办内容"), ("item", "Item", "对应事项"), ("item_name", "Item name", "事项名称"),
                ("reason", "Reason", "理由"))


def _cols(*spec):
    from cgov.core.output import cols

    return cols(*spec, labels=LABELS)


def _date(value: str | None, what: str):
    from cgov.core import clock

    return clock.parse_date(value, what) if value else None


def _at(value: str | None):
    from cgov.core import clock

    return clock.parse_at(value) if value else None


def _done(ctx: typer.Context, row: dict, fmt, lang, line: str) -> None:
    """After a change: the record under -f json, else one line for the shell."""
    from cgov.core.output import render_show

    o = cmd.out(ctx, fmt, lang)
    if o.fmt == "json":
        render_show(row, [], o)
    else:
        typer.echo(line)


def _created(ctx, fmt, lang, action, name, department, kind, basis, funding, conditions, valid_from,
             valid_until, at):
    from cgov.access import service

    cmd.out(ctx, fmt, lang)  # a bad --format fails before anything is written
    create = service.add_item if action == "add" else service.apply_item
    with cmd.writing(ctx) as s:
        row = create(s, name, department, kind, basis=basis, funding=funding, conditions=conditions,
                     valid_from=_date(valid_from, "--valid-from"), valid_until=_date(valid_until, "--valid-until"),
                     at=_at(at))
    _done(ctx, row, fmt, lang, row["id"])


@access_app.command("add")
def add(ctx: typer.Context, name: NameArg, department: Annotated[str, typer.Option(
            "--department", "-d", help="Responsible department: id or name.")],
        kind: KindOpt, basis: BasisOpt = None, funding: FundingOpt = None, conditions: ConditionsOpt = None,
        valid_from: FromOpt = None, valid_until: UntilOpt = None, at: AtOpt = None,
        fmt: FormatOpt = None, lang: LangOpt = None):
    """Admit an item directly (the street seeding its list); prints the new id.

    Refused for an assist item with neither funding nor conditions, an item
    matching the negative list, or one duplicating an admitted item.

    Examples:

    \b
      cgov access add 退役军人信息采集 -d cj-civil --kind assist --funding 3000 --basis 《退役军人保障法》第十一条
      cgov access add 出具居民无犯罪记录证明 -d cj-police --kind negative"""
    _created(ctx, fmt, lang, "add", name, department, kind, basis, funding, conditions, valid_from,
             valid_until, at)


@access_app.command("apply")
def apply(ctx: typer.Context, name: NameArg, department: Annotated[str, typer.Option(
              "--department", "-d", help="The applying department: id or name.")],
          kind: KindOpt, basis: BasisOpt = None, funding: FundingOpt = None, conditions: ConditionsOpt = None,
          valid_from: FromOpt = None, valid_until: UntilOpt = None, at: AtOpt = None,
          fmt: FormatOpt = None, lang: LangOpt = None):
    """Record a department's application for an item; prints the new id.

    It stays pending until approved or rejected, and is flagged overdue after
    15 working days (--limit-days on list/show/stats, or CGOV_ACCESS_LIMIT_DAYS).

    Example:

    \b
      cgov access apply 燃气安全隐患排查台账填报 -d cj-fire --kind assist --funding 12000 --conditions 提供排查表和培训 --at 2026-11-02T10:00"""
    _created(ctx, fmt, lang, "apply", name, department, kind, basis, funding, conditions, valid_from,
             valid_until, at)


@access_app.command("approve")
def approve(ctx: typer.Context, item: ItemArg,
            note: Annotated[Optional[str], typer.Option("--note", help="A note on the decision.")] = None,
            funding: FundingOpt = None, conditions: ConditionsOpt = None, at: AtOpt = None,
            fmt: FormatOpt = None, lang: LangOpt = None):
    """Admit a pending application. Funding and conditions agreed at review can be given here.

    Example: cgov access approve A-0041 --funding 8000 --at 2026-11-16T15:00"""
    from cgov.access import service

    cmd.out(ctx, fmt, lang)
    with cmd.writing(ctx) as s:
        row = service.approve(s, item, at=_at(at), note=note, funding=funding, conditions=conditions)
    _decided(ctx, row, fmt, lang)


ReasonArg = Annotated[str, typer.Option("--reason", help="Why; recorded with the decision.")]


@access_app.command("reject")
def reject(ctx: typer.Context, item: ItemArg, reason: ReasonArg, at: AtOpt = None,
           fmt: FormatOpt = None, lang: LangOpt = None):
    """Reject a pending application, saying why.

    Example: cgov access reject A-0042 --reason 属部门自身职责，不得转嫁社区"""
    from cgov.access import service

    cmd.out(ctx, fmt, lang)
    with cmd.writing(ctx) as s:
        row = service.reject(s, item, reason, at=_at(at))
    _decided(ctx, row, fmt, lang)


@access_app.command("revoke")
def revoke(ctx: typer.Context, item: ItemArg, reason: ReasonArg, at: AtOpt = None,
           fmt: FormatOpt = None, lang: LangOpt = None):
    """Take an admitted item off the list (退出), saying why.

    Example: cgov access revoke A-0007 --reason 台账合并至一表通 --at 2026-11-10"""
    from cgov.access import service

    cmd.out(ctx, fmt, lang)
    with cmd.writing(ctx) as s:
        row = service.revoke(s, item, reason, at=_at(at))
    _decided(ctx, row, fmt, lang)


def _decided(ctx, row, fmt, lang):
    o = cmd.out(ctx, fmt, lang)
    status = LABELS.get(row["status"], row["status"]) if o.lang == "zh" else row["status"]
    _done(ctx, row, fmt, lang, f"{row['id']} {status}")


@access_app.command("list")
def list_(ctx: typer.Context, department: DeptOpt = None,
          kind: Annotated[Optional[str], typer.Option("--kind", help="duty, assist or negative.")] = None,
          status: Annotated[Optional[str], typer.Option(
              "--status", help="pending, admitted, rejected, revoked or expired.")] = None,
          overdue: Annotated[bool, typer.Option("--overdue", help="Only applications past the limit.")] = False,
          search: Annotated[Optional[str], typer.Option("--search", "-s", help="Name contains.")] = None,
          limit_days: LimitDaysOpt = None, fmt: FormatOpt = None, lang: LangOpt = None):
    """List the items with department, kind, status, funding and, for
    applications, the due date and overdue flag.

    Examples:

    \b
      cgov access list --status admitted --lang zh
      cgov access list --overdue -d cj-fire -f json"""
    from cgov.access import service
    from cgov.core.output import render_list

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = service.list_items(s, department=department, kind=kind, status=status, overdue=overdue,
                                  search=search, limit_days=limit_days)
    render_list(rows, _cols(*ITEM_COLS), o)


@access_app.command("show")
def show(ctx: typer.Context, item: ItemArg, limit_days: LimitDaysOpt = None,
         fmt: FormatOpt = None, lang: LangOpt = None):
    """Show an item: its fields, dated history, similar items on the list and,
    for an application, what stands in the way of admitting it.

    Example: cgov access show A-0001 --lang zh"""
    from cgov.access import service
    from cgov.core.output import Part, render_show

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        row = service.show_item(s, item, limit_days=limit_days)
    render_show(row, _cols(*SHOW_COLS), o, [
        Part("history", "History", "办理经过", _cols(*HISTORY_COLS)),
        Part("similar", "Similar items", "相似事项", _cols(*CANDIDATE_COLS[:-1])),
        Part("problems", "Cannot be admitted as it stands", "准入障碍",
             _cols(("problem", "Problem", "问题"), ("hint", "What to do", "处理建议")))])


@access_app.command("check")
def check(ctx: typer.Context,
          request: Annotated[str, typer.Argument(help="What the department asks, in its own words.")],
          department: DeptOpt = None,
          limit: Annotated[int, typer.Option("--limit", min=1, help="How many candidates to show.")] = 5,
          fmt: FormatOpt = None, lang: LangOpt = None):
    """The gatekeeper: is a department's request on the list? Answers admitted
    (which item, its funding), refused (negative list, or rejected or revoked
    before) or not-listed (the department must apply), with the closest items
    and their scores. Exit code 0 in every case; the verdict is `verdict` in JSON.

    Examples:

    \b
      cgov access check "帮忙填一下燃气安全排查台账"
      cgov access check 开个无犯罪记录证明 -d cj-police -f json"""
    from cgov.access import service
    from cgov.core.output import Part, render_show

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        result = service.check(s, request, department=department, limit=limit)
    result["reason"] = service.explain(result, o.lang)
    render_show(result, _cols(("request", "Request", "交办内容"), ("verdict", "Verdict", "结论", True),
                              ("reason", "Why", "说明"), ("item", "Item", "对应事项"),
                              ("item_name", "Item name", "事项名称"), ("score", "Score", "相似度")), o,
                [Part("candidates", "Closest items", "最接近的事项", _cols(*CANDIDATE_COLS))])


@access_app.command("refuse")
def refuse(ctx: typer.Context,
           request: Annotated[str, typer.Argument(help="What the department asked for.")],
           department: Annotated[str, typer.Option("--department", "-d", help="Who asked: id or name.")],
           item: Annotated[Optional[str], typer.Option(
               "--item", help="The list item it was refused under (default: what check matches).")] = None,
           reason: Annotated[Optional[str], typer.Option(
               "--reason", help="Why (needed when the request matches an admitted item).")] = None,
           at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None):
    """Record a request that was turned away, so the burden cut is evidenced,
    not claimed; prints the new id.

    Example: cgov access refuse 帮忙开一张无犯罪记录证明 -d cj-police --at 2026-11-12T10:30"""
    from cgov.access import service

    cmd.out(ctx, fmt, lang)
    with cmd.writing(ctx) as s:
        row = service.refuse(s, request, department, item=item, reason=reason, at=_at(at))
    _done(ctx, row, fmt, lang, row["id"])


@access_app.command("refusals")
def refusals(ctx: typer.Context, department: DeptOpt = None,
             since: Annotated[Optional[str], typer.Option("--since", help="From this date (YYYY-MM-DD).")] = None,
             until: Annotated[Optional[str], typer.Option("--until", help="Before this date (YYYY-MM-DD).")] = None,
             fmt: FormatOpt = None, lang: LangOpt = None):
    """List the requests turned away (recorded with `access refuse`).

    Example: cgov access refusals -d cj-police --since 2026-11-01"""
    from cgov.access import service
    from cgov.core import clock
    from cgov.core.output import render_list

    o = cmd.out(ctx, fmt, lang)
    since_at = clock.parse_at(since, "--since") if since else None
    until_at = clock.parse_at(until, "--until") if until else None
    with cmd.reading(ctx) as s:
        rows = service.list_refusals(s, department=department, since=since_at, until=until_at)
    render_list(rows, _cols(*REFUSAL_COLS), o)


@access_app.command("stats")
def stats(ctx: typer.Context,
          baseline: Annotated[Optional[int], typer.Option(
              "--baseline", help="Items on the list before the cut (Hefei: 156).", show_default=False)] = None,
          baseline_date: Annotated[Optional[str], typer.Option(
              "--baseline-date", help="Take the baseline as the items in force on this date.")] = None,
          limit_days: LimitDaysOpt = None, fmt: FormatOpt = None, lang: LangOpt = None):
    """The burden cut: admitted duty and assist items now against the
    baseline and the reduction rate (156 → 73 is 53.2%), by department and by
    kind, applications received/decided/overdue, requests refused.

    Examples:

    \b
      cgov access stats --baseline 156
      cgov access stats --baseline-date 2026-10-31 -f json"""
    from cgov.access import service
    from cgov.core.output import Part, render_show

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        result = service.stats(s, baseline=baseline, baseline_date=_date(baseline_date, "--baseline-date"),
                               limit_days=limit_days)
    counts = (("admitted", "Admitted", "准入"), ("pending", "Pending", "待审核"),
              ("overdue", "Overdue", "超期"), ("rejected", "Rejected", "驳回"), ("revoked", "Revoked", "退出"))
    render_show(result, _cols(
        ("as_of", "As of", "统计日期"), ("baseline", "Baseline", "基数"), ("baseline_date", "Baseline date", "基数日期"),
        ("admitted", "Admitted now (duty + assist)", "现准入事项（履职+协助）"), ("reduction", "Cut by", "减少"),
        ("reduction_rate", "Reduction rate", "精简率"), ("negative", "Negative list", "负面清单事项"),
        ("funding", "Funding (CNY/yr)", "配套经费（元/年）"),
        ("applications_received", "Applications received", "收到申请"),
        ("applications_decided", "Applications decided", "已审核申请"),
        ("applications_admitted", "Applications admitted", "批准准入"),
        ("applications_rejected", "Applications rejected", "驳回申请"),
        ("applications_pending", "Applications pending", "待审核申请"),
        ("applications_overdue", "Applications overdue", "超期未审核"),
        ("refused_requests", "Requests refused", "拒绝承接"),
        ("limit_days", "Limit (working days)", "审核时限（工作日）")), o, [
        Part("by_department", "By department", "按部门", _cols(
            ("department", "Id", "编号"), ("department_name", "Department", "部门"), *counts[:1],
            ("negative", "Negative", "负面清单"), ("funding", "Funding (CNY/yr)", "经费（元/年）"), *counts[1:],
            ("refused_requests", "Requests refused", "拒绝承接"))),
        Part("by_kind", "By kind", "按类别", _cols(("kind", "Kind", "类别", True), *counts[:2], *counts[3:],
                                                    ("expired", "Expired", "到期")))])
