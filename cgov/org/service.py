"""Org-chart rules and queries: areas, organizations, persons, posts, grid checks.

Plain functions over a Session; nothing here prints. Lists return dicts with
the field names of the YAML format, ready for any renderer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, text
from sqlmodel import select

from cgov.core import clock, privacy
# cgov.core.audit is imported where something is written: the case commands
# read areas through this module and need not build the audit log's model.
from cgov.core.errors import Invalid, NotFound, Refused
from cgov.core.schema import ID_RE, PERSONAL_KEY
from cgov.org.labels import GRID_RULES
from cgov.org.models import (AREA_CLASSES, GENDERS, ORG_CLASSES, PARTY_CLASSES,
                             PARTY_STATUSES, ROLES, Area, Membership, Organization, Person)

# ---- areas ------------------------------------------------------------------


def get_area(session, ref: str, classification: str | None = None) -> Area:
    """An area by id, or by exact name when the name is unique."""
    area = session.get(Area, ref)
    if area is None:
        q = select(Area).where(Area.name == ref)
        if classification:
            q = q.where(Area.classification == classification)
        found = session.exec(q).all()
        if len(found) > 1:
            raise Invalid(f"area name '{ref}' is ambiguous: {', '.join(a.id for a in found[:5])}",
                          hint="give the id instead")
        area = found[0] if found else None
    if area is None:
        raise NotFound(f"no area '{ref}'", hint="cgov area list shows the ids")
    if classification and area.classification != classification:
        raise Invalid(f"'{ref}' is a {area.classification}, not a {classification}")
    return area


def descendants(session, area_id: str, include_self: bool = True) -> list[str]:
    rows = session.execute(text(
        "WITH RECURSIVE sub(id) AS (SELECT id FROM area WHERE id = :root "
        "UNION ALL SELECT a.id FROM area a JOIN sub ON a.parent_id = sub.id) SELECT id FROM sub"
    ), {"root": area_id}).scalars().all()
    return rows if include_self else [r for r in rows if r != area_id]


def ancestors(session, area_id: str) -> list[Area]:
    """The area's parents, nearest first."""
    out, cur = [], session.get(Area, area_id)
    while cur is not None and cur.parent_id:
        cur = session.get(Area, cur.parent_id)
        if cur is not None:
            out.append(cur)
    return out


def community_of(session, area_id: str) -> Area | None:
    area = session.get(Area, area_id)
    while area is not None and area.classification not in ("community", "village"):
        area = session.get(Area, area.parent_id) if area.parent_id else None
    return area


# ---- areas read as plain rows ------------------------------------------------
# The case commands run on every whistle blown; their first ORM statement
# alone costs more (mapper set-up, ORM compilation) than all their SQL. These
# read areas as Core rows (id, name, classification, parent_id), which the
# ORM objects stand in for wherever only those are read. They see what is in
# the store, not objects added to the session and not yet flushed.

_A = Area.__table__.c
_BRIEF = (_A.id, _A.name, _A.classification, _A.parent_id)


def area_brief(session, area_id: str | None):
    """One area by id as a row, or None."""
    if not area_id:
        return None
    return session.execute(select(*_BRIEF).where(_A.id == area_id)).first()


def community_brief(session, area_id: str):
    """The community or village an area lies in (the area itself if it is
    one), as a row, or None."""
    area = area_brief(session, area_id)
    while area is not None and area.classification not in ("community", "village"):
        area = area_brief(session, area.parent_id)
    return area


def _area_row(a: Area, names: dict) -> dict:
    return {"id": a.id, "name": a.name, "classification": a.classification, "code": a.code,
            "parent": a.parent_id, "parent_name": names.get(a.parent_id),
            "households": a.households, "population": a.population}


