"""`cgov person …` and `cgov post …`."""

from typing import Annotated, Optional

import typer

from cgov.core import cmd
from cgov.core.cmd import AtOpt, FormatOpt, LangOpt, ReasonOpt, RevealOpt

person_app = cmd.sub_app("People: residents, party members, staff, grid workers.")
post_app = cmd.sub_app("Posts (memberships): who holds which role where, with dates.")

PERSON_COLS = (("id", "Id", "编号"), ("name", "Name", "姓名"), ("gender", "Gender", "性别", True),
               ("birth_date", "Born", "出生日期"), ("id_number", "ID number", "身份证号"),
               ("phone", "Phone", "电话"), ("home_name", "Home", "住址"),
               ("party_status", "Party", "政治面貌", True))
POST_COLS = (("id", "Post", "职务号"), ("person", "Person", "人员"), ("person_name", "Name", "姓名"),
             ("role", "Role", "职务", True), ("organization_name", "Organization", "组织"),
             ("area_name", "Area", "区域"), ("full_time", "Full-time", "专职"),
             ("start_date", "Since", "起始"), ("end_date", "Until", "终止"))


def _cols(*spec):
    from cgov.core.output import Col

    return [Col(*s) for s in spec]


def _date(value: str | None, what: str):
    from cgov.core import clock

    return clock.parse_date(value, what) if value else None


@person_app.command("add")
def person_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Full name.")],
    id: Annotated[Optional[str], typer.Option("--id", help="Stable key (default: generated).")] = None,
    id_number: Annotated[Optional[str], typer.Option("--id-number", help="Resident ID number (checked).")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="Mobile or landline.")] = None,
    gender: Annotated[Optional[str], typer.Option("--gender", help="male or female (default from the ID).")] = None,
    birth_date: Annotated[Optional[str], typer.Option("--birth-date", help="YYYY-MM-DD (default from the ID).")] = None,
    home: Annotated[Optional[str], typer.Option("--home", help="Building (or grid) where they live.")] = None,
    party: Annotated[Optional[str], typer.Option("--party", help="full, probationary or activist.")] = None,
    party_joined: Annotated[Optional[str], typer.Option("--party-joined", help="YYYY-MM-DD.")] = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Add a person; prints the new id.

    Example: cgov person add 王建国 --id-number 310230196203019918 --phone 13900001234 --home cj-yh4-b01"""
    from cgov.core.output import render_show
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.writing(ctx) as s:
        row = service.add_person(s, name, id=id, id_number=id_number, phone=phone, gender=gender,
                                 birth_date=_date(birth_date, "--birth-date"), home=home,
                                 party_status=party, party_joined=_date(party_joined, "--party-joined"))
    if o.fmt == "json":
        render_show(row, [], o)
    else:
        typer.echo(row["id"])




@person_app.command("list")
def person_list(
    ctx: typer.Context,
    grid: Annotated[Optional[str], typer.Option("--grid", help="Living in this grid.")] = None,
    area: Annotated[Optional[str], typer.Option("--area", help="Living under this area.")] = None,
    role: Annotated[Optional[str], typer.Option("--role", help="Holding this role now.")] = None,
    party: Annotated[Optional[str], typer.Option("--party", help="full, probationary, activist, or member (full or probationary).")] = None,
    org: Annotated[Optional[str], typer.Option("--org", help="Holding a post in this organization.")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=0, help="At most this many.")] = None,
    fmt: FormatOpt = None, lang: LangOpt = None, reveal: RevealOpt = False, reason: ReasonOpt = None,
):
    """List people; ID numbers and phones are masked unless --reveal --reason.

    Example: cgov person list --grid cj-yh4-g01 --party member"""
    from cgov.core.output import render_list
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang, reveal, reason)
    with cmd.reading(ctx) as s:
        rows = service.list_persons(s, grid=grid, area=area, role=role, party=party, org=org, limit=limit)
    render_list(rows, _cols(*PERSON_COLS), o)
    cmd.log_reveal(ctx, o, "person")


@person_app.command("find")
def person_find(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Part of a name, or a full phone or ID number.")],
    grid: Annotated[Optional[str], typer.Option("--grid", help="Living in this grid.")] = None,
    role: Annotated[Optional[str], typer.Option("--role", help="Holding this role now.")] = None,
    party: Annotated[Optional[str], typer.Option("--party", help="Party status.")] = None,
    fmt: FormatOpt = None, lang: LangOpt = None, reveal: RevealOpt = False, reason: ReasonOpt = None,
):
    """Find people by name fragment, phone or ID number.

    \b
    Examples:
      cgov person find 王
      cgov person find 139-0000-1234"""
    from cgov.core.output import render_list
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang, reveal, reason)
    with cmd.reading(ctx) as s:
        rows = service.find_persons(s, query, grid=grid, role=role, party=party)
    render_list(rows, _cols(*PERSON_COLS), o)
    cmd.log_reveal(ctx, o, "person")


@person_app.command("show")
def person_show(ctx: typer.Context, person: Annotated[str, typer.Argument(help="Id or exact name.")],
                fmt: FormatOpt = None, lang: LangOpt = None, reveal: RevealOpt = False, reason: ReasonOpt = None):
    """Show a person with every current post and their past posts."""
    from cgov.core.output import Part, render_show
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang, reveal, reason)
    with cmd.reading(ctx) as s:
        row = service.show_person(s, person)
    post_cols = _cols(POST_COLS[0], *POST_COLS[3:])
    render_show(row, _cols(*PERSON_COLS, ("party_joined", "Joined the party", "入党时间")), o,
                [Part("posts", "Posts", "现任职务", post_cols), Part("past_posts", "Past posts", "曾任职务", post_cols)])
    cmd.log_reveal(ctx, o, "person")


@post_app.command("assign")
def post_assign(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Person id or exact name.")],
    role: Annotated[str, typer.Option("--role", help="secretary, director, grid-worker, …")],
    org: Annotated[Optional[str], typer.Option("--org", help="In this organization.")] = None,
    area: Annotated[Optional[str], typer.Option("--area", help="For this area (grid leaders and workers, building leaders).")] = None,
    full_time: Annotated[Optional[bool], typer.Option("--full-time/--part-time", help="专职 or 兼职.")] = None,
    at: AtOpt = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Give a person a post from a date (--at, default today); prints the post id.

    Example: cgov post assign p-0001 --role grid-worker --area cj-yh4-g01 --full-time --at 2026-11-01"""
    from cgov.core import clock
    from cgov.core.output import render_show
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang)
    start = clock.to_local(clock.parse_at(at)).date() if at else None
    with cmd.writing(ctx) as s:
        row = service.assign_post(s, person, role, org=org, area=area, full_time=full_time, start=start)
    if o.fmt == "json":
        render_show(row, [], o)
    else:
        typer.echo(row["id"])


