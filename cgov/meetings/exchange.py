"""Import and export of meeting types, meetings and matters (DESIGN §2), for
back-filling paper records.

A meeting's record carries its attendance, agenda, discussion, motions with
their votes, action items, disclosure and addenda. A key left out keeps what
is stored. Lists are matched, not replaced wholesale: motions by id, action
items and agenda items by position; attendance is set as given. A published
meeting takes no change but further addenda. The same rules as the commands
apply (the service functions do the work), so a record the commands would
refuse is refused here too, with its file and line; each record is written
inside its own savepoint, so a refused one leaves nothing behind."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import select

from cgov.core import clock
from cgov.core.errors import CgovError
from cgov.core.schema import Problems, Record
from cgov.meetings import matters, rules, service
from cgov.meetings.models import (CHOICES, METHODS, STAGES, ActionItem, AgendaItem, Matter, Meeting, MeetingSchedule,
                                  MeetingTypeRow, Motion)
from cgov.org.models import Organization, Person

SECTIONS = ("meeting_types", "meetings", "matters")
TYPE_KEYS = {"code", "name", "name_en", "quorum", "passing", "voters", "entitled", "schedule", "scheduled_for",
             "schedules"}
SCHEDULE_KEYS = {"organization", "schedule"}
MEETING_KEYS = {"id", "type", "title", "organization", "with", "at", "place", "chair", "recorder", "entitled",
                "present_count", "present", "absent", "guests", "agenda", "minutes", "motions", "actions",
                "published", "addenda"}
MOTION_KEYS = {"id", "text", "item", "vote", "result"}
VOTE_KEYS = {"method", "yes", "no", "abstain"}
ACTION_KEYS = {"text", "owner", "due", "motion", "case"}
MATTER_KEYS = {"id", "title", "community", "description", "at", "stages"}
STAGE_KEYS = {"stage", "meeting", "motion", "where", "at"}
_CORE = ("type", "organization", "with", "at", "entitled")
_DESCRIBE = ("title", "place", "chair", "recorder")


@dataclass
class Item:
    rec: Record
    values: dict  # canonical values of the keys the record gave


@dataclass
class Plan:
    types: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    matters: list = field(default_factory=list)


def _ids(rec: Record, key: str) -> list[str]:
    out = []
    for v in rec.items(key):
        if not isinstance(v, str):
            rec.fail(f"'{key}' must be a list of ids")
        else:
            out.append(v.strip())
    return out


def _sync_ok(rec: Record, sub: Record | None) -> None:
    if sub is not None and not sub.ok:
        rec.ok = False


# ---- reading: meeting types -------------------------------------------------------


def _parse_type(rec: Record) -> dict:
    rec.known_keys(TYPE_KEYS)
    v = {"code": rec.ident("code")}
    for k in ("name", "name_en", "quorum", "passing", "voters", "entitled", "schedule"):
        if rec.has(k):
            v[k] = rec.text(k)
    if rec.has("scheduled_for"):
        v["scheduled_for"] = _ids(rec, "scheduled_for")
    if rec.has("schedules"):
        v["schedules"] = {}
        for i, raw in enumerate(rec.items("schedules")):
            sub = rec.nested(raw, f"schedules[{i}]", SCHEDULE_KEYS)
            if sub is None:
                continue
            oid, sched = sub.ident("organization"), sub.text("schedule", required=True)
            if sched and sched != "none" and not rules.valid_schedule(sched):
                sub.fail(f"schedule '{sched}' is not monthly, quarterly, monthly:<1-31> or none")
            _sync_ok(rec, sub)
            if oid and sched:
                v["schedules"][oid] = sched
    return v


def _type_dict(row: MeetingTypeRow) -> dict:
    return service.type_from_row(row).to_dict()


def _plan_types(session, sections, problems, p: Plan) -> None:
    stored = {r.code: r for r in session.exec(select(MeetingTypeRow))}
    seen: set = set()
    for file, items in sections.get("meeting_types", []):
        for i, raw in enumerate(items):
            rec = Record(raw, file, "meeting_types", problems, i)
            if not rec.ok:
                continue
            v = _parse_type(rec)
            code = v["code"]
            if code is None:
                continue
            rec.label = f"meeting_types[{code}]"
            if code in seen:
                rec.fail(f"meeting type '{code}' is given twice")
            seen.add(code)
            base = _type_dict(stored[code]) if code in stored else \
                rules.DEFAULT_TYPES[code].to_dict() if code in rules.DEFAULT_TYPES else {}
            merged = {**base, **{k: x for k, x in v.items() if k != "schedules"}}
            missing = [k for k in ("name", "name_en", "passing") if not merged.get(k)]
            if missing:
                rec.fail(f"a new meeting type needs {', '.join(missing)}")
                continue
            try:
                mt = rules.MeetingType.from_dict(merged)
            except ValueError as e:
                rec.fail(str(e))
                continue
            problem = service.check_type_fields(mt)
            if problem:
                rec.fail(problem)
            for oid in v.get("schedules", {}):
                if session.get(Organization, oid) is None:
                    rec.fail(f"schedules: organization '{oid}' is not a known organization")
            # A record that only gives schedules leaves a shipped type as shipped.
            own_fields = code in stored or code not in rules.DEFAULT_TYPES or set(v) - {"code", "schedules"}
            p.types.append(Item(rec, {"type": mt, "schedules": v.get("schedules"), "own_fields": bool(own_fields)}))


# ---- reading: meetings -----------------------------------------------------------


def _parse_vote(rec: Record, raw) -> dict | None:
    sub = rec.nested(raw, "vote", VOTE_KEYS)
    if sub is None:
        return None
    method = sub.enum("method", METHODS) or "show-of-hands"
    vote = {"method": method}
    for choice in CHOICES:
        if method == "roll-call":
            vote[choice] = sorted(_ids(sub, choice))
        else:
            vote[choice] = sub.integer(choice) if sub.has(choice) else 0
    _sync_ok(rec, sub)
    return vote


def _parse_motions(rec: Record) -> list[dict]:
    out = []
    for i, raw in enumerate(rec.items("motions")):
        sub = rec.nested(raw, f"motions[{i}]", MOTION_KEYS)
        if sub is None:
            continue
        mo = {"id": sub.ident("id", required=False), "text": sub.text("text", required=True),
              "item": sub.integer("item", minimum=1)}
        if sub.has("vote"):
            mo["vote"] = _parse_vote(sub, sub.data["vote"])
        if sub.has("result"):
            mo["result"] = sub.enum("result", ("passed", "failed", "void"))
        _sync_ok(rec, sub)
        out.append(mo)
    return out


def _parse_actions(rec: Record) -> list[dict]:
    out = []
    for i, raw in enumerate(rec.items("actions")):
        sub = rec.nested(raw, f"actions[{i}]", ACTION_KEYS)
        if sub is None:
            continue
        out.append({"text": sub.text("text", required=True), "owner": sub.ident("owner"),
                    "due": sub.date("due", required=True), "motion": sub.ident("motion", required=False),
                    "case": sub.ident("case", required=False)})
        _sync_ok(rec, sub)
    return out


def _parse_absent(rec: Record) -> tuple[list, list]:
    """([(person, reason)], every person named). An absentee without a reason
    is implied by not being present, so only those with reasons are kept."""
    with_reason, named = [], []
    for i, raw in enumerate(rec.items("absent")):
        if isinstance(raw, str):
            named.append(raw.strip())
            continue
        sub = rec.nested(raw, f"absent[{i}]", {"person", "reason"})
        if sub is None:
            continue
        pid, reason = sub.ident("person"), sub.text("reason")
        _sync_ok(rec, sub)
        if pid:
            named.append(pid)
            if reason:
                with_reason.append((pid, reason))
    return sorted(with_reason), named


def _parse_guests(rec: Record) -> tuple[list, list]:
    people, names = [], []
    for i, raw in enumerate(rec.items("guests")):
        if isinstance(raw, str):
            people.append(raw.strip())
            continue
        sub = rec.nested(raw, f"guests[{i}]", {"name"})
        if sub is not None:
            names.append(sub.text("name", required=True))
            _sync_ok(rec, sub)
    return sorted(people), sorted(n for n in names if n)


def _parse_meeting(rec: Record) -> tuple[dict, list]:
    """The record's values, and every person it names as absent."""
    rec.known_keys(MEETING_KEYS)
    absentees: list = []
    v = {"id": rec.ident()}
    for k in ("type", "organization", "chair", "recorder"):
        if rec.has(k):
            v[k] = rec.ident(k, required=k in ("type", "organization"))
    for k in ("title", "place"):
        if rec.has(k):
            v[k] = rec.text(k, required=k == "title")
    if rec.has("with"):
        v["with"] = _ids(rec, "with")
    if rec.has("at"):
        v["at"] = rec.datetime("at", required=True)
    for k in ("entitled", "present_count"):
        if rec.has(k):
            v[k] = rec.integer(k)
    if rec.has("present"):
        v["present"] = sorted(_ids(rec, "present"))
    if rec.has("absent"):
        v["absent"], absentees = _parse_absent(rec)
        both = sorted(set(absentees) & set(v.get("present", [])))
        if both:
            rec.fail(f"{', '.join(both)} given both as present and as absent")
    if rec.has("guests"):
        v["guests"] = _parse_guests(rec)
    if rec.has("agenda"):
        v["agenda"] = [x.strip() for x in rec.items("agenda") if isinstance(x, str)]
        if len(v["agenda"]) != len(rec.items("agenda")):
            rec.fail("'agenda' must be a list of texts")
    if rec.has("minutes"):
        text = rec.text("minutes")
        v["minutes"] = text.replace("\r\n", "\n").strip() if text else None
    if rec.has("motions"):
        v["motions"] = _parse_motions(rec)
    if rec.has("actions"):
        v["actions"] = _parse_actions(rec)
    if rec.has("published"):
        pub = rec.mapping("published")
        sub = rec.nested(pub, "published", {"at", "where"}) if pub is not None else None
        v["published"] = {"at": sub.datetime("at", required=True), "where": sub.text("where", required=True)} \
            if sub is not None else None
        _sync_ok(rec, sub)
    if rec.has("addenda"):
        v["addenda"] = []
        for i, raw in enumerate(rec.items("addenda")):
            sub = rec.nested(raw, f"addenda[{i}]", {"at", "text"})
            if sub is not None:
                v["addenda"].append({"at": sub.datetime("at", required=True), "text": sub.text("text", required=True)})
                _sync_ok(rec, sub)
    return v, absentees


