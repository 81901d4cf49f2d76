"""Helpers for the case tests: sessions on the example town, local times, and
cases brought to any state through the real service."""

from __future__ import annotations

import datetime as dt

import pytest

from cgov.core import clock, store

# Valid arguments for each step, so that only the state decides.
STEP_ARGS = {
    "accept": {}, "reject": {"reason": "不属本社区辖区"}, "dispatch": {"to": "cj-police"},
    "reply": {"result": "已处理"}, "close": {}, "rate": {"resolved": True, "satisfaction": "satisfied"},
    "reopen": {"reason": "问题反复"}, "escalate": {}, "cancel": {"reason": "录入错误"},
}
# How to bring a new case to each state.
PATHS = {
    "new": [],
    "accepted": [("accept", {})],
    "rejected": [("reject", {"reason": "不属本社区辖区"})],
    "dispatched": [("accept", {}), ("dispatch", {"to": "cj-yh4-pm"})],
    "replied": [("accept", {}), ("dispatch", {"to": "cj-yh4-pm"}), ("reply", {"result": "已清理"})],
    "closed": [("accept", {}), ("dispatch", {"to": "cj-yh4-pm"}), ("reply", {"result": "已清理"}), ("close", {})],
    "rated": [("accept", {}), ("dispatch", {"to": "cj-yh4-pm"}), ("reply", {"result": "已清理"}), ("close", {}),
              ("rate", {"resolved": True, "satisfaction": "satisfied"})],
    "cancelled": [("cancel", {"reason": "录入错误"})],
}


def at(text: str) -> dt.datetime:
    """A local time (the tests run in Asia/Shanghai) as the store keeps it."""
    return clock.parse_at(text)


def new_case(s, start: str = "2026-11-16 09:00", **kw) -> str:
    from cgov.cases import service

    args = {"title": "3号楼楼道堆放纸箱", "category": "1001", "building": "cj-yh4-b03", "reported_at": at(start)}
    args.update(kw)
    return service.add_case(s, **args)["id"]


def case_in(s, status: str, start: str = "2026-11-16 09:00") -> tuple[str, dt.datetime]:
    """A case in `status`, one hour a step; returns (id, time of its last step)."""
    from cgov.cases import service

    cid = new_case(s, start)
    t = at(start)
    for kind, kw in PATHS[status]:
        t += dt.timedelta(hours=1)
        getattr(service, kind)(s, cid, at=t, **kw)
    return cid, t


@pytest.fixture
def write(town):
    """Run fn(session, …) in one write transaction on the example town."""
    def run(fn, *args, **kw):
        with store.writing(town, actor="tester") as s:
            return fn(s, *args, **kw)
    return run


@pytest.fixture
def read(town):
    def run(fn, *args, **kw):
        with store.reading(town) as s:
            return fn(s, *args, **kw)
    return run


@pytest.fixture
def h():
    """The helpers above, for test modules (they cannot import this file)."""
    import types

    return types.SimpleNamespace(at=at, new_case=new_case, case_in=case_in, PATHS=PATHS, STEP_ARGS=STEP_ARGS)
