"""Synthetic city for the benchmarks, written as cgov YAML files.

Scale 1.0: 50 streets, 380 communities, 5,800 grids with buildings, the party
line down to grid branches, 100,000 persons with valid synthetic ID numbers
and phones. Deterministic for a given scale and seed."""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国民红梅玉兰志强海燕德胜文斌永春立新卫东晓红"


def id_number(region: str, born: dt.date, seq: int) -> str:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + CHECK[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def sizes(scale: float) -> dict:
    return {"streets": max(1, round(50 * scale)), "communities": max(1, round(380 * scale)),
            "grids": max(1, round(5800 * scale)), "persons": max(10, round(100_000 * scale))}


def generate(out: Path, scale: float = 1.0, seed: int = 7) -> dict:
    rnd = random.Random(seed)
    n = sizes(scale)
    out.mkdir(parents=True, exist_ok=True)
    lines = ["cgov: 1", "areas:", "  - id: city", "    name: 示范区", "    classification: district",
             '    code: "340100"', "    children:"]
    org = ["organizations:"]
    grids, buildings = [], []
    community_of: dict = {}
    per_street = max(1, n["communities"] // n["streets"])
    per_comm = max(1, n["grids"] // n["communities"])
    c_index = g_index = 0
    for s in range(n["streets"]):
        sid = f"s{s:03d}"
        lines += [f"      - id: {sid}", f"        name: 第{s + 1}街道", "        classification: street",
                  f'        code: "340100{s:03d}"', "        children:"]
        org += [f"  - {{id: {sid}-ptc, name: 第{s + 1}街道党工委, classification: party-working-committee, area: {sid}}}"]
        for _ in range(per_street if s < n["streets"] - 1 else n["communities"] - c_index):
            cid = f"c{c_index:04d}"
            lines += [f"          - id: {cid}", f"            name: 第{c_index + 1}社区", "            classification: community",
                      "            children:"]
            org += [f"  - {{id: {cid}-party, name: 第{c_index + 1}社区党委, classification: party-committee, area: {cid}, parent: {sid}-ptc}}",
                    f"  - {{id: {cid}-rc, name: 第{c_index + 1}社区居委会, classification: residents-committee, area: {cid}}}",
                    f"  - {{id: {cid}-pm, name: 第{c_index + 1}物业服务公司, classification: property-company, area: {cid}}}"]
            last = c_index == n["communities"] - 1
            for _ in range(per_comm if not last else max(1, n["grids"] - g_index)):
                gid = f"g{g_index:05d}"
                hh = rnd.randint(280, 520)
                lines += [f"              - id: {gid}", f"                name: 第{g_index + 1}网格",
                          "                classification: grid", f"                households: '{hh}'",
                          f"                population: '{int(hh * 2.4)}'", "                children:"]
                for b in range(4):
                    bid = f"{gid}-b{b}"
                    lines.append(f"                  - {{id: {bid}, name: {b + 1}号楼, classification: building, households: '{hh // 4}'}}")
                    buildings.append(bid)
                org.append(f"  - {{id: {gid}-pb, name: 第{g_index + 1}网格党支部, classification: party-branch, area: {gid}, parent: {cid}-party}}")
                grids.append(gid)
                community_of[gid] = cid
                g_index += 1
            c_index += 1
    org += [f"  - {{id: dept-{code}, name: {name}, classification: department, area: city}}"
            for code, name in DEPARTMENTS]
    (out / "city-areas.yaml").write_text("\n".join(lines + org) + "\n", encoding="utf-8")

    people = ["cgov: 1", "persons:"]
    start = dt.date(1940, 1, 1)
    for i in range(n["persons"]):
        # Birth date and sequence number from i: every ID number is unique.
        born = start + dt.timedelta(days=(i // 1000) * 7 + rnd.randrange(0, 7))
        seq = i % 1000
        name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.randint(1, 2)))
        home = buildings[i % len(buildings)]
        phone = f"13{i % 10}{i:08d}"
        rec = (f"  - {{id: q{i:06d}, name: {name}, id_number: '{id_number('340102', born, seq)}', "
               f"phone: '{phone}', home: {home}")
        if i % 9 == 0:
            rec += ", party: {status: full, joined: 2001-07-01}"
            grid = home.split("-")[0]
            rec += f", memberships: [{{organization: {grid}-pb, role: member, start_date: 2021-06-01}}]"
        people.append(rec + "}")
    (out / "city-persons.yaml").write_text("\n".join(people) + "\n", encoding="utf-8")
    n_cases = write_cases(out, rnd, grids, community_of, max(10, round(1_000_000 * scale)))
    n_meetings = write_meetings(out, rnd, grids, community_of, max(10, round(10_000 * scale)))
    n_items = write_access(out, rnd, max(10, round(160 * min(1.0, scale * 10))))
    return {"grids": len(grids), "buildings": len(buildings), "persons": n["persons"], "cases": n_cases,
            "meetings": n_meetings, "access_items": n_items}


# Subclasses of the shipped taxonomy that communities see most.
CASE_KINDS = (("1006", "高空抛物"), ("1302", "车辆乱停"), ("1105", "电梯故障"), ("1503", "政策咨询"),
              ("0102", "暴露垃圾"), ("1201", "邻里纠纷"))
CASE_END = dt.datetime(2026, 11, 22, 20, 0)
PER_FILE = 100_000


def _at(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M")


def write_cases(out: Path, rnd: random.Random, grids: list, community_of: dict, total: int) -> int:
    """Two years of cases ending 2026-11-22 with a realistic mix of states,
    in files of 100,000 (each imports on its own, as a district would)."""
    span = 730 * 24 * 60
    seq: dict = {}
    files = []
    lines: list = []
    for i in range(total):
        reported = CASE_END - dt.timedelta(minutes=span * (total - i) / total)
        year = reported.year
        seq[year] = seq.get(year, 0) + 1
        code, title = CASE_KINDS[i % len(CASE_KINDS)]
        grid = grids[rnd.randrange(len(grids))]
        handler = community_of[grid] + "-pm"
        events = []
        roll = rnd.random()
        t = reported + dt.timedelta(minutes=rnd.randint(10, 600))
        if t < CASE_END and roll < 0.03:
            events.append(f"{{kind: reject, at: '{_at(t)}', by: 网格员, reason: 不属本社区受理范围}}")
        elif t < CASE_END:
            events.append(f"{{kind: accept, at: '{_at(t)}', by: 网格员}}")
            t += dt.timedelta(minutes=rnd.randint(10, 240))
            if t < CASE_END and roll < 0.97:
                events.append(f"{{kind: dispatch, at: '{_at(t)}', by: 网格员, to: {handler}}}")
                t += dt.timedelta(hours=rnd.randint(2, 200))
                if t < CASE_END and roll < 0.95:
                    events.append(f"{{kind: reply, at: '{_at(t)}', by: 物业, result: 已处理}}")
                    t += dt.timedelta(hours=rnd.randint(1, 24))
                    if t < CASE_END:
                        events.append(f"{{kind: close, at: '{_at(t)}', by: 网格员}}")
                        t += dt.timedelta(hours=rnd.randint(1, 48))
                        if t < CASE_END and roll < 0.6:
                            sat = "satisfied" if roll < 0.5 else "basic"
                            events.append(f"{{kind: rate, at: '{_at(t)}', by: 网格员, resolved: 'true', "
                                          f"satisfaction: {sat}}}")
        lines.append(f"  - {{id: C{year}-{seq[year]:06d}, title: {title}, category: '{code}', grid: {grid}, "
                     f"source: patrol, request_type: complaint, reported_at: '{_at(reported)}', "
                     f"events: [{', '.join(events)}]}}")
        if len(lines) == PER_FILE or i == total - 1:
            path = out / f"city-cases-{len(files):02d}.yaml"
            path.write_text("cgov: 1\ncases:\n" + "\n".join(lines) + "\n",
                            encoding="utf-8")
            files.append(path)
            lines = []
    return total


def write_meetings(out: Path, rnd: random.Random, grids: list, community_of: dict, total: int) -> int:
    """Two years of meetings: grid night talks of the grid branches, joint
    meetings of the community party committees and residents' representatives
    meetings with a motion voted, spread evenly up to the cases' end."""
    span = 730 * 24 * 60
    seq: dict = {}
    lines = ["cgov: 1", "meetings:"]
    for i in range(total):
        at = CASE_END - dt.timedelta(minutes=span * (total - i) / total)
        seq[at.year] = seq.get(at.year, 0) + 1
        mid = f"M{at.year}-{seq[at.year]:04d}"
        grid = grids[rnd.randrange(len(grids))]
        community = community_of[grid]
        roll = rnd.random()
        if roll < 0.6:
            head = (f"  - {{id: {mid}, type: grid-night-talk, title: 网格夜谈会, organization: {grid}-pb, "
                    f"at: '{_at(at)}', entitled: '30', present_count: '{rnd.randint(8, 30)}'")
            yes = rnd.randint(5, 8)
            motion = f"{{id: {mid}-1, text: 同意开展楼道清理, vote: {{method: show-of-hands, yes: '{yes}', no: '{8 - yes}', abstain: '0'}}}}"
        elif roll < 0.85:
            head = (f"  - {{id: {mid}, type: joint-meeting, title: 三方联席会议, organization: {community}-party, "
                    f"at: '{_at(at)}', entitled: '12', present_count: '{rnd.randint(6, 12)}'")
            motion = None
        else:
            present = rnd.randint(24, 40)
            yes = rnd.randint(10, present)
            head = (f"  - {{id: {mid}, type: residents-representatives-meeting, title: 居民代表会议, "
                    f"organization: {community}-rc, at: '{_at(at)}', entitled: '40', present_count: '{present}'")
            motion = (f"{{id: {mid}-1, text: 同意加装电梯方案, vote: {{method: show-of-hands, yes: '{yes}', "
                      f"no: '{present - yes}', abstain: '0'}}}}")
        lines.append(head + (f", motions: [{motion}]}}" if motion else "}"))
    (out / "city-meetings.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return total


DEPARTMENTS = (("civil", "区民政局"), ("housing", "区住房和城乡建设局"), ("health", "区卫生健康委员会"),
               ("market", "区市场监督管理局"), ("urban", "区城市管理局"), ("safety", "区应急管理局"),
               ("justice", "区司法局"), ("hrss", "区人力资源和社会保障局"))
ACCESS_TOPICS = ("老年人", "残疾人", "退役军人", "流动人口", "困难家庭", "青少年", "妇女儿童", "独居老人",
                 "低保对象", "特困人员", "出租房屋", "沿街商铺", "老旧小区", "电动自行车", "燃气用户", "空巢老人",
                 "新就业群体", "志愿者", "养犬户", "育龄家庭")
ACCESS_ACTIONS = ("信息采集", "走访慰问", "政策宣传", "安全巡查", "需求摸排", "矛盾排查", "帮扶救助", "健康服务")


def write_access(out: Path, rnd: random.Random, total: int) -> int:
    """The district's access list: duty and assist items admitted in 2025,
    each a different topic and action, assist items with their funding."""
    lines = ["cgov: 1", "access_items:"]
    pairs = [(t, a) for a in ACCESS_ACTIONS for t in ACCESS_TOPICS][:total]
    for i, (topic, action) in enumerate(pairs, start=1):
        dept = DEPARTMENTS[i % len(DEPARTMENTS)][0]
        kind = "duty" if i % 3 == 0 else "assist"
        funding = "" if kind == "duty" else f", funding: '{rnd.randint(5, 50) * 1000}'"
        lines.append(f"  - {{id: A-{i:04d}, name: {topic}{action}, department: dept-{dept}, kind: {kind}, "
                     f"valid_from: 2025-01-01, status: admitted{funding}}}")
    (out / "city-access.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(pairs)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--out", type=Path, default=Path("bench/out"))
    args = ap.parse_args()
    print(generate(args.out, args.scale))
