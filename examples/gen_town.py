#!/usr/bin/env python3
"""Generate examples/town.yaml: a synthetic org chart of a town in cgov's YAML format.

The town is modelled on Chenjia town (陈家镇), Chongming, Shanghai (see
shared/seeds/001): four urban communities and one village, each split into
grids with a grid party branch, a grid leader (the branch secretary) and grid
workers; building party groups, building leaders and red butlers; the "three
carriages" (residents' committee, owners' committees with party work groups,
property company); town departments, co-building units and a social
organization; about 350 persons with their posts.

Everything personal is synthetic: resident ID numbers are valid by GB 11643
but use sequence numbers 900-999, phones are 1390000xxxx.

A few defects are planted on purpose, so that `cgov grid check` and friends
have something to find (see DEFECTS below and the comment at the head of the
output).

Stdlib only and deterministic: the same seed always writes the same file.

    python examples/gen_town.py            # writes examples/town.yaml
    python examples/gen_town.py -o -       # to standard output
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import sys

SEED = 20250630
AS_OF = dt.date(2025, 6, 30)  # the roster is "as of" this day
REGION = "310230"  # Chongming county, as printed on older Chongming ID cards

rng = random.Random(SEED)

# --------------------------------------------------------------------------- areas

TOWN = {"id": "cj", "name": "陈家镇", "code": "310151101"}

# id suffix, name, classification, 3-digit code, grid households (one per grid),
# party organization classification and name suffix
COMMUNITIES = [
    ("yh4", "裕鸿佳苑第四社区", "community", "001", [412, 386, 455, 348, 430],
     "party-general-branch", "党总支"),
    ("yh1", "裕鸿佳苑第一社区", "community", "002", [368, 441, 397, 325],
     "party-general-branch", "党总支"),
    ("ya", "裕安社区", "community", "003", [476, 540, 389, 421],
     "party-committee", "党委"),
    ("dt", "东滩社区", "community", "004", [334, 402, 365],
     "party-general-branch", "党总支"),
    ("yd", "瀛东村", "village", "201", [318, 305, 260],
     "party-general-branch", "党总支"),
]

# Planted defects (checked by the generator itself before writing).
DEFECTS = {
    "grid_too_small": "cj-yd-g03",      # 260 households (< 300)
    "grid_too_big": "cj-ya-g02",        # 540 households (> 500)
    "oc_without_pwg": "cj-ya-oc2",      # owners' committee with no party work group
    "small_branch": "cj-dt-g02-pb",     # only 2 full party members
    "grid_without_worker": "cj-yh1-g03",  # its only grid worker left on 2025-02-28
}

CN_NUM = "一二三四五六七八九十"

# --------------------------------------------------------------------------- names

SURNAMES = (
    "施" * 8 + "黄" * 8 + "陆" * 7 + "沈" * 7 + "顾" * 6 + "张" * 6 + "王" * 6 + "陈" * 6
    + "朱" * 5 + "龚" * 5 + "倪" * 4 + "茅" * 4 + "袁" * 4 + "蔡" * 4 + "周" * 4 + "杨" * 4
    + "徐" * 4 + "李" * 3 + "刘" * 3 + "吴" * 3 + "宋" * 3 + "季" * 3 + "郁" * 2 + "曹" * 2
    + "秦" * 2 + "陶" * 2 + "范" * 2 + "樊" * 2 + "姚" * 2 + "钱" * 2 + "孙" * 2 + "郭" * 2
)
MALE_CHARS = "建国伟明军华强平林峰杰斌忠海兵勇涛磊俊东新荣德根福祥宏志庆文春龙金良达卫锋晨浩宇"
FEMALE_CHARS = "美英芳红丽秀玲娟霞敏燕静萍琴凤兰梅洁婷雪莉慧琳云珍月菊佳颖倩蓉艳娣"

_used_names: set[str] = set()


def make_name(gender: str) -> str:
    chars = MALE_CHARS if gender == "male" else FEMALE_CHARS
    while True:
        given = rng.choice(chars)
        if rng.random() < 0.7:
            given += rng.choice(chars)
        name = rng.choice(SURNAMES) + given
        if name not in _used_names and given[0] != (given[1:] or " "):
            _used_names.add(name)
            return name


# --------------------------------------------------------------------------- ID numbers

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
_used_ids: set[str] = set()


def id_check(first17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def make_id_number(birth: dt.date, gender: str) -> str:
    """A valid GB 11643 number with an obviously synthetic sequence 900-999."""
    while True:
        seq = rng.randrange(900, 1000)
        if (seq % 2 == 1) != (gender == "male"):
            continue
        first17 = f"{REGION}{birth:%Y%m%d}{seq:03d}"
        number = first17 + id_check(first17)
        if number not in _used_ids:
            _used_ids.add(number)
            return number


_phone_seq = 0


def make_phone() -> str:
    global _phone_seq
    _phone_seq += 1
    return f"1390000{_phone_seq:04d}"


# --------------------------------------------------------------------------- dates

def rand_date(start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def birth_for_age(lo: int, hi: int) -> dt.date:
    return rand_date(dt.date(AS_OF.year - hi - 1, AS_OF.month, AS_OF.day) + dt.timedelta(days=1),
                     dt.date(AS_OF.year - lo, AS_OF.month, AS_OF.day))


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


# --------------------------------------------------------------------------- model

class Person:
    def __init__(self, gender, birth, home, party, phone=True):
        self.id = None
        self.gender = gender
        self.name = make_name(gender)
        self.birth = birth
        self.id_number = make_id_number(birth, gender)
        self.phone = make_phone() if phone else None
        self.home = home
        self.party = party  # None | (status, joined or None)
        self.memberships: list[dict] = []

    @property
    def status(self):
        return self.party[0] if self.party else None

    def post(self, role, organization=None, area=None, start=None, end=None, full_time=None):
        m = {}
        if organization:
            m["organization"] = organization
        if area:
            m["area"] = area
        m["role"] = role
        if full_time is not None:
            m["full_time"] = full_time
        m["start_date"] = start
        if end:
            m["end_date"] = end
        self.memberships.append(m)
        return m

    def holds(self, role=None, organization=None, area=None, current=True):
        for m in self.memberships:
            if role and m["role"] != role:
                continue
            if organization and m.get("organization") != organization:
                continue
            if area and m.get("area") != area:
                continue
            if current and m.get("end_date"):
                continue
            return True
        return False


persons: list[Person] = []
residents: dict[str, list[Person]] = {}  # building id -> persons living there
grid_of: dict[str, str] = {}  # building id -> grid id
grids_of: dict[str, list[str]] = {}  # community id -> grid ids
buildings_of: dict[str, list[str]] = {}  # grid id -> building ids
building_name: dict[str, str] = {}


def party_for(status, birth):
    if status is None:
        return None
    adult = add_years(birth, 18)
    if status == "full":
        lo = max(adult, dt.date(1970, 1, 1))
        # joined before the 2021 elections where possible, so that posts held since
        # then are held by full members; the young joined later
        hi = min(add_years(birth, 40), dt.date(2019, 12, 31))
        if hi < lo:
            hi = dt.date(2024, 5, 31)
        joined = rand_date(lo, hi)
        july_first = joined.replace(month=7, day=1)  # a favourite day for admissions
        if rng.random() < 0.4 and lo <= july_first <= hi:
            joined = july_first
        return ("full", joined)
    if status == "probationary":
        return ("probationary", rand_date(max(adult, dt.date(2024, 7, 1)), dt.date(2025, 5, 31)))
    return ("activist", None)


def new_person(home=None, age=(25, 70), gender=None, status=None, phone=None):
    if gender is None:
        gender = rng.choice(("male", "female"))
    birth = birth_for_age(*age)
    if phone is None:
        phone = rng.random() >= 0.05
    p = Person(gender, birth, home, party_for(status, birth), phone)
    persons.append(p)
    if home:
        residents.setdefault(home, []).append(p)
    return p


def full_in_grid(gid):
    return sum(1 for b in buildings_of[gid] for p in residents.get(b, []) if p.status == "full")


def pick_home(cid, exclude_grids=(), grid=None):
    grids = [grid] if grid else [g for g in grids_of[cid] if g not in exclude_grids]
    return rng.choice(buildings_of[rng.choice(grids)])


# --------------------------------------------------------------------------- build areas

def split(total, parts, lo_w=0.75, hi_w=1.25):
    weights = [rng.uniform(lo_w, hi_w) for _ in range(parts)]
    s = sum(weights)
    out = [round(total * w / s) for w in weights]
    out[-1] += total - sum(out)
    return out


def build_areas():
    town = {"id": TOWN["id"], "name": TOWN["name"], "classification": "town",
            "code": TOWN["code"], "children": []}
    for key, name, cls, code, grid_hh, _pcls, _psuffix in COMMUNITIES:
        cid = f"cj-{key}"
        ccode = TOWN["code"] + code
        comm = {"id": cid, "name": name, "classification": cls, "code": ccode, "children": []}
        grids_of[cid] = []
        bno = 0
        for gi, hh in enumerate(grid_hh, 1):
            gid = f"{cid}-g{gi:02d}"
            grids_of[cid].append(gid)
            nb = max(4, min(8, round(hh / 70) + rng.choice((-1, 0, 0, 1))))
            pop = round(hh * rng.uniform(2.30, 2.50))
            grid = {"id": gid, "name": f"第{CN_NUM[gi - 1]}网格", "classification": "grid",
                    "code": f"{ccode}{gi:03d}", "households": hh, "population": pop,
                    "children": []}
            buildings_of[gid] = []
            for bhh in split(hh, nb):
                bno += 1
                bid = f"{cid}-b{bno:02d}"
                bname = f"第{bno}村民小组" if cls == "village" else f"{bno}号楼"
                grid["children"].append({"id": bid, "name": bname, "classification": "building",
                                         "households": bhh})
                buildings_of[gid].append(bid)
                building_name[bid] = bname
                grid_of[bid] = gid
            comm["children"].append(grid)
        town["children"].append(comm)
    return [town]


# --------------------------------------------------------------------------- build orgs

DEPARTMENTS = [
    ("cj-police", "陈家镇派出所"),
    ("cj-urban", "陈家镇城管执法中队"),
    ("cj-market", "陈家镇市场监管所"),
    ("cj-housing", "陈家镇房屋管理办公室"),
    ("cj-civil", "陈家镇社区事务受理服务中心（民政办）"),
    ("cj-justice", "陈家镇司法所"),
    ("cj-health", "陈家镇社区卫生服务中心"),
    ("cj-fire", "陈家镇消防救援站"),
    ("cj-ecology", "陈家镇生态环境办（绿化市容所）"),
]
CO_BUILDING = [
    ("cj-cb-bank", "农商银行陈家镇支行"),
    ("cj-cb-school", "陈家镇实验学校"),
    ("cj-cb-power", "国网崇明供电公司陈家镇供电所"),
]
SOCIAL_ORG = ("cj-so-mulin", "陈家镇睦邻社会工作服务社")

# per community: owners' committees (suffix, estate name, founded) and property company
ESTATES = {
    "yh4": [("oc", "裕鸿佳苑四期（东区）", dt.date(2022, 9, 17)),
            ("oc2", "裕鸿佳苑四期（西区）", dt.date(2023, 4, 22))],
    "yh1": [("oc", "裕鸿佳苑一期", dt.date(2020, 11, 14))],
    "ya": [("oc", "裕安花苑", dt.date(2021, 10, 23)),
           ("oc2", "裕安雅苑", dt.date(2025, 3, 29))],
    "dt": [("oc", "东滩颐景园", dt.date(2022, 5, 21))],
}
PROPERTY = {
    "yh4": "上海裕鸿物业服务有限公司",
    "yh1": "上海瀛洲物业管理有限公司",
    "ya": "上海东平物业服务有限公司",
    "dt": "上海滩涂物业服务有限公司",
}

orgs_flat: dict[str, dict] = {}


def org(oid, name, cls, area, parent=None):
    o = {"id": oid, "name": name, "classification": cls, "area": area, "children": []}
    orgs_flat[oid] = o
    if parent:
        orgs_flat[parent]["children"].append(o)
    return o


def build_org_skeleton():
    top = [org("cj-ptc", "陈家镇社区党工委", "party-working-committee", "cj")]
    community_orgs: dict[str, list] = {}
    for key, name, cls, _code, _hh, pcls, psuffix in COMMUNITIES:
        cid = f"cj-{key}"
        org(f"{cid}-party", name + psuffix, pcls, cid, parent="cj-ptc")
        for gi, gid in enumerate(grids_of[cid], 1):
            org(f"{gid}-pb", f"{name}第{CN_NUM[gi - 1]}网格党支部", "party-branch", gid,
                parent=f"{cid}-party")
        lst = []
        if cls == "village":
            lst.append(org(f"{cid}-vc", name + "村民委员会", "villagers-committee", cid))
            lst.append(org(f"{cid}-sc", name + "村务监督委员会", "supervisory-committee", cid))
        else:
            lst.append(org(f"{cid}-rc", name + "居民委员会", "residents-committee", cid))
            lst.append(org(f"{cid}-sc", name + "居务监督委员会", "supervisory-committee", cid))
            for suffix, estate, _founded in ESTATES[key]:
                oc_id = f"{cid}-{suffix}"
                lst.append(org(oc_id, estate + "业主委员会", "owners-committee", cid))
                if oc_id != DEFECTS["oc_without_pwg"]:
                    org(f"{oc_id}-pwg", estate + "业委会党的工作小组", "party-work-group", cid,
                        parent=oc_id)
            lst.append(org(f"{cid}-pm", PROPERTY[key], "property-company", cid))
        lst.append(org(f"{cid}-vt", name + "党员志愿服务队", "volunteer-team", cid))
        community_orgs[cid] = lst
    depts = [org(did, dname, "department", "cj") for did, dname in DEPARTMENTS]
    cobs = [org(bid, bname, "co-building-unit", "cj") for bid, bname in CO_BUILDING]
    soc = [org(SOCIAL_ORG[0], SOCIAL_ORG[1], "social-organization", "cj")]
    return top, community_orgs, depts, cobs, soc


# --------------------------------------------------------------------------- people

CAMPAIGN_2021 = dt.date(2021, 6, 19)   # residents'/villagers' committee elections
PARTY_2021 = dt.date(2021, 5, 22)      # community party organizations re-elected
GRID_2021 = dt.date(2021, 7, 1)        # grid party branches set up, grid leaders named


def build_town_people():
    sec = new_person(age=(48, 56), status="full")
    sec.post("secretary", "cj-ptc", start=dt.date(2022, 8, 1))
    old = new_person(age=(55, 62), gender="male", status="full")
    old.post("deputy-secretary", "cj-ptc", start=dt.date(2017, 3, 1), end=dt.date(2023, 6, 30))
    for start in (dt.date(2021, 9, 1), dt.date(2023, 7, 3)):
        new_person(age=(40, 52), status="full").post("deputy-secretary", "cj-ptc", start=start)
    for _ in range(3):
        new_person(age=(35, 55), status="full").post(
            "member", "cj-ptc", start=rand_date(dt.date(2019, 1, 1), dt.date(2024, 6, 30)))
    for did, _dname in DEPARTMENTS:
        head = new_person(age=(38, 57), status="full" if rng.random() < 0.8 else None)
        head.post("director", did, start=rand_date(dt.date(2018, 1, 1), dt.date(2024, 12, 31)))
        if did not in ("cj-police", "cj-fire"):
            new_person(age=(26, 50), status="full" if rng.random() < 0.25 else None).post(
                "contact", did, start=rand_date(dt.date(2020, 1, 1), dt.date(2025, 3, 1)))
    # 司法所 also keeps a town mediator
    new_person(age=(45, 62)).post("mediator", "cj-justice", start=dt.date(2020, 4, 1))
    for bid, _bname in CO_BUILDING:
        new_person(age=(40, 55), status="full" if rng.random() < 0.7 else None).post(
            "director", bid, start=rand_date(dt.date(2018, 1, 1), dt.date(2023, 12, 31)))
        new_person(age=(28, 45), status="full" if rng.random() < 0.3 else None).post(
            "contact", bid, start=rand_date(dt.date(2021, 1, 1), dt.date(2024, 6, 30)))
    so = SOCIAL_ORG[0]
    new_person(age=(35, 48), gender="female", status="full").post("director", so,
                                                                 start=dt.date(2019, 5, 1))
    for _ in range(3):
        new_person(age=(24, 40), gender="female" if rng.random() < 0.75 else "male",
                   status=rng.choice((None, None, None, "activist"))).post(
            "social-worker", so, start=rand_date(dt.date(2020, 3, 1), dt.date(2024, 9, 1)))
    # two community lawyers (律师进社区), each serving a few residents' committees
    return [new_person(age=(32, 50), status=rng.choice(("full", None))) for _ in range(2)]


def community_people(key, lawyer):
    cid = f"cj-{key}"
    cls = next(c[2] for c in COMMUNITIES if c[0] == key)
    village = cls == "village"
    committee = f"{cid}-vc" if village else f"{cid}-rc"
    party = f"{cid}-party"
    small = DEFECTS["small_branch"].removesuffix("-pb")
    excl = (small,)  # keep the small branch small: no community leaders live there

    def resident(age, status=None, gender=None):
        if status in ("full", "probationary"):
            # spread party members over the grids, keeping the small branch small
            grids = [g for g in grids_of[cid] if g not in excl]
            fewest = min(full_in_grid(g) for g in grids)
            grid = rng.choice([g for g in grids if full_in_grid(g) == fewest])
            home = rng.choice(buildings_of[grid])
        else:
            home = pick_home(cid)
        return new_person(home=home, age=age, status=status, gender=gender)

    # 一肩挑: party secretary is also committee director
    sec = resident((42, 55), "full")
    sec.post("secretary", party, start=PARTY_2021)
    sec.post("director", committee, start=CAMPAIGN_2021)
    dep = resident((36, 50), "full")
    dep.post("deputy-secretary", party, start=PARTY_2021)
    dep.post("deputy-director", committee, start=CAMPAIGN_2021)
    cm1 = resident((35, 55), "full")  # party committee member and committee member
    cm1.post("member", party, start=PARTY_2021)
    cm1.post("member", committee, start=CAMPAIGN_2021)
    cm2 = resident((40, 60), "full")
    cm2.post("member", party, start=PARTY_2021)
    staff = [dep, cm1]
    for _ in range(2 if village else 3):
        m = resident((28, 55), rng.choice((None,) * 5 + ("activist", "full")),
                     gender="female" if rng.random() < 0.7 else None)
        m.post("member", committee, start=CAMPAIGN_2021)
        staff.append(m)
    if key == "yh4":  # the director before the 2021 election, now a volunteer
        old = resident((60, 68), "full", gender="male")
        old.post("director", committee, start=dt.date(2015, 6, 13), end=dt.date(2021, 6, 18))
    # supervisory committee
    sc = f"{cid}-sc"
    resident((55, 68), "full").post("director", sc, start=CAMPAIGN_2021)
    for _ in range(2):
        resident((45, 70), rng.choice((None, None, "activist", "full"))).post("member", sc,
                                                                        start=CAMPAIGN_2021)
    # mediator (人民调解员) and community lawyer
    resident((55, 70), rng.choice(("full", None))).post("mediator", committee,
                                                       start=CAMPAIGN_2021)
    lawyer.post("lawyer", committee, start=rand_date(dt.date(2021, 7, 1), dt.date(2023, 3, 1)))

    if not village:
        # owners' committees, party work groups, 双向进入、交叉任职
        cross = [cm2, dep, cm1]
        for i, (suffix, _estate, founded) in enumerate(ESTATES[key]):
            oc = f"{cid}-{suffix}"
            has_pwg = oc != DEFECTS["oc_without_pwg"]
            director = resident((45, 65), "full" if has_pwg else None)
            director.post("director", oc, start=founded)
            resident((40, 65), None).post("deputy-director", oc, start=founded)
            members = [resident((35, 70), rng.choice((None,) * 6 + ("activist",)))
                       for _ in range(rng.choice((2, 3)))]
            for m in members:
                m.post("member", oc, start=founded)
            if has_pwg:
                x = cross[i % len(cross)]  # a party committee member sits on the oc
                x.post("member", oc, start=founded)
                extra = resident((45, 68), "full")
                extra.post("member", oc, start=founded)
                pwg = f"{oc}-pwg"
                pwg_start = founded + dt.timedelta(days=rng.randrange(20, 60))
                x.post("secretary", pwg, start=pwg_start)
                director.post("member", pwg, start=pwg_start)
                extra.post("member", pwg, start=pwg_start)
            if key == "yh1" and i == 0:  # an oc member who resigned
                gone = resident((50, 70), None)
                gone.post("member", oc, start=founded, end=dt.date(2023, 9, 30))
        # property company: manager (from outside), in yh1 also on the residents' committee
        pm = f"{cid}-pm"
        if key == "yh4":
            prev = new_person(age=(40, 55))
            prev.post("manager", pm, start=dt.date(2019, 3, 1), end=dt.date(2023, 12, 31))
            new_person(age=(35, 50)).post("manager", pm, start=dt.date(2024, 1, 1))
        else:
            mgr = new_person(age=(35, 55), status=rng.choice((None, None, "full")))
            mgr.post("manager", pm, start=rand_date(dt.date(2019, 1, 1), dt.date(2023, 6, 30)))
            if key == "yh1":
                mgr.post("member", committee, start=CAMPAIGN_2021)
    # community police (一居一警), from the police station
    new_person(age=(30, 50), status="full" if rng.random() < 0.6 else None,
               gender="male" if rng.random() < 0.8 else None).post(
        "community-police", "cj-police",
        start=rand_date(dt.date(2019, 1, 1), dt.date(2024, 1, 1)))
    return staff


def grid_people(cid, staff):
    full_time_pool = list(staff)
    rng.shuffle(full_time_pool)
    for gid in grids_of[cid]:
        pb = f"{gid}-pb"
        b_sec = new_person(home=rng.choice(buildings_of[gid]), age=(45, 66), status="full")
        b_sec.post("secretary", pb, start=GRID_2021)
        if gid == "cj-yh4-g05":  # here the deputy director leads the grid, not the secretary
            staff[0].post("grid-leader", area=gid, start=GRID_2021)
        else:
            b_sec.post("grid-leader", area=gid, start=GRID_2021)
        # grid workers: one full-time (a committee member or a community worker), 0-2 part-time
        if gid == DEFECTS["grid_without_worker"]:
            w = new_person(home=rng.choice(buildings_of[gid]), age=(25, 40), gender="female")
            w.post("grid-worker", area=gid, full_time=True, start=GRID_2021,
                   end=dt.date(2025, 2, 28))
            continue
        if full_time_pool:
            ft = full_time_pool.pop()
        else:
            ft = new_person(home=pick_home(cid) if rng.random() < 0.6 else None, age=(25, 45),
                            gender="female" if rng.random() < 0.7 else "male")
        if gid == "cj-ya-g01":  # the first full-time worker moved away in 2024
            gone = new_person(age=(24, 35), gender="female")
            gone.post("grid-worker", area=gid, full_time=True, start=GRID_2021,
                      end=dt.date(2024, 3, 31))
            ft.post("grid-worker", area=gid, full_time=True, start=dt.date(2024, 4, 1))
        else:
            ft.post("grid-worker", area=gid, full_time=True, start=GRID_2021)
        for _ in range(rng.choice((0, 1, 1, 2))):
            pt = new_person(home=rng.choice(buildings_of[gid]), age=(40, 68),
                            status=rng.choice((None,) * 7 + ("activist",)))
            pt.post("grid-worker", area=gid, full_time=False,
                    start=rand_date(GRID_2021, dt.date(2024, 12, 31)))


def top_up_party(cid):
    """Give each grid enough full members (and a probationary one or so)."""
    small = DEFECTS["small_branch"].removesuffix("-pb")
    for gid in grids_of[cid]:
        blds = buildings_of[gid]
        dense = rng.sample(blds, 2)  # party members cluster in a couple of buildings
        living = [p for b in blds for p in residents.get(b, [])]
        full = sum(1 for p in living if p.status == "full")
        target = 2 if gid == small else rng.choice((4, 4, 4, 5))
        assert full <= target or gid != small, (gid, full)
        for _ in range(target - full):
            home = rng.choice(dense) if rng.random() < 0.7 else rng.choice(blds)
            new_person(home=home, age=(30, 80), status="full")
        n_prob = 1 if gid == small else rng.choice((0, 0, 1))
        for _ in range(n_prob):
            new_person(home=rng.choice(dense), age=(22, 40), status="probationary")


def building_people(cid):
    village = cid == "cj-yd"
    committee = f"{cid}-vc" if village else f"{cid}-rc"
    for gid in grids_of[cid]:
        pb = f"{gid}-pb"
        for b in buildings_of[gid]:
            here = residents.get(b, [])
            # party group where at least two party members live
            party_here = [p for p in here if p.status in ("full", "probationary")]
            leader = None
            full_here = [p for p in party_here if p.status == "full"]
            if len(party_here) >= 2 and full_here:
                pg = f"{b}-pg"
                comm_name = next(c[1] for c in COMMUNITIES if f"cj-{c[0]}" == cid)
                org(pg, f"{comm_name}{building_name[b]}党小组", "party-group", b, parent=pb)
                leader = min(full_here, key=lambda p: p.birth)
                leader.post("secretary", pg, start=max(rand_date(GRID_2021, dt.date(2022, 6, 30)),
                                                       add_years(leader.party[1], 1)))
                for p in party_here:
                    if p is not leader:
                        p.post("member", pg, start=max(GRID_2021, p.party[1]))
            # building leader (楼栋长 / 村民小组长): a resident, often a party member
            cands = [p for p in here if not p.holds("building-leader")
                     and p.birth < dt.date(1975, 1, 1) and p is not leader]
            if cands and rng.random() < 0.5:
                bl = rng.choice(cands)
            else:
                bl = new_person(home=b, age=(50, 72),
                                status=rng.choice((None,) * 19 + ("activist",)))
            bl.post("building-leader", area=b, start=rand_date(dt.date(2016, 1, 1),
                                                                 dt.date(2024, 6, 30)))
            if rng.random() < 0.6:  # building leaders are often residents' representatives
                bl.post("representative", committee, start=CAMPAIGN_2021)
            # red butler (红色管家): a party member per building, urban communities
            if not village:
                if leader:
                    rb = leader
                else:
                    grid_party = [p for bb in buildings_of[gid] for p in residents.get(bb, [])
                                  if p.status == "full"
                                  and sum(m["role"] == "red-butler" for m in p.memberships) < 2]
                    rb = rng.choice(grid_party) if grid_party and rng.random() < 0.75 else None
                if rb:
                    rb.post("red-butler", area=b, start=rand_date(dt.date(2021, 9, 1),
                                                                   dt.date(2023, 12, 31)))
        # village: representatives per villagers' group
        if village:
            for b in buildings_of[gid]:
                for p in residents.get(b, [])[:1]:
                    if not p.holds("representative"):
                        p.post("representative", committee, start=CAMPAIGN_2021)
        # every full/probationary resident is a member of the grid branch
        for b in buildings_of[gid]:
            for p in residents.get(b, []):
                if p.status in ("full", "probationary") and not p.holds("secretary", pb):
                    start = max(GRID_2021, p.party[1])
                    p.post("member", pb, start=start)


def volunteers(cid, in_service):
    vt = f"{cid}-vt"
    living = [p for g in grids_of[cid] for b in buildings_of[g] for p in residents.get(b, [])]
    leaders = [p for p in living if p.status == "full" and p.birth < dt.date(1965, 1, 1)
               and not p.holds(organization=vt)]
    lead = rng.choice(leaders)
    lead.post("director", vt, start=rand_date(dt.date(2019, 1, 1), dt.date(2021, 12, 31)))
    pool = [p for p in living if p is not lead and not p.holds(organization=vt)]
    for p in rng.sample(pool, min(len(pool), rng.randint(7, 10))):
        p.post("volunteer", vt, start=rand_date(dt.date(2019, 1, 1), dt.date(2025, 5, 31)))
    # 双报到: in-service party members of co-building units serve where they live
    for p in in_service:
        p.post("volunteer", vt, start=rand_date(dt.date(2021, 3, 1), dt.date(2024, 6, 30)))


def plain_residents(n):
    """Residents with no post, spread over all buildings."""
    all_b = [b for bl in buildings_of.values() for b in bl]
    for _ in range(n):
        new_person(home=rng.choice(all_b), age=(18, 90),
                   status="activist" if rng.random() < 0.04 else None)


# --------------------------------------------------------------------------- YAML writer

QUOTED_KEYS = {"code", "id_number", "phone"}
PLAIN_OK = re.compile(r"[A-Za-z0-9_./\u3000-\u303f\u4e00-\u9fff\uff00-\uffef-]+")
NUMBERISH = re.compile(r"[-+]?[0-9][0-9_.:eExXoObB+-]*|[-+]?\.[0-9].*")
YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def scalar(value, key=None):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    s = str(value)
    if (key in QUOTED_KEYS or not PLAIN_OK.fullmatch(s) or NUMBERISH.fullmatch(s)
            or s.lower() in YAML11_WORDS or s[0] in "-."):
        return json.dumps(s, ensure_ascii=False)
    return s


def flow(d):
    return "{" + ", ".join(f"{k}: {scalar(v, k)}" for k, v in d.items()) + "}"


def is_leaf(d):
    return not any(isinstance(v, (list, dict)) for v in d.values())


def emit_list(out, items, indent, force_block=False):
    pad = " " * indent
    for item in items:
        if is_leaf(item) and not force_block:
            out.append(f"{pad}- {flow(item)}")
            continue
        first = True
        for k, v in item.items():
            prefix = f"{pad}- " if first else f"{pad}  "
            first = False
            if isinstance(v, list):
                out.append(f"{prefix}{k}:")
                emit_list(out, v, indent + 4)
            elif isinstance(v, dict):
                out.append(f"{prefix}{k}: {flow(v)}")
            else:
                out.append(f"{prefix}{k}: {scalar(v, k)}")


def prune(o):
    """Drop empty children lists so that leaves come out in flow style."""
    d = {k: v for k, v in o.items() if k != "children"}
    if o.get("children"):
        d["children"] = [prune(c) for c in o["children"]]
    return d


def person_record(p: Person):
    r = {"id": p.id, "name": p.name, "gender": p.gender, "birth_date": p.birth,
         "id_number": p.id_number}
    if p.phone:
        r["phone"] = p.phone
    if p.home:
        r["home"] = p.home
    if p.party:
        status, joined = p.party
        r["party"] = {"status": status, **({"joined": joined} if joined else {})}
    if p.memberships:
        r["memberships"] = sorted(p.memberships, key=lambda m: m["start_date"])
    return r


# --------------------------------------------------------------------------- main

def generate():
    areas = build_areas()
    top, community_orgs, depts, cobs, soc = build_org_skeleton()
    lawyers = build_town_people()
    # 双报到: party members on the staff of co-building units who live in the town
    # serve with the volunteer team at home (and sit in their grid's branch)
    in_service = {}
    small = DEFECTS["small_branch"].removesuffix("-pb")
    for _ in range(5):
        cid = rng.choice([f"cj-{c[0]}" for c in COMMUNITIES if c[0] != "yd"])
        home = pick_home(cid, exclude_grids=(small,))
        p = new_person(home=home, age=(28, 50), status="full")
        unit = rng.choice(CO_BUILDING)[0]
        p.post("member", unit, start=rand_date(dt.date(2015, 1, 1), dt.date(2023, 1, 1)))
        in_service.setdefault(cid, []).append(p)
    for key, *_ in COMMUNITIES:
        cid = f"cj-{key}"
        lawyer = lawyers[0] if key in ("yh4", "yh1", "yd") else lawyers[1]
        staff = community_people(key, lawyer)
        grid_people(cid, staff)
        top_up_party(cid)
        building_people(cid)
    for key, *_ in COMMUNITIES:
        cid = f"cj-{key}"
        volunteers(cid, in_service.get(cid, []))
    plain_residents(max(0, 350 - len(persons)))
    for i, p in enumerate(persons, 1):
        p.id = f"p-{i:04d}"
    verify()
    return areas, top, community_orgs, depts, cobs, soc


def verify():
    """Fail loudly if a change to the generator lost a planted defect or broke a rule."""
    def current(p, **kw):
        return [m for m in p.memberships if not m.get("end_date")
                and all(m.get(k) == v for k, v in kw.items())]

    grids = [g for gl in grids_of.values() for g in gl]
    for gid in grids:
        pb = f"{gid}-pb"
        full_members = [p for p in persons if p.status == "full" and current(p, organization=pb)]
        full_plain = [p for p in full_members if current(p, organization=pb, role="member")]
        small = gid == DEFECTS["small_branch"].removesuffix("-pb")
        assert (len(full_members) == 2) if small else (len(full_plain) >= 3), (gid, full_members)
        workers = [p for p in persons if current(p, area=gid, role="grid-worker")]
        assert bool(workers) != (gid == DEFECTS["grid_without_worker"]), gid
        leaders = [p for p in persons if current(p, area=gid, role="grid-leader")]
        assert len(leaders) == 1, gid
    for oid, o in orgs_flat.items():
        if o["classification"] == "owners-committee":
            assert bool(o["children"]) != (oid == DEFECTS["oc_without_pwg"]), oid
    for p in persons:
        if p.status in ("full", "probationary") and p.home:
            assert len(current(p, organization=f"{grid_of[p.home]}-pb")) == 1, p.name


HEADER = """\
# cgov example: an org chart of a town modelled on 陈家镇 (Chenjia town, Chongming, Shanghai).
# Generated by examples/gen_town.py (seed {seed}); edit the generator, not this file.
#
# ALL PERSONAL DATA IS SYNTHETIC. Names are random; resident ID numbers are valid by
# GB 11643 but use the sequence numbers 900-999 and belong to nobody; phones are
# 1390000xxxx. Roster as of {as_of}.
#
# Planted on purpose, for the checks to find:
#   - grid {grid_too_small} is too small (260 households), {grid_too_big} too big (540);
#   - owners' committee {oc_without_pwg} has no party work group (and no party member);
#   - grid party branch {small_branch} has only 2 full members (plus a probationary one);
#   - grid {grid_without_worker} has no grid worker: its only one left on 2025-02-28.
"""


def render():
    areas, top, community_orgs, depts, cobs, soc = generate()
    out = [HEADER.format(seed=SEED, as_of=AS_OF, **DEFECTS).rstrip("\n"), "", "cgov: 1", "",
           "areas:"]
    emit_list(out, [prune(a) for a in areas], 2)
    out += ["", "organizations:"]
    out.append("  # party line: town → community → grid party branch → building party group")
    emit_list(out, [prune(o) for o in top], 2)
    for key, name, *_ in COMMUNITIES:
        out.append(f"  # {name}")
        emit_list(out, [prune(o) for o in community_orgs[f"cj-{key}"]], 2)
    out.append("  # town departments (职能部门)")
    emit_list(out, [prune(o) for o in depts], 2)
    out.append("  # co-building units (共建单位) and social organizations")
    emit_list(out, [prune(o) for o in cobs + soc], 2)
    out += ["", "persons:"]
    emit_list(out, [person_record(p) for p in persons], 2, force_block=True)
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("-o", "--output", default=os.path.join(here, "town.yaml"),
                    help="file to write, '-' for standard output (default: examples/town.yaml)")
    args = ap.parse_args(argv)
    text = render()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print(f"wrote {args.output}: {len(persons)} persons, {len(text.encode()):,} bytes",
              file=sys.stderr)


if __name__ == "__main__":
    main()