def _plan_meetings(session, sections, problems, p: Plan, type_codes: set) -> None:
    seen: dict = {}
    for file, items in sections.get("meetings", []):
        for i, raw in enumerate(items):
            rec = Record(raw, file, "meetings", problems, i)
            if not rec.ok:
                continue
            v, absentees = _parse_meeting(rec)
            if v["id"] is None:
                continue
            if v["id"] in seen:
                rec.fail(f"meeting '{v['id']}' is defined twice (also at {seen[v['id']]})")
            seen[v["id"]] = f"{file}:{rec.line}"
            stored = session.get(Meeting, v["id"])
            if stored is None:
                for k in ("type", "title", "organization", "at"):
                    if k not in v:
                        rec.fail(f"'{k}' is required for a new meeting")
            if v.get("type") and v["type"] not in type_codes:
                rec.fail(f"type '{v['type']}' is not a known meeting type")
            for oid in [v.get("organization"), *v.get("with", [])]:
                if oid and session.get(Organization, oid) is None:
                    rec.fail(f"organization '{oid}' is not a known organization")
            people = [v.get("chair"), v.get("recorder"), *v.get("present", []),
                      *absentees, *v.get("guests", ([], []))[0]]
            for mo in v.get("motions", []):
                for choice in CHOICES:
                    if mo.get("vote") and isinstance(mo["vote"].get(choice), list):
                        people += mo["vote"][choice]
            for a in v.get("actions", []):
                if a["owner"] and session.get(Organization, a["owner"]) is None and \
                        session.get(Person, a["owner"]) is None:
                    rec.fail(f"action owner '{a['owner']}' is neither an organization nor a person")
            for pid in sorted({x for x in people if x}):
                if session.get(Person, pid) is None:
                    rec.fail(f"person '{pid}' is not a known person")
            if rec.ok:
                p.meetings.append(Item(rec, v))