def list_areas(session, classification: str | None = None, under: str | None = None,
               search: str | None = None) -> list[dict]:
    q = select(Area)
    if classification:
        if classification not in AREA_CLASSES:
            raise Invalid(f"classification '{classification}' is not one of: {', '.join(AREA_CLASSES)}")
        q = q.where(Area.classification == classification)
    if under:
        q = q.where(Area.id.in_(descendants(session, get_area(session, under).id)))
    if search:
        q = q.where(or_(Area.name.contains(search), Area.id.contains(search)))
    areas = session.exec(q.order_by(Area.id)).all()
    names = dict(session.execute(select(Area.id, Area.name)).all())
    return [_area_row(a, names) for a in areas]


def show_area(session, ref: str) -> dict:
    a = get_area(session, ref)
    names = dict(session.execute(select(Area.id, Area.name)).all())
    row = _area_row(a, names)
    row["path"] = " / ".join(x.name for x in reversed(ancestors(session, a.id)))
    row["children"] = [_area_row(c, names) for c in session.exec(
        select(Area).where(Area.parent_id == a.id).order_by(Area.id))]
    row["organizations"] = [
        {"id": o.id, "name": o.name, "classification": o.classification}
        for o in session.exec(select(Organization).where(Organization.area_id == a.id).order_by(Organization.id))]
    return row


def area_tree(session, root: str | None = None, depth: int | None = None) -> list[dict]:
    # Plain rows: a city has tens of thousands of areas, and ORM objects for
    # all of them took most of the command's time.
    areas = session.execute(select(*_BRIEF, _A.households, _A.population).order_by(_A.id)).all()
    kids: dict = {}
    for a in areas:
        kids.setdefault(a.parent_id, []).append(a)

    def build(a, level):
        node = {"id": a.id, "name": a.name, "classification": a.classification,
                "households": a.households, "population": a.population}
        if depth is None or level < depth:
            node["children"] = [build(c, level + 1) for c in kids.get(a.id, [])]
        return node

    roots = [get_area(session, root)] if root else kids.get(None, [])
    return [build(a, 1) for a in roots]


# ---- organizations ------------------------------------------------------------


def get_org(session, ref: str) -> Organization:
    org = session.get(Organization, ref)
    if org is None:
        found = session.exec(select(Organization).where(Organization.name == ref)).all()
        if len(found) > 1:
            raise Invalid(f"organization name '{ref}' is ambiguous: {', '.join(o.id for o in found[:5])}",
                          hint="give the id instead")
        org = found[0] if found else None
    if org is None:
        raise NotFound(f"no organization '{ref}'", hint="cgov org list shows the ids")
    return org


def _today(on: dt.date | None) -> dt.date:
    return on or clock.to_local(clock.now()).date()


def _current(q, on: dt.date):
    return q.where(or_(Membership.end_date.is_(None), Membership.end_date > on)).where(
        or_(Membership.start_date.is_(None), Membership.start_date <= on))


def _heads(session, org_ids, on) -> dict:
    """org id -> name of its secretary (party) or director (others)."""
    q = _current(select(Membership.organization_id, Membership.role, Person.name)
                 .join(Person, Person.id == Membership.person_id)
                 .where(Membership.role.in_(("secretary", "director", "manager"))), on)
    heads: dict = {}
    rank = {"secretary": 0, "director": 1, "manager": 2}
    for oid, role, name in session.execute(q):
        if oid in org_ids and (oid not in heads or rank[role] < heads[oid][0]):
            heads[oid] = (rank[role], name)
    return {k: v[1] for k, v in heads.items()}


def _member_counts(session, on) -> dict:
    q = _current(select(Membership.organization_id, func.count(func.distinct(Membership.person_id)))
                 .where(Membership.organization_id.is_not(None)), on).group_by(Membership.organization_id)
    return dict(session.execute(q).all())


def list_orgs(session, classification: str | None = None, area: str | None = None,
              search: str | None = None, on: dt.date | None = None) -> list[dict]:
    on = _today(on)
    q = select(Organization)
    if classification:
        if classification not in ORG_CLASSES:
            raise Invalid(f"classification '{classification}' is not one of: {', '.join(ORG_CLASSES)}")
        q = q.where(Organization.classification == classification)
    if area:
        q = q.where(Organization.area_id.in_(descendants(session, get_area(session, area).id)))
    if search:
        q = q.where(or_(Organization.name.contains(search), Organization.id.contains(search)))
    orgs = session.exec(q.order_by(Organization.id)).all()
    ids = {o.id for o in orgs}
    heads = _heads(session, ids, on)
    counts = _member_counts(session, on)
    areas = dict(session.execute(select(Area.id, Area.name)).all())
    return [{"id": o.id, "name": o.name, "classification": o.classification, "area": o.area_id,
             "area_name": areas.get(o.area_id), "parent": o.parent_id, "head": heads.get(o.id),
             "members": counts.get(o.id, 0)} for o in orgs]


