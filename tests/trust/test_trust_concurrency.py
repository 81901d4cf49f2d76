"""Readers and writers at once: a weekly report run while another process
adds and closes cases adds up (one read transaction), and two processes
appending to the audit log at once leave one linear chain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from sqlalchemy import func, text
from sqlmodel import select

from cgov.cases.metrics import COUNTS
from cgov.cases.models import Case
from cgov.core import audit, store

# The interactive user: cases reported in week 2026-W47, each taken through
# the flow to a rating, one command (one transaction) at a time, until told
# to stop.
CASE_WRITER = r"""
import datetime as dt, os, sys
from cgov.cases import service
from cgov.core import clock, store

db, stop = sys.argv[1], sys.argv[2]
engine = store.engine_for(db)
start = clock.parse_at("2026-11-17 09:00")
i = 0
while not os.path.exists(stop):
    t = start + dt.timedelta(minutes=7 * i)
    def step(fn, *args, minutes, **kw):
        with store.writing(engine, actor="writer") as s:
            return fn(s, *args, at=t + dt.timedelta(minutes=minutes), **kw)
    with store.writing(engine, actor="writer") as s:
        cid = service.add_case(s, title=f"并发测试 {i}", category="1001", building="cj-yh4-b03",
                               source="patrol", reported_at=t)["id"]
    step(service.accept, cid, minutes=1)
    step(service.dispatch, cid, to="cj-yh4-pm", minutes=2)
    step(service.reply, cid, "已处理", minutes=3)
    step(service.close, cid, minutes=4)
    step(service.rate, cid, resolved=i % 3 != 0, satisfaction=("satisfied", "basic", "dissatisfied")[i % 3],
         minutes=5)
    i += 1
print(i)
"""

AUDIT_WRITER = r"""
import os, sys, time
from cgov.core import audit, store

db, name, go, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
engine = store.engine_for(db)
open(go + "-" + name, "w").close()  # ready
while not os.path.exists(go):  # start together
    time.sleep(0.005)
for i in range(n):
    with store.writing(engine, actor=name) as s:
        audit.record(s, "test.append", entity="test", ids=[f"{name}-{i}"])
    if i == 0:
        # Both must be writing at once: wait until the other has appended
        # too, so a loaded machine cannot run one writer to the end first.
        open(go + "-" + name + "-first", "w").close()
        while len([f for f in os.listdir(os.path.dirname(go)) if f.endswith("-first")]) < 2:
            time.sleep(0.002)
print("done")
"""


def _env():
    return {**os.environ, "TZ": "Asia/Shanghai"}


def _cases(engine) -> int:
    with store.reading(engine) as s:
        return s.exec(select(func.count()).select_from(Case).where(Case.title.like("并发测试%"))).one()


def _wait_for_more(engine, than: int, writer) -> int:
    """Block until the writer has added another case (no time limit on the
    test's result, only on a writer that stopped working)."""
    deadline = time.monotonic() + 120
    while (n := _cases(engine)) <= than:
        assert writer.poll() is None, writer.communicate()
        assert time.monotonic() < deadline, "the writer made no progress"
        time.sleep(0.02)
    return n


def _assert_adds_up(report: dict) -> None:
    cases = report["cases"]
    figures = cases["figures"]
    for part in (cases["by_area"]["groups"], cases["by_category"]):
        assert {k: sum(g[k] for g in part) for k in COUNTS} == {k: figures[k] for k in COUNTS}
    week = report["history"][-1]
    assert week["week"] == "2026-W47"
    assert {k: week[k] for k in ("reported", "due", "closed_on_time", "rated")} == \
        {k: figures[k] for k in ("reported", "due", "closed_on_time", "rated")}
    assert figures["satisfied"] + figures["basic"] + figures["dissatisfied"] == figures["rated"]
    m = report["meetings"]
    assert m["motions_voted"] == m["motions_passed"] + m["motions_failed"] + m["motions_void"]


def _weekly(cli) -> dict:
    r = cli("report", "weekly", "--week", "2026-W47", "-f", "json")
    assert r.exit_code == 0, r.stderr
    report = json.loads(r.stdout)
    _assert_adds_up(report)
    return report


def test_a_weekly_report_adds_up_while_another_process_adds_and_closes_cases(town, town_db, town_cli, tmp_path):
    before = _weekly(town_cli)["cases"]["figures"]["reported"]
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", CASE_WRITER, str(town_db), str(stop)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    try:
        _wait_for_more(town, 0, writer)
        reported = []
        for _ in range(5):
            reported.append(_weekly(town_cli)["cases"]["figures"]["reported"])
            # The next run reads a store with more cases than this one saw.
            _wait_for_more(town, reported[-1] - before, writer)
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert int(out) >= 5
    assert reported == sorted(reported) and len(set(reported)) == 5  # each run saw more cases
    assert town_cli("audit", "verify").exit_code == 0


def test_two_processes_appending_to_the_audit_log_leave_one_linear_chain(engine, db, tmp_path):
    go, n = tmp_path / "go", 150
    writers = [subprocess.Popen([sys.executable, "-c", AUDIT_WRITER, str(db), name, str(go), str(n)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
               for name in ("desk", "cron")]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"go-{name}").exists() for name in ("desk", "cron")):
        assert time.monotonic() < deadline and all(w.poll() is None for w in writers)
        time.sleep(0.01)
    go.touch()  # both have opened the store and wait for the signal
    for w in writers:
        out, err = w.communicate(timeout=300)
        assert w.returncode == 0 and out.strip() == "done", err
    with store.reading(engine) as s:
        rows = s.execute(text("SELECT seq, actor, ids, prev_hash, hash FROM audit_log ORDER BY seq")).all()
        result = audit.verify(s)
    assert result["ok"] and result["entries"] == 2 * n
    assert [r.seq for r in rows] == list(range(1, 2 * n + 1))  # contiguous
    assert [r.prev_hash for r in rows] == [audit.GENESIS] + [r.hash for r in rows[:-1]]  # one chain, no fork
    assert len({r.prev_hash for r in rows}) == 2 * n
    for name in ("desk", "cron"):  # each writer's entries, all there, in its own order
        assert [json.loads(r.ids)[0] for r in rows if r.actor == name] == [f"{name}-{i}" for i in range(n)]
    assert {rows[0].actor, rows[1].actor} == {"desk", "cron"}  # both wrote before either went on
