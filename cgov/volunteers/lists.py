"""The three lists (三个清单): needs (with micro-wishes, 微心愿), resources
and projects, and the matching of resources to open needs.

A need is open → claimed (by a unit or a person, or by the owner of the
project it joins) → fulfilled; an open or claimed need may be withdrawn.
A project is planned → running → done; when it is done, the needs it took
on are fulfilled. Every refusal names the state and what it allows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_
from sqlmodel import select

from cgov.core import audit, clock
from cgov.core.errors import Invalid, Refused
from cgov.org.models import Area, Organization, Person
from cgov.org.service import ancestors, community_of, descendants, get_area, get_person
from cgov.volunteers import common, registry
from cgov.volunteers.labels import CATEGORIES as CATEGORY_ZH, NEED_KINDS as NEED_KIND_ZH
from cgov.volunteers.models import (CATEGORIES, NEED_KINDS, NEED_STATUSES, PROJECT_STATUSES, RESOURCE_STATUSES,
                                    Need, Project, ProjectNeed, ProjectResource, Resource)


def category(value: str) -> str:
    return common.choice(value, CATEGORIES, CATEGORY_ZH, "category")


def _after(at: dt.datetime, earlier: dt.datetime | None, what: str, rid: str, step: str) -> None:
    if earlier is not None and at < earlier:
        raise Invalid(f"{rid} was {what} at {clock.fmt_local(earlier)}; it cannot be {step} before that "
                      f"({clock.fmt_local(at)})")


def _place(session, area: str | None, person: Person | None, what: str) -> tuple[str | None, str]:
    """(area, community) of a need: the place given, else the person's home."""
    if area:
        a = get_area(session, area)
        c = community_of(session, a.id)
        if c is None:
            raise Invalid(f"{what} '{area}' is a {a.classification}; a need belongs to one community: give a "
                          "community, grid or building")
        return a.id, c.id
    if person is not None and person.home_id:
        return person.home_id, community_of(session, person.home_id).id
    raise Invalid("where is the need? give --area (a community, grid or building)")


# ---- needs and micro-wishes ----------------------------------------------------------

# What each step needs the need to be, and what each state allows.
NEED_STEPS = {"claim": ("open",), "release": ("claimed",), "fulfil": ("claimed",), "withdraw": ("open", "claimed")}
NEED_NEXT = {"open": "claim (cgov need claim) or withdraw", "claimed": "fulfil, release or withdraw",
             "fulfilled": "no further step", "withdrawn": "no further step"}
STEP_WORDS = {"claim": "claimed", "release": "released", "fulfil": "fulfilled", "withdraw": "withdrawn"}


def get_need(session, ref: str) -> Need:
    return common.get_record(session, Need, ref, "need", "cgov need list shows the ids")


def _need_state(session, n: Need) -> str:
    if n.status == "claimed":
        who = common.party_names(session, [(n.claimed_by_type, n.claimed_by)]).get((n.claimed_by_type, n.claimed_by))
        return f"claimed by {who or n.claimed_by} ({n.claimed_by}) on {clock.fmt_local(n.claimed_at)}"
    if n.status == "fulfilled":
        return f"fulfilled on {clock.fmt_local(n.fulfilled_at)}"
    if n.status == "withdrawn":
        return f"withdrawn on {clock.fmt_local(n.withdrawn_at)}"
    return "open"


def _need_step(session, n: Need, step: str) -> None:
    if n.status not in NEED_STEPS[step]:
        what = "wish" if n.kind == "micro-wish" else "need"
        raise Refused(f"{n.id} is {_need_state(session, n)}: it cannot be {STEP_WORDS[step]}; "
                      f"a {n.status} {what} allows {NEED_NEXT[n.status]}")


def add_need(session, title: str, category_: str, kind: str = "need", person: str | None = None,
             area: str | None = None, description: str | None = None, at: dt.datetime | None = None) -> dict:
    """Post a need; a micro-wish is one household's small need: `person` is
    the household, and it lies at their home unless `area` says otherwise."""
    kind = common.choice(kind, NEED_KINDS, NEED_KIND_ZH, "kind")
    p = get_person(session, person) if person else None
    if kind == "micro-wish" and p is None:
        raise Invalid("a micro-wish is one household's: say whose with --person")
    area_id, community_id = _place(session, area, p, "--area")
    n = Need(id=common.new_id(session, "need", Need), title=common.required(title, "the need's title"), kind=kind,
             category=category(category_), description=common.text(description), person_id=p.id if p else None,
             area_id=area_id, community_id=community_id, posted_at=common.when(at), status="open",
             created_at=clock.now())
    session.add(n)
    session.flush()
    audit.record(session, "need.add", entity="need", ids=[n.id], detail={
        "title": n.title, "kind": kind, "category": n.category, "community": community_id,
        "at": clock.iso_local(n.posted_at)})
    return show_need(session, n.id)


