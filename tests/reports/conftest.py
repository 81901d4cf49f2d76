"""A known week and the week before, built through the features' services on
the example town, and helpers to read the rendered summaries back.

Weeks (Asia/Shanghai): 2026-W46 is Mon 11-09 00:00 to Mon 11-16 00:00, W47
Mon 11-16 00:00 to Mon 11-23 00:00. The clock is then pinned to Monday
2026-11-23 09:00, so the default period is W47.

Cases (1001 楼道堆物 and 1002 随意晾晒: respond 24 h, resolve 72 h; 1201 噪音扰民:
12 h / 72 h). yh4 = 裕鸿佳苑第四社区 (b03 in grid g01, b07 in grid g02), ya = 裕安社区.

  case place      cat   reported      steps                                         resolve-by
  O1   yh4 g02    1001  Mon 11-02 08  accept 11-02 10, dispatch — open              11-05 08
  P4   yh4 g01    1001  Mon 11-09 08  accept 09, dispatch, escalate 11-13 09 (1),   11-12 08
                                      escalate 11-18 09 (2), reply 11-18 15,
                                      close 11-19 10
  P1   yh4 g01    1001  Tue 11-10 09  accept 10, dispatch, reply 11-12 09,          11-13 09
                                      close 11-12 10, rate 11-12 12 yes/satisfied
  X    yh4 g01    1001  Tue 11-10 12  accept 13, dispatch, reply 11-20 09,          11-13 12
                                      close 11-20 12, reopen Mon 11-23 08 (after W47)
  P2   ya  g01    1201  Wed 11-11 14  accept 11-12 09 (late), dispatch, reply       11-14 14
                                      11-16 10, close 11-17 10, rate 11-17 15
                                      yes/dissatisfied
  P3   yh4 g02    1001  Fri 11-13 20  accept 11-14 09, dispatch, extend 11-16 09    11-16 20 → 11-25 18
                                      to 11-25 18, escalate 11-20 10 (1) — open
  A    yh4 g01    1001  Mon 11-16 09  accept 10, dispatch, reply 11-18 09,          11-19 09
                                      close 11-19 09 (on the limit), rate 11-19 12
                                      yes/satisfied
  Z    ya  g01    1201  Mon 11-16 20  accept 11-17 07, dispatch, reply 11-20 09,    11-19 20
                                      close 11-20 10 (late)
  B    yh4 g02    1001  Tue 11-17 09  accept 11-18 10 (late), dispatch, reply       11-20 09
                                      11-19 09, close 11-19 10, reopen 11-19 15,
                                      reply 11-20 09, close 11-20 12, rate 11-20 15
                                      yes/basic
  C    ya  g01    1201  Wed 11-18 08  accept 10, dispatch, escalate 11-21 12 (1)    11-21 08
                                      — open
  Y    yh4 g02    1002  Wed 11-18 12  accept 13, dispatch, reply 11-22 20,          11-21 12
                                      close Mon 11-23 08:30 (after W47)
  D    ya  g01    1201  Thu 11-19 09  reject 12                                     —
  E    yh4 g01    1001  Thu 11-19 10  cancel 11                                     (left out)
  F    yh4 g01    1001  Fri 11-20 09  linked as a duplicate of A                    (left out)
  G    yh4 g01    1001  Sun 11-22 23:30  new                                        11-25 23:30
  H    yh4 g01    1001  Mon 11-23 00:30  new (next week)                            11-26 00:30

Meetings: M0 grid night talk of cj-ya-g01-pb on 10-15 (the monthly:15 talk
binds it; none in November: overdue from 11-15); M6 council of cj-yh4-rc on
11-12 (W46); in W47 M1 hearing of cj-yh4-rc 11-17 (3 present, a motion 2:1
passed, one 1:2 failed, minutes published 11-18), M2 residents' meeting of
cj-ya-rc 11-20 (40 of 100: no quorum, its motion void), M5 party members'
meeting of cj-yh4-g03-pb 11-19 (its quarterly meeting is no longer owed).

Access list (the street's): I1 duty added 11-03, revoked 11-20; I2 assist
added 11-17; I3 applied 11-10, approved 11-18; I4 applied 10-20, approved
11-19 (late: due 11-10); I5 applied 11-18, rejected 11-20; I6 applied 10-21,
still pending (due 11-11); refusals on 11-12 (W46) and 11-19 (W47).

Org: a person added 11-12 (home in ya) and 11-18 (home in yh4, then a
grid-worker post in cj-yh4-g01 from 11-18); a post started 11-10 (W46); the
grid leader of cj-ya-g01 (p-0174) ends the post on 11-20, so the grid check
on 11-22 finds cj-ya-g01 without a leader."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import re
import types

import pytest

NOW = "2026-11-23T09:00"
YH4_G01, YH4_G02, YA = "cj-yh4-b03", "cj-yh4-b07", "cj-ya-b01"


def at(text: str) -> dt.datetime:
    from cgov.core import clock

    return clock.parse_at(text)


def _build(s, monkeypatch) -> dict:
    from cgov.access import service as access
    from cgov.cases import service as cases
    from cgov.meetings import service as meetings
    from cgov.org import service as org
    from cgov.org.models import Membership
    from cgov.volunteers import lists
    from cgov.volunteers import points as volunteers
    from sqlmodel import select

    ids = {}

    def case(name, when, building, category, *steps):
        ids[name] = cid = cases.add_case(s, title=f"案件{name}", category=category, building=building,
                                         reported_at=at(when))["id"]
        pm = "cj-ya-pm" if building == YA else "cj-yh4-pm"
        for kind, when_step, *kw in steps:
            args = dict(kw[0]) if kw else {}
            if kind == "dispatch":
                args.setdefault("to", pm)
            if kind == "reply":
                args.setdefault("result", "已处理")
            getattr(cases, kind)(s, cid, at=at(when_step), **args)

    def happy(sat, resolved=True):
        return {"resolved": resolved, "satisfaction": sat}

    case("O1", "2026-11-02 08:00", YH4_G02, "1001", ("accept", "2026-11-02 10:00"),
         ("dispatch", "2026-11-02 10:30"))
    case("P4", "2026-11-09 08:00", YH4_G01, "1001", ("accept", "2026-11-09 09:00"),
         ("dispatch", "2026-11-09 09:30"), ("escalate", "2026-11-13 09:00"), ("escalate", "2026-11-18 09:00"),
         ("reply", "2026-11-18 15:00"), ("close", "2026-11-19 10:00"))
    case("P1", "2026-11-10 09:00", YH4_G01, "1001", ("accept", "2026-11-10 10:00"),
         ("dispatch", "2026-11-10 11:00"), ("reply", "2026-11-12 09:00"), ("close", "2026-11-12 10:00"),
         ("rate", "2026-11-12 12:00", happy("satisfied")))
    case("X", "2026-11-10 12:00", YH4_G01, "1001", ("accept", "2026-11-10 13:00"),
         ("dispatch", "2026-11-10 14:00"), ("reply", "2026-11-20 09:00"), ("close", "2026-11-20 12:00"),
         ("reopen", "2026-11-23 08:00", {"reason": "又堆回来了"}))
    case("P2", "2026-11-11 14:00", YA, "1201", ("accept", "2026-11-12 09:00"),
         ("dispatch", "2026-11-12 09:30"), ("reply", "2026-11-16 10:00"), ("close", "2026-11-17 10:00"),
         ("rate", "2026-11-17 15:00", happy("dissatisfied")))
    case("P3", "2026-11-13 20:00", YH4_G02, "1001", ("accept", "2026-11-14 09:00"),
         ("dispatch", "2026-11-14 10:00"),
         ("extend", "2026-11-16 09:00", {"until": at("2026-11-25 18:00"), "reason": "等配件", "approver": "李红娣"}),
         ("escalate", "2026-11-20 10:00"))
    case("A", "2026-11-16 09:00", YH4_G01, "1001", ("accept", "2026-11-16 10:00"),
         ("dispatch", "2026-11-16 10:30"), ("reply", "2026-11-18 09:00"), ("close", "2026-11-19 09:00"),
         ("rate", "2026-11-19 12:00", happy("satisfied")))
    case("Z", "2026-11-16 20:00", YA, "1201", ("accept", "2026-11-17 07:00"),
         ("dispatch", "2026-11-17 08:00"), ("reply", "2026-11-20 09:00"), ("close", "2026-11-20 10:00"))
    case("B", "2026-11-17 09:00", YH4_G02, "1001", ("accept", "2026-11-18 10:00"),
         ("dispatch", "2026-11-18 10:30"), ("reply", "2026-11-19 09:00"), ("close", "2026-11-19 10:00"),
         ("reopen", "2026-11-19 15:00", {"reason": "没清干净"}), ("reply", "2026-11-20 09:00"),
         ("close", "2026-11-20 12:00"), ("rate", "2026-11-20 15:00", happy("basic")))
    case("C", "2026-11-18 08:00", YA, "1201", ("accept", "2026-11-18 10:00"),
         ("dispatch", "2026-11-18 10:30"), ("escalate", "2026-11-21 12:00"))
    case("Y", "2026-11-18 12:00", YH4_G02, "1002", ("accept", "2026-11-18 13:00"),
         ("dispatch", "2026-11-18 14:00"), ("reply", "2026-11-22 20:00"), ("close", "2026-11-23 08:30"))
    case("D", "2026-11-19 09:00", YA, "1201", ("reject", "2026-11-19 12:00", {"reason": "属民事纠纷"}))
    case("E", "2026-11-19 10:00", YH4_G01, "1001", ("cancel", "2026-11-19 11:00", {"reason": "录入错误"}))
    case("F", "2026-11-20 09:00", YH4_G01, "1001", ("link", "2026-11-20 10:00", {"duplicate_of": ids["A"]}))
    case("G", "2026-11-22 23:30", YH4_G01, "1001")
    case("H", "2026-11-23 00:30", YH4_G01, "1001")

    def meeting(type, org_ref, when, **kw):
        return meetings.add_meeting(s, type=type, title="会议", org_ref=org_ref, at=at(when), **kw)["id"]

    def motion(mid, yes, no):
        mo = meetings.add_motion(s, mid, "动议")["id"]
        return meetings.vote(s, mo, "show-of-hands", tally={"yes": yes, "no": no, "abstain": 0})["result"]

    ids["M0"] = meeting("grid-night-talk", "cj-ya-g01-pb", "2026-10-15 19:00")
    ids["M6"] = meeting("council", "cj-yh4-rc", "2026-11-12 19:00")
    ids["M1"] = m1 = meeting("hearing", "cj-yh4-rc", "2026-11-17 19:00")
    meetings.attend(s, m1, present=["p-0100", "p-0101", "p-0102"])
    assert (motion(m1, 2, 1), motion(m1, 1, 2)) == ("passed", "failed")
    meetings.set_minutes(s, m1, "听证会记录：加装电梯方案。")
    meetings.publish(s, m1, where="社区公告栏", at=at("2026-11-18 10:00"))
    ids["M2"] = m2 = meeting("residents-meeting", "cj-ya-rc", "2026-11-20 19:00", entitled=100)
    meetings.attend(s, m2, present_count=40)
    assert motion(m2, 30, 5) == "void"
    ids["M5"] = meeting("party-members-meeting", "cj-yh4-g03-pb", "2026-11-19 19:00")

    ids["I1"] = i1 = access.add_item(s, "社区网格巡查", "cj-civil", "duty", at=at("2026-11-03 09:00"))["id"]
    ids["I2"] = access.add_item(s, "老年人居家安全巡访", "cj-civil", "assist", funding=2000,
                                at=at("2026-11-17 09:00"))["id"]
    ids["I3"] = i3 = access.apply_item(s, "既有住宅加装电梯意愿征询", "cj-housing", "assist", funding=3000,
                                       at=at("2026-11-10 09:00"))["id"]
    ids["I4"] = i4 = access.apply_item(s, "慢性病患者随访登记", "cj-health", "assist", funding=1000,
                                       at=at("2026-10-20 09:00"))["id"]
    ids["I5"] = i5 = access.apply_item(s, "食品摊贩登记统计表", "cj-market", "assist", funding=500,
                                       at=at("2026-11-18 09:00"))["id"]
    ids["I6"] = access.apply_item(s, "街面违停劝导", "cj-urban", "assist", conditions="配备执法记录仪",
                                  at=at("2026-10-21 09:00"))["id"]
    access.approve(s, i3, at=at("2026-11-18 10:00"))
    access.approve(s, i4, at=at("2026-11-19 10:00"))
    access.reject(s, i5, "属部门职责", at=at("2026-11-20 10:00"))
    access.revoke(s, i1, "纳入网格日常工作", at=at("2026-11-20 11:00"))
    access.refuse(s, "要求社区代收水费", "cj-market", at=at("2026-11-12 10:00"))
    access.refuse(s, "要求社区填报餐饮店统计表", "cj-market", at=at("2026-11-19 10:00"))

    # Volunteers: ya's team serves 1.5 h each on Wednesday of W47; yh4's team
    # served in W46; a micro-wish is posted in ya in W47 and 2 points redeemed.
    volunteers.add_activity(s, "楼道清扫", "cj-ya-vt", [("p-0100", None), ("p-0101", 120)], minutes=90,
                            at=at("2026-11-18 09:00"))
    volunteers.add_activity(s, "敬老助餐", "cj-yh4-vt", [("p-0102", 60)], at=at("2026-11-12 09:00"))
    volunteers.redeem(s, "p-0101", 200, "大米一袋", at=at("2026-11-19 09:00"))
    ids["W1"] = lists.add_need(s, "修理轮椅", "repair", kind="micro-wish", person="p-0100", area=YA,
                               at=at("2026-11-19 10:00"))["id"]

    monkeypatch.setenv("CGOV_NOW", "2026-11-12T10:00")
    ids["N1"] = org.add_person(s, "赵新民", home=YA)["id"]
    monkeypatch.setenv("CGOV_NOW", "2026-11-18T10:00")
    ids["N2"] = n2 = org.add_person(s, "钱新芳", home=YH4_G01)["id"]
    org.assign_post(s, n2, "grid-worker", area="cj-yh4-g01", full_time=False, start=dt.date(2026, 11, 18))
    org.assign_post(s, ids["N1"], "volunteer", org="cj-ya-vt", start=dt.date(2026, 11, 10))
    leader = s.exec(select(Membership).where(Membership.person_id == "p-0174", Membership.area_id == "cj-ya-g01",
                                             Membership.role == "grid-leader", Membership.end_date.is_(None))).one()
    org.end_post(s, leader.id, end=dt.date(2026, 11, 20))
    monkeypatch.setenv("CGOV_NOW", NOW)
    return ids


@pytest.fixture
def week(town, monkeypatch):
    """The example town with the known weeks built in; the clock pinned to
    Monday 2026-11-23 09:00. Returns the ids (case letters → case ids …)."""
    from cgov.core import store

    with store.writing(town, actor="tester") as s:
        ids = _build(s, monkeypatch)
    return types.SimpleNamespace(**ids)


@pytest.fixture
def week_cli(week, town_cli):
    return town_cli


@pytest.fixture
def weekly_json(week_cli):
    def run(*args) -> dict:
        r = week_cli("report", "weekly", "-f", "json", *args)
        assert r.exit_code == 0, r.stderr
        return json.loads(r.stdout)
    return run


# ---- reading the rendered tables back --------------------------------------------

def md_tables(text: str) -> dict[str, list[list[str]]]:
    """{section title: rows of cells (the heading row first)} of a Markdown summary."""
    out, title = {}, None
    for line in text.splitlines():
        if line.startswith("## "):
            title = line[3:]
            out[title] = []
        elif line.startswith("|") and title is not None:
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                out[title].append(cells)
    return out


def plain_tables(text: str) -> dict[str, list[list[str]]]:
    """The same from plain text: a title underlined with '-', then a table
    whose columns the dashed rule under its heading marks."""
    from wcwidth import wcswidth

    lines = text.splitlines()
    out = {}
    for i in range(1, len(lines) - 2):
        title, rule = lines[i - 1], lines[i]
        if not (title and rule and set(rule) == {"-"} and wcswidth(title) == len(rule)):
            continue
        out[title] = rows = []
        head, dashes = lines[i + 1], lines[i + 2]
        if not set(dashes) <= {"-", " "} or not dashes:
            continue
        starts = [m.start() for m in re.finditer(r"-+", dashes)] + [10**6]

        def cut(line):
            # Columns are laid out in display width (a Chinese character
            # takes two): cut by width, not by characters.
            cells, pos = [""] * (len(starts) - 1), 0
            for ch in line:
                j = max(k for k in range(len(starts) - 1) if starts[k] <= pos)
                cells[j] += ch
                pos += max(wcswidth(ch), 0)
            return [c.strip() for c in cells]

        rows.append(cut(head))
        for line in lines[i + 3:]:
            if not line.strip():
                break
            rows.append(cut(line))
    return out


def html_tables(text: str) -> dict[str, list[list[str]]]:
    out = {}
    for m in re.finditer(r"<h2>(.*?)</h2>(.*?)(?=<h2>|</body>)", text, re.S):
        title, body = htmllib.unescape(m.group(1)), m.group(2)
        rows = []
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            rows.append([htmllib.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)])
        out[title] = rows
    return out


@pytest.fixture
def parse():
    return types.SimpleNamespace(md=md_tables, plain=plain_tables, html=html_tables)
