"""`cgov area|grid|org|branch …`: parse, call the org service, render."""

from typing import Annotated, Optional

import typer

from cgov.core import cmd
from cgov.core.cmd import FormatOpt, LangOpt, ReasonOpt, RevealOpt

area_app = cmd.sub_app("Areas: district, street/town, community/village, grid, building.")
grid_app = cmd.sub_app("Grids (网格): who looks after them and the coverage check.")
org_app = cmd.sub_app("Organizations: the party line, committees, property companies, departments.")
branch_app = cmd.sub_app("Party branches (党支部): secretaries and members.")

AreaOpt = Annotated[Optional[str], typer.Option("--area", help="Only under this area (id or name).")]


def _cols(*spec):
    from cgov.core.output import Col

    return [Col(*s) for s in spec]


AREA_COLS = (("id", "Id", "编号"), ("name", "Name", "名称"), ("classification", "Kind", "类别", True),
             ("code", "Code", "代码"), ("parent_name", "Parent", "上级"),
             ("households", "Households", "户数"), ("population", "Population", "人口"))


@area_app.command("list")
def area_list(
    ctx: typer.Context,
    kind: Annotated[Optional[str], typer.Option("--kind", "--classification", help="town, community, grid…")] = None,
    under: Annotated[Optional[str], typer.Option("--under", help="Only areas under this one.")] = None,
    search: Annotated[Optional[str], typer.Option("--search", "-s", help="Name or id contains.")] = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """List areas.

    \b
    Examples:
      cgov area list --kind community
      cgov area list --under cj-yh4 -f json"""
    from cgov.core.output import render_list
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = service.list_areas(s, classification=kind, under=under, search=search)
    render_list(rows, _cols(*AREA_COLS), o)


@area_app.command("show")
def area_show(ctx: typer.Context, area: Annotated[str, typer.Argument(help="Id or name.")],
              fmt: FormatOpt = None, lang: LangOpt = None):
    """Show one area with what lies directly under it and its organizations."""
    from cgov.core.output import Part, render_show
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        row = service.show_area(s, area)
    render_show(row, _cols(*AREA_COLS, ("path", "Path", "所属")), o, [
        Part("children", "Under it", "下辖", _cols(*AREA_COLS[:3], AREA_COLS[5], AREA_COLS[6])),
        Part("organizations", "Organizations", "组织", _cols(("id", "Id", "编号"), ("name", "Name", "名称"),
                                                               ("classification", "Kind", "类别", True)))])


@area_app.command("tree")
def area_tree(ctx: typer.Context,
              root: Annotated[Optional[str], typer.Argument(help="Start here (default: every top area).")] = None,
              depth: Annotated[Optional[int], typer.Option(help="Levels to show.")] = None,
              fmt: FormatOpt = None, lang: LangOpt = None):
    """Draw the areas as a tree, with households and population."""
    from cgov.core.tree import render_tree
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        nodes = service.area_tree(s, root, depth)
    render_tree(nodes, o, lambda n, lang: _area_label(n, lang))


def _area_label(n: dict, lang: str) -> str:
    from cgov.core import i18n

    extra = []
    if n.get("households") is not None:
        extra.append(f"{n['households']} " + i18n.t("households", "户", lang))
    if n.get("population") is not None:
        extra.append(f"{n['population']} " + i18n.t("people", "人", lang))
    tail = f" — {', '.join(extra)}" if extra else ""
    return f"{n['name']} [{i18n.label(n['classification'], lang)}] ({n['id']}){tail}"


GRID_COLS = (("id", "Id", "编号"), ("name", "Name", "名称"), ("community_name", "Community", "社区"),
             ("households", "Households", "户数"), ("population", "Population", "人口"),
             ("buildings", "Buildings", "楼栋"), ("leader", "Leader", "网格长"),
             ("workers", "Workers", "网格员"), ("branch", "Party branch", "党支部"))


@grid_app.command("list")
def grid_list(ctx: typer.Context, area: AreaOpt = None, fmt: FormatOpt = None, lang: LangOpt = None):
    """List grids with households, buildings, leader, workers and party branch.

    Example: cgov grid list --area cj-yh4"""
    from cgov.core.output import render_list
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = service.list_grids(s, area=area)
    render_list(rows, _cols(*GRID_COLS), o)


@grid_app.command("show")
def grid_show(ctx: typer.Context, grid: Annotated[str, typer.Argument(help="Id or name.")],
              fmt: FormatOpt = None, lang: LangOpt = None):
    """Show a grid: community, households, buildings, leader, workers, party branch."""
    from cgov.core.output import Part, render_show
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        row = service.show_grid(s, grid)
    render_show(row, _cols(*GRID_COLS[:6], ("leader", "Leader", "网格长"), ("branch", "Party branch", "党支部"),
                           ("branch_name", "Branch name", "支部名称"), ("branch_secretary", "Branch secretary", "支部书记"),
                           ("branch_full_members", "Full members", "正式党员")), o, [
        Part("worker_list", "Grid workers", "网格员", _cols(("person", "Id", "编号"), ("name", "Name", "姓名"),
                                                            ("full_time", "Full-time", "专职"))),
        Part("building_list", "Buildings", "楼栋", _cols(("id", "Id", "编号"), ("name", "Name", "名称"),
                                                         ("households", "Households", "户数")))])


@grid_app.command("check")
def grid_check(
    ctx: typer.Context,
    area: AreaOpt = None,
    min_households: Annotated[int, typer.Option("--min", help="Fewest households a grid should have.")] = 300,
    max_households: Annotated[int, typer.Option("--max", help="Most households a grid should have.")] = 500,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when there are findings.")] = False,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """The coverage report: grid sizes, buildings in no grid or two, grids with no
    branch, leader or worker, small branches, owners' committees without party
    presence, and the cross-appointment rate.

    Example: cgov grid check --area cj --min 300 --max 500"""
    from cgov.core import i18n
    from cgov.core.errors import Refused
    from cgov.core.output import render_list
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        result = service.grid_check(s, min_households, max_households, area)
    cross = result["cross_appointment"]
    if o.fmt == "json":
        import json

        o.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        from cgov.core.output import Col
        from cgov.org.labels import GRID_RULES

        rules = {rule: zh for rule, (_, zh) in GRID_RULES.items()}
        message = "message_zh" if o.lang == "zh" else "message"
        render_list(result["findings"], [Col("rule", "Rule", "规则", labels=rules), Col("record", "Record", "记录"),
                                         Col("name", "Name", "名称"), Col(message, "Finding", "问题")], o)
        if o.fmt != "csv":
            rate = "n/a" if cross["rate"] is None else f"{cross['rate']:.1%}"
            o.write("\n" + i18n.t(
                f"{len(result['findings'])} findings in {result['grids']} grids; cross-appointment rate {rate} "
                f"({cross['cross_appointed']} of {cross['holders']} owners'-committee and property post holders)",
                f"{result['grids']}个网格，发现问题{len(result['findings'])}项；交叉任职率{rate}"
                f"（业委会、物业任职{cross['holders']}人中{cross['cross_appointed']}人）", o.lang) + "\n")
    if strict and result["findings"]:
        raise Refused(f"{len(result['findings'])} findings (--strict)")


ORG_COLS = (("id", "Id", "编号"), ("name", "Name", "名称"), ("classification", "Kind", "类别", True),
            ("area_name", "Area", "区域"), ("parent", "Parent", "上级"), ("head", "Head", "负责人"),
            ("members", "Members", "人数"))
POST_COLS = (("id", "Post", "职务号"), ("person", "Person", "人员"), ("person_name", "Name", "姓名"),
             ("role", "Role", "职务", True), ("party_status", "Party", "政治面貌", True),
             ("phone", "Phone", "电话"), ("start_date", "Since", "起始"), ("end_date", "Until", "终止"))


@org_app.command("list")
def org_list(
    ctx: typer.Context,
    kind: Annotated[Optional[str], typer.Option("--kind", "--classification", help="party-branch, department…")] = None,
    area: AreaOpt = None,
    search: Annotated[Optional[str], typer.Option("--search", "-s", help="Name or id contains.")] = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """List organizations.

    \b
    Examples:
      cgov org list --kind department
      cgov org list --area cj-yh4 --lang zh"""
    from cgov.core.output import render_list
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = service.list_orgs(s, classification=kind, area=area, search=search)
    render_list(rows, _cols(*ORG_COLS), o)


@org_app.command("show")
def org_show(ctx: typer.Context, org: Annotated[str, typer.Argument(help="Id or name.")],
             fmt: FormatOpt = None, lang: LangOpt = None, reveal: RevealOpt = False, reason: ReasonOpt = None):
    """Show an organization with its current members."""
    from cgov.core.output import Part, render_show
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang, reveal, reason)
    with cmd.reading(ctx) as s:
        row = service.show_org(s, org)
    render_show(row, _cols(*ORG_COLS[:4], ("parent_name", "Parent", "上级")), o, [
        Part("children", "Under it", "下属组织", _cols(("id", "Id", "编号"), ("name", "Name", "名称"),
                                                         ("classification", "Kind", "类别", True))),
        Part("members", "Members", "成员", _cols(*POST_COLS[:7]))])
    cmd.log_reveal(ctx, o, "organization")


@org_app.command("tree")
def org_tree(ctx: typer.Context,
             root: Annotated[Optional[str], typer.Argument(help="Start here (default: the top of the party line).")] = None,
             all_orgs: Annotated[bool, typer.Option("--all", help="Every organization, not only the party line.")] = False,
             fmt: FormatOpt = None, lang: LangOpt = None):
    """Draw the party line, working committee down to building groups, with
    each organization's secretary and member count."""
    from cgov.core import i18n
    from cgov.core.tree import render_tree
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        nodes = service.org_tree(s, root, party_only=not all_orgs)

    def label(n, lang):
        head = f" — {i18n.t('head', '负责人', lang)} {n['head']}" if n.get("head") else ""
        return (f"{n['name']} [{i18n.label(n['classification'], lang)}] ({n['id']}){head}, "
                f"{n['members']} {i18n.t('members', '人', lang)}")

    render_tree(nodes, o, label)


@org_app.command("add")
def org_add(
    ctx: typer.Context,
    id: Annotated[str, typer.Option("--id", help="Stable key: letters, digits, . _ -")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    kind: Annotated[str, typer.Option("--kind", "--classification", help="e.g. party-branch, owners-committee.")],
    area: Annotated[Optional[str], typer.Option("--area", help="Where it works (area id or name).")] = None,
    parent: Annotated[Optional[str], typer.Option("--parent", help="The organization above it.")] = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Add an organization; prints its id.

    Example: cgov org add --id cj-yh4-g05-pb --name 第五网格党支部 --kind party-branch --area cj-yh4-g05 --parent cj-yh4-party"""
    from cgov.core.output import render_show
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.writing(ctx) as s:
        row = service.add_org(s, id=id, name=name, classification=kind, area=area, parent=parent)
    if o.fmt == "json":
        render_show(row, [], o)
    else:
        typer.echo(row["id"])


BRANCH_COLS = (("id", "Id", "编号"), ("name", "Name", "名称"), ("grid_name", "Grid", "网格"),
               ("secretary", "Secretary", "书记"), ("full_members", "Full", "正式党员"),
               ("probationary_members", "Probationary", "预备党员"))


@branch_app.command("list")
def branch_list(ctx: typer.Context, area: AreaOpt = None, fmt: FormatOpt = None, lang: LangOpt = None):
    """List party branches with secretary, members and grid."""
    from cgov.core.output import render_list
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = service.list_branches(s, area=area)
    render_list(rows, _cols(*BRANCH_COLS), o)


@branch_app.command("show")
def branch_show(ctx: typer.Context, branch: Annotated[str, typer.Argument(help="Id or name.")],
                fmt: FormatOpt = None, lang: LangOpt = None, reveal: RevealOpt = False, reason: ReasonOpt = None):
    """Show a party branch: secretary, full and probationary members, its grid."""
    from cgov.core.output import Part, render_show
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang, reveal, reason)
    with cmd.reading(ctx) as s:
        row = service.show_branch(s, branch)
    render_show(row, _cols(*BRANCH_COLS, ("parent_name", "Parent", "上级")), o,
                [Part("members", "Members", "成员", _cols(*POST_COLS[:7]))])
    cmd.log_reveal(ctx, o, "organization")


def _register_with_volunteers():
    # 双报到 registration lives with the volunteers feature, under `cgov org`.
    from cgov.volunteers.cli import register_cmd

    org_app.command("register")(register_cmd)


_register_with_volunteers()