def _post_rows(session, q) -> list[dict]:
    q = q.join(Person, Person.id == Membership.person_id).add_columns(Person.name, Person.phone,
                                                                       Person.party_status)
    orgs = dict(session.execute(select(Organization.id, Organization.name)).all())
    areas = dict(session.execute(select(Area.id, Area.name)).all())
    rows = []
    for m, name, phone, party in session.execute(q.order_by(Membership.start_date, Membership.id)):
        rows.append({"id": m.id, "person": m.person_id, "person_name": name, "phone": phone,
                     "party_status": party, "organization": m.organization_id,
                     "organization_name": orgs.get(m.organization_id), "area": m.area_id,
                     "area_name": areas.get(m.area_id), "role": m.role, "full_time": m.full_time,
                     "start_date": m.start_date, "end_date": m.end_date})
    return rows


def show_org(session, ref: str, on: dt.date | None = None) -> dict:
    on = _today(on)
    o = get_org(session, ref)
    area = session.get(Area, o.area_id) if o.area_id else None
    parent = session.get(Organization, o.parent_id) if o.parent_id else None
    members = _post_rows(session, _current(select(Membership).where(Membership.organization_id == o.id), on))
    return {"id": o.id, "name": o.name, "classification": o.classification, "area": o.area_id,
            "area_name": area.name if area else None, "parent": o.parent_id,
            "parent_name": parent.name if parent else None,
            "children": [{"id": c.id, "name": c.name, "classification": c.classification} for c in
                         session.exec(select(Organization).where(Organization.parent_id == o.id)
                                      .order_by(Organization.id))],
            "members": members}


def org_tree(session, root: str | None = None, party_only: bool = True,
             on: dt.date | None = None) -> list[dict]:
    """The party line from the working committee down to building groups, with
    each organization's secretary and member count."""
    on = _today(on)
    q = select(Organization).order_by(Organization.id)
    if party_only:
        q = q.where(Organization.classification.in_(PARTY_CLASSES))
    orgs = session.exec(q).all()
    ids = {o.id for o in orgs}
    heads = _heads(session, ids, on)
    counts = _member_counts(session, on)
    kids: dict = {}
    for o in orgs:
        kids.setdefault(o.parent_id if o.parent_id in ids else None, []).append(o)

    def build(o):
        return {"id": o.id, "name": o.name, "classification": o.classification,
                "head": heads.get(o.id), "members": counts.get(o.id, 0),
                "children": [build(c) for c in kids.get(o.id, [])]}

    roots = [get_org(session, root)] if root else kids.get(None, [])
    return [build(o) for o in roots]


def add_org(session, id: str, name: str, classification: str, area: str | None = None,
            parent: str | None = None) -> dict:
    from cgov.core import audit

    if not ID_RE.match(id):
        raise Invalid(f"id '{id}' may only have letters, digits, '.', '_' and '-'")
    if classification not in ORG_CLASSES:
        raise Invalid(f"classification '{classification}' is not one of: {', '.join(ORG_CLASSES)}")
    if not name.strip():
        raise Invalid("name is empty")
    if session.get(Organization, id) is not None:
        raise Refused(f"organization '{id}' already exists")
    area_id = get_area(session, area).id if area else None
    parent_id = get_org(session, parent).id if parent else None
    org = Organization(id=id, name=name.strip(), classification=classification, area_id=area_id,
                       parent_id=parent_id, created_at=clock.now())
    session.add(org)
    session.flush()
    audit.record(session, "org.add", entity="organization", ids=[id],
                 detail={"name": org.name, "classification": classification})
    return show_org(session, id)


