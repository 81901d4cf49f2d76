"""`cgov need|resource|project …`: the three lists (三个清单) and micro-wishes.

Thin: parse, call cgov.volunteers.lists, render. Heavy imports stay inside
the commands."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cgov.core import cmd, i18n
from cgov.core.cmd import AtOpt, FormatOpt, LangOpt
from cgov.volunteers import cli_util as u

need_app = cmd.sub_app("Needs and micro-wishes (需求清单、微心愿).")
resource_app = cmd.sub_app("Resources offered by co-building units (资源清单).")
project_app = cmd.sub_app("Projects matching needs to resources (项目清单).")

NeedArg = Annotated[str, typer.Argument(help="Need id, e.g. N-0003.", show_default=False)]
ResourceArg = Annotated[str, typer.Argument(help="Resource id, e.g. RS-0002.", show_default=False)]
ProjectArg = Annotated[str, typer.Argument(help="Project id, e.g. PJ-0001.", show_default=False)]
TitleArg = Annotated[str, typer.Argument(help="A short title.", show_default=False)]
CategoryOpt = Annotated[Optional[str], typer.Option(
    "--category", "-c", help="elderly, children, health, education, culture, environment, safety, legal, finance, "
                             "employment, repair, daily-life, other (or the Chinese name).")]
AreaOpt = Annotated[Optional[str], typer.Option("--area", help="Under this area (a town includes its communities).")]
DescriptionOpt = Annotated[Optional[str], typer.Option("--description", "-d", help="Details.")]
ReasonOpt = Annotated[str, typer.Option("--reason", show_default=False, help="Why (kept with the record).")]
NoteOpt = Annotated[Optional[str], typer.Option("--note", "-n", help="A remark: what was done.")]


def _category_given(category: str | None) -> str:
    if not category:
        from cgov.core.errors import Invalid

        raise Invalid("say what it is about with --category", hint="e.g. --category repair (维修服务)")
    return category


# ---- needs ----------------------------------------------------------------------------------

NEED_COLS = (("id", "Id", "编号"), ("posted_at", "Posted", "发布时间"), ("kind", "Kind", "类型", True),
             ("category", "Category", "类别", True), ("title", "Title", "内容"), ("person_name", "From", "提出人"),
             ("area_name", "Where", "地点"), ("status", "Status", "状态", True), ("claimed_by_name", "Taken by", "认领方"),
             ("project", "Project", "项目"))
NEED_SHOW = (*NEED_COLS[:5], ("description", "Description", "详情"), ("person", "Person id", "提出人编号"),
             *NEED_COLS[5:7], ("community_name", "Community", "社区"), NEED_COLS[7], ("claimed_by", "Taken by (id)", "认领方编号"),
             NEED_COLS[8], ("claimed_at", "Claimed", "认领时间"), ("fulfilled_at", "Fulfilled", "实现时间"),
             ("withdrawn_at", "Withdrawn", "撤回时间"), NEED_COLS[9], ("note", "Note", "说明"))


@need_app.command("add")
def need_add(
    ctx: typer.Context,
    title: TitleArg,
    category: CategoryOpt = None,
    wish: Annotated[bool, typer.Option("--wish", help="A micro-wish (微心愿): one household's small need.")] = False,
    person: Annotated[Optional[str], typer.Option("--person", "-p", help="Who asks (a micro-wish's household).")] = None,
    area: Annotated[Optional[str], typer.Option("--area", help="Where: a community, grid or building "
                                                               "(default: the person's home).")] = None,
    description: DescriptionOpt = None,
    at: AtOpt = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Post a need or a micro-wish; prints its id.

    \b
    Examples:
      cgov need add "独居老人家中更换厨房水龙头" --wish -p p-0281 -c repair
      cgov need add "第三网格缺少老年助餐点" -c elderly --area cj-yh4-g03"""
    from cgov.volunteers import lists

    with cmd.writing(ctx) as s:
        row = lists.add_need(s, title, _category_given(category), "micro-wish" if wish else "need", person, area,
                             description, u.at(at))
    u.new_id(ctx, fmt, lang, row)


