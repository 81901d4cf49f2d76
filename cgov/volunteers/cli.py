"""`cgov points …` and `cgov org register`: parse, call the volunteers
services, render. `cgov need|resource|project …` are in cli_lists.py.

Heavy imports stay inside the commands so `cgov --help` stays quick."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cgov.core import cmd
from cgov.core.cmd import AtOpt, FormatOpt, LangOpt
from cgov.volunteers import cli_util as u
from cgov.volunteers.cli_lists import need_app, project_app, resource_app  # noqa: F401 (registered by cgov/cli.py)

points_app = cmd.sub_app("Volunteer points (志愿者积分): earn, redeem, balances and ranks.")
activity_app = cmd.sub_app("Volunteer activities (志愿服务活动), recorded once with everyone who served.")
points_app.add_typer(activity_app, name="activity")

PersonArg = Annotated[str, typer.Argument(help="Person id or exact name.", show_default=False)]
OrgOpt = Annotated[Optional[str], typer.Option("--org", "-o", help="Organization id or exact name.")]
CommunityOpt = Annotated[Optional[str], typer.Option("--community", help="Community or village id or name.")]
AreaOpt = Annotated[Optional[str], typer.Option("--area", help="Under this area (a town includes its communities).")]
HoursOpt = Annotated[Optional[str], typer.Option("--hours", "-H", help="Hours served: 2, 2.5 or 2:30.")]
SinceOpt = Annotated[Optional[str], typer.Option("--since", help="On or after this date or time.")]
UntilOpt = Annotated[Optional[str], typer.Option("--until", help="Up to this date (inclusive) or before this time.")]

ENTRY_COLS = (("id", "Entry", "流水号"), ("at", "When", "时间"), ("kind", "Kind", "类型", True),
              ("person", "Person", "人员"), ("person_name", "Name", "姓名"), ("activity_title", "Activity", "活动"),
              ("organization_name", "Organization", "组织"), ("hours", "Hours", "时长"),
              ("points", "Points", "积分"), ("note", "For / reason", "用途/原因"))
ENTRY_SHOW = (*ENTRY_COLS[:6], ("activity", "Activity id", "活动编号"), ("organization", "Organization id", "组织编号"),
              ("community_name", "Community", "社区"), ("reported_hours", "Hours reported", "申报时长"),
              *ENTRY_COLS[7:], ("recorded_by", "Recorded by", "录入人"))
BALANCE_COLS = (("person", "Person", "人员"), ("name", "Name", "姓名"), ("balance", "Balance", "积分余额"),
                ("earned", "Earned", "累计获得"), ("redeemed", "Redeemed", "已兑换"), ("adjusted", "Corrected", "更正"),
                ("hours", "Hours", "服务时长"), ("activities", "Activities", "活动次数"), ("stars", "Stars", "星级"))
BALANCE_SHOW = (*BALANCE_COLS, ("next_stars_at", "Next star at (hours)", "下一星级（小时）"),
                ("hours_to_next", "Hours to go", "还需时长"), ("last_served", "Last served", "最近服务"))
ACTIVITY_COLS = (("id", "Id", "编号"), ("at", "When", "时间"), ("title", "Activity", "活动"),
                 ("organization_name", "Organized by", "组织单位"), ("community_name", "Community", "社区"),
                 ("served", "Served", "参与人数"), ("hours", "Hours", "总时长"), ("points", "Points", "总积分"))
PARTICIPANT_COLS = (("person", "Person", "人员"), ("person_name", "Name", "姓名"),
                    ("reported_hours", "Reported", "申报时长"), ("hours", "Hours", "计入时长"),
                    ("points", "Points", "积分"), ("id", "Entry", "流水号"))


def _parse_participant(token: str):
    from cgov.volunteers import rules

    ref, _, hours = token.partition("=")
    return ref.strip(), rules.parse_hours(hours, f"'{token}'") if hours else None


def _credit_notes(ctx, lang, rows: list[dict]) -> None:
    """Say where the rule credited less than was reported (steps or cap)."""
    for r in rows:
        if r["reported_hours"] is not None and r["reported_hours"] != r["hours"]:
            u.note(f"note: {r['person_name']} ({r['person']}) reported {r['reported_hours']} hours; credited "
                   f"{r['hours']} (cgov points rule)",
                   f"提示：{r['person_name']}（{r['person']}）申报{r['reported_hours']}小时，计入{r['hours']}小时"
                   "（见 cgov points rule）", lang, ctx)


# ---- recording ---------------------------------------------------------------------------

@points_app.command("earn")
def earn(
    ctx: typer.Context,
    person: PersonArg,
    activity: Annotated[str, typer.Option("--activity", "-a", show_default=False,
                                          help="An activity id to join, or the title of a new activity.")],
    hours: HoursOpt = None,
    org: OrgOpt = None,
    community: CommunityOpt = None,
    at: AtOpt = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Credit a person for service at an activity; prints the entry id.

    Points follow the rule (cgov points rule): by default 1 point an hour, in
    half-hour steps rounded down, at most 8 hours an activity.

    \b
    Examples:
      cgov points earn p-0053 --activity 楼道清理 --org cj-yh4-vt --hours 2.5 --at "2026-11-07 09:00"
      cgov points earn p-0067 --activity VA-0003 --hours 3"""
    from cgov.volunteers import points, rules

    minutes = rules.parse_hours(hours) if hours else None
    with cmd.writing(ctx) as s:
        row = points.earn(s, person, activity, minutes, org, community, u.at(at))
    _credit_notes(ctx, lang, [row])
    u.new_id(ctx, fmt, lang, row)