def _claim(n: Need, who: tuple[str, str], at: dt.datetime) -> None:
    n.status, (n.claimed_by_type, n.claimed_by), n.claimed_at = "claimed", who, at


def claim_need(session, ref: str, by: str, note: str | None = None, at: dt.datetime | None = None) -> dict:
    """A unit or a person takes a need or micro-wish on (认领)."""
    n = get_need(session, ref)
    _need_step(session, n, "claim")
    who = common.resolve_party(session, by, "--by")
    if who == ("person", n.person_id):
        raise Refused(f"{n.person_id} posted {n.id}; someone else takes it on")
    at = common.when(at)
    _after(at, n.posted_at, "posted", n.id, "claimed")
    _claim(n, who, at)
    n.note = common.text(note) or n.note
    return _need_saved(session, n, "claim", {"by": who[1], "at": clock.iso_local(at), "note": common.text(note)})


def release_need(session, ref: str, reason: str, at: dt.datetime | None = None) -> dict:
    """The claimer gives the need back: open again."""
    n = get_need(session, ref)
    _need_step(session, n, "release")
    project = _project_of(session, n.id)
    if project:
        raise Refused(f"{n.id} is taken on by project {project}; it is released by the project, not by hand")
    reason = common.required(reason, "--reason")
    at = common.when(at)
    _after(at, n.claimed_at, "claimed", n.id, "released")
    held = n.claimed_by
    n.status, n.claimed_by_type, n.claimed_by, n.claimed_at = "open", None, None, None
    return _need_saved(session, n, "release", {"was": held, "reason": reason, "at": clock.iso_local(at)})


def fulfil_need(session, ref: str, note: str | None = None, at: dt.datetime | None = None) -> dict:
    """The claimer has met the need (圆梦): it is closed."""
    n = get_need(session, ref)
    if n.status == "open":
        raise Refused(f"{n.id} is open: nobody has taken it on yet, so nobody has fulfilled it",
                      hint=f"cgov need claim {n.id} --by … first")
    _need_step(session, n, "fulfil")
    at = common.when(at)
    _after(at, n.claimed_at, "claimed", n.id, "fulfilled")
    n.status, n.fulfilled_at = "fulfilled", at
    n.note = common.text(note) or n.note
    return _need_saved(session, n, "fulfil", {"by": n.claimed_by, "at": clock.iso_local(at),
                                              "note": common.text(note)})


def withdraw_need(session, ref: str, reason: str, at: dt.datetime | None = None) -> dict:
    n = get_need(session, ref)
    _need_step(session, n, "withdraw")
    project = _project_of(session, n.id)
    if project:
        raise Refused(f"{n.id} is taken on by project {project}; a need in a project is met by it")
    at = common.when(at)
    _after(at, n.posted_at, "posted", n.id, "withdrawn")
    n.status, n.withdrawn_at, n.note = "withdrawn", at, common.required(reason, "--reason")
    return _need_saved(session, n, "withdraw", {"reason": n.note, "at": clock.iso_local(at)})


def _need_saved(session, n: Need, step: str, detail: dict) -> dict:
    session.add(n)
    session.flush()
    audit.record(session, f"need.{step}", entity="need", ids=[n.id],
                 detail={k: v for k, v in detail.items() if v is not None} | {"status": n.status})
    return show_need(session, n.id)


def _project_of(session, need_id: str) -> str | None:
    return session.exec(select(ProjectNeed.project_id).where(ProjectNeed.need_id == need_id)).first()


