"""The case state machine, free of the store: one event applied to one case.

Commands (service.py) and imported history (exchange.py) both go through
`apply_event`, so a timeline typed at the terminal and one back-filled from
YAML obey the same rules and leave the same columns behind."""

from __future__ import annotations

from cgov.cases.labels import STATUS
from cgov.cases.models import MAX_ESCALATION, OPEN_STATUSES, SATISFACTION, Case, CaseEvent
from cgov.core import clock
from cgov.core.errors import Invalid, Refused

# Which states each step may start from.
ALLOWED: dict[str, tuple] = {
    "accept": ("new",),
    "reject": ("new",),
    "dispatch": ("accepted", "dispatched"),
    "reply": ("dispatched",),
    "close": ("replied",),
    "rate": ("closed",),
    "reopen": ("replied", "closed", "rated"),
    "extend": OPEN_STATUSES,
    "escalate": OPEN_STATUSES,
    "cancel": OPEN_STATUSES,
    "link": OPEN_STATUSES,
}
# The state each step leads to (steps not listed leave it as it is).
LEADS_TO = {"accept": "accepted", "reject": "rejected", "dispatch": "dispatched", "reply": "replied",
            "close": "closed", "rate": "rated", "reopen": "dispatched", "cancel": "cancelled",
            "link": "closed"}
# Steps whose text (reason, result) is required.
NEEDS_TEXT = {"reject": "a reason", "cancel": "a reason", "extend": "a reason", "reopen": "a reason",
              "reply": "the handler's result"}


def allowed_from(status: str) -> list[str]:
    return [k for k, states in ALLOWED.items() if status in states]


def _state(status: str) -> str:
    return f"{status} ({STATUS.get(status, status)})"


def refusal(case: Case, kind: str) -> Refused:
    """The error for a step the flow does not allow: the state, what the step
    needs, and what the case allows instead."""
    need = " or ".join(ALLOWED[kind])
    can = allowed_from(case.status)
    then = (f"from {case.status} it can: {', '.join(can)}" if can
            else f"{case.status} is final: nothing more can happen to it")
    hint = None
    if kind in ("dispatch", "extend", "escalate") and case.status == "new":
        hint = f"accept it first: cgov case accept {case.id}"
    elif kind == "close" and case.status == "dispatched":
        hint = f"the handler replies first: cgov case reply {case.id} RESULT"
    elif kind == "rate" and case.status == "replied":
        hint = f"close it first: cgov case close {case.id}"
    return Refused(f"case {case.id} is {_state(case.status)}; {kind} needs a case that is {need}; {then}",
                   hint=hint)


def apply_event(case: Case, ev: CaseEvent) -> None:
    """Check the step against the case's state and times, then move the case
    on. Raises Refused (the flow says no) or Invalid (the step is incomplete);
    the case is left untouched when it raises."""
    if case.status not in ALLOWED[ev.kind]:
        raise refusal(case, ev.kind)
    last = case.updated_at or case.reported_at
    if ev.at < last:
        raise Invalid(f"case {case.id}: {ev.kind} at {clock.fmt_local(ev.at)} is before its last step "
                      f"at {clock.fmt_local(last)}; a timeline runs forwards")
    if ev.kind in NEEDS_TEXT and not (ev.note and ev.note.strip()):
        raise Invalid(f"case {case.id}: {ev.kind} needs {NEEDS_TEXT[ev.kind]}")
    _CHECKS.get(ev.kind, lambda c, e: None)(case, ev)
    _MOVES.get(ev.kind, lambda c, e: None)(case, ev)
    case.status = LEADS_TO.get(ev.kind, case.status)
    case.updated_at = ev.at


def _check_dispatch(case: Case, ev: CaseEvent) -> None:
    if not ev.handler_id:
        raise Invalid(f"case {case.id}: dispatch needs a handler")
    if case.status == "dispatched" and (case.handler_type, case.handler_id) == (ev.handler_type, ev.handler_id):
        raise Refused(f"case {case.id} is already dispatched to {ev.handler_id}; "
                      "re-dispatch goes to another handler")


