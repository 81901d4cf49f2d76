"""Major matters through 四议两公开: the party organization proposes 提议,
the two committees discuss 商议, the party members' meeting reviews 审议,
the residents' (villagers') meeting or representatives' meeting resolves
决议; then the resolution and the result of carrying it out are made public.

Each stage needs its evidence, as data in STAGE_RULES: a meeting of the
right kind in the matter's own community, a motion that passed where the law
asks for a vote, a place where something was made public. Stages go in
order, each no earlier than the one before."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from cgov.core import audit, clock, sequence
from cgov.core.errors import Invalid, NotFound, Refused
from cgov.core.schema import ID_RE
from cgov.meetings import service
from cgov.meetings.models import STAGES, Matter, MatterStep, Meeting
from cgov.org import service as org
from cgov.org.models import Area, Organization

_RESOLVING = ("residents-meeting", "residents-representatives-meeting", "villagers-meeting",
              "villagers-representatives-meeting")

# stage -> what counts as its evidence. "conveners": classifications of the
# organization that convened the meeting; "types": meeting types; "motion":
# a passed motion of that meeting is required; "place": made public somewhere.
STAGE_RULES = {
    "propose": {"conveners": ("party-committee", "party-general-branch", "party-branch"), "motion": False},
    "discuss": {"types": ("two-committees-meeting",), "motion": False},
    "review": {"types": ("party-members-meeting",), "motion": True},
    "resolve": {"types": _RESOLVING, "motion": True},
    "publish-resolution": {"place": True},
    "publish-result": {"place": True},
}


def get_matter(session, ref: str) -> Matter:
    m = session.get(Matter, ref)
    if m is None:
        raise NotFound(f"no matter '{ref}'", hint="cgov matter list shows the ids")
    return m


def _community(session, ref: str):
    area = org.get_area(session, ref)
    if area.classification not in ("community", "village"):
        raise Invalid(f"--community '{ref}' is a {area.classification}; give a community or village")
    return area


def claim_matter_id(session, mid: str) -> None:
    if len(mid) == 10 and mid[:2] == "MA" and mid[2:6].isdigit() and mid[6] == "-" and mid[7:].isdigit():
        sequence.ensure_at_least(session, f"matter-{mid[2:6]}", int(mid[7:]))


def create_matter(session, title: str, community: str, description: str | None = None,
                  at: dt.datetime | None = None, id: str | None = None) -> Matter:
    title = (title or "").strip()
    if not title:
        raise Invalid("the matter's title is empty")
    area = _community(session, community)
    at = at or clock.now()
    if id is None:
        year = clock.to_local(at).year
        while True:
            id = f"MA{year}-{sequence.next_value(session, f'matter-{year}'):03d}"
            if session.get(Matter, id) is None:
                break
    elif not ID_RE.match(id):
        raise Invalid(f"id '{id}' may only have letters, digits, '.', '_' and '-'")
    elif session.get(Matter, id) is not None:
        raise Refused(f"matter '{id}' already exists")
    m = Matter(id=id, title=title, description=(description or "").strip() or None, community_id=area.id,
               created_at=at)
    session.add(m)
    session.flush()
    return m


def add_matter(session, title: str, community: str, description: str | None = None,
               at: dt.datetime | None = None) -> dict:
    m = create_matter(session, title, community, description, at)
    audit.record(session, "matter.add", entity="matter", ids=[m.id],
                 detail={"title": m.title, "community": m.community_id, "at": m.created_at})
    return show_matter(session, m.id)


def steps(session, m: Matter) -> list[MatterStep]:
    return list(session.exec(select(MatterStep).where(MatterStep.matter_id == m.id).order_by(MatterStep.position)))


def _meeting_community(session, mtg: Meeting):
    o = session.get(Organization, mtg.organization_id)
    return org.community_of(session, o.area_id) if o is not None and o.area_id else None


def _check_meeting(session, m: Matter, stage: str, mtg: Meeting, motion_id: str | None, rule: dict,
                   used: dict) -> None:
    if "types" in rule and mtg.type not in rule["types"]:
        raise Refused(f"stage {stage} needs a {' or '.join(rule['types'])}; meeting {mtg.id} is a {mtg.type}")
    if "conveners" in rule:
        o = session.get(Organization, mtg.organization_id)
        if o is None or o.classification not in rule["conveners"]:
            raise Refused(f"stage {stage} needs a meeting of a party organization "
                          f"({', '.join(rule['conveners'])}); {mtg.id} was convened by {mtg.organization_name}"
                          f" ({o.classification if o else 'unknown'})")
    home = _meeting_community(session, mtg)
    if home is None or home.id != m.community_id:
        raise Refused(f"meeting {mtg.id} belongs to {home.name if home else 'no community'}, not to this "
                      f"matter's community ({m.community_id})")
    if mtg.id in used:
        raise Refused(f"meeting {mtg.id} is already the evidence of stage {used[mtg.id]}")
    if rule["motion"] and motion_id is None:
        raise Invalid(f"stage {stage} needs the motion that carried it (--motion)")
    if motion_id is not None:
        mo = service.get_motion(session, motion_id)
        if mo.meeting_id != mtg.id:
            raise Invalid(f"motion {mo.id} belongs to meeting {mo.meeting_id}, not {mtg.id}")
        res = service.motion_result(session, mo)
        if res["result"] != "passed":
            why = f": {res['explanation']}" if res["explanation"] else ""
            raise Refused(f"motion {mo.id} did not pass ({res['result']}{why})")


def record_stage(session, m: Matter, stage: str | None = None, meeting: str | None = None,
                 motion: str | None = None, where: str | None = None, at: dt.datetime | None = None) -> MatterStep:
    """Check a stage's evidence and record it (the audit entry is the caller's)."""
    recorded = steps(session, m)
    done = len(recorded)
    if done == len(STAGES):
        raise Refused(f"matter {m.id} has been through all six stages")
    expected = STAGES[done]
    stage = stage or expected
    if stage not in STAGES:
        raise Invalid(f"--stage '{stage}' is not one of: {', '.join(STAGES)}")
    if stage != expected:
        at_now = f"is at '{recorded[-1].stage}'" if recorded else "has no stage yet"
        raise Refused(f"matter {m.id} {at_now}; the next stage is '{expected}', not '{stage}' "
                      f"(stages go in order: {' → '.join(STAGES)})")
    rule = STAGE_RULES[stage]
    if motion and not meeting:
        meeting = service.get_motion(session, motion).meeting_id
    place = None
    if rule.get("place"):
        if meeting or motion:
            raise Invalid(f"stage {stage} is made public somewhere, not at a meeting: give --where and --at")
        place = (where or "").strip()
        if not place:
            raise Invalid(f"stage {stage} needs --where it was made public (e.g. 社区公开栏)")
        at = at or clock.now()
    else:
        if where:
            raise Invalid(f"stage {stage} is a meeting: --where belongs to the publication stages")
        if not meeting:
            raise Invalid(f"stage {stage} needs its meeting (--meeting, or --motion)")
        mtg = service.get_meeting(session, meeting)
        if at is not None and at != mtg.at:
            raise Invalid(f"stage {stage} took place when meeting {mtg.id} did ({clock.fmt_local(mtg.at)}); "
                          "leave out --at")
        used = {s.meeting_id: s.stage for s in recorded if s.meeting_id}
        _check_meeting(session, m, stage, mtg, motion, rule, used)
        at = mtg.at
    if recorded and at < recorded[-1].at:
        raise Refused(f"stage {stage} on {clock.fmt_local(at)} would come before stage {recorded[-1].stage} "
                      f"({clock.fmt_local(recorded[-1].at)})")
    step = MatterStep(matter_id=m.id, stage=stage, position=done + 1, at=at,
                      meeting_id=meeting if not place else None, motion_id=motion, place=place)
    session.add(step)
    m.stage, m.stage_at = stage, at
    session.add(m)
    session.flush()
    return step


def advance(session, matter: str, stage: str | None = None, meeting: str | None = None,
            motion: str | None = None, where: str | None = None, at: dt.datetime | None = None) -> dict:
    m = get_matter(session, matter)
    step = record_stage(session, m, stage, meeting, motion, where, at)
    audit.record(session, "matter.advance", entity="matter", ids=[m.id] + [x for x in (step.meeting_id,) if x],
                 detail={"stage": step.stage, "meeting": step.meeting_id, "motion": step.motion_id,
                         "where": step.place, "at": step.at})
    return show_matter(session, m.id)


def _stage_rows(session, m: Matter) -> list[dict]:
    by_stage = {s.stage: s for s in steps(session, m)}
    rows = []
    next_marked = False
    for i, stage in enumerate(STAGES, start=1):
        s = by_stage.get(stage)
        row = {"position": i, "stage": stage, "done": s is not None, "next": False, "at": None,
               "meeting": None, "meeting_title": None, "motion": None, "result": None, "place": None}
        if s is None:
            row["next"] = not next_marked
            next_marked = True
        else:
            row.update(at=s.at, meeting=s.meeting_id, motion=s.motion_id, place=s.place)
            if s.meeting_id:
                row["meeting_title"] = session.get(Meeting, s.meeting_id).title
            if s.motion_id:
                row["result"] = service.motion_result(session, service.get_motion(session, s.motion_id))["result"]
        rows.append(row)
    return rows


def _row(session, m: Matter, names: dict, as_of: dt.datetime) -> dict:
    done = len(steps(session, m))
    since = m.stage_at or m.created_at
    return {"id": m.id, "title": m.title, "community": m.community_id, "community_name": names.get(m.community_id),
            "stage": m.stage, "next_stage": STAGES[done] if done < len(STAGES) else None,
            "stage_at": m.stage_at, "created_at": m.created_at, "finished": done == len(STAGES),
            "days_at_stage": max((as_of - since).days, 0)}


def show_matter(session, ref: str) -> dict:
    m = get_matter(session, ref)
    area = org.get_area(session, m.community_id)
    row = _row(session, m, {area.id: area.name}, clock.now())
    row["description"] = m.description
    row["stages"] = _stage_rows(session, m)
    return row


def list_matters(session, community: str | None = None, stage: str | None = None,
                 stalled: int | None = None, as_of: dt.datetime | None = None) -> list[dict]:
    """Matters, optionally only those stuck at a stage for `stalled` days or
    more as of a time (finished matters are never stalled)."""
    as_of = as_of or clock.now()
    q = select(Matter)
    if community:
        q = q.where(Matter.community_id == _community(session, community).id)
    if stage:
        if stage not in STAGES:
            raise Invalid(f"--stage '{stage}' is not one of: {', '.join(STAGES)}")
        q = q.where(Matter.stage == stage)
    if stalled is not None and stalled < 0:
        raise Invalid(f"--stalled {stalled} is negative")
    names = {a.id: a.name for a in session.exec(select(Area).where(Area.classification.in_(
        ("community", "village"))))}
    rows = [_row(session, m, names, as_of) for m in session.exec(q.order_by(Matter.created_at, Matter.id))]
    if stalled is not None:
        rows = [r for r in rows if not r["finished"] and r["days_at_stage"] >= stalled]
    return rows