def list_branches(session, area: str | None = None, on: dt.date | None = None) -> list[dict]:
    on = _today(on)
    rows = list_orgs(session, classification="party-branch", area=area, on=on)
    status = _party_counts(session, on)
    for r in rows:
        r["grid"] = r.pop("area")
        r["grid_name"] = r.pop("area_name")
        r["secretary"] = r.pop("head")
        c = status.get(r["id"], {})
        r["full_members"] = c.get("full", 0)
        r["probationary_members"] = c.get("probationary", 0)
    return rows


def _party_counts(session, on) -> dict:
    q = _current(select(Membership.organization_id, Person.party_status,
                        func.count(func.distinct(Membership.person_id)))
                 .join(Person, Person.id == Membership.person_id), on) \
        .group_by(Membership.organization_id, Person.party_status)
    out: dict = {}
    for oid, status, n in session.execute(q):
        out.setdefault(oid, {})[status] = n
    return out


def show_branch(session, ref: str, on: dt.date | None = None) -> dict:
    o = get_org(session, ref)
    if o.classification != "party-branch":
        raise Invalid(f"'{ref}' is a {o.classification}, not a party branch", hint="cgov org show gives any organization")
    row = show_org(session, o.id, on)
    row["grid"], row["grid_name"] = row.pop("area"), row.pop("area_name")
    members = row["members"]
    row["secretary"] = next((m["person_name"] for m in members if m["role"] == "secretary"), None)
    row["full_members"] = len({m["person"] for m in members if m["party_status"] == "full"})
    row["probationary_members"] = len({m["person"] for m in members if m["party_status"] == "probationary"})
    return row


# ---- grids ---------------------------------------------------------------------


def _grid_posts(session, grid_ids, on) -> dict:
    q = _current(select(Membership.area_id, Membership.role, Membership.full_time, Person.name, Person.id)
                 .join(Person, Person.id == Membership.person_id)
                 .where(Membership.role.in_(("grid-leader", "grid-worker"))), on)
    out: dict = {}
    for aid, role, full_time, name, pid in session.execute(q):
        if aid in grid_ids:
            out.setdefault(aid, {"grid-leader": [], "grid-worker": []})[role].append(
                {"person": pid, "name": name, "full_time": full_time})
    return out


def list_grids(session, area: str | None = None, on: dt.date | None = None) -> list[dict]:
    on = _today(on)
    q = select(Area).where(Area.classification == "grid")
    if area:
        q = q.where(Area.id.in_(descendants(session, get_area(session, area).id)))
    grids = session.exec(q.order_by(Area.id)).all()
    ids = {g.id for g in grids}
    names = dict(session.execute(select(Area.id, Area.name)).all())
    buildings = dict(session.execute(select(Area.parent_id, func.count()).where(
        Area.classification == "building").group_by(Area.parent_id)).all())
    branches = {}
    for o in session.exec(select(Organization).where(Organization.classification == "party-branch")):
        branches.setdefault(o.area_id, o)
    posts = _grid_posts(session, ids, on)
    rows = []
    for g in grids:
        p = posts.get(g.id, {"grid-leader": [], "grid-worker": []})
        b = branches.get(g.id)
        rows.append({"id": g.id, "name": g.name, "community": g.parent_id,
                     "community_name": names.get(g.parent_id), "households": g.households,
                     "population": g.population, "buildings": buildings.get(g.id, 0),
                     "leader": ", ".join(x["name"] for x in p["grid-leader"]) or None,
                     "workers": len(p["grid-worker"]), "branch": b.id if b else None})
    return rows