def _check_rate(case: Case, ev: CaseEvent) -> None:
    if case.duplicate_of:
        raise Refused(f"case {case.id} was closed as a duplicate of {case.duplicate_of}; rate that case")
    if ev.resolved is None:
        raise Invalid(f"case {case.id}: a rating says whether it was resolved (yes or no)")
    if ev.satisfaction not in SATISFACTION:
        raise Invalid(f"case {case.id}: satisfaction must be one of: {', '.join(SATISFACTION)}")


def _check_reopen(case: Case, ev: CaseEvent) -> None:
    if case.duplicate_of:
        raise Refused(f"case {case.id} was closed as a duplicate of {case.duplicate_of}; "
                      "work on that case instead")


def _check_extend(case: Case, ev: CaseEvent) -> None:
    if ev.deadline is None:
        raise Invalid(f"case {case.id}: an extension needs the new deadline")
    if not (ev.approver and ev.approver.strip()):
        raise Invalid(f"case {case.id}: an extension needs the approver (who granted it)")
    if ev.deadline <= case.resolve_by:
        raise Invalid(f"case {case.id}: the new deadline {clock.fmt_local(ev.deadline)} is not later than "
                      f"the current one, {clock.fmt_local(case.resolve_by)}")
    if ev.deadline <= ev.at:
        raise Invalid(f"case {case.id}: the new deadline {clock.fmt_local(ev.deadline)} has passed "
                      f"by the time of the extension ({clock.fmt_local(ev.at)})")


def _check_escalate(case: Case, ev: CaseEvent) -> None:
    current = case.escalation_level or 0
    if ev.level is None:
        if current >= MAX_ESCALATION:
            raise Refused(f"case {case.id} is already escalated at the highest level, {MAX_ESCALATION}")
        ev.level = current + 1
    if not 1 <= ev.level <= MAX_ESCALATION:
        raise Invalid(f"case {case.id}: escalation level {ev.level} is not between 1 and {MAX_ESCALATION}")
    if ev.level <= current:
        raise Refused(f"case {case.id} is already escalated at level {current}; "
                      f"escalating again needs a higher level (up to {MAX_ESCALATION})")


def _check_link(case: Case, ev: CaseEvent) -> None:
    if not ev.duplicate_of:
        raise Invalid(f"case {case.id}: link needs the case it duplicates")
    if ev.duplicate_of == case.id:
        raise Invalid(f"case {case.id} cannot be a duplicate of itself")


def _move_respond(case: Case, ev: CaseEvent) -> None:
    case.responded_at = ev.at


def _move_dispatch(case: Case, ev: CaseEvent) -> None:
    case.handler_type, case.handler_id = ev.handler_type, ev.handler_id


def _move_close(case: Case, ev: CaseEvent) -> None:
    case.first_closed_at = case.first_closed_at or ev.at
    case.closed_at = ev.at


def _move_rate(case: Case, ev: CaseEvent) -> None:
    case.rated_at, case.resolved, case.satisfaction = ev.at, ev.resolved, ev.satisfaction


def _move_reopen(case: Case, ev: CaseEvent) -> None:
    # The rating and close belonged to the work that is being redone; they
    # stay in the timeline, not on the case.
    case.closed_at = case.rated_at = case.resolved = case.satisfaction = None
    case.reopen_count = (case.reopen_count or 0) + 1


def _move_extend(case: Case, ev: CaseEvent) -> None:
    ev.previous_deadline = case.resolve_by
    case.resolve_by = ev.deadline
    case.extension_count = (case.extension_count or 0) + 1


def _move_escalate(case: Case, ev: CaseEvent) -> None:
    case.escalation_level = ev.level


def _move_link(case: Case, ev: CaseEvent) -> None:
    case.duplicate_of = ev.duplicate_of
    _move_close(case, ev)


_CHECKS = {"dispatch": _check_dispatch, "rate": _check_rate, "reopen": _check_reopen,
           "extend": _check_extend, "escalate": _check_escalate, "link": _check_link}
_MOVES = {"accept": _move_respond, "reject": _move_respond, "dispatch": _move_dispatch,
          "close": _move_close, "rate": _move_rate, "reopen": _move_reopen, "extend": _move_extend,
          "escalate": _move_escalate, "link": _move_link}
