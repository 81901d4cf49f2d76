"""Property: random sequences of case commands, valid or not, never bring a
case into a state the flow forbids. Every refusal is a clean Refused or
Invalid that leaves the store as it was, and the figures keep their
identities (closed_on_time <= due, satisfied + basic + dissatisfied = rated,
every rate in [0, 1] but rework_rate, which may pass 1 by design).

Examples share one store (the example town); each opens its own cases at its
own times."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from cgov.cases import flow, metrics, service
from cgov.cases.models import SATISFACTION, STATUSES, Case, CaseEvent
from cgov.core import audit, clock, store
from cgov.core.errors import Invalid, Refused

KINDS = ("accept", "reject", "dispatch", "reply", "close", "rate", "reopen", "extend", "escalate", "cancel", "link")
HANDLERS = ("cj-yh4-pm", "p-0001", None, "department:派出所")
CASES = 3
FORWARD = {"new": "accept", "accepted": "dispatch", "dispatched": "reply", "replied": "close", "closed": "rate"}
RATES = ("response_rate", "on_time_rate", "closure_rate", "resolution_rate", "satisfaction_rate")
_examples = itertools.count()



def _arguments(s, kind: str, cid: str, others: list[str], pick: int) -> dict:
    text = "" if pick == 0 else "说明"
    if kind in ("reject", "cancel", "reopen"):
        return {"reason": text}
    if kind == "reply":
        return {"result": text}
    if kind == "dispatch":
        return {"to": HANDLERS[pick]}
    if kind == "rate":
        return {"resolved": None if pick == 0 else pick != 3,
                "satisfaction": (SATISFACTION + ("满意",))[pick]}
    if kind == "extend":
        resolve_by = s.get(Case, cid).resolve_by
        return {"until": resolve_by + dt.timedelta(days=pick - 1), "reason": "等待配件",
                "approver": None if pick == 2 else "街道办"}
    if kind == "escalate":
        return {"level": None if pick == 3 else pick}
    if kind == "link":
        return {"duplicate_of": others[pick % len(others)]}
    return {"note": text or None}


def _snapshot(s, ids: list[str]) -> tuple:
    cases = [tuple(getattr(c, col.name) for col in Case.__table__.columns)
             for c in s.exec(select(Case).where(Case.id.in_(ids)).order_by(Case.id))]
    events = s.exec(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id.in_(ids))).one()
    entries = s.exec(select(func.count()).select_from(audit.AuditEntry)).one()
    return cases, events, entries


def _assert_flow_allows(s, case: Case) -> None:
    """The stored state is where the timeline leads through the flow's rules."""
    events = s.exec(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)).all()
    status, last = "new", case.reported_at
    for e in events:
        assert status in flow.ALLOWED[e.kind], f"{case.id}: {e.kind} from {status}"
        assert e.at >= last
        status, last = flow.LEADS_TO.get(e.kind, status), e.at
    assert case.status == status and case.status in STATUSES
    assert (case.closed_at is not None) == (status in ("closed", "rated"))
    assert (case.rated_at is not None) == (case.satisfaction is not None) == (status == "rated")
    assert case.reopen_count == sum(e.kind == "reopen" for e in events)
    assert case.extension_count == sum(e.kind == "extend" for e in events)
    assert (case.duplicate_of is not None) == any(e.kind == "link" for e in events)
    escalations = [e.level for e in events if e.kind == "escalate"]
    assert case.escalation_level == (escalations[-1] if escalations else None)
    assert escalations == sorted(set(escalations))  # only ever upwards
    assert [e.seq for e in events] == list(range(1, len(events) + 1))


def _assert_identities(figures: dict) -> None:
    f = figures
    assert f["closed_on_time"] <= f["due"] and f["due_closed"] <= f["due"]
    assert f["responded_on_time"] <= f["reported"]
    assert f["resolved"] <= f["rated"]
    assert f["satisfied"] + f["basic"] + f["dissatisfied"] == f["rated"]
    assert all(f[k] is None or 0 <= f[k] <= 1 for k in RATES)
    assert f["rework_rate"] is None or f["rework_rate"] >= 0  # reopens may outnumber closes


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_case_commands_keep_the_flow_and_the_figures(town, data):
    n = next(_examples)
    start = clock.parse_at("2026-11-02 09:00") + dt.timedelta(days=n)
    with store.writing(town, actor="property") as s:
        ids = [service.add_case(s, title=f"性质测试 {n}-{i}", category="1001", building="cj-yh4-b03",
                                reported_at=start + dt.timedelta(minutes=i))["id"] for i in range(CASES)]
    now = start + dt.timedelta(minutes=CASES)
    for _ in range(data.draw(st.integers(4, 18), label="steps")):
        cid = ids[data.draw(st.integers(0, CASES - 1), label="case")]
        with store.reading(town) as s:
            before = _snapshot(s, ids)
            # Half the time the next step of the usual path, so that cases get
            # far along the flow; else a step the state allows, or any step.
            status = s.get(Case, cid).status
            choices = {0: KINDS, 1: flow.allowed_from(status) or KINDS}.get(
                data.draw(st.integers(0, 3), label="mode"), [FORWARD.get(status, "reopen")])
            kind = data.draw(st.sampled_from(choices), label="kind")
            pick = data.draw(st.integers(0, 3), label="argument")  # 0 is often a bad one
            args = _arguments(s, kind, cid, [i for i in ids if i != cid] + [cid], pick)
        # Minutes after the latest step so far; some go back in time.
        at = now + dt.timedelta(minutes=data.draw(st.integers(-60, 2 * 24 * 60), label="minutes"))
        try:
            with store.writing(town, actor="property") as s:
                getattr(service, kind)(s, cid, at=at, **args)
            now = max(now, at)
        except (Refused, Invalid) as e:
            assert e.message and "\n" not in e.message
            with store.reading(town) as s:
                assert _snapshot(s, ids) == before, f"refused {kind} changed the store: {e.message}"
        with store.reading(town) as s:
            for c in s.exec(select(Case).where(Case.id.in_(ids))):
                _assert_flow_allows(s, c)

    with store.reading(town) as s:
        for lo, hi in ((start - dt.timedelta(days=1), now + dt.timedelta(days=30)),
                       (start, start + dt.timedelta(days=1)),
                       (metrics.local_midnight(dt.date(2026, 1, 1)), metrics.local_midnight(dt.date(2027, 6, 1)))):
            for by in (None, "community", "category", "handler"):
                m = metrics.metrics(s, lo, hi, by=by)
                _assert_identities(m)
                for g in m.get("groups", []):
                    _assert_identities(g)
                if by:
                    assert {k: sum(g[k] for g in m["groups"]) for k in metrics.COUNTS} == \
                        {k: m[k] for k in metrics.COUNTS}
        assert audit.verify(s)["ok"]