@need_app.command("list")
def need_list(
    ctx: typer.Context,
    status: Annotated[Optional[str], typer.Option("--status", help="open, claimed, fulfilled, withdrawn; "
                                                                   "comma-separate several.")] = None,
    wishes: Annotated[bool, typer.Option("--wishes", help="Micro-wishes only.")] = False,
    category: CategoryOpt = None,
    area: AreaOpt = None,
    claimed_by: Annotated[Optional[str], typer.Option("--claimed-by", help="Taken on by this unit or person.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Posted on or after this date.")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Posted up to this date (inclusive).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="At most this many (0: all).")] = 0,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """List needs and micro-wishes, oldest first.

    \b
    Examples:
      cgov need list --wishes --status open --area cj-yh4
      cgov need list --claimed-by cj-cb-power -f json"""
    from cgov.core.output import render_list
    from cgov.volunteers import lists

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = lists.list_needs(s, status=status, kind="micro-wish" if wishes else None, category_=category,
                                area=area, claimed_by=claimed_by, since=u.since(since), until=u.until(until),
                                limit=limit or None)
    render_list(rows, u.cols(*NEED_COLS), o)


@need_app.command("show")
def need_show(ctx: typer.Context, need: NeedArg, fmt: FormatOpt = None, lang: LangOpt = None):
    """Show a need or micro-wish: who asked, where, who took it on, when it was met.

    Example: cgov need show N-0003"""
    from cgov.core.output import render_show
    from cgov.volunteers import lists

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        row = lists.show_need(s, need)
    render_show(row, u.cols(*NEED_SHOW), o)


@need_app.command("claim")
def need_claim(
    ctx: typer.Context, need: NeedArg,
    by: Annotated[str, typer.Option("--by", show_default=False, help="The unit or person taking it on.")],
    note: NoteOpt = None, at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None,
):
    """A unit or a person takes a need or micro-wish on (认领).

    Example: cgov need claim N-0003 --by cj-cb-power"""
    from cgov.volunteers import lists

    with cmd.writing(ctx) as s:
        row = lists.claim_need(s, need, by, note, u.at(at))
    u.step(ctx, fmt, lang, row)


@need_app.command("release")
def need_release(ctx: typer.Context, need: NeedArg, reason: ReasonOpt, at: AtOpt = None,
                 fmt: FormatOpt = None, lang: LangOpt = None):
    """Give a claimed need back: it is open again.

    \b
    Example:
      cgov need release N-0003 --reason "人手不足，改由其他单位认领\""""
    from cgov.volunteers import lists

    with cmd.writing(ctx) as s:
        row = lists.release_need(s, need, reason, u.at(at))
    u.step(ctx, fmt, lang, row)


@need_app.command("fulfil")
def need_fulfil(ctx: typer.Context, need: NeedArg, note: NoteOpt = None, at: AtOpt = None,
                fmt: FormatOpt = None, lang: LangOpt = None):
    """The claimer has met the need or wish (圆梦): it is closed.

    \b
    Example:
      cgov need fulfil N-0003 --note "已更换新水龙头" --at "2026-11-12 15:00\""""
    from cgov.volunteers import lists

    with cmd.writing(ctx) as s:
        row = lists.fulfil_need(s, need, note, u.at(at))
    u.step(ctx, fmt, lang, row)


@need_app.command("withdraw")
def need_withdraw(ctx: typer.Context, need: NeedArg, reason: ReasonOpt, at: AtOpt = None,
                  fmt: FormatOpt = None, lang: LangOpt = None):
    """Withdraw an open or claimed need (no longer needed, asked twice…).

    Example: cgov need withdraw N-0005 --reason "居民已自行解决\""""
    from cgov.volunteers import lists

    with cmd.writing(ctx) as s:
        row = lists.withdraw_need(s, need, reason, u.at(at))
    u.step(ctx, fmt, lang, row)


# ---- resources --------------------------------------------------------------------------------

RESOURCE_COLS = (("id", "Id", "编号"), ("category", "Category", "类别", True), ("title", "Resource", "资源"),
                 ("provider_name", "Offered by", "提供方"), ("area_name", "Where", "服务范围"),
                 ("status", "Status", "状态", True))
PROJECT_COLS = (("id", "Id", "编号"), ("title", "Project", "项目"), ("owner_name", "Owner", "负责方"),
                ("area_name", "Where", "地点"), ("status", "Status", "状态", True), ("needs", "Needs", "需求数"),
                ("resources", "Resources", "资源数"), ("started_at", "Started", "启动时间"), ("done_at", "Done", "完成时间"))