def _need_rows(session, needs: list[Need]) -> list[dict]:
    persons = common.names(session, Person, [n.person_id for n in needs])
    areas = common.names(session, Area, [a for n in needs for a in (n.area_id, n.community_id)])
    claimers = common.party_names(session, [(n.claimed_by_type, n.claimed_by) for n in needs if n.claimed_by])
    projects = common.pairs(session, ProjectNeed.need_id, ProjectNeed.project_id, [n.id for n in needs])
    return [{"id": n.id, "title": n.title, "kind": n.kind, "category": n.category, "status": n.status,
             "person": n.person_id, "person_name": persons.get(n.person_id), "area": n.area_id,
             "area_name": areas.get(n.area_id), "community": n.community_id,
             "community_name": areas.get(n.community_id), "posted_at": n.posted_at,
             "claimed_by_type": n.claimed_by_type, "claimed_by": n.claimed_by,
             "claimed_by_name": claimers.get((n.claimed_by_type, n.claimed_by)), "claimed_at": n.claimed_at,
             "fulfilled_at": n.fulfilled_at, "withdrawn_at": n.withdrawn_at, "project": projects.get(n.id),
             "description": n.description, "note": n.note} for n in needs]


def show_need(session, ref: str) -> dict:
    return _need_rows(session, [get_need(session, ref)])[0]


def list_needs(session, status: str | None = None, kind: str | None = None, category_: str | None = None,
               area: str | None = None, claimed_by: str | None = None, since: dt.datetime | None = None,
               until: dt.datetime | None = None, limit: int | None = None) -> list[dict]:
    """Needs, oldest posted first; `status` may be comma-separated."""
    q = select(Need)
    if status:
        wanted = [s.strip() for s in status.split(",") if s.strip()]
        for s in wanted:
            if s not in NEED_STATUSES:
                raise Invalid(f"--status '{s}' is not one of: {', '.join(NEED_STATUSES)}")
        q = q.where(Need.status.in_(wanted))
    if kind:
        q = q.where(Need.kind == common.choice(kind, NEED_KINDS, NEED_KIND_ZH, "--kind"))
    if category_:
        q = q.where(Need.category == category(category_))
    q = common.narrowed(session, q, Need.community_id, Need.posted_at, area, since, until)
    if claimed_by:
        t, i = common.resolve_party(session, claimed_by, "--claimed-by")
        q = q.where(Need.claimed_by_type == t, Need.claimed_by == i)
    q = q.order_by(Need.posted_at, Need.id)
    if limit:
        q = q.limit(limit)
    return _need_rows(session, list(session.exec(q)))


# ---- resources --------------------------------------------------------------------------


def get_resource(session, ref: str) -> Resource:
    return common.get_record(session, Resource, ref, "resource", "cgov resource list shows the ids")


def party_area(session, who: tuple[str, str]) -> str | None:
    """Where a unit works, or the community a person lives in."""
    if who[0] == "organization":
        return session.get(Organization, who[1]).area_id
    p = session.get(Person, who[1])
    home = common.home_community(session, p)
    return home.id if home else None


def add_resource(session, title: str, category_: str, provider: str, area: str | None = None,
                 description: str | None = None, at: dt.datetime | None = None) -> dict:
    """Offer a resource: a unit's or a person's, available in an area (by
    default where the unit works or the person lives)."""
    who = common.resolve_party(session, provider, "--provider")
    area_id = get_area(session, area).id if area else party_area(session, who)
    if area_id is None:
        raise Invalid(f"where is {who[1]}'s resource available? give --area")
    r = Resource(id=common.new_id(session, "resource", Resource), title=common.required(title, "the resource's title"),
                 category=category(category_), description=common.text(description), provider_type=who[0],
                 provider_id=who[1], area_id=area_id, offered_at=common.when(at), status="available",
                 created_at=clock.now())
    session.add(r)
    session.flush()
    audit.record(session, "resource.add", entity="resource", ids=[r.id, who[1]],
                 detail={"title": r.title, "category": r.category, "area": area_id})
    return show_resource(session, r.id)


def withdraw_resource(session, ref: str, reason: str, at: dt.datetime | None = None) -> dict:
    r = get_resource(session, ref)
    if r.status != "available":
        raise Refused(f"{r.id} was withdrawn on {clock.fmt_local(r.withdrawn_at)}: it cannot be withdrawn again")
    at = common.when(at)
    _after(at, r.offered_at, "offered", r.id, "withdrawn")
    r.status, r.withdrawn_at, r.note = "withdrawn", at, common.required(reason, "--reason")
    session.add(r)
    session.flush()
    audit.record(session, "resource.withdraw", entity="resource", ids=[r.id],
                 detail={"reason": r.note, "at": clock.iso_local(at)})
    return show_resource(session, r.id)


