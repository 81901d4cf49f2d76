"""Two processes opening cases at the same moment never mint the same id."""

import os
import subprocess
import sys
import time

from sqlmodel import func, select

from cgov.cases.models import Case
from cgov.core import store

WRITER = """
import os, sys, time
from cgov.cases import service
from cgov.core import store

db, name, go = sys.argv[1], sys.argv[2], sys.argv[3]
engine = store.engine_for(db)
while not os.path.exists(go):  # start together
    time.sleep(0.005)
for i in range(200):
    with store.writing(engine, actor=name) as s:  # one BEGIN IMMEDIATE transaction per case
        service.add_case(s, title=f"{name} case {i}", community="cj-yh4", source="hotline")
print("done")
"""


def test_two_processes_adding_200_cases_each_get_400_distinct_ids(town, town_path, tmp_path):
    go = tmp_path / "go"
    env = {**os.environ, "TZ": "Asia/Shanghai"}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(town_path), name, str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for name in ("hotline-desk", "grid-app")]
    time.sleep(0.5)  # both have imported cgov and are waiting
    go.touch()
    results = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0 and out.strip() == "done", err
    with store.reading(town) as s:
        ids = s.exec(select(Case.id)).all()
        assert len(ids) == 400 and len(set(ids)) == 400
        year = ids[0][1:5]
        assert sorted(ids) == [f"C{year}-{n:06d}" for n in range(1, 401)]
        assert s.exec(select(func.count()).select_from(Case).where(Case.recorded_by == "grid-app")).one() == 200