# ---- reading: matters ---------------------------------------------------------------


def _plan_matters(session, sections, problems, p: Plan, meeting_ids: set) -> None:
    seen: set = set()
    for file, items in sections.get("matters", []):
        for i, raw in enumerate(items):
            rec = Record(raw, file, "matters", problems, i)
            if not rec.ok:
                continue
            rec.known_keys(MATTER_KEYS)
            v = {"id": rec.ident()}
            for k in ("title", "description"):
                if rec.has(k):
                    v[k] = rec.text(k, required=k == "title")
            if rec.has("community"):
                v["community"] = rec.ident("community")
            if rec.has("at"):
                v["at"] = rec.datetime("at")
            stages = []
            for j, raw_stage in enumerate(rec.items("stages")):
                sub = rec.nested(raw_stage, f"stages[{j}]", STAGE_KEYS)
                if sub is None:
                    continue
                st = {"stage": sub.enum("stage", STAGES, required=True), "meeting": sub.ident("meeting", required=False),
                      "motion": sub.ident("motion", required=False), "where": sub.text("where"),
                      "at": sub.datetime("at")}
                if st["meeting"] and st["meeting"] not in meeting_ids and session.get(Meeting, st["meeting"]) is None:
                    sub.fail(f"meeting '{st['meeting']}' is not a known meeting")
                if st["where"] and st["at"] is None:
                    sub.fail(f"stage {st['stage']} needs 'at': when it was made public")
                _sync_ok(rec, sub)
                stages.append(st)
            if rec.has("stages"):
                v["stages"] = stages
            if v["id"] in seen:
                rec.fail(f"matter '{v['id']}' is defined twice")
            seen.add(v["id"])
            if v["id"] and session.get(Matter, v["id"]) is None:
                for k in ("title", "community"):
                    if k not in v:
                        rec.fail(f"'{k}' is required for a new matter")
            if rec.ok:
                p.matters.append(Item(rec, v))