def _resource_rows(session, resources: list[Resource]) -> list[dict]:
    providers = common.party_names(session, [(r.provider_type, r.provider_id) for r in resources])
    areas = common.names(session, Area, [r.area_id for r in resources])
    return [{"id": r.id, "title": r.title, "category": r.category, "status": r.status,
             "provider_type": r.provider_type, "provider": r.provider_id,
             "provider_name": providers.get((r.provider_type, r.provider_id)), "area": r.area_id,
             "area_name": areas.get(r.area_id), "offered_at": r.offered_at, "withdrawn_at": r.withdrawn_at,
             "description": r.description, "note": r.note} for r in resources]


def show_resource(session, ref: str) -> dict:
    r = get_resource(session, ref)
    row = _resource_rows(session, [r])[0]
    pids = session.exec(select(ProjectResource.project_id).where(ProjectResource.resource_id == r.id)).all()
    row["projects"] = _project_rows(session, list(session.exec(select(Project).where(Project.id.in_(pids))
                                                               .order_by(Project.id)))) if pids else []
    return row


def _covering(session, area_id: str) -> list[str]:
    """The area and every area above it: a resource offered there reaches it."""
    return [area_id, *[a.id for a in ancestors(session, area_id)]]


def list_resources(session, status: str | None = "available", category_: str | None = None,
                   area: str | None = None, provider: str | None = None) -> list[dict]:
    """Resources (available ones unless `status` says otherwise). With
    `area`: those offered in it or for a wider area that contains it."""
    q = select(Resource)
    if status:
        if status not in RESOURCE_STATUSES:
            raise Invalid(f"--status '{status}' is not one of: {', '.join(RESOURCE_STATUSES)}")
        q = q.where(Resource.status == status)
    if category_:
        q = q.where(Resource.category == category(category_))
    if area:
        a = get_area(session, area)
        q = q.where(or_(Resource.area_id.in_(descendants(session, a.id)),
                        Resource.area_id.in_(_covering(session, a.id))))
    if provider:
        t, i = common.resolve_party(session, provider, "--provider")
        q = q.where(Resource.provider_type == t, Resource.provider_id == i)
    return _resource_rows(session, list(session.exec(q.order_by(Resource.id))))


# ---- projects -----------------------------------------------------------------------------

PROJECT_STEPS = {"start": ("planned",), "finish": ("running",), "link": ("planned", "running")}
PROJECT_NEXT = {"planned": "start, or taking on more needs and resources", "running": "done (cgov project done), "
                "or taking on more needs and resources", "done": "no further step"}


def get_project(session, ref: str) -> Project:
    return common.get_record(session, Project, ref, "project", "cgov project list shows the ids")


def _project_step(p: Project, step: str, words: str) -> None:
    if p.status not in PROJECT_STEPS[step]:
        since = {"running": p.started_at, "done": p.done_at}.get(p.status)
        when_ = f" (since {clock.fmt_local(since)})" if since else ""
        hint = f"cgov project start {p.id} first" if step == "finish" and p.status == "planned" else None
        raise Refused(f"{p.id} is {p.status}{when_}: it cannot {words}; a {p.status} project allows "
                      f"{PROJECT_NEXT[p.status]}", hint=hint)


def _link_need(session, p: Project, need_ref: str, at: dt.datetime) -> str:
    n = get_need(session, need_ref)
    other = _project_of(session, n.id)
    if other:
        raise Refused(f"{n.id} is already taken on by project {other}; a need belongs to one project")
    owner = (p.owner_type, p.owner_id)
    if n.status == "claimed" and (n.claimed_by_type, n.claimed_by) != owner:
        raise Refused(f"{n.id} is {_need_state(session, n)}; only its claimer's project can take it on",
                      hint=f"the claimer may release it: cgov need release {n.id} --reason …")
    if n.status not in ("open", "claimed"):
        raise Refused(f"{n.id} is {_need_state(session, n)}: a project takes on open needs")
    if n.status == "open":
        _after(at, n.posted_at, "posted", n.id, "taken on")
        _claim(n, owner, at)
        session.add(n)
    session.add(ProjectNeed(project_id=p.id, need_id=n.id))
    return n.id


