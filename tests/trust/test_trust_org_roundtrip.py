"""Property: any valid org chart (areas nested by the rules, organizations,
persons with valid ID numbers and phones, posts) goes through `cgov import`
and `cgov export` unchanged, and importing the export changes nothing.

Every example is written into the same store under its own id prefix (a
fresh database per example would cost more than the example itself), and is
compared on its own records."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cgov.org.models import AREA_CLASSES, AREA_PARENTS, ORG_CLASSES, PARTY_STATUSES, ROLES

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Names that a loader with type guessing would turn into numbers, booleans,
# dates or nulls, beside ordinary Chinese.
TRICKY = ["0571", "NO", "yes", "14:30", "null", "1e3", "2026-01-01", "#1", "'引号'", '"双引号"', "a: b", "- 列表"]
names = st.one_of(st.sampled_from(TRICKY),
                  st.text(alphabet="东南西北中和平安康乐华新民第一二三网格楼社区", min_size=2, max_size=8))
dates = st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2026, 11, 1))
CHILD_CLASSES = {parent: [c for c in AREA_CLASSES if parent in AREA_PARENTS[c]] for parent in AREA_CLASSES}
_examples = itertools.count(1)


def id_number(region: str, born: dt.date, seq: str) -> str:
    body = f"{region}{born:%Y%m%d}{seq}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _WEIGHTS)) % 11]


@st.composite
def area_tree(draw, prefix: str) -> list[dict]:
    """Nested areas under one root, each class under a parent the rules allow."""
    counter = itertools.count()

    def area(cls: str, depth: int) -> dict:
        a = {"id": f"{prefix}-a{next(counter)}", "name": draw(names), "classification": cls}
        if draw(st.booleans()):
            a["code"] = draw(st.from_regex(r"[0-9]{1,12}", fullmatch=True))
        for key in ("households", "population"):
            if cls in ("grid", "building", "community") and draw(st.booleans()):
                a[key] = draw(st.integers(0, 5000))
        kids = CHILD_CLASSES[cls] if depth < 3 else []
        if kids:
            children = [area(draw(st.sampled_from(kids)), depth + 1) for _ in range(draw(st.integers(0, 2)))]
            if children:
                a["children"] = children
        return a

    return [area(draw(st.sampled_from(["district", "town", "street", "community", "village"])), 0)]


def _flat_areas(items, parent=None, out=None) -> dict:
    out = {} if out is None else out
    for a in items:
        out[a["id"]] = {"name": a["name"], "classification": a["classification"], "code": a.get("code"),
                        "households": _int(a.get("households")), "population": _int(a.get("population")),
                        "parent": a.get("parent", parent)}
        _flat_areas(a.get("children", []), a["id"], out)
    return out


def _flat_orgs(items, parent=None, out=None) -> dict:
    out = {} if out is None else out
    for o in items:
        out[o["id"]] = {"name": o["name"], "classification": o["classification"], "area": o.get("area"),
                        "parent": o.get("parent", parent)}
        _flat_orgs(o.get("children", []), o["id"], out)
    return out


def _int(v):
    return None if v is None else int(v)


def _bool(v):
    return None if v is None else v in (True, "true")


@st.composite
def org_chart(draw, n: int) -> dict:
    prefix = f"rt{n}"
    areas = draw(area_tree(prefix))
    flat = _flat_areas(areas)
    homes = [k for k, v in flat.items() if v["classification"] in ("building", "grid")]
    orgs = []
    for i in range(draw(st.integers(0, 5))):
        o = {"id": f"{prefix}-o{i}", "name": draw(names), "classification": draw(st.sampled_from(ORG_CLASSES))}
        if draw(st.booleans()):
            o["area"] = draw(st.sampled_from(sorted(flat)))
        if orgs and draw(st.booleans()):
            o["parent"] = draw(st.sampled_from([x["id"] for x in orgs]))  # earlier ones: no cycle
        orgs.append(o)
    persons = []
    for i in range(draw(st.integers(1, 5))):
        p = {"id": f"{prefix}-p{i}", "name": draw(names)}
        if draw(st.booleans()):
            born = draw(dates)
            number = id_number(f"31{n:04d}", born, f"{i:02d}{draw(st.integers(0, 9))}")
            p.update(id_number=number, birth_date=born.isoformat(), gender="male" if int(number[16]) % 2 else "female")
        elif draw(st.booleans()):
            p.update(gender=draw(st.sampled_from(["male", "female"])), birth_date=draw(dates).isoformat())
        if draw(st.booleans()):
            p["phone"] = draw(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
        if homes and draw(st.booleans()):
            p["home"] = draw(st.sampled_from(homes))
        if draw(st.booleans()):
            p["party"] = {"status": draw(st.sampled_from(PARTY_STATUSES))}
            if draw(st.booleans()):
                p["party"]["joined"] = draw(dates).isoformat()
        posts, seen = [], set()
        for _ in range(draw(st.integers(0, 3))):
            post = {"role": draw(st.sampled_from(ROLES)), "start_date": draw(dates).isoformat()}
            if orgs and draw(st.booleans()):
                post["organization"] = draw(st.sampled_from([o["id"] for o in orgs]))
            else:
                post["area"] = draw(st.sampled_from(sorted(flat)))
            if draw(st.booleans()):
                post["full_time"] = draw(st.sampled_from(["true", "false"]))
            if draw(st.booleans()):
                post["end_date"] = (dt.date.fromisoformat(post["start_date"])
                                    + dt.timedelta(days=draw(st.integers(0, 3000)))).isoformat()
            ident = (post.get("organization"), post.get("area"), post["role"], post["start_date"])
            if ident not in seen:
                seen.add(ident)
                posts.append(post)
        if posts:
            p["memberships"] = posts
        persons.append(p)
    return {"cgov": "1", "areas": areas, "organizations": orgs, "persons": persons}


def normalised(doc: dict, prefix: str) -> dict:
    """The records of one example, flat, with values typed: input and export
    write the same chart in different shapes (nesting, strings for numbers)."""
    persons, posts = {}, set()
    for p in doc.get("persons", []):
        if not p["id"].startswith(prefix + "-"):
            continue
        party = p.get("party") or {}
        persons[p["id"]] = {k: p.get(k) for k in ("name", "gender", "birth_date", "id_number", "phone", "home")} | {
            "party": party.get("status"), "joined": party.get("joined")}
        for m in p.get("memberships", []):
            posts.add((p["id"], m.get("organization"), m.get("area"), m["role"], _bool(m.get("full_time")),
                       m.get("start_date"), m.get("end_date")))
    def mine(records: dict) -> dict:
        return {k: v for k, v in records.items() if k.startswith(prefix + "-")}

    return {"areas": mine(_flat_areas(doc.get("areas", []))), "orgs": mine(_flat_orgs(doc.get("organizations", []))),
            "persons": persons, "posts": posts}


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_a_random_valid_org_chart_round_trips_unchanged(cli, data):
    n = next(_examples)
    chart = data.draw(org_chart(n))
    text = yaml.safe_dump(chart, allow_unicode=True, sort_keys=False)
    r = cli("import", "-", input=text)
    assert r.exit_code == 0, r.stderr + text

    exported = cli("export", "--reveal", "--reason", "round-trip test")
    assert exported.exit_code == 0, exported.stderr
    assert normalised(yaml.safe_load(exported.stdout), f"rt{n}") == normalised(chart, f"rt{n}")

    again = cli("import", "-", "-f", "json", input=exported.stdout)
    assert again.exit_code == 0, again.stderr
    assert all(c["created"] == c["updated"] == 0 for c in json.loads(again.stdout))
    assert cli("export", "--reveal", "--reason", "round-trip test").stdout == exported.stdout