@post_app.command("end")
def post_end(ctx: typer.Context, post: Annotated[int, typer.Argument(help="Post id (cgov post list).")],
             at: AtOpt = None):
    """End a post on a date (--at, default today); it stays in the history."""
    from cgov.core import clock
    from cgov.org import service

    end = clock.to_local(clock.parse_at(at)).date() if at else None
    with cmd.writing(ctx) as s:
        row = service.end_post(s, post, end)
    typer.echo(f"post {row['id']} ended {row['end_date']}")


@post_app.command("list")
def post_list(
    ctx: typer.Context,
    person: Annotated[Optional[str], typer.Option("--person", help="Posts of this person.")] = None,
    org: Annotated[Optional[str], typer.Option("--org", help="Posts in this organization.")] = None,
    area: Annotated[Optional[str], typer.Option("--area", help="Posts for this area.")] = None,
    role: Annotated[Optional[str], typer.Option("--role", help="Only this role.")] = None,
    all_posts: Annotated[bool, typer.Option("--all", help="Include ended posts.")] = False,
    fmt: FormatOpt = None, lang: LangOpt = None, reveal: RevealOpt = False, reason: ReasonOpt = None,
):
    """List current posts (with --all, ended ones too).

    Example: cgov post list --org cj-yh4-rc"""
    from cgov.core.output import render_list
    from cgov.org import service

    o = cmd.out(ctx, fmt, lang, reveal, reason)
    with cmd.reading(ctx) as s:
        rows = service.list_posts(s, person=person, org=org, area=area, role=role, include_ended=all_posts)
    render_list(rows, _cols(*POST_COLS), o)
    cmd.log_reveal(ctx, o, "person")