def _link_resource(session, p: Project, resource_ref: str) -> str:
    r = get_resource(session, resource_ref)
    if r.status != "available":
        raise Refused(f"{r.id} was withdrawn on {clock.fmt_local(r.withdrawn_at)}; a project uses available "
                      "resources")
    if session.exec(select(ProjectResource.id).where(ProjectResource.project_id == p.id,
                                                     ProjectResource.resource_id == r.id)).first():
        raise Invalid(f"{r.id} is already used by {p.id}")
    session.add(ProjectResource(project_id=p.id, resource_id=r.id))
    return r.id


def _link_all(session, p: Project, needs, resources, at) -> dict:
    linked = {"needs": [_link_need(session, p, n, at) for n in needs or []],
              "resources": [_link_resource(session, p, r) for r in resources or []]}
    session.flush()
    return linked


def add_project(session, title: str, owner: str, area: str | None = None, needs=(), resources=(),
                description: str | None = None, at: dt.datetime | None = None) -> dict:
    """Plan a project with its owner; the needs it takes on are claimed for
    the owner. Its area is the one given, else the first need's community,
    else where the owner works or lives."""
    who = common.resolve_party(session, owner, "--owner")
    if area:
        area_id = get_area(session, area).id
    elif needs:
        area_id = get_need(session, needs[0]).community_id
    else:
        area_id = party_area(session, who)
    if area_id is None:
        raise Invalid("where does the project work? give --area")
    at = common.when(at)
    p = Project(id=common.new_id(session, "project", Project), title=common.required(title, "the project's title"),
                description=common.text(description), owner_type=who[0], owner_id=who[1], area_id=area_id,
                status="planned", planned_at=at, created_at=clock.now())
    session.add(p)
    session.flush()
    linked = _link_all(session, p, needs, resources, at)
    audit.record(session, "project.add", entity="project", ids=[p.id, *linked["needs"], *linked["resources"]],
                 detail={"title": p.title, "owner": who[1], "area": area_id, **linked})
    return show_project(session, p.id)


def link_project(session, ref: str, needs=(), resources=(), at: dt.datetime | None = None) -> dict:
    p = get_project(session, ref)
    _project_step(p, "link", "take on more needs or resources")
    if not needs and not resources:
        raise Invalid("give --need or --resource to link")
    linked = _link_all(session, p, needs, resources, common.when(at))
    audit.record(session, "project.link", entity="project", ids=[p.id, *linked["needs"], *linked["resources"]],
                 detail=linked)
    return show_project(session, p.id)


def start_project(session, ref: str, at: dt.datetime | None = None) -> dict:
    p = get_project(session, ref)
    _project_step(p, "start", "start")
    at = common.when(at)
    _after(at, p.planned_at, "planned", p.id, "started")
    p.status, p.started_at = "running", at
    return _project_saved(session, p, "start", {"at": clock.iso_local(at)})


def finish_project(session, ref: str, note: str | None = None, at: dt.datetime | None = None) -> dict:
    """The project is done: the needs it took on are fulfilled with it."""
    p = get_project(session, ref)
    _project_step(p, "finish", "be marked done")
    at = common.when(at)
    _after(at, p.started_at, "started", p.id, "done")
    p.status, p.done_at, p.note = "done", at, common.text(note) or p.note
    met = []
    for n in session.exec(select(Need).join(ProjectNeed, ProjectNeed.need_id == Need.id).where(
            ProjectNeed.project_id == p.id, Need.status == "claimed")):
        n.status, n.fulfilled_at = "fulfilled", max(at, n.claimed_at)
        n.note = n.note or f"project {p.id} done"
        session.add(n)
        met.append(n.id)
    return _project_saved(session, p, "done", {"at": clock.iso_local(at), "needs_fulfilled": met,
                                               "note": common.text(note)})


def _project_saved(session, p: Project, step: str, detail: dict) -> dict:
    session.add(p)
    session.flush()
    audit.record(session, f"project.{step}", entity="project", ids=[p.id],
                 detail={k: v for k, v in detail.items() if v is not None} | {"status": p.status})
    return show_project(session, p.id)


def _project_rows(session, projects: list[Project]) -> list[dict]:
    owners = common.party_names(session, [(p.owner_type, p.owner_id) for p in projects])
    areas = common.names(session, Area, [p.area_id for p in projects])
    ids = [p.id for p in projects]
    counts: dict = {}
    for table in (ProjectNeed, ProjectResource):
        for pid, _ in common.rows_in(session, table.project_id, table.id, ids):
            counts[(table, pid)] = counts.get((table, pid), 0) + 1
    return [{"id": p.id, "title": p.title, "status": p.status, "owner_type": p.owner_type, "owner": p.owner_id,
             "owner_name": owners.get((p.owner_type, p.owner_id)), "area": p.area_id,
             "area_name": areas.get(p.area_id), "planned_at": p.planned_at, "started_at": p.started_at,
             "done_at": p.done_at, "needs": counts.get((ProjectNeed, p.id), 0),
             "resources": counts.get((ProjectResource, p.id), 0), "description": p.description,
             "note": p.note} for p in projects]