def show_grid(session, ref: str, on: dt.date | None = None) -> dict:
    on = _today(on)
    g = get_area(session, ref, classification="grid")
    row = next(r for r in list_grids(session, on=on) if r["id"] == g.id)
    row["code"] = g.code
    posts = _grid_posts(session, {g.id}, on).get(g.id, {"grid-leader": [], "grid-worker": []})
    row["leaders"] = [{"person": x["person"], "name": x["name"], "role": "grid-leader"} for x in posts["grid-leader"]]
    row["worker_list"] = [{"person": x["person"], "name": x["name"], "role": "grid-worker",
                           "full_time": x["full_time"]} for x in posts["grid-worker"]]
    row["building_list"] = [{"id": b.id, "name": b.name, "households": b.households} for b in session.exec(
        select(Area).where(Area.parent_id == g.id).order_by(Area.id))]
    if row["branch"]:
        br = show_branch(session, row["branch"], on)
        row["branch_name"] = br["name"]
        row["branch_secretary"] = br["secretary"]
        row["branch_full_members"] = br["full_members"]
    else:
        row["branch_name"] = row["branch_secretary"] = row["branch_full_members"] = None
    return row


def grid_check(session, min_households: int = 300, max_households: int = 500,
               area: str | None = None, on: dt.date | None = None) -> dict:
    """The coverage report a street officer runs. Each finding names its rule
    and record; the cross-appointment rate is a figure, not a finding."""
    on = _today(on)
    if min_households > max_households:
        raise Invalid(f"--min {min_households} is above --max {max_households}")
    scope = set(descendants(session, get_area(session, area).id)) if area else None
    # Plain rows, not ORM objects: a city has tens of thousands of areas, and
    # building an instance for each cost most of the check's time.
    areas = {a.id: a for a in session.execute(select(Area.id, Area.name, Area.classification, Area.parent_id,
                                                     Area.households, Area.code))}
    in_scope = (lambda aid: True) if scope is None else (lambda aid: aid in scope)
    findings = []

    def find(rule, record, name, message, message_zh=None):
        # Most findings say just what their rule says (GRID_RULES).
        findings.append({"rule": rule, "record": record, "name": name, "message": message,
                         "message_zh": message_zh or GRID_RULES[rule][1]})

    grids = [a for a in areas.values() if a.classification == "grid" and in_scope(a.id)]
    for g in sorted(grids, key=lambda a: a.id):
        if g.households is None:
            find("grid-households", g.id, g.name, "grid has no household count", "网格未登记户数")
        elif not min_households <= g.households <= max_households:
            find("grid-households", g.id, g.name,
                 f"{g.households} households, outside {min_households}–{max_households}",
                 f"{g.households}户，不在{min_households}–{max_households}户之间")
    seen_codes: dict = {}
    seen_names: dict = {}
    for b in sorted((a for a in areas.values() if a.classification == "building" and in_scope(a.id)),
                    key=lambda a: a.id):
        parent = areas.get(b.parent_id)
        if parent is None or parent.classification != "grid":
            find("building-no-grid", b.id, b.name, "building is in no grid")
            continue
        community = parent.parent_id
        key_name = (community, b.name)
        for key, seen in (((b.code,), seen_codes) if b.code else (None, None), (key_name, seen_names)):
            if key is None:
                continue
            other = seen.get(key)
            if other and areas[other].parent_id != b.parent_id:
                find("building-claimed-twice", b.id, b.name,
                     f"also claimed by grid {areas[other].parent_id} (as {other})",
                     f"同时划入网格{areas[other].parent_id}（{other}）")
            seen.setdefault(key, b.id)
    orgs = session.execute(select(Organization.id, Organization.name, Organization.classification,
                                  Organization.area_id, Organization.parent_id)).all()
    branch_areas = {o.area_id for o in orgs if o.classification == "party-branch"}
    with_work_group = {o.parent_id for o in orgs if o.classification == "party-work-group"}
    posts = _grid_posts(session, {g.id for g in grids}, on)
    for g in sorted(grids, key=lambda a: a.id):
        p = posts.get(g.id, {"grid-leader": [], "grid-worker": []})
        if g.id not in branch_areas:
            find("grid-no-branch", g.id, g.name, "grid has no party branch")
        if not p["grid-leader"]:
            find("grid-no-leader", g.id, g.name, "grid has no grid leader")
        if not p["grid-worker"]:
            find("grid-no-worker", g.id, g.name, "grid has no grid worker")
    counts = _party_counts(session, on)
    for o in sorted(orgs, key=lambda o: o.id):
        if o.area_id and not in_scope(o.area_id):
            continue
        if o.classification == "party-branch":
            full = counts.get(o.id, {}).get("full", 0)
            if full < 3:
                find("branch-too-small", o.id, o.name, f"{full} full members; a branch needs at least 3",
                     f"正式党员{full}人，党支部至少需3人")
        if o.classification == "owners-committee":
            if o.id not in with_work_group:
                find("oc-no-work-group", o.id, o.name, "owners' committee has no party work group")
            party = counts.get(o.id, {})
            if not party.get("full") and not party.get("probationary"):
                find("oc-no-party-member", o.id, o.name, "owners' committee has no party member")
    cross = cross_appointment(session, on, {o.id for o in orgs if not o.area_id or in_scope(o.area_id)})
    return {"findings": findings, "cross_appointment": cross,
            "range": [min_households, max_households], "grids": len(grids)}


