"""`cgov meeting …` and `cgov matter …`: parse, call the meeting services, render."""

from typing import Annotated, Optional

import typer

from cgov.core import cmd, i18n
from cgov.core.cmd import AtOpt, FormatOpt, LangOpt
from cgov.meetings.labels import LABELS


meeting_app = cmd.sub_app("Meetings and minutes: quorum, votes, resolutions, disclosure.")
matter_app = cmd.sub_app("Major matters through 四议两公开 (propose, discuss, review, resolve, two publications).")

MeetingArg = Annotated[str, typer.Argument(help="Meeting id, e.g. M2026-0001.")]
PeopleOpt = Annotated[Optional[list[str]], typer.Option(help="Person ids or names; repeat or separate with commas.")]


def _cols(*spec):
    from cgov.core.output import cols

    return cols(*spec, labels=LABELS)


def _at(value: str | None):
    from cgov.core import clock

    return clock.parse_at(value) if value else None


def _date(value: str | None, what: str):
    from cgov.core import clock

    return clock.parse_date(value, what) if value else None


def _many(values: list[str] | None) -> list[str]:
    """`--present a,b --present c` → [a, b, c] (full-width commas too)."""
    out = []
    for v in values or ():
        out += [x.strip() for x in v.replace("，", ",").split(",") if x.strip()]
    return out


def _can_edit() -> bool:
    """$EDITOR only with a person at a terminal, never in a pipe or cron job."""
    import sys

    return sys.stdin.isatty() and cmd.is_tty()


def _edit(text: str) -> str | None:
    """Open $VISUAL or $EDITOR on the text; None when it comes back unchanged."""
    import os
    import shlex
    import subprocess
    import tempfile

    from cgov.core.errors import Invalid

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="cgov-") as folder:
        path = os.path.join(folder, "minutes.md")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            status = subprocess.call([*shlex.split(editor), path])
        except OSError as e:
            raise Invalid(f"cannot run the editor '{editor}': {e.strerror}",
                          hint="set EDITOR, or give --file") from None
        if status != 0:
            raise Invalid(f"the editor '{editor}' exited with status {status}; nothing was recorded")
        with open(path, encoding="utf-8") as f:
            edited = f.read()
    return None if edited == text else edited


def _done(o, row: dict, text) -> None:
    """The whole record with -f json; otherwise only what a script needs."""
    from cgov.core.output import render_show

    if o.fmt == "json":
        render_show(row, [], o)
    else:
        typer.echo(text)


# ---- meetings -------------------------------------------------------------------

LIST_COLS = (("id", "Id", "编号"), ("at", "Time", "时间"), ("title", "Title", "名称"),
             ("organization_name", "Convened by", "召集单位"), ("entitled", "Entitled", "应到"),
             ("present", "Present", "实到"), ("quorum_met", "Quorum", "法定人数"), ("motions", "Motions", "议题"),
             ("passed", "Passed", "通过"), ("published", "Public", "已公开"))


def _type_col(lang: str):
    return ("type_name", "Type", "类型") if lang == "zh" else ("type_name_en", "Type", "类型")


