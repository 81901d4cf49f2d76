"""Import and export of the org-chart sections: areas, organizations,
persons, memberships (DESIGN §2).

A key left out of a record keeps what is stored; an explicit null clears it.
Posts (memberships) are added or updated, never removed by their absence:
ending a post is `cgov post end` or an `end_date`."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert, select, update

from cgov.core import clock, privacy
from cgov.core.schema import Problems, Record
from cgov.org.models import (AREA_CLASSES, AREA_PARENTS, GENDERS, ORG_CLASSES, PARTY_STATUSES,
                             ROLES, Area, Membership, Organization, Person)

SECTIONS = ("areas", "organizations", "persons", "memberships")
AREA_KEYS = {"id", "name", "classification", "code", "parent", "households", "population", "children"}
ORG_KEYS = {"id", "name", "classification", "area", "parent", "children"}
PERSON_KEYS = {"id", "name", "gender", "birth_date", "id_number", "phone", "home", "party", "memberships"}
PARTY_KEYS = {"status", "joined"}
POST_KEYS = {"person", "organization", "area", "role", "full_time", "start_date", "end_date"}
CHUNK = 900  # stays under SQLite's bound-parameter limit


@dataclass
class Item:
    rec: Record
    values: dict  # column -> value, only for keys the record gave
    key: object = None  # the record's identity within its section


@dataclass
class Plan:
    areas: list = field(default_factory=list)
    orgs: list = field(default_factory=list)
    persons: list = field(default_factory=list)
    posts: list = field(default_factory=list)
    area_class: dict = field(default_factory=dict)  # area id -> classification (file and store)
    existing: dict = field(default_factory=dict)


def _chunks(seq):
    seq = list(seq)
    for i in range(0, len(seq), CHUNK):
        yield seq[i:i + CHUNK]


def _fetch(session, table, column, keys) -> dict:
    """Stored rows whose `column` is in keys, as dicts keyed by that column."""
    out = {}
    col = table.c[column]
    for part in _chunks(keys):
        for row in session.execute(select(table).where(col.in_(part))).mappings():
            out[row[column]] = dict(row)
    return out


# ---- reading the files ---------------------------------------------------

def _flatten(items, file, section, problems, keys, parse, out, parent=None):
    for i, raw in enumerate(items):
        rec = Record(raw, file, section, problems, i)
        if not rec.ok:
            continue
        rec.known_keys(keys)
        values = parse(rec)
        if parent is not None:
            if rec.has("parent") and rec.data.get("parent") != parent:
                rec.fail(f"has a second parent: nested under '{parent}' and parent '{rec.data.get('parent')}'")
            values["parent_id"] = parent
        out.append(Item(rec, values, values.get("id")))
        if values.get("id"):
            _flatten(rec.items("children"), file, section, problems, keys, parse, out, values["id"])


def _parse_area(rec: Record) -> dict:
    v = {"id": rec.ident(), "name": rec.text("name", required=True),
         "classification": rec.enum("classification", AREA_CLASSES, required=True)}
    if rec.has("code"):
        code = rec.text("code")
        if code is not None and not code.isdigit():
            rec.fail(f"'code' value '{code}' must be digits")
        v["code"] = code
    if rec.has("parent"):
        v["parent_id"] = rec.ident("parent", required=False)
    for k in ("households", "population"):
        if rec.has(k):
            v[k] = rec.integer(k)
    return v


def _parse_org(rec: Record) -> dict:
    v = {"id": rec.ident(), "name": rec.text("name", required=True),
         "classification": rec.enum("classification", ORG_CLASSES, required=True)}
    if rec.has("area"):
        v["area_id"] = rec.ident("area", required=False)
    if rec.has("parent"):
        v["parent_id"] = rec.ident("parent", required=False)
    return v


def _parse_person(rec: Record) -> dict:
    v = {}
    if rec.has("id"):
        v["id"] = rec.ident()
    v["name"] = rec.text("name", required=True)
    if rec.has("gender"):
        v["gender"] = rec.enum("gender", GENDERS)
    if rec.has("birth_date"):
        v["birth_date"] = rec.date("birth_date")
    if rec.has("id_number"):
        v["id_number"] = rec.id_number()
    if rec.has("phone"):
        v["phone"] = rec.phone()
    if rec.has("home"):
        v["home_id"] = rec.ident("home", required=False)
    if rec.has("party"):
        party = rec.mapping("party")
        if party is None:
            v["party_status"] = v["party_joined"] = None
        else:
            sub = Record(party, rec.file, rec.section, rec.problems, 0)
            sub.line, sub.label = getattr(party, "line", rec.line), rec.label
            sub.known_keys(PARTY_KEYS)
            v["party_status"] = sub.enum("status", PARTY_STATUSES, required=True)
            v["party_joined"] = sub.date("joined")
            rec.ok = rec.ok and sub.ok
    if not rec.data.get("id") and v.get("id_number") in (None, "*"):
        rec.fail("needs an 'id', or a full 'id_number' to serve as its key")
    idn = v.get("id_number")
    if idn and idn != "*":
        born = f"{idn[6:10]}-{idn[10:12]}-{idn[12:14]}"
        if v.get("birth_date") and v["birth_date"].isoformat() != born:
            rec.fail(f"birth_date {v['birth_date']} does not match the ID number's {born}")
    return v


def _parse_post(rec: Record, person=None) -> dict:
    rec.known_keys(POST_KEYS - ({"person"} if person else set()))
    v = {"person": person if person is not None else rec.ident("person"),
         "organization_id": rec.ident("organization", required=False),
         "area_id": rec.ident("area", required=False),
         "role": rec.enum("role", ROLES, required=True),
         "start_date": rec.date("start_date")}
    if rec.has("full_time"):
        v["full_time"] = rec.boolean("full_time")
    if rec.has("end_date"):
        v["end_date"] = rec.date("end_date")
    if (v["organization_id"] is None) == (v["area_id"] is None) and rec.ok:
        rec.fail("give exactly one of 'organization' or 'area'")
    if v.get("end_date") and v["start_date"] and v["end_date"] < v["start_date"]:
        rec.fail(f"end_date {v['end_date']} is before start_date {v['start_date']}")
    return v


def _check_unique(items: list[Item], what: str) -> dict:
    seen: dict = {}
    for it in items:
        if it.key is None:
            continue
        if it.key in seen:
            first = seen[it.key].rec
            it.rec.fail(f"{what} '{it.key}' is defined twice (also at {first.file}:{first.line})")
        else:
            seen[it.key] = it
    return seen


def _check_tree(items, by_id, stored, what, classify=None):
    """Parents exist, nest legally, and form no cycle."""
    for it in items:
        pid = it.values.get("parent_id")
        if pid is None:
            continue
        if pid not in by_id and pid not in stored:
            it.rec.fail(f"parent '{pid}' is not a known {what}")
            continue
        if classify:
            parent_class = by_id[pid].values.get("classification") if pid in by_id else stored[pid]["classification"]
            child_class = it.values.get("classification")
            allowed = AREA_PARENTS.get(child_class, ())
            if child_class and parent_class and parent_class not in allowed:
                it.rec.fail(f"a {child_class} cannot sit inside a {parent_class} '{pid}'"
                            f" (allowed: {', '.join(allowed) or 'none, it is a top level'})")
    for it in items:
        seen, cur = {it.key}, it.values.get("parent_id")
        while cur in by_id:
            if cur in seen:
                it.rec.fail(f"parent chain loops back to '{it.key}'")
                break
            seen.add(cur)
            cur = by_id[cur].values.get("parent_id")


def plan(session, sections: dict, problems: Problems) -> Plan:
    p = Plan()
    for file, items in sections.get("areas", []):
        _flatten(items, file, "areas", problems, AREA_KEYS, _parse_area, p.areas)
    for file, items in sections.get("organizations", []):
        _flatten(items, file, "organizations", problems, ORG_KEYS, _parse_org, p.orgs)
    for file, items in sections.get("persons", []):
        for i, raw in enumerate(items):
            rec = Record(raw, file, "persons", problems, i)
            if not rec.ok:
                continue
            rec.known_keys(PERSON_KEYS)
            values = _parse_person(rec)
            key = values.get("id") or ("id_number", values.get("id_number"))
            p.persons.append(Item(rec, values, key))
            for j, raw_post in enumerate(rec.items("memberships")):
                prec = Record(raw_post, file, f"{rec.label}.memberships", problems, j)
                if prec.ok:
                    p.posts.append(Item(prec, _parse_post(prec, person=key)))
    for file, items in sections.get("memberships", []):
        for i, raw in enumerate(items):
            prec = Record(raw, file, "memberships", problems, i)
            if prec.ok:
                p.posts.append(Item(prec, _parse_post(prec)))

    areas = _check_unique(p.areas, "area")
    orgs = _check_unique(p.orgs, "organization")
    persons = _check_unique(p.persons, "person")

    # What the store already has that these records touch or refer to.
    area_refs = set(areas) | {i.values.get("parent_id") for i in p.areas} | \
        {i.values.get("area_id") for i in p.orgs} | {i.values.get("home_id") for i in p.persons} | \
        {i.values.get("area_id") for i in p.posts}
    area_refs.discard(None)
    stored_areas = _fetch(session, Area.__table__, "id", area_refs)
    org_refs = set(orgs) | {i.values.get("parent_id") for i in p.orgs} | \
        {i.values.get("organization_id") for i in p.posts}
    org_refs.discard(None)
    stored_orgs = _fetch(session, Organization.__table__, "id", org_refs)

    _check_tree(p.areas, areas, stored_areas, "area", classify=True)
    _check_tree(p.orgs, orgs, stored_orgs, "organization")
    for it in p.orgs:
        aid = it.values.get("area_id")
        if aid and aid not in areas and aid not in stored_areas:
            it.rec.fail(f"area '{aid}' is not a known area")

    def area_class(aid):
        if aid in areas:
            return areas[aid].values.get("classification")
        return stored_areas[aid]["classification"] if aid in stored_areas else None

    # Persons: resolve keys given by ID number, check homes and ID clashes.
    ids_given = [i.values["id"] for i in p.persons if i.values.get("id")]
    stored_persons = _fetch(session, Person.__table__, "id", ids_given)
    numbers = [i.values.get("id_number") for i in p.persons if i.values.get("id_number") not in (None, "*")]
    by_number = _fetch(session, Person.__table__, "id_number", numbers)
    seen_numbers: dict = {}
    for it in p.persons:
        v = it.values
        idn = v.get("id_number")
        if idn and idn != "*":
            if idn in seen_numbers:
                it.rec.fail(f"ID number {privacy.mask_id_number(idn)} also given to {seen_numbers[idn]}")
            seen_numbers[idn] = it.rec.label
            owner = by_number.get(idn)
            if owner and v.get("id") and owner["id"] != v["id"]:
                it.rec.fail(f"ID number {privacy.mask_id_number(idn)} already belongs to person '{owner['id']}'")
        stored = stored_persons.get(v.get("id")) if v.get("id") else by_number.get(idn)
        for k in ("id_number", "phone"):
            if v.get(k) == "*":
                if stored is None:
                    it.rec.fail(f"'{k}' is masked, which keeps a stored value, but this person is new")
                else:
                    del v[k]
        home = v.get("home_id")
        if home:
            cls = area_class(home)
            if cls is None:
                it.rec.fail(f"home '{home}' is not a known area")
            elif cls not in ("building", "grid"):
                it.rec.fail(f"home '{home}' is a {cls}; give a building (or a grid)")
        it.stored = stored

    # Posts: persons from the file or the store; one organization or area.
    post_persons = {i.values["person"] for i in p.posts if isinstance(i.values.get("person"), str)}
    stored_post_persons = _fetch(session, Person.__table__, "id", post_persons - set(persons))
    for it in p.posts:
        v = it.values
        who = v.get("person")
        if isinstance(who, str) and who not in persons and who not in stored_post_persons:
            it.rec.fail(f"person '{who}' is not a known person")
        oid, aid = v.get("organization_id"), v.get("area_id")
        if oid and oid not in orgs and oid not in stored_orgs:
            it.rec.fail(f"organization '{oid}' is not a known organization")
        if aid and area_class(aid) is None:
            it.rec.fail(f"area '{aid}' is not a known area")

    p.existing = {"areas": stored_areas, "orgs": stored_orgs}
    p.area_class = {k: area_class(k) for k in area_refs}
    return p


# ---- writing ------------------------------------------------------------

def _depth_order(items: list[Item]) -> list[Item]:
    """Parents before children, so foreign keys hold at every insert."""
    by_id = {i.key: i for i in items}
    depth: dict = {}

    def d(key):
        if key in depth:
            return depth[key]
        pid = by_id[key].values.get("parent_id")
        depth[key] = 0
        depth[key] = d(pid) + 1 if pid in by_id else 0
        return depth[key]

    return sorted(items, key=lambda i: d(i.key))


def _upsert(session, table, items, stored: dict, now) -> dict:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    new_rows = []
    for it in items:
        old = stored.get(it.key)
        if old is None:
            row = {c.name: None for c in table.columns}
            row.update(it.values)
            row["created_at"] = now
            new_rows.append(row)
            counts["created"] += 1
            continue
        changes = {k: v for k, v in it.values.items() if old.get(k) != v}
        if changes:
            session.execute(update(table).where(table.c.id == it.key).values(**changes))
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    if new_rows:
        session.execute(insert(table), new_rows)
    return counts


def _insert_in_order(session, table, items, stored, now) -> dict:
    # Items whose parent is new must follow it; insert depth by depth.
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    ordered = _depth_order(items)
    batch, last_parent_new = [], set()
    for it in ordered:
        pid = it.values.get("parent_id")
        if pid in last_parent_new:
            for k, v in _upsert(session, table, batch, stored, now).items():
                counts[k] += v
            batch, last_parent_new = [], set()
        batch.append(it)
        if it.key not in stored:
            last_parent_new.add(it.key)
    for k, v in _upsert(session, table, batch, stored, now).items():
        counts[k] += v
    return counts


def apply(session, p: Plan) -> dict:
    from cgov.core import sequence

    now = clock.now()
    result = {}
    if p.areas:
        result["areas"] = _insert_in_order(session, Area.__table__, p.areas, p.existing["areas"], now)
    if p.orgs:
        result["organizations"] = _insert_in_order(session, Organization.__table__, p.orgs,
                                                   p.existing["orgs"], now)
    # Persons keyed by ID number get a stable generated id of their own:
    # a record key must never be personal data (it shows in every output).
    person_ids = {}
    for it in p.persons:
        if it.stored is not None:
            person_ids[it.key] = it.stored["id"]
            it.values["id"] = it.stored["id"]
        elif it.values.get("id"):
            person_ids[it.key] = it.values["id"]
        else:
            new_id = f"P{sequence.next_value(session, 'person'):06d}"
            while session.get(Person, new_id) is not None:
                new_id = f"P{sequence.next_value(session, 'person'):06d}"
            it.values["id"] = person_ids[it.key] = new_id
        if it.stored is None and it.values.get("id_number"):
            idn = it.values["id_number"]
            it.values.setdefault("birth_date", __import__("datetime").date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14])))
            it.values.setdefault("gender", "male" if int(idn[16]) % 2 else "female")
        it.key = it.values["id"]
    if p.persons:
        stored = {it.key: it.stored for it in p.persons if it.stored is not None}
        result["persons"] = _upsert(session, Person.__table__, p.persons, stored, now)
    if p.posts:
        result["memberships"] = _apply_posts(session, p.posts, person_ids, now)
    return result


def _post_identity(v: dict) -> tuple:
    return (v["person_id"], v.get("organization_id"), v.get("area_id"), v["role"], v.get("start_date"))


def _apply_posts(session, posts, person_ids, now) -> dict:
    table = Membership.__table__
    for it in posts:
        who = it.values.pop("person")
        it.values["person_id"] = person_ids.get(who, who)
    stored = {}
    for part in _chunks({it.values["person_id"] for it in posts}):
        for row in session.execute(select(table).where(table.c.person_id.in_(part))).mappings():
            stored[_post_identity(row)] = dict(row)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    new_rows, seen = [], set()
    for it in posts:
        ident = _post_identity(it.values)
        if ident in seen:
            it.rec.fail("the same post is given twice")
            continue
        seen.add(ident)
        old = stored.get(ident)
        if old is None:
            row = {"person_id": None, "organization_id": None, "area_id": None, "role": None,
                   "full_time": None, "start_date": None, "end_date": None}
            row.update(it.values)
            row["created_at"] = now
            new_rows.append(row)
            counts["created"] += 1
            continue
        changes = {k: v for k, v in it.values.items() if old.get(k) != v}
        if changes:
            session.execute(update(table).where(table.c.id == old["id"]).values(**changes))
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    if new_rows:
        session.execute(insert(table), new_rows)
    return counts


# ---- export -------------------------------------------------------------

def _nest(rows: list[dict], make) -> list:
    children: dict = {}
    for r in rows:
        children.setdefault(r["parent_id"], []).append(r)
    ids = {r["id"] for r in rows}

    def build(r):
        d = make(r)
        kids = children.get(r["id"])
        if kids:
            d["children"] = [build(k) for k in kids]
        return d

    roots = [r for r in rows if r["parent_id"] is None or r["parent_id"] not in ids]
    return [build(r) for r in roots]


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def export(session) -> dict:
    def s(v):
        return v.isoformat() if v is not None else None

    areas = [dict(r) for r in session.execute(select(Area.__table__).order_by(Area.id)).mappings()]
    orgs = [dict(r) for r in session.execute(select(Organization.__table__).order_by(Organization.id)).mappings()]
    out = {
        "areas": _nest(areas, lambda r: _drop_none({
            "id": r["id"], "name": r["name"], "classification": r["classification"], "code": r["code"],
            "households": r["households"],
            "population": r["population"]})),
        "organizations": _nest(orgs, lambda r: _drop_none({
            "id": r["id"], "name": r["name"], "classification": r["classification"], "area": r["area_id"]})),
    }
    posts: dict = {}
    for r in session.execute(select(Membership.__table__).order_by(Membership.id)).mappings():
        posts.setdefault(r["person_id"], []).append(_drop_none({
            "organization": r["organization_id"], "area": r["area_id"], "role": r["role"],
            "full_time": None if r["full_time"] is None else ("true" if r["full_time"] else "false"),
            "start_date": s(r["start_date"]), "end_date": s(r["end_date"])}))
    persons = []
    for r in session.execute(select(Person.__table__).order_by(Person.id)).mappings():
        d = _drop_none({
            "id": r["id"], "name": r["name"], "gender": r["gender"], "birth_date": s(r["birth_date"]),
            "id_number": r["id_number"], "phone": r["phone"], "home": r["home_id"]})
        if r["party_status"]:
            d["party"] = _drop_none({"status": r["party_status"], "joined": s(r["party_joined"])})
        if r["id"] in posts:
            d["memberships"] = posts[r["id"]]
        persons.append(d)
    out["persons"] = persons
    return out