def cross_appointment(session, on, org_scope: set) -> dict:
    """Share of owners'-committee and property-company post holders who also
    hold a post in the residents'/villagers' committee or a party organization
    (双向进入、交叉任职)."""
    classes = dict(session.execute(select(Organization.id, Organization.classification)).all())
    held: dict = {}
    for pid, oid in session.execute(_current(select(Membership.person_id, Membership.organization_id)
                                             .where(Membership.organization_id.is_not(None)), on)):
        held.setdefault(pid, set()).add(classes.get(oid))
    target = {"owners-committee", "property-company"}
    other = {"residents-committee", "villagers-committee", *PARTY_CLASSES}
    holders = set()
    for pid, oid in session.execute(_current(select(Membership.person_id, Membership.organization_id)
                                             .where(Membership.organization_id.is_not(None)), on)):
        if classes.get(oid) in target and oid in org_scope:
            holders.add(pid)
    crossed = {p for p in holders if held.get(p, set()) & other}
    return {"holders": len(holders), "cross_appointed": len(crossed),
            "rate": (len(crossed) / len(holders)) if holders else None}


# ---- persons and posts -------------------------------------------------------


def find_party(session, ref: str, what: str) -> tuple[str, str] | None:
    """('organization' | 'person', id) for an id or an exact name, None when
    neither has it; a name both or several have is refused."""
    if session.get(Organization, ref) is not None:
        return "organization", ref
    if session.get(Person, ref) is not None:
        return "person", ref
    orgs = session.exec(select(Organization.id).where(Organization.name == ref)).all()
    persons = session.exec(select(Person.id).where(Person.name == ref)).all()
    if len(orgs) + len(persons) == 1:
        return ("organization", orgs[0]) if orgs else ("person", persons[0])
    if orgs or persons:
        raise Invalid(f"{what} '{ref}' is ambiguous: {', '.join([*orgs, *persons][:6])}", hint="give the id")
    return None


def get_person(session, ref: str) -> Person:
    p = session.get(Person, ref)
    if p is None:
        found = session.exec(select(Person).where(Person.name == ref)).all()
        if len(found) > 1:
            raise Invalid(f"person name '{ref}' is ambiguous: {', '.join(x.id for x in found[:5])}",
                          hint="give the id instead (cgov person find NAME)")
        p = found[0] if found else None
    if p is None:
        raise NotFound(f"no person '{ref}'", hint="cgov person find NAME")
    return p


def _person_row(p: Person, areas: dict) -> dict:
    # `party` as DESIGN §2 writes it for scripts; party_status and
    # party_joined, the flat columns that tables show, stay for the scripts
    # that already read them.
    party = {"status": p.party_status, "joined": p.party_joined} if p.party_status else None
    return {"id": p.id, "name": p.name, "gender": p.gender, "birth_date": p.birth_date,
            "id_number": p.id_number, "phone": p.phone, "home": p.home_id,
            "home_name": areas.get(p.home_id), "party": party, "party_status": p.party_status,
            "party_joined": p.party_joined}