@meeting_app.command("add")
def meeting_add(
    ctx: typer.Context,
    type: Annotated[str, typer.Option("--type", help="Meeting type, e.g. joint-meeting (cgov meeting types).")],
    title: Annotated[str, typer.Option("--title", help="Name of the meeting as it heads the minutes.")],
    org: Annotated[str, typer.Option("--org", help="Convening organization (id or name).")],
    with_orgs: Annotated[Optional[list[str]], typer.Option(
        "--with", help="A further convening organization (三方联席会, 两委); repeat.")] = None,
    place: Annotated[Optional[str], typer.Option("--place", help="Where it is held.")] = None,
    chair: Annotated[Optional[str], typer.Option("--chair", help="Who chairs it (a rotating chair is this meeting's chair).")] = None,
    recorder: Annotated[Optional[str], typer.Option("--recorder", help="Who takes the minutes.")] = None,
    entitled: Annotated[Optional[int], typer.Option(
        "--entitled", help="How many are entitled, when they are not in the roster (all adult residents).")] = None,
    at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Add a meeting; prints its id. Those entitled are taken from the roster
    of the convening organizations on the meeting's day.

    \b
    Examples:
      cgov meeting add --type joint-meeting --title 11月三方联席会 --org cj-yh4-party --with cj-yh4-rc --with cj-yh4-oc --with cj-yh4-pm --at "2026-11-05 14:30" --place 党群服务站 --chair p-0054
      cgov meeting add --type residents-meeting --title 居民会议 --org cj-yh4-rc --entitled 1850 --at 2026-11-22"""
    from cgov.meetings import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.writing(ctx) as s:
        row = service.add_meeting(s, type=type, title=title, org_ref=org, at=_at(at), place=place, chair=chair,
                                  recorder=recorder, entitled=entitled, with_orgs=with_orgs or ())
    _done(o, row, row["id"])


@meeting_app.command("list")
def meeting_list(
    ctx: typer.Context,
    org: Annotated[Optional[str], typer.Option("--org", help="Convened by this organization.")] = None,
    type: Annotated[Optional[str], typer.Option("--type", help="Of this type.")] = None,
    area: Annotated[Optional[str], typer.Option("--area", help="Convened by organizations under this area.")] = None,
    since: Annotated[Optional[str], typer.Option("--from", help="From this day or time.")] = None,
    until: Annotated[Optional[str], typer.Option("--to", help="Before this day or time.")] = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """List meetings with attendance, quorum, motions passed and disclosure.

    \b
    Examples:
      cgov meeting list --area cj-yh4 --from 2026-11-01 --to 2026-12-01
      cgov meeting list --type party-members-meeting -f json"""
    from cgov.core.output import render_list
    from cgov.meetings import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = service.list_meetings(s, org_ref=org, type=type, area=area, since=_at(since), until=_at(until))
    render_list(rows, _cols(*LIST_COLS[:2], _type_col(o.lang), *LIST_COLS[2:]), o)


def _show_fields(lang: str):
    zh = lang == "zh"
    return _cols(("id", "Id", "编号"), ("title", "Title", "名称"), _type_col(lang),
                 ("organization_name", "Convened by", "召集单位"), ("at", "Time", "时间"), ("place", "Place", "地点"),
                 ("chair_name", "Chair", "主持人"), ("recorder_name", "Recorder", "记录人"),
                 ("counting", "Entitled are", "应到人员", True), ("entitled", "Entitled to vote", "应到（有表决权）"),
                 ("present", "Present with a vote", "实到（有表决权）"), ("attendance_rate", "Attendance", "到会率"),
                 ("quorum_met", "Quorum met", "达到法定人数"),
                 ("quorum_explanation_zh" if zh else "quorum_explanation", "Quorum", "法定人数说明"),
                 ("published_at", "Made public", "公开时间"), ("published_where", "Where", "公开地点"),
                 ("content_hash", "SHA-256", "SHA-256"), ("integrity", "Check", "校验", True))


def _show_parts(lang: str):
    from cgov.core.output import Part

    zh = lang == "zh"
    return [
        Part("attendance", "Attendance", "到会情况", _cols(
            ("person", "Person", "人员"), ("name", "Name", "姓名"), ("kind", "As", "身份", True),
            ("votes", "Votes", "表决权"), ("party_status", "Party", "政治面貌", True),
            ("status", "Status", "出席", True), ("reason", "Reason", "缺席原因"))),
        Part("agenda", "Agenda", "议程", _cols(("item", "#", "序号"), ("text", "Item", "议题"))),
        Part("motions", "Motions", "表决事项", _cols(
            ("id", "Motion", "编号"), ("item", "Item", "议程"), ("text", "Motion", "内容"),
            ("method", "Method", "方式", True), ("yes", "Yes", "赞成"), ("no", "No", "反对"),
            ("abstain", "Abstain", "弃权"), ("result", "Result", "结果", True),
            ("explanation_zh" if zh else "explanation", "Why", "说明"))),
        Part("actions", "Action items", "落实事项", _cols(
            ("position", "#", "序号"), ("text", "Action", "事项"), ("owner_name", "Owner", "责任单位（人）"),
            ("due", "Due", "完成时限"), ("motion", "Motion", "依据决议"), ("case", "Case", "工单"))),
        Part("addenda", "Addenda", "补充说明", _cols(("at", "Time", "时间"), ("text", "Note", "内容"))),
    ]


@meeting_app.command("show")
def meeting_show(ctx: typer.Context, meeting: MeetingArg, fmt: FormatOpt = None, lang: LangOpt = None):
    """Show a meeting; `-f md` renders the minutes a street office would accept.

    \b
    Examples:
      cgov meeting show M2026-0001
      cgov meeting show M2026-0001 -f md --lang zh > minutes.md"""
    from cgov.core import privacy
    from cgov.core.output import render_show
    from cgov.meetings import minutes, service

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        row = service.show_meeting(s, meeting)
    if o.fmt == "md":
        # Draft minutes may carry a phone number; publish refuses those, and
        # every output masks them (render_show does so for the other formats).
        o.write(minutes.render(privacy.mask_record(row), lang=o.lang))
        return
    fields = _show_fields(o.lang) if o.fmt != "json" else []
    render_show(row, fields, o, _show_parts(o.lang) if o.fmt != "json" else [])
    if o.fmt in ("plain", "table") and row["minutes"]:
        o.write("\n" + i18n.t("Discussion", "讨论记录", o.lang) + "\n" + privacy.mask_text(row["minutes"]) + "\n")


def _attendance_line(o, row: dict) -> str:
    ent, pre = row["entitled"], row["present"]
    rate = "" if row["attendance_rate"] is None else i18n.t(f" ({row['attendance_rate']:.1%})",
                                                            f"（{row['attendance_rate']:.1%}）", o.lang)
    met = row["quorum_met"]
    q_en = {True: "quorum met", False: "quorum NOT met", None: "quorum not judged"}[met]
    q_zh = {True: "达到法定人数", False: "未达到法定人数", None: "无法判断法定人数"}[met]
    ent_en = "open to all" if ent is None else f"{ent} entitled"
    ent_zh = "不限应到" if ent is None else f"应到{ent}人"
    return i18n.t(f"{row['id']}: {pre if pre is not None else '?'} present with a vote, {ent_en}{rate}; {q_en}",
                  f"{row['id']}：{ent_zh}，实到{pre if pre is not None else '?'}人{rate}；{q_zh}", o.lang)


@meeting_app.command("attend")
def meeting_attend(
    ctx: typer.Context,
    meeting: MeetingArg,
    present: PeopleOpt = None,
    absent: PeopleOpt = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why those --absent were away.")] = None,
    guest: Annotated[Optional[list[str]], typer.Option(
        "--guest", help="Attends without a vote (列席): person ids or names.")] = None,
    guest_name: Annotated[Optional[list[str]], typer.Option(
        "--guest-name", help="A guest not in the roster, as the minutes should name them.")] = None,
    present_count: Annotated[Optional[int], typer.Option(
        "--present-count", help="How many came, for a meeting counted without a name list.")] = None,
    all_present: Annotated[bool, typer.Option("--all-present", help="Everyone entitled came (use --absent for exceptions).")] = False,
    at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Mark who came; prints the counts and whether the quorum is met.

    \b
    Examples:
      cgov meeting attend M2026-0003 --all-present --absent p-0048 --reason 病假
      cgov meeting attend M2026-0003 --guest p-0100 --guest-name "镇房管办 王科长"
      cgov meeting attend M2026-0009 --present-count 1020"""
    from cgov.meetings import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.writing(ctx) as s:
        row = service.attend(s, meeting, present=_many(present), absent=_many(absent), reason=reason,
                             guests=_many(guest), guest_names=guest_name or (), present_count=present_count,
                             all_present=all_present, at=_at(at))
    _done(o, row, _attendance_line(o, row))


@meeting_app.command("item")
def meeting_item(ctx: typer.Context, meeting: MeetingArg,
                 text: Annotated[str, typer.Argument(help="The agenda item.")],
                 at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None):
    """Add an agenda item; prints its number.

    \b
    Example: cgov meeting item M2026-0001 "通报10月工单办理情况\""""
    from cgov.meetings import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.writing(ctx) as s:
        row = service.add_item(s, meeting, text, at=_at(at))
    _done(o, row, row["item"])


@meeting_app.command("motion")
def meeting_motion(ctx: typer.Context, meeting: MeetingArg,
                   text: Annotated[str, typer.Argument(help="What is to be decided.")],
                   item: Annotated[Optional[int], typer.Option("--item", help="The agenda item it belongs to.")] = None,
                   at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None):
    """Put a motion; prints its id (to vote on).

    \b
    Example: cgov meeting motion M2026-0001 "同意启动3号楼加装电梯意见征询" --item 2"""
    from cgov.meetings import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.writing(ctx) as s:
        row = service.add_motion(s, meeting, text, item=item, at=_at(at))
    _done(o, row, row["id"])


def _count(value: str | None, what: str) -> int:
    from cgov.core.errors import Invalid

    if value is None:
        return 0
    if not value.strip().isdigit():
        raise Invalid(f"{what}: '{value}' is not a whole number",
                      hint="a roll call (--method roll-call) takes person ids instead")
    return int(value)


@meeting_app.command("vote")
def meeting_vote(
    ctx: typer.Context,
    motion: Annotated[str, typer.Argument(help="Motion id, e.g. M2026-0001-1.")],
    method: Annotated[str, typer.Option("--method", help="show-of-hands, secret-ballot or roll-call.")] = "show-of-hands",
    yes: Annotated[Optional[str], typer.Option("--yes", help="Yes votes: a count, or for a roll call person ids.")] = None,
    no: Annotated[Optional[str], typer.Option("--no", help="No votes: a count, or for a roll call person ids.")] = None,
    abstain: Annotated[Optional[str], typer.Option("--abstain", help="Abstentions: a count, or person ids.")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Correct a vote recorded by mistake.")] = False,
    at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Record the vote on a motion; prints the result with its arithmetic.

    \b
    Examples:
      cgov meeting vote M2026-0001-1 --yes 7 --no 1 --abstain 0
      cgov meeting vote M2026-0004-1 --method roll-call --yes p-0042,p-0054,p-0069 --no p-0078"""
    from cgov.meetings import service

    o = cmd.out(ctx, fmt, lang)
    tally = ballots = None
    if method == "roll-call":
        ballots = {"yes": _many([yes] if yes else []), "no": _many([no] if no else []),
                   "abstain": _many([abstain] if abstain else [])}
    else:
        tally = {"yes": _count(yes, "--yes"), "no": _count(no, "--no"), "abstain": _count(abstain, "--abstain")}
    with cmd.writing(ctx) as s:
        row = service.vote(s, motion, method, tally=tally, ballots=ballots, at=_at(at), replace=replace)
    _done(o, row, i18n.t(f"{row['result']}: {row['explanation']}",
                         f"{i18n.label(row['result'], 'zh', LABELS)}：{row['explanation_zh']}", o.lang))


@meeting_app.command("action")
def meeting_action(
    ctx: typer.Context,
    meeting: MeetingArg,
    text: Annotated[str, typer.Argument(help="What is to be done.")],
    owner: Annotated[str, typer.Option("--owner", help="Who does it: an organization or a person (id or name).")],
    due: Annotated[str, typer.Option("--due", help="By when (YYYY-MM-DD).")],
    motion: Annotated[Optional[str], typer.Option("--motion", help="The motion it carries out.")] = None,
    as_case: Annotated[bool, typer.Option("--as-case", help="Open a case (source meeting) to track it to the end.")] = False,
    at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Add an action item; prints its number, or with --as-case the new case's id.

    \b
    Example: cgov meeting action M2026-0001 "清理3号楼楼道堆物" --owner cj-yh4-pm --due 2026-11-20 --as-case"""
    from cgov.meetings import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.writing(ctx) as s:
        row = service.add_action(s, meeting, text, owner=owner, due=_date(due, "--due"), motion=motion,
                                 as_case=as_case, at=_at(at))
    _done(o, row, row["case"] if as_case else row["position"])


@meeting_app.command("minutes")
def meeting_minutes(
    ctx: typer.Context,
    meeting: MeetingArg,
    file: Annotated[Optional[str], typer.Option("--file", help="Read the discussion record from this file ('-': standard input).")] = None,
    at: AtOpt = None,
):
    """Record the discussion, from --file or, on a terminal, in $EDITOR.

    \b
    Examples:
      cgov meeting minutes M2026-0001 --file minutes-1105.md
      cgov meeting minutes M2026-0001          # opens $EDITOR"""
    import sys
    from pathlib import Path

    from cgov.core.errors import Invalid
    from cgov.meetings import service

    if file is not None:
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise Invalid(f"cannot read {file}: {getattr(e, 'strerror', None) or e}") from None
    else:
        if not _can_edit():
            raise Invalid("no --file given, and $EDITOR can only open on a terminal",
                          hint="cgov meeting minutes MEETING --file FILE (or --file - to read standard input)")
        with cmd.reading(ctx) as s:
            current = service.ensure_writable(s, meeting).minutes
        text = _edit(current or "")
        if text is None:
            raise Invalid("the minutes were left as they were; nothing was recorded")
    with cmd.writing(ctx) as s:
        row = service.set_minutes(s, meeting, text, at=_at(at))
    if cmd.is_tty():
        cmd.echo_err(f"{row['id']}: minutes recorded ({len(row['minutes'])} characters)")


@meeting_app.command("publish")
def meeting_publish(
    ctx: typer.Context,
    meeting: MeetingArg,
    where: Annotated[str, typer.Option("--where", help="Where it was made public, e.g. 社区公开栏.")],
    at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Record that the minutes were made public; prints their SHA-256.
    The meeting is locked afterwards: only addenda may follow.

    \b
    Example: cgov meeting publish M2026-0001 --where 社区公开栏 --at "2026-11-08 10:00\""""
    from cgov.meetings import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.writing(ctx) as s:
        row = service.publish(s, meeting, where, at=_at(at))
    _done(o, row, row["content_hash"])


@meeting_app.command("addendum")
def meeting_addendum(ctx: typer.Context, meeting: MeetingArg,
                     text: Annotated[str, typer.Argument(help="The note to append.")],
                     at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None):
    """Append a dated note to the minutes (the one change a published meeting takes).

    \b
    Example: cgov meeting addendum M2026-0001 "经核实，缺席人员李某因公出差" --at 2026-11-10"""
    from cgov.meetings import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.writing(ctx) as s:
        row = service.add_addendum(s, meeting, text, at=_at(at))
    _done(o, row, row["position"])


@meeting_app.command("due")
def meeting_due(
    ctx: typer.Context,
    org: Annotated[Optional[str], typer.Option("--org", help="Only this organization.")] = None,
    area: Annotated[Optional[str], typer.Option("--area", help="Only organizations under this area.")] = None,
    type: Annotated[Optional[str], typer.Option("--type", help="Only this meeting type.")] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every regular meeting owed, not only overdue ones.")] = False,
    at: Annotated[Optional[str], typer.Option("--at", help="As of this day (default today).")] = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Regular meetings that are overdue (三会一课, the monthly joint meeting,
    the night talk on the 15th…), per convening organization.

    \b
    Examples:
      cgov meeting due
      cgov meeting due --area cj-yh4 --at 2026-12-20 --lang zh"""
    from cgov.core import clock
    from cgov.core.output import render_list
    from cgov.meetings import schedule, service

    o = cmd.out(ctx, fmt, lang)
    as_of = clock.to_local(_at(at)).date() if at else None
    with cmd.reading(ctx) as s:
        rows = service.due(s, as_of=as_of, org_ref=org, area=area, type=type, everything=everything)
    for r in rows:
        r["schedule_text"] = schedule.label(r["schedule"], o.lang)
    cols = [("organization", "Organization", "组织"), ("organization_name", "Name", "名称"), _type_col(o.lang),
            ("schedule_text", "Schedule", "周期"), ("last_held", "Last held", "上次召开"), ("due", "Due", "应开日期"),
            ("overdue_days", "Days overdue", "逾期天数"), ("missed", "Missed", "连续缺开")]
    if everything:
        cols.insert(6, ("status", "Status", "状态", True))
    render_list(rows, _cols(*cols), o)


@meeting_app.command("types")
def meeting_types(ctx: typer.Context, fmt: FormatOpt = None, lang: LangOpt = None):
    """List meeting types with who is entitled, quorum, passing rule and schedule.

    \b
    Example: cgov meeting types --lang zh"""
    from cgov.core.output import render_list
    from cgov.meetings import service

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = service.list_types(s)
    if o.lang == "zh" and o.fmt != "json":
        rows = [_type_zh(r) for r in rows]
    render_list(rows, _cols(("code", "Code", "代码"), ("name", "Name", "名称"), ("name_en", "English", "英文"),
                            ("entitled", "Entitled", "应到人员", True), ("voters", "Voters", "表决权"),
                            ("quorum", "Quorum", "法定人数"), ("passing", "Passes when", "通过条件"),
                            ("schedule", "Schedule", "周期"), ("scheduled_for", "Binds", "适用")), o)


_BASES_ZH = {"entitled": "应到人数", "present": "实到人数", "cast": "投票数"}


def _rule_zh(text: str | None) -> str | None:
    """"> 1/2 present" → 超过实到人数的半数; "yes > no" → 赞成多于反对."""
    from cgov.meetings.rules import Rule

    if not text:
        return text
    rule = Rule.parse(text)
    if rule.is_yes_over_no:
        return "赞成多于反对"
    op = "超过" if rule.strict else "不少于"
    return f"{op}{_BASES_ZH[rule.base]}的{rule.text_zh[len(op):]}"


def _type_zh(row: dict) -> dict:
    """A meeting type's rules, voters, schedule and bound classes in Chinese."""
    from cgov.core.i18n import ORG_CLASSES, ROLES
    from cgov.meetings import schedule

    entitled = row["entitled"] or ""
    if entitled.startswith("roles:"):
        entitled = "职务：" + "、".join(ROLES.get(r, r) for r in entitled[len("roles:"):].split(","))
    bound = row.get("scheduled_for")
    return {**row, "entitled": entitled or row["entitled"], "quorum": _rule_zh(row["quorum"]) or "不设",
            "passing": "赞成票" + _rule_zh(row["passing"]) if row["passing"] != "yes > no" else "赞成多于反对",
            "voters": {"all": "全体", "full-members": "正式党员"}.get(row["voters"], row["voters"]),
            "schedule": schedule.label(row["schedule"], "zh") or None,
            "scheduled_for": "、".join(ORG_CLASSES.get(c.strip(), c.strip()) for c in bound.split(",")) if bound else bound}


# ---- matters (四议两公开) --------------------------------------------------------------

MatterArg = Annotated[str, typer.Argument(help="Matter id, e.g. MA2026-001.")]
MATTER_COLS = (("id", "Id", "编号"), ("title", "Title", "事项"), ("community_name", "Community", "社区"),
               ("stage", "Stage", "已到环节", True), ("stage_at", "Since", "时间"),
               ("next_stage", "Next", "下一环节", True), ("days_at_stage", "Days", "停留天数"))


@matter_app.command("add")
def matter_add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="The matter, e.g. 3号楼加装电梯.")],
    community: Annotated[str, typer.Option("--community", help="The community or village it concerns.")],
    description: Annotated[Optional[str], typer.Option("--description", help="What is proposed, in a sentence or two.")] = None,
    at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Register a major matter; prints its id.

    \b
    Example: cgov matter add 裕鸿佳苑四期加装电梯 --community cj-yh4"""
    from cgov.meetings import matters

    o = cmd.out(ctx, fmt, lang)
    with cmd.writing(ctx) as s:
        row = matters.add_matter(s, title, community, description, at=_at(at))
    _done(o, row, row["id"])


@matter_app.command("list")
def matter_list(
    ctx: typer.Context,
    community: Annotated[Optional[str], typer.Option("--community", help="Only this community or village.")] = None,
    stage: Annotated[Optional[str], typer.Option("--stage", help="Only matters whose last stage is this.")] = None,
    stalled: Annotated[Optional[int], typer.Option("--stalled", help="Only unfinished matters at their stage for this many days or more.")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="As of this time (default now).")] = None,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """List matters and the stage each has reached.

    \b
    Examples:
      cgov matter list --community cj-yh4
      cgov matter list --stalled 30"""
    from cgov.core.output import render_list
    from cgov.meetings import matters

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = matters.list_matters(s, community=community, stage=stage, stalled=stalled, as_of=_at(at))
    render_list(rows, _cols(*MATTER_COLS), o)


@matter_app.command("show")
def matter_show(ctx: typer.Context, matter: MatterArg, fmt: FormatOpt = None, lang: LangOpt = None):
    """Show a matter with its six stages and the evidence of each.

    \b
    Example: cgov matter show MA2026-001 --lang zh"""
    from cgov.core.output import Part, render_show
    from cgov.meetings import matters

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        row = matters.show_matter(s, matter)
    for st in row["stages"]:
        st["mark"] = "✓" if st["done"] else ("→" if st["next"] else "·")
    render_show(row, _cols(*MATTER_COLS[:3], ("description", "Description", "说明"), *MATTER_COLS[3:]), o, [
        Part("stages", "四议两公开", "四议两公开", _cols(
            ("mark", "", ""), ("position", "#", "序号"), ("stage", "Stage", "环节", True), ("at", "Date", "时间"),
            ("meeting", "Meeting", "会议"), ("meeting_title", "Title", "会议名称"), ("motion", "Motion", "决议"),
            ("result", "Result", "结果", True), ("place", "Made public at", "公开地点")))])


@matter_app.command("advance")
def matter_advance(
    ctx: typer.Context,
    matter: MatterArg,
    stage: Annotated[Optional[str], typer.Option("--stage", help="The stage reached (default: the next one).")] = None,
    meeting: Annotated[Optional[str], typer.Option("--meeting", help="The meeting that is its evidence.")] = None,
    motion: Annotated[Optional[str], typer.Option("--motion", help="The motion that passed (review, resolve).")] = None,
    where: Annotated[Optional[str], typer.Option("--where", help="Where it was made public (the publication stages).")] = None,
    at: AtOpt = None, fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Move a matter to its next stage with the evidence; prints the stage reached.

    \b
    Examples:
      cgov matter advance MA2026-002 --stage propose --meeting M2026-0001
      cgov matter advance MA2026-002 --stage review --motion M2026-0004-1
      cgov matter advance MA2026-002 --stage publish-resolution --where 社区公开栏 --at 2026-11-26"""
    from cgov.meetings import matters

    o = cmd.out(ctx, fmt, lang)
    with cmd.writing(ctx) as s:
        row = matters.advance(s, matter, stage=stage, meeting=meeting, motion=motion, where=where, at=_at(at))
    _done(o, row, i18n.t(f"{row['id']}: {row['stage']}", f"{row['id']}：{i18n.label(row['stage'], 'zh', LABELS)}", o.lang))