def plan(session, sections: dict, problems: Problems) -> Plan:
    p = Plan()
    _plan_types(session, sections, problems, p)
    codes = set(service.meeting_types(session)) | {it.values["type"].code for it in p.types}
    _plan_meetings(session, sections, problems, p, codes)
    _plan_matters(session, sections, problems, p, {it.values["id"] for it in p.meetings})
    return p


# ---- what is stored, in the same canonical form ------------------------------------------


def stored_meeting(session, m: Meeting) -> dict:
    """The meeting as the values a record gives (see _parse_meeting)."""
    d = service.show_meeting(session, m.id, verify=False)
    att = d["attendance"]
    motions = []
    for mo in d["motions"]:
        row = {"id": mo["id"], "text": mo["text"], "item": mo["item"]}
        if mo["method"]:
            if mo["method"] == "roll-call":
                row["vote"] = {"method": "roll-call", **{c: sorted(b["person"] for b in mo["ballots"]
                                                                 if b["choice"] == c) for c in CHOICES}}
            else:
                row["vote"] = {"method": mo["method"], **{c: mo[c] for c in CHOICES}}
            row["result"] = mo["result"]
        motions.append(row)
    return {
        "id": m.id, "type": m.type, "title": m.title, "organization": m.organization_id,
        "with": [c["organization"] for c in d["with"]], "at": m.at, "place": m.place, "chair": m.chair_id,
        "recorder": m.recorder_id, "entitled": m.entitled_count, "present_count": m.present_count,
        "present": sorted(r["person"] for r in att if r["kind"] != "guest" and r["status"] == "present"),
        "absent": sorted((r["person"], r["reason"]) for r in att if r["status"] == "absent" and r["reason"]),
        "guests": (sorted(r["person"] for r in att if r["kind"] == "guest" and r["person"]),
                   sorted(r["name"] for r in att if r["kind"] == "guest" and not r["person"])),
        "agenda": [i["text"] for i in d["agenda"]], "minutes": m.minutes, "motions": motions,
        "actions": [{"text": a["text"], "owner": a["owner"], "due": a["due"], "motion": a["motion"],
                     "case": a["case"]} for a in d["actions"]],
        "published": {"at": m.published_at, "where": m.published_where} if m.published_at else None,
        "addenda": d["addenda"],
    }


def _same_motions(given: list, stored: list) -> bool:
    by_id = {mo["id"]: mo for mo in stored}
    for i, mo in enumerate(given, start=1):
        old = by_id.get(mo["id"]) if mo["id"] else (stored[i - 1] if i <= len(stored) else None)
        if old is None or any(mo[k] != old.get(k) for k in mo if k != "id"):
            return False
    return True


def _same_list(given: list, stored: list) -> bool:
    """Matched by position; stored items beyond the given ones stay."""
    return stored[:len(given)] == given


def _changes(v: dict, old: dict) -> set:
    changed = set()
    for k, value in v.items():
        if k == "motions":
            same = _same_motions(value, old["motions"])
        elif k in ("actions", "addenda", "agenda"):
            same = _same_list(value, old[k])
        else:
            same = value == old[k]
        if not same:
            changed.add(k)
    return changed