def add_person(session, name: str, id: str | None = None, id_number: str | None = None,
               phone: str | None = None, gender: str | None = None, birth_date: dt.date | None = None,
               home: str | None = None, party_status: str | None = None,
               party_joined: dt.date | None = None) -> dict:
    from cgov.core import audit, sequence

    if not name or not name.strip():
        raise Invalid("name is empty")
    if id is not None and privacy.is_personal_number(id):
        raise Invalid(f"--id {PERSONAL_KEY}")
    if id is not None and not ID_RE.match(id):
        raise Invalid(f"id '{id}' may only have letters, digits, '.', '_' and '-'")
    if id_number:
        try:
            id_number = privacy.normalize_id_number(id_number)
        except ValueError as e:
            raise Invalid(f"--id-number: {e}") from None
        other = session.exec(select(Person).where(Person.id_number == id_number)).first()
        if other:
            raise Refused(f"ID number {privacy.mask_id_number(id_number)} already belongs to person '{other.id}'")
        born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        if birth_date and birth_date != born:
            raise Invalid(f"--birth-date {birth_date} does not match the ID number's {born}")
        birth_date = born
        gender = gender or ("male" if int(id_number[16]) % 2 else "female")
    if phone:
        try:
            phone = privacy.normalize_phone(phone)
        except ValueError as e:
            raise Invalid(f"--phone: {e}") from None
    if gender and gender not in GENDERS:
        raise Invalid(f"--gender '{gender}' is not one of: {', '.join(GENDERS)}")
    if party_status and party_status not in PARTY_STATUSES:
        raise Invalid(f"--party '{party_status}' is not one of: {', '.join(PARTY_STATUSES)}")
    if home:
        h = get_area(session, home)
        if h.classification not in ("building", "grid"):
            raise Invalid(f"--home '{home}' is a {h.classification}; give a building (or a grid)")
        home = h.id
    if id is None:
        id = f"P{sequence.next_value(session, 'person'):06d}"
        while session.get(Person, id) is not None:
            id = f"P{sequence.next_value(session, 'person'):06d}"
    elif session.get(Person, id) is not None:
        raise Refused(f"person '{id}' already exists")
    p = Person(id=id, name=name.strip(), gender=gender, birth_date=birth_date, id_number=id_number,
               phone=phone, home_id=home, party_status=party_status, party_joined=party_joined,
               created_at=clock.now())
    session.add(p)
    session.flush()
    audit.record(session, "person.add", entity="person", ids=[id], detail={"name": p.name})
    return show_person(session, id)


def _person_query(session, grid=None, area=None, role=None, party=None, org=None, on=None):
    on = _today(on)
    q = select(Person)
    if grid or area:
        root = get_area(session, grid or area, classification="grid" if grid else None)
        q = q.where(Person.home_id.in_(descendants(session, root.id)))
    if party:
        if party not in PARTY_STATUSES and party != "member":
            raise Invalid(f"--party '{party}' is not one of: {', '.join(PARTY_STATUSES)}, member")
        q = q.where(Person.party_status.in_(("full", "probationary")) if party == "member"
                    else Person.party_status == party)
    if role or org:
        if role and role not in ROLES:
            raise Invalid(f"--role '{role}' is not one of: {', '.join(ROLES)}")
        sub = _current(select(Membership.person_id), on)
        if role:
            sub = sub.where(Membership.role == role)
        if org:
            sub = sub.where(Membership.organization_id == get_org(session, org).id)
        q = q.where(Person.id.in_(sub))
    return q


def list_persons(session, grid=None, area=None, role=None, party=None, org=None,
                 limit: int | None = None, on=None) -> list[dict]:
    q = _person_query(session, grid, area, role, party, org, on).order_by(Person.id)
    if limit:
        q = q.limit(limit)
    areas = dict(session.execute(select(Area.id, Area.name)).all())
    return [_person_row(p, areas) for p in session.exec(q)]