def show_project(session, ref: str) -> dict:
    p = get_project(session, ref)
    row = _project_rows(session, [p])[0]
    need_ids = session.exec(select(ProjectNeed.need_id).where(ProjectNeed.project_id == p.id)).all()
    res_ids = session.exec(select(ProjectResource.resource_id).where(ProjectResource.project_id == p.id)).all()
    row["need_list"] = _need_rows(session, list(session.exec(select(Need).where(Need.id.in_(need_ids))
                                                              .order_by(Need.id)))) if need_ids else []
    row["resource_list"] = _resource_rows(session, list(session.exec(
        select(Resource).where(Resource.id.in_(res_ids)).order_by(Resource.id)))) if res_ids else []
    return row


def list_projects(session, status: str | None = None, area: str | None = None,
                  owner: str | None = None) -> list[dict]:
    q = select(Project)
    if status:
        if status not in PROJECT_STATUSES:
            raise Invalid(f"--status '{status}' is not one of: {', '.join(PROJECT_STATUSES)}")
        q = q.where(Project.status == status)
    inside = common.area_scope(session, area)
    if inside is not None:
        q = q.where(Project.area_id.in_(inside))
    if owner:
        t, i = common.resolve_party(session, owner, "--owner")
        q = q.where(Project.owner_type == t, Project.owner_id == i)
    return _project_rows(session, list(session.exec(q.order_by(Project.planned_at, Project.id))))


# ---- matching --------------------------------------------------------------------------


def match(session, area: str | None = None, need: str | None = None, top: int = 3,
          on: dt.date | None = None) -> list[dict]:
    """Suggest available resources for open needs, for a person to confirm
    (with `cgov project add … --need … --resource …`). A resource fits a
    need of its category offered in the need's community (score 2) or for a
    wider area containing it (score 1); a provider registered with the
    community (双报到) scores 1 more. The best `top` for each need."""
    if top < 1:
        raise Invalid(f"--top {top}: suggest at least 1")
    q = select(Need).where(Need.status == "open")
    if need:
        n = get_need(session, need)
        if n.status != "open":
            raise Refused(f"{n.id} is {_need_state(session, n)}: matching suggests resources for open needs")
        q = q.where(Need.id == n.id)
    inside = common.scope(session, area)
    if inside is not None:
        q = q.where(Need.community_id.in_(inside))
    needs = list(session.exec(q.order_by(Need.posted_at, Need.id)))
    resources = list(session.exec(select(Resource).where(Resource.status == "available").order_by(Resource.id)))
    places = {r.area_id for r in resources}
    covers = {a: set(descendants(session, a)) for a in places}
    local = {a: getattr(community_of(session, a), "id", None) for a in places}
    registered: dict = {}
    need_rows = {row["id"]: row for row in _need_rows(session, needs)}
    res_rows = {row["id"]: row for row in _resource_rows(session, resources)}
    out = []
    for n in needs:
        if n.community_id not in registered:
            registered[n.community_id] = registry.registered(session, n.community_id, on)
        fits = []
        for r in resources:
            if r.category != n.category:
                continue
            if local[r.area_id] == n.community_id:
                score, reasons = 2, ["same-community"]
            elif n.community_id in covers[r.area_id]:
                score, reasons = 1, ["wider-area"]
            else:
                continue
            if (r.provider_type, r.provider_id) in registered[n.community_id]:
                score, reasons = score + 1, [*reasons, "registered"]
            fits.append((score, r, reasons))
        fits.sort(key=lambda f: (-f[0], f[1].id))
        for score, r, reasons in fits[:top]:
            nr, rr = need_rows[n.id], res_rows[r.id]
            out.append({"need": n.id, "need_title": n.title, "kind": n.kind, "category": n.category,
                        "community": n.community_id, "community_name": nr["community_name"],
                        "resource": r.id, "resource_title": r.title, "provider": r.provider_id,
                        "provider_name": rr["provider_name"], "score": score, "reasons": reasons})
    return out