# ---- writing ---------------------------------------------------------------------


def _apply_types(session, items) -> dict:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for it in items:
        mt, scheds = it.values["type"], it.values["schedules"] or {}
        row = session.get(MeetingTypeRow, mt.code)
        stored = {s.organization_id: s for s in session.exec(select(MeetingSchedule).where(
            MeetingSchedule.type == mt.code))}
        new = row is None and not stored
        changed = False
        if it.values["own_fields"]:
            values = {"name": mt.name, "name_en": mt.name_en, "quorum": str(mt.quorum) if mt.quorum else None,
                      "passing": str(mt.passing), "voters": mt.voters, "entitled": mt.entitled,
                      "schedule": mt.schedule, "scheduled_for": ",".join(mt.scheduled_for)}
            if row is None:
                row, changed = MeetingTypeRow(code=mt.code, **values), True
            elif any(getattr(row, k) != x for k, x in values.items()):
                changed = True
                for k, x in values.items():
                    setattr(row, k, x)
            session.add(row)
        for oid, sched in scheds.items():
            s = stored.get(oid) or MeetingSchedule(type=mt.code, organization_id=oid, schedule=sched)
            if s.schedule != sched or oid not in stored:
                changed = True
                s.schedule = sched
                session.add(s)
        session.flush()
        counts["created" if new and changed else "updated" if changed else "unchanged"] += 1
    return counts


def _write_motions(session, m: Meeting, motions: list) -> None:
    for i, mo in enumerate(motions, start=1):
        row = session.get(Motion, mo["id"]) if mo["id"] else session.exec(select(Motion).where(
            Motion.meeting_id == m.id, Motion.position == i)).first()
        if row is not None and row.meeting_id != m.id:
            raise CgovError(f"motion '{row.id}' belongs to meeting {row.meeting_id}")
        if row is None:
            row = service.create_motion(session, m, mo["text"], mo["item"], id=mo["id"])
        elif (row.text, row.item) != (mo["text"], mo["item"]):
            row.text, row.item = mo["text"], mo["item"]
            session.add(row)
            session.flush()
        vote = mo.get("vote")
        if vote is not None:
            roll = vote["method"] == "roll-call"
            service.record_vote(session, row, vote["method"], tally=None if roll else {c: vote[c] for c in CHOICES},
                                ballots={c: vote[c] for c in CHOICES} if roll else None, at=m.at, replace=True)
        if mo.get("result"):
            got = service.motion_result(session, row)
            if got["result"] != mo["result"]:
                raise CgovError(f"motion {row.id}: the record says {mo['result']}, but it {got['result']}: "
                                f"{got['explanation']}")


def _write_actions(session, m: Meeting, actions: list) -> None:
    for i, a in enumerate(actions, start=1):
        row = session.exec(select(ActionItem).where(ActionItem.meeting_id == m.id, ActionItem.position == i)).first()
        if row is None:
            row = service.create_action(session, m, a["text"], a["owner"], a["due"], a["motion"], at=m.at)
        else:
            kind, oid, name = service.resolve_owner(session, a["owner"])
            row.text, row.owner_kind, row.owner_id, row.owner_name = a["text"], kind, oid, name
            row.due, row.motion_id = a["due"], a["motion"]
        row.case_id = a["case"]
        session.add(row)
        session.flush()


def _write_agenda(session, m: Meeting, agenda: list) -> None:
    for i, text in enumerate(agenda, start=1):
        row = session.exec(select(AgendaItem).where(AgendaItem.meeting_id == m.id, AgendaItem.position == i)).first()
        if row is None:
            service.create_item(session, m, text)
        elif row.text != text:
            row.text = text
            session.add(row)
            session.flush()