@points_app.command("redeem")
def redeem(
    ctx: typer.Context,
    person: PersonArg,
    points_: Annotated[str, typer.Option("--points", "-p", show_default=False, help="Points to exchange.")],
    what: Annotated[str, typer.Option("--for", show_default=False, help="What they are exchanged for.")],
    org: Annotated[Optional[str], typer.Option("--org", "-o", help="Where they are exchanged (积分超市…).")] = None,
    community: Annotated[Optional[str], typer.Option(
        "--community", help="The community it counts for (default: where the person lives).")] = None,
    at: AtOpt = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Exchange points for goods or services; prints the entry id. Refused
    when the balance is short.

    \b
    Example:
      cgov points redeem p-0053 --points 10 --for "大米一袋" --org cj-yh4-rc"""
    from cgov.volunteers import points, rules

    value = rules.parse_points(points_)
    with cmd.writing(ctx) as s:
        row = points.redeem(s, person, value, what, org, community, u.at(at))
    u.new_id(ctx, fmt, lang, row)


@points_app.command("adjust")
def adjust(
    ctx: typer.Context,
    person: PersonArg,
    reason: Annotated[str, typer.Option("--reason", show_default=False, help="Why: kept in the ledger.")],
    points_: Annotated[Optional[str], typer.Option("--points", "-p", help="Points to add (or -N to take off).")] = None,
    hours: Annotated[Optional[str], typer.Option(
        "--hours", "-H", help="Hours to add (or -H to take off); without --points, worth what the rule gives.")] = None,
    activity: Annotated[Optional[str], typer.Option("--activity", "-a", help="The activity corrected.")] = None,
    at: AtOpt = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Correct the ledger with a new entry and its reason; entries are never
    edited. Prints the entry id.

    \b
    Examples:
      cgov points adjust p-0053 --activity VA-0003 --hours -1 --reason "签到表误记3小时，实为2小时"
      cgov points adjust p-0067 --points 5 --reason "10月活动漏记"
      cgov points adjust p-0067 --points=-2 --reason "重复登记\""""
    from cgov.volunteers import points, rules

    value = rules.parse_points(points_, signed=True) if points_ is not None else None
    minutes = rules.parse_hours(hours, signed=True) if hours is not None else None
    with cmd.writing(ctx) as s:
        row = points.adjust(s, person, reason, value, minutes, activity, u.at(at))
    u.new_id(ctx, fmt, lang, row)


# ---- reading --------------------------------------------------------------------------------

@points_app.command("balance")
def balance(
    ctx: typer.Context,
    person: Annotated[Optional[str], typer.Argument(help="One person (id or name); without it, everyone.")] = None,
    org: Annotated[Optional[str], typer.Option("--org", "-o", help="Those who served with this organization.")] = None,
    area: Annotated[Optional[str], typer.Option("--area", help="Those who served in this area.")] = None,
    stars: Annotated[Optional[int], typer.Option("--stars", help="At least this star level.")] = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Balances: earned, redeemed, corrected, hours of service and star level.

    \b
    Examples:
      cgov points balance p-0053
      cgov points balance --org cj-yh4-vt --lang zh"""
    from cgov.core.output import render_list, render_show
    from cgov.volunteers import points

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        if person:
            if org or area or stars is not None:
                from cgov.core.errors import Invalid

                raise Invalid("give one person, or filters (--org, --area, --stars) for a list, not both")
            render_show(points.balance(s, person), u.cols(*BALANCE_SHOW), o)
            return
        rows = points.balances(s, organization=org, area=area, min_stars=stars)
    render_list(rows, u.cols(*BALANCE_COLS), o)


@points_app.command("ledger")
def ledger(
    ctx: typer.Context,
    person: Annotated[Optional[str], typer.Argument(help="One person's entries, with the balance after each.")] = None,
    org: Annotated[Optional[str], typer.Option("--org", "-o", help="Entries of this organization's activities, "
                                                                   "or redeemed there.")] = None,
    activity: Annotated[Optional[str], typer.Option("--activity", "-a", help="Entries of one activity.")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="earn, redeem or adjust.")] = None,
    area: AreaOpt = None,
    since: SinceOpt = None, until: UntilOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="The latest so many (0: all).")] = 100,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """The ledger, oldest first: every entry as it was recorded.

    \b
    Examples:
      cgov points ledger p-0053
      cgov points ledger --org cj-yh4-vt --since 2026-11-01 --until 2026-11-30 -f csv"""
    from cgov.core.output import render_list
    from cgov.volunteers import points

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = points.ledger(s, person=person, organization=org, activity=activity, kind=kind, area=area,
                             since=u.since(since), until=u.until(until), limit=limit or None)
    columns = [*ENTRY_COLS, ("balance", "Balance", "余额")] if person else ENTRY_COLS
    render_list(rows, u.cols(*columns), o)


@points_app.command("rank")
def rank(
    ctx: typer.Context,
    area: AreaOpt = None,
    month: Annotated[Optional[str], typer.Option("--month", help="A month, e.g. 2026-11 (default: this month).")] = None,
    year: Annotated[Optional[int], typer.Option("--year", help="A whole year.")] = None,
    since: SinceOpt = None, until: UntilOpt = None,
    top: Annotated[int, typer.Option("--top", help="How many in each community (ties share a place).")] = 10,
    by: Annotated[str, typer.Option("--by", help="hours or points.")] = "hours",
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """A period's top volunteers in each community.

    \b
    Examples:
      cgov points rank --month 2026-11 --area cj-yh4
      cgov points rank --year 2026 --top 3 --by points"""
    from cgov.core.output import render_list
    from cgov.volunteers import common, points

    o = cmd.out(ctx, fmt, lang)
    start, end = common.period(month=month, year=year, since=since, until=until)
    with cmd.reading(ctx) as s:
        rows = points.rank(s, start, end, area=area, top=top, by=by)
    render_list(rows, u.cols(("community_name", "Community", "社区"), ("rank", "Rank", "名次"),
                             ("person", "Person", "人员"), ("name", "Name", "姓名"), ("hours", "Hours", "服务时长"),
                             ("points", "Points", "积分"), ("activities", "Activities", "活动次数")), o)


@points_app.command("rule")
def rule(ctx: typer.Context, fmt: FormatOpt = None, lang: LangOpt = None):
    """The points rule in force: rate, steps, cap and star levels, and where
    each comes from (set them with CGOV_POINTS_PER_HOUR, CGOV_POINTS_STEP_MINUTES,
    CGOV_POINTS_MAX_HOURS, CGOV_POINTS_STARS).

    Example: CGOV_POINTS_MAX_HOURS=6 cgov points rule"""
    from cgov.core.output import render_list
    from cgov.volunteers import rules

    o = cmd.out(ctx, fmt, lang)
    rows = rules.current().to_rows()
    if o.fmt != "json":
        key = "meaning_zh" if o.lang == "zh" else "meaning"
        rows = [{**r, "meaning": r[key]} for r in rows]
    render_list(rows, u.cols(("setting", "Setting", "设置", True), ("value", "Value", "值"),
                             ("source", "From", "来源", True), ("meaning", "Meaning", "含义")), o)


# ---- activities -----------------------------------------------------------------------------

@activity_app.command("add")
def activity_add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="What was done, e.g. 楼道堆物清理.", show_default=False)],
    participants: Annotated[list[str], typer.Argument(
        help="Who served: person ids or names, each optionally =HOURS (p-0053=3).", show_default=False)],
    org: Annotated[str, typer.Option("--org", "-o", show_default=False, help="Who organised it.")],
    hours: Annotated[Optional[str], typer.Option("--hours", "-H", help="Hours each served, unless given per person.")] = None,
    community: Annotated[Optional[str], typer.Option(
        "--community", help="The community served (default: the organizer's).")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A remark.")] = None,
    at: AtOpt = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Record an activity once with everyone who served (a batch earn);
    prints the activity id.

    \b
    Example:
      cgov points activity add 楼道堆物清理 p-0053 p-0067 p-0085=3 --org cj-yh4-vt --hours 2 --at "2026-11-07 09:00\""""
    from cgov.volunteers import points, rules

    people = [_parse_participant(t) for t in participants]
    minutes = rules.parse_hours(hours) if hours else None
    with cmd.writing(ctx) as s:
        row = points.add_activity(s, title, org, people, minutes, community, u.at(at), note)
    _credit_notes(ctx, lang, row["participants"])
    u.new_id(ctx, fmt, lang, row)


@activity_app.command("list")
def activity_list(
    ctx: typer.Context,
    org: OrgOpt = None, area: AreaOpt = None, since: SinceOpt = None, until: UntilOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="At most this many, newest first (0: all).")] = 100,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """List activities, newest first, with how many served and the hours and points credited.

    Example: cgov points activity list --org cj-yh4-vt --since 2026-11-01"""
    from cgov.core.output import render_list
    from cgov.volunteers import points

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = points.list_activities(s, organization=org, area=area, since=u.since(since), until=u.until(until),
                                      limit=limit or None)
    render_list(rows, u.cols(*ACTIVITY_COLS), o)


@activity_app.command("show")
def activity_show(ctx: typer.Context, activity: Annotated[str, typer.Argument(help="Activity id, e.g. VA-0003.")],
                  fmt: FormatOpt = None, lang: LangOpt = None):
    """Show an activity with everyone who served and any corrections.

    Example: cgov points activity show VA-0003"""
    from cgov.core.output import Part, render_show
    from cgov.volunteers import points

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        row = points.show_activity(s, activity)
    render_show(row, u.cols(*ACTIVITY_COLS, ("default_hours", "Hours each", "每人时长"), ("note", "Note", "备注"),
                            ("recorded_by", "Recorded by", "录入人")), o, [
        Part("participants", "Served", "参与人员", u.cols(*PARTICIPANT_COLS)),
        Part("corrections", "Corrections", "更正", u.cols(("id", "Entry", "流水号"), ("at", "When", "时间"),
                                                          ("person_name", "Name", "姓名"), ("hours", "Hours", "时长"),
                                                          ("points", "Points", "积分"), ("note", "Reason", "原因")))])


# ---- 双报到 ----------------------------------------------------------------------------------

REGISTRATION_COLS = (("id", "Id", "编号"), ("community_name", "Community", "社区"), ("type", "Type", "类型", True),
                     ("who", "Who", "单位/人员"), ("name", "Name", "名称"), ("services", "Services", "服务项目"),
                     ("start_date", "Since", "报到日期"))
SERVED_COLS = (("activities", "Activities", "活动"), ("hours", "Hours", "时长"),
               ("dispatches", "Cases dispatched", "承办案件"), ("needs_met", "Needs met", "认领完成需求"),
               ("projects", "Projects", "项目"), ("served", "Served", "已服务"))


def register_cmd(
    ctx: typer.Context,
    who: Annotated[Optional[str], typer.Argument(
        help="A co-building unit or an in-service party member (id or exact name).")] = None,
    community: CommunityOpt = None,
    service: Annotated[Optional[list[str]], typer.Option(
        "--service", "-s", help="A service offered; repeat for more.")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A remark.")] = None,
    end: Annotated[bool, typer.Option("--end", help="End the registration (on --at's day).")] = False,
    list_: Annotated[bool, typer.Option("--list", help="List who has registered, and who has served this year.")] = False,
    served: Annotated[bool, typer.Option("--served", help="With --list: only those who have served.")] = False,
    not_served: Annotated[bool, typer.Option("--not-served", help="With --list: only those who have not.")] = False,
    year: Annotated[Optional[int], typer.Option("--year", help="With --list: served in this year (default: this year).")] = None,
    at: AtOpt = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Register a unit or an in-service party member with a community (双报到),
    with the services they offer; prints the registration id. With --list:
    who has registered, and what each has done for the community this year
    (activities, cases dispatched to them, needs met, projects).

    \b
    Examples:
      cgov org register cj-cb-bank --community cj-yh4 -s 金融知识讲座 -s 反诈宣传
      cgov org register p-0079 --community 裕鸿佳苑第四社区 -s 义务家教
      cgov org register cj-cb-bank --community cj-yh4 --end --at 2026-12-31
      cgov org register --list --community cj-yh4 --not-served"""
    from cgov.core.errors import Invalid

    if list_:
        if who or service or note or end or at:
            raise Invalid("--list lists registrations; leave out WHO, --service, --note, --end and --at")
        if served and not_served:
            raise Invalid("give --served or --not-served, not both")
        _register_list(ctx, community, "served" if served else "not-served" if not_served else None, year, fmt, lang)
        return
    if served or not_served or year:
        raise Invalid("--served, --not-served and --year go with --list")
    if not who or not community:
        raise Invalid("say who registers and with which community", hint="cgov org register cj-cb-bank --community cj-yh4 -s 金融知识讲座")
    from cgov.volunteers import registry

    with cmd.writing(ctx) as s:
        if end:
            if service or note:
                raise Invalid("--end ends a registration; leave out --service and --note")
            row = registry.end_registration(s, who, community, u.day(at))
        else:
            row = registry.register(s, who, community, service or [], u.day(at), note)
    u.new_id(ctx, fmt, lang, row)


def _register_list(ctx, community, served, year, fmt, lang) -> None:
    from cgov.core.output import render_list
    from cgov.volunteers import registry

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = registry.registrations(s, community=community, year=year, served=served)
    render_list(rows, u.cols(*REGISTRATION_COLS, *SERVED_COLS), o)