def find_persons(session, query: str, grid=None, role=None, party=None, limit: int = 50) -> list[dict]:
    """By name fragment, phone or ID number (full values, in any usual spelling)."""
    q = _person_query(session, grid=grid, role=role, party=party)
    conds = [Person.name.contains(query.strip()), Person.id == query.strip()]
    try:
        conds.append(Person.phone == privacy.normalize_phone(query))
    except ValueError:
        pass
    if privacy.id_number_problem(query) is None:
        conds.append(Person.id_number == privacy.normalize_id_number(query))
    q = q.where(or_(*conds)).order_by(Person.name, Person.id).limit(limit)
    areas = dict(session.execute(select(Area.id, Area.name)).all())
    return [_person_row(p, areas) for p in session.exec(q)]


def show_person(session, ref: str, on: dt.date | None = None) -> dict:
    on = _today(on)
    p = get_person(session, ref)
    areas = dict(session.execute(select(Area.id, Area.name)).all())
    row = _person_row(p, areas)
    posts = _post_rows(session, select(Membership).where(Membership.person_id == p.id))
    row["posts"] = [m for m in posts if _is_current(m, on)]
    row["past_posts"] = [m for m in posts if not _is_current(m, on)]
    row["memberships"] = posts  # DESIGN §2's name: every post, current and ended
    return row


def _is_current(m: dict, on: dt.date) -> bool:
    return (m["end_date"] is None or m["end_date"] > on) and (m["start_date"] is None or m["start_date"] <= on)


def assign_post(session, person: str, role: str, org: str | None = None, area: str | None = None,
                full_time: bool | None = None, start: dt.date | None = None) -> dict:
    from cgov.core import audit

    if role not in ROLES:
        raise Invalid(f"--role '{role}' is not one of: {', '.join(ROLES)}")
    if (org is None) == (area is None):
        raise Invalid("give exactly one of --org or --area")
    p = get_person(session, person)
    oid = get_org(session, org).id if org else None
    aid = get_area(session, area).id if area else None
    start = start or _today(None)
    dup = session.exec(_current(select(Membership).where(
        Membership.person_id == p.id, Membership.role == role,
        Membership.organization_id == oid if oid else Membership.area_id == aid), start)).first()
    if dup:
        raise Refused(f"{p.name} already holds this post (post {dup.id}, since {dup.start_date})")
    m = Membership(person_id=p.id, organization_id=oid, area_id=aid, role=role, full_time=full_time,
                   start_date=start, created_at=clock.now())
    session.add(m)
    session.flush()
    audit.record(session, "post.assign", entity="membership", ids=[str(m.id), p.id],
                 detail={"role": role, "organization": oid, "area": aid, "start_date": start})
    return {"id": m.id, "person": p.id, "person_name": p.name, "role": role, "organization": oid,
            "area": aid, "full_time": full_time, "start_date": start, "end_date": None}


def end_post(session, post_id: int, end: dt.date | None = None) -> dict:
    from cgov.core import audit

    m = session.get(Membership, post_id)
    if m is None:
        raise NotFound(f"no post {post_id}", hint="cgov post list shows post ids")
    end = end or _today(None)
    if m.end_date is not None:
        raise Refused(f"post {post_id} already ended on {m.end_date}")
    if m.start_date and end < m.start_date:
        raise Invalid(f"end date {end} is before the post's start {m.start_date}")
    m.end_date = end
    session.add(m)
    session.flush()
    audit.record(session, "post.end", entity="membership", ids=[str(m.id), m.person_id],
                 detail={"end_date": end})
    return _post_rows(session, select(Membership).where(Membership.id == m.id))[0]


def list_posts(session, person: str | None = None, org: str | None = None, area: str | None = None,
               role: str | None = None, include_ended: bool = False, on: dt.date | None = None) -> list[dict]:
    on = _today(on)
    q = select(Membership)
    if not include_ended:
        q = _current(q, on)
    if person:
        q = q.where(Membership.person_id == get_person(session, person).id)
    if org:
        q = q.where(Membership.organization_id == get_org(session, org).id)
    if area:
        q = q.where(Membership.area_id == get_area(session, area).id)
    if role:
        if role not in ROLES:
            raise Invalid(f"--role '{role}' is not one of: {', '.join(ROLES)}")
        q = q.where(Membership.role == role)
    return _post_rows(session, q)