def _write_meeting(session, v: dict, m: Meeting | None, old: dict | None, changed: set) -> None:
    if m is None:
        m = service.create_meeting(session, id=v["id"], type=v["type"], title=v["title"],
                                   org_ref=v["organization"], at=v["at"], place=v.get("place"),
                                   chair=v.get("chair"), recorder=v.get("recorder"), entitled=v.get("entitled"),
                                   with_orgs=v.get("with", ()))
        service.claim_meeting_id(session, m.id)
    elif changed & set(_CORE):
        merged = {k: v.get(k, old[k]) for k in _CORE}
        service.reconvene(session, m, merged["type"], merged["organization"], merged["with"], merged["at"],
                          merged["entitled"])
    if m is not None and old is not None and changed & set(_DESCRIBE):
        service.describe(session, m, **{k: v[k] for k in _DESCRIBE if k in changed})
    if changed & {"present", "absent", "guests", "present_count"} or old is None:
        guests = v.get("guests")
        service.set_attendance(session, m, present=v.get("present"), absent=v.get("absent"),
                               guests=guests[0] if guests else None, guest_names=guests[1] if guests else None,
                               present_count=v["present_count"] if "present_count" in v else service.UNSET)
    if "agenda" in changed:
        _write_agenda(session, m, v["agenda"])
    if "minutes" in changed:
        service.refuse_if_published(m)
        m.minutes = v["minutes"]
        session.add(m)
        session.flush()
    if "motions" in changed:
        _write_motions(session, m, v["motions"])
    if "actions" in changed:
        _write_actions(session, m, v["actions"])
    # What is made public is sealed in the audit log however it came in, so
    # `cgov audit verify` rechecks imported minutes too.
    if "published" in changed and v["published"] is not None:
        service.publish_meeting(session, m, v["published"]["where"], v["published"]["at"])
        service.seal_publication(session, m, imported=True)
    if "addenda" in changed:
        stored = (old or {}).get("addenda", [])
        for a in v["addenda"][len(stored):]:
            service.seal_addendum(session, m, service.create_addendum(session, m, a["text"], a["at"]), imported=True)


def _apply_meetings(session, items) -> dict:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for it in items:
        v = it.values
        m = session.get(Meeting, v["id"])
        old = stored_meeting(session, m) if m is not None else None
        if old is None:
            changed = set(v) - {"id"}
        else:
            changed = _changes({k: x for k, x in v.items() if k != "id"}, old)
        if old is not None and not changed:
            counts["unchanged"] += 1
            continue
        try:
            with session.begin_nested():
                if old is not None and old["published"]:
                    _check_published_change(v, old, changed)
                _write_meeting(session, v, m, old, changed)
        except CgovError as e:
            it.rec.fail(e.message)
            continue
        counts["created" if old is None else "updated"] += 1
    return counts


def _check_published_change(v: dict, old: dict, changed: set) -> None:
    """A published meeting takes further addenda and nothing else."""
    stored = old["addenda"]
    if changed - {"addenda"} or v["addenda"][:len(stored)] != stored:
        what = ", ".join(sorted(changed))
        raise CgovError(f"meeting {old['id']} was made public on {clock.fmt_local(old['published']['at'])} "
                        f"and cannot change ({what}): published; add an addendum")


def _apply_matters(session, items) -> dict:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for it in items:
        v = it.values
        try:
            with session.begin_nested():
                outcome = _write_matter(session, v)
        except CgovError as e:
            it.rec.fail(e.message)
            continue
        counts[outcome] += 1
    return counts


def _step_record(s) -> dict:
    return {"stage": s.stage, "meeting": s.meeting_id, "motion": s.motion_id, "where": s.place,
            "at": s.at if s.place else None}


def _given_step(session, st: dict) -> dict:
    """A stage from the file in the stored form: a motion names its meeting;
    only the publication stages carry their own time."""
    meeting = st["meeting"]
    if st["motion"] and not meeting:
        mo = session.get(Motion, st["motion"])
        meeting = mo.meeting_id if mo else None
    return {"stage": st["stage"], "meeting": meeting, "motion": st["motion"], "where": st["where"],
            "at": st["at"] if st["where"] else None}


def _write_matter(session, v: dict) -> str:
    m = session.get(Matter, v["id"])
    outcome = "unchanged"
    if m is None:
        m = matters.create_matter(session, v["title"], v["community"], v.get("description"), v.get("at"), id=v["id"])
        matters.claim_matter_id(session, m.id)
        outcome = "created"
    else:
        if "community" in v and v["community"] != m.community_id:
            raise CgovError(f"matter {m.id} belongs to {m.community_id}; its community cannot change")
        for k, attr in (("title", "title"), ("description", "description"), ("at", "created_at")):
            if k in v and getattr(m, attr) != v[k]:
                setattr(m, attr, v[k])
                outcome = "updated"
        session.add(m)
        session.flush()
    stored = [_step_record(s) for s in matters.steps(session, m)]
    given = [_given_step(session, st) for st in v.get("stages", [])]
    for old, new in zip(stored, given):
        if old != new:
            raise CgovError(f"matter {m.id} has stage {old['stage']} recorded with other evidence; recorded "
                            "stages do not change")
    for st in given[len(stored):]:
        matters.record_stage(session, m, st["stage"], st["meeting"], st["motion"], st["where"], st["at"])
        outcome = "created" if outcome == "created" else "updated"
    return outcome