@resource_app.command("add")
def resource_add(
    ctx: typer.Context,
    title: TitleArg,
    provider: Annotated[str, typer.Option("--provider", "--by", show_default=False,
                                          help="The unit or person offering it.")],
    category: CategoryOpt = None,
    area: Annotated[Optional[str], typer.Option("--area", help="Where it is offered (default: where the unit "
                                                               "works or the person lives).")] = None,
    description: DescriptionOpt = None,
    at: AtOpt = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Offer a resource; prints its id.

    \b
    Example:
      cgov resource add "家电安全用电上门检查" --provider cj-cb-power -c repair --area cj"""
    from cgov.volunteers import lists

    with cmd.writing(ctx) as s:
        row = lists.add_resource(s, title, _category_given(category), provider, area, description, u.at(at))
    u.new_id(ctx, fmt, lang, row)


@resource_app.command("list")
def resource_list(
    ctx: typer.Context,
    status: Annotated[str, typer.Option("--status", help="available, withdrawn or all.")] = "available",
    category: CategoryOpt = None,
    area: Annotated[Optional[str], typer.Option("--area", help="Offered in this area or for a wider one "
                                                               "containing it.")] = None,
    provider: Annotated[Optional[str], typer.Option("--provider", "--by", help="Offered by this unit or person.")] = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """List resources (available ones unless --status says otherwise).

    Example: cgov resource list --area cj-yh4 --category finance"""
    from cgov.core.output import render_list
    from cgov.volunteers import lists

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = lists.list_resources(s, status=None if status == "all" else status, category_=category, area=area,
                                    provider=provider)
    render_list(rows, u.cols(*RESOURCE_COLS), o)


@resource_app.command("show")
def resource_show(ctx: typer.Context, resource: ResourceArg, fmt: FormatOpt = None, lang: LangOpt = None):
    """Show a resource and the projects using it.

    Example: cgov resource show RS-0002"""
    from cgov.core.output import Part, render_show
    from cgov.volunteers import lists

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        row = lists.show_resource(s, resource)
    render_show(row, u.cols(*RESOURCE_COLS, ("provider", "Provider id", "提供方编号"), ("description", "Description", "详情"),
                            ("offered_at", "Offered", "提供时间"), ("withdrawn_at", "Withdrawn", "撤回时间"),
                            ("note", "Note", "说明")), o,
                [Part("projects", "Projects", "项目", u.cols(*PROJECT_COLS[:5]))])


@resource_app.command("withdraw")
def resource_withdraw(ctx: typer.Context, resource: ResourceArg, reason: ReasonOpt, at: AtOpt = None,
                      fmt: FormatOpt = None, lang: LangOpt = None):
    """Withdraw a resource that is no longer offered.

    \b
    Example:
      cgov resource withdraw RS-0004 --reason "场地改建，暂停开放\""""
    from cgov.volunteers import lists

    with cmd.writing(ctx) as s:
        row = lists.withdraw_resource(s, resource, reason, u.at(at))
    u.step(ctx, fmt, lang, row)


# ---- projects -----------------------------------------------------------------------------------

NeedsOpt = Annotated[Optional[list[str]], typer.Option("--need", help="A need it takes on; repeat for more.")]
ResourcesOpt = Annotated[Optional[list[str]], typer.Option("--resource", help="A resource it uses; repeat for more.")]


@project_app.command("add")
def project_add(
    ctx: typer.Context,
    title: TitleArg,
    owner: Annotated[str, typer.Option("--owner", show_default=False, help="The unit or person responsible.")],
    area: Annotated[Optional[str], typer.Option("--area", help="Where it works (default: the first need's "
                                                               "community, else the owner's).")] = None,
    need: NeedsOpt = None, resource: ResourcesOpt = None,
    description: DescriptionOpt = None,
    at: AtOpt = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Plan a project that meets needs with resources; prints its id. The
    needs it takes on are claimed for its owner.

    \b
    Example:
      cgov project add "金融知识进社区" --owner cj-cb-bank --need N-0004 --resource RS-0001"""
    from cgov.volunteers import lists

    with cmd.writing(ctx) as s:
        row = lists.add_project(s, title, owner, area, need or [], resource or [], description, u.at(at))
    u.new_id(ctx, fmt, lang, row)


@project_app.command("list")
def project_list(
    ctx: typer.Context,
    status: Annotated[Optional[str], typer.Option("--status", help="planned, running or done.")] = None,
    area: AreaOpt = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="Owned by this unit or person.")] = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """List projects.

    Example: cgov project list --status running --area cj-yh4"""
    from cgov.core.output import render_list
    from cgov.volunteers import lists

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = lists.list_projects(s, status=status, area=area, owner=owner)
    render_list(rows, u.cols(*PROJECT_COLS), o)


@project_app.command("show")
def project_show(ctx: typer.Context, project: ProjectArg, fmt: FormatOpt = None, lang: LangOpt = None):
    """Show a project with the needs it meets and the resources it uses.

    Example: cgov project show PJ-0001"""
    from cgov.core.output import Part, render_show
    from cgov.volunteers import lists

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        row = lists.show_project(s, project)
    render_show(row, u.cols(*PROJECT_COLS[:5], ("owner", "Owner id", "负责方编号"), ("planned_at", "Planned", "立项时间"),
                            *PROJECT_COLS[7:], ("description", "Description", "详情"), ("note", "Result", "成效")), o, [
        Part("need_list", "Needs", "需求", u.cols(*NEED_COLS[:5], NEED_COLS[7])),
        Part("resource_list", "Resources", "资源", u.cols(*RESOURCE_COLS[:4]))])


@project_app.command("link")
def project_link(ctx: typer.Context, project: ProjectArg, need: NeedsOpt = None, resource: ResourcesOpt = None,
                 at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None):
    """Add needs or resources to a planned or running project.

    Example: cgov project link PJ-0001 --need N-0007 --resource RS-0003"""
    from cgov.volunteers import lists

    with cmd.writing(ctx) as s:
        row = lists.link_project(s, project, need or [], resource or [], u.at(at))
    u.step(ctx, fmt, lang, row)


@project_app.command("start")
def project_start(ctx: typer.Context, project: ProjectArg, at: AtOpt = None,
                  fmt: FormatOpt = None, lang: LangOpt = None):
    """A planned project gets under way.

    Example: cgov project start PJ-0001 --at 2026-11-05"""
    from cgov.volunteers import lists

    with cmd.writing(ctx) as s:
        row = lists.start_project(s, project, u.at(at))
    u.step(ctx, fmt, lang, row)


@project_app.command("done")
def project_done(ctx: typer.Context, project: ProjectArg, note: NoteOpt = None, at: AtOpt = None,
                 fmt: FormatOpt = None, lang: LangOpt = None):
    """A running project is done; the needs it took on are fulfilled with it.

    \b
    Example:
      cgov project done PJ-0001 --note "举办讲座4场，服务居民260人次\""""
    from cgov.volunteers import lists

    with cmd.writing(ctx) as s:
        row = lists.finish_project(s, project, note, u.at(at))
    u.step(ctx, fmt, lang, row)


@project_app.command("match")
def project_match(
    ctx: typer.Context,
    area: AreaOpt = None,
    need: Annotated[Optional[str], typer.Option("--need", help="Only this open need.")] = None,
    top: Annotated[int, typer.Option("--top", help="Suggestions for each need.")] = 3,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Suggest available resources for open needs, by category and area, for a
    person to confirm with `cgov project add … --need … --resource …`.

    \b
    Examples:
      cgov project match --area cj-yh4
      cgov project match --need N-0006 --top 1 -f json"""
    from cgov.core.output import render_list
    from cgov.volunteers import lists

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = lists.match(s, area=area, need=need, top=top)
    render_list(rows, u.cols(("need", "Need", "需求"), ("need_title", "Need title", "需求内容"),
                             ("category", "Category", "类别", True), ("community_name", "Community", "社区"),
                             ("resource", "Resource", "资源"), ("resource_title", "Resource title", "资源内容"),
                             ("provider_name", "Offered by", "提供方"), ("score", "Score", "匹配度"),
                             ("reasons", "Why", "理由", True)), o)
    if rows and o.fmt != "json" and cmd.is_tty():
        cmd.echo_err(i18n.t("confirm one with: cgov project add TITLE --owner … --need … --resource …",
                            "确认匹配：cgov project add 项目名称 --owner … --need … --resource …", o.lang))