def apply(session, p: Plan) -> dict:
    result = {}
    if p.types:
        result["meeting_types"] = _apply_types(session, p.types)
    if p.meetings:
        result["meetings"] = _apply_meetings(session, p.meetings)
    if p.matters:
        result["matters"] = _apply_matters(session, p.matters)
    return result


# ---- export ---------------------------------------------------------------------------


def _drop_none(d: dict) -> dict:
    return {k: x for k, x in d.items() if x is not None and x != [] and x != ()}


def _text(value) -> str | None:
    """Numbers as strings, so that they read back exactly (no type guessing)."""
    return None if value is None else str(value)


def _export_type(row: MeetingTypeRow, scheds: list) -> dict:
    d = _drop_none({"code": row.code, "name": row.name, "name_en": row.name_en, "quorum": row.quorum,
                    "passing": row.passing, "voters": row.voters, "entitled": row.entitled, "schedule": row.schedule,
                    "scheduled_for": [c for c in row.scheduled_for.split(",") if c]})
    if scheds:
        d["schedules"] = [{"organization": s.organization_id, "schedule": s.schedule} for s in scheds]
    return d


def _export_meeting(session, m: Meeting) -> dict:
    v = stored_meeting(session, m)
    motions = []
    for mo in v["motions"]:
        d = _drop_none({"id": mo["id"], "text": mo["text"], "item": _text(mo["item"])})
        if "vote" in mo:
            vote = mo["vote"]
            d["vote"] = _drop_none({"method": vote["method"],
                                    **{c: vote[c] if isinstance(vote[c], list) else str(vote[c]) for c in CHOICES}})
            d["result"] = mo["result"]
        motions.append(d)
    return _drop_none({
        "id": m.id, "type": m.type, "title": m.title, "organization": m.organization_id, "with": v["with"],
        "at": clock.iso_local(m.at), "place": m.place, "chair": m.chair_id, "recorder": m.recorder_id,
        "entitled": m.entitled_count, "present_count": m.present_count, "present": v["present"],
        "absent": [{"person": pid, "reason": why} for pid, why in v["absent"]],
        "guests": v["guests"][0] + [{"name": n} for n in v["guests"][1]],
        "agenda": v["agenda"], "minutes": m.minutes, "motions": motions,
        "actions": [_drop_none({"text": a["text"], "owner": a["owner"], "due": a["due"].isoformat(),
                                "motion": a["motion"], "case": a["case"]}) for a in v["actions"]],
        "published": {"at": clock.iso_local(m.published_at), "where": m.published_where} if m.published_at else None,
        "addenda": [{"at": clock.iso_local(a["at"]), "text": a["text"]} for a in v["addenda"]],
    })


def _export_matter(session, m: Matter) -> dict:
    stages = []
    for s in matters.steps(session, m):
        st = _step_record(s)
        stages.append(_drop_none({**st, "at": clock.iso_local(st["at"]) if st["at"] else None}))
    return _drop_none({"id": m.id, "title": m.title, "community": m.community_id, "description": m.description,
                       "at": clock.iso_local(m.created_at), "stages": stages})


def export(session) -> dict:
    # As stored: exchange.service.export masks numbers typed into minutes
    # and notes, for every feature at once.
    scheds: dict = {}
    for s in session.exec(select(MeetingSchedule).order_by(MeetingSchedule.type, MeetingSchedule.organization_id)):
        scheds.setdefault(s.type, []).append(s)
    types = [_export_type(r, scheds.pop(r.code, [])) for r in session.exec(select(MeetingTypeRow).order_by(
        MeetingTypeRow.code))]
    # Schedules for a shipped type that was not itself overridden.
    types += [{"code": code, "schedules": [{"organization": s.organization_id, "schedule": s.schedule} for s in ss]}
              for code, ss in scheds.items()]
    return {
        "meeting_types": types,
        "meetings": [_export_meeting(session, m) for m in session.exec(select(Meeting).order_by(Meeting.at, Meeting.id))],
        "matters": [_export_matter(session, m) for m in session.exec(select(Matter).order_by(Matter.created_at,
                                                                                             Matter.id))],
    }
