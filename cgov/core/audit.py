"""The audit log: who changed what and when, append-only, one hash chain.

Each entry hashes the previous entry's hash with its own content, so a later
rewrite shows up when the chain is walked again (`cgov audit verify`).

Some entries also seal a record: their `content_hash` is the SHA-256 of what
was published or decided (published minutes, an addendum, a case's close or
rating, an access-list decision), and `verify` recomputes it from the record
as stored now. Each feature lists the actions it seals (`SEALS`) and
recomputes their hashes (`sealed_hash`); `_sealers` names the features. When
cgov itself rewrites a sealed record (an import replacing a timeline), it
appends a `<feature>.reseal` entry that supersedes the old seal, so a rewrite
through cgov is in the chain and one behind its back breaks the seal."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import insert
from sqlmodel import select
from sqlmodel import Field, Session, SQLModel

from cgov.core import clock
from cgov.core.types import UTCDateTime

GENESIS = "0" * 64


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    seq: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    actor: str
    action: str = Field(index=True)
    entity: str | None = None
    ids: str = "[]"  # JSON list of the record ids touched
    detail: str = "{}"  # JSON object: what changed, counts, reasons
    content_hash: str | None = None
    prev_hash: str
    hash: str


def entry_hash(prev_hash: str, at: dt.datetime, actor: str, action: str, entity: str | None,
               ids: str, detail: str, content_hash: str | None) -> str:
    payload = json.dumps(
        [prev_hash, at.astimezone(dt.timezone.utc).isoformat(timespec="microseconds"),
         actor, action, entity, ids, detail, content_hash],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def content_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_digest(record: dict) -> str:
    """The SHA-256 of a record in canonical JSON (sorted keys, no spaces):
    give it plain values, times already in UTC, so the hash is the same in
    every zone and on every backend."""
    return content_digest(json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


def utc_text(at: dt.datetime | None) -> str | None:
    """A stored time as canonical text for a content hash."""
    return at.astimezone(dt.timezone.utc).isoformat() if at is not None else None


def record(session: Session, action: str, entity: str | None = None, ids=(),
           detail: dict | None = None, at: dt.datetime | None = None,
           content_hash: str | None = None) -> None:
    """Append one entry. Call inside the write transaction that made the change,
    so the entry and the change commit or vanish together.

    Written with Core statements, not an ORM object: every write command
    appends one, and the ORM's first use costs more than the rest of a
    `case add`. No entry is ever an unflushed ORM object, so the head read
    here is always the newest. The caller's pending changes are flushed
    first, so they still reach the database before the entry that records
    them, and their errors surface here as before."""
    session.flush()
    actor = session.info.get("actor", "cgov")
    at = at or clock.now()
    ids_text = json.dumps(list(ids), ensure_ascii=False)
    detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    log = AuditEntry.__table__
    prev = session.execute(select(log.c.hash).order_by(log.c.seq.desc()).limit(1)).scalar() or GENESIS
    session.execute(insert(log).values(
        at=at, actor=actor, action=action, entity=entity, ids=ids_text, detail=detail_text,
        content_hash=content_hash, prev_hash=prev,
        hash=entry_hash(prev, at, actor, action, entity, ids_text, detail_text, content_hash)))


def entries(session: Session, action: str | None = None, actor: str | None = None,
            entity: str | None = None, record_id: str | None = None,
            since: dt.datetime | None = None, until: dt.datetime | None = None,
            limit: int | None = 100) -> list[dict]:
    q = select(AuditEntry)
    if action:
        q = q.where(AuditEntry.action.like(action.replace("*", "%")))
    if actor:
        q = q.where(AuditEntry.actor == actor)
    if entity:
        q = q.where(AuditEntry.entity == entity)
    if record_id:
        q = q.where(AuditEntry.ids.like(f'%"{record_id}"%'))
    if since:
        q = q.where(AuditEntry.at >= since)
    if until:
        q = q.where(AuditEntry.at < until)
    q = q.order_by(AuditEntry.seq.desc())
    if limit:
        q = q.limit(limit)
    rows = []
    for e in session.exec(q).all():
        rows.append({
            "seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action,
            "entity": e.entity, "ids": json.loads(e.ids), "detail": json.loads(e.detail),
            "hash": e.hash,
        })
    return rows


# A feature's sealed_hash returns this for an entry it cannot recompute: one
# written before the feature hashed a form that can be rebuilt from the store.
UNCHECKED = "unchecked"
# What sealed_hash returns for an entry that carries a hash but seals no
# record verify can recheck (an imported access item, whose later steps
# change it): neither checked nor counted.
NOT_SEALED = "not-sealed"


def _sealers() -> list:
    """The features whose records the audit log seals, each a module with
    SEALS ({action: (what changed, what is gone)}) and
    sealed_hash(session, entry) -> hash now | None (record gone) | UNCHECKED."""
    from cgov.access import service as access
    from cgov.cases import service as cases
    from cgov.meetings import service as meetings

    return [cases, access, meetings]


def first_id(entry: AuditEntry) -> str | None:
    """The record an entry is about (its first id)."""
    ids = json.loads(entry.ids)
    return ids[0] if ids else None


def live_seals(session: Session, actions, record_ids) -> list[AuditEntry]:
    """The entries sealing rows of these records that no later entry superseded."""
    wanted = set(record_ids)
    if not wanted:
        return []
    # One query for a whole import: the seals are few beside the records.
    rows = session.exec(select(AuditEntry).where(AuditEntry.action.in_(list(actions)))
                        .order_by(AuditEntry.seq)).all()
    superseded = dict(r for r in (_supersedes(e) for e in rows) if r)
    return [e for e in rows if first_id(e) in wanted and not _is_superseded(e, superseded)
            and e.content_hash is not None]


def reseal(session: Session, record_ids, feature) -> int:
    """After cgov rewrote records (an import replacing their timelines): each
    of their seals that no longer matches gets a successor entry with the hash
    of the row as it is now (none when the row is gone), so the rewrite is in
    the chain and `verify` checks the new content. Returns how many."""
    done = 0
    prefix = _feature(next(iter(feature.SEALS)))
    for e in live_seals(session, feature.SEALS, record_ids):
        now = feature.sealed_hash(session, e)
        if now in (UNCHECKED, NOT_SEALED) or now == e.content_hash:
            continue
        record(session, f"{prefix}.reseal", entity=e.entity, ids=[first_id(e)],
               detail={"event": json.loads(e.detail).get("event"), "supersedes": e.seq, "sealed": e.action},
               content_hash=now)
        done += 1
    return done


def _feature(action: str) -> str:
    return action.split(".")[0]


def _supersedes(e: AuditEntry) -> tuple[int, tuple] | None:
    """(the seq of the earlier seal this entry renews, whose it may be)."""
    older = json.loads(e.detail).get("supersedes")
    if older is None or older >= e.seq:
        return None
    return older, (_feature(e.action), first_id(e))


def _is_superseded(e: AuditEntry, superseded: dict) -> bool:
    # Only a later entry of the seal's own feature about its own record
    # renews it, so no entry can switch off another record's check.
    return superseded.get(e.seq) == (_feature(e.action), first_id(e))


def _check_content(session: Session, sealed: list[AuditEntry], superseded: dict) -> dict:
    """Recompute every live seal; the first whose record changed or vanished."""
    by_action = {action: (f, texts) for f in _sealers() for action, texts in f.SEALS.items()}
    checked = unchecked = 0
    for e in sealed:
        if _is_superseded(e, superseded):
            continue
        feature, (changed, gone) = by_action[e.action]
        now = feature.sealed_hash(session, e)
        if now == NOT_SEALED:
            continue
        if now == UNCHECKED:
            unchecked += 1
            continue
        if now != e.content_hash:
            return {"ok": False, "checked": checked, "unchecked": unchecked, "renewed": len(superseded),
                    "first_bad": e.seq,
                    "problem": f"audit entry {e.seq} ({e.action} {first_id(e)}): "
                               f"{gone if now is None else changed}"}
        checked += 1
    return {"ok": True, "checked": checked, "unchecked": unchecked, "renewed": len(superseded),
            "first_bad": None, "problem": None}


def verify(session: Session, anchor: str | None = None) -> dict:
    """Walk the chain; name the first entry whose hash does not follow. Then
    recompute the content hash of every sealed record and name the first
    that no longer matches. With an anchor (a head published earlier), that
    hash must still be in the chain."""
    sealing = {action for f in _sealers() for action in f.SEALS}
    prev = GENESIS
    count = 0
    anchor_seen = anchor is None
    sealed, superseded = [], {}
    for e in session.exec(select(AuditEntry).order_by(AuditEntry.seq)):
        expected = entry_hash(prev, e.at, e.actor, e.action, e.entity, e.ids, e.detail, e.content_hash)
        if e.prev_hash != prev or e.hash != expected:
            return {"ok": False, "entries": count, "first_bad": e.seq, "head": prev, "checked": 0,
                    "unchecked": 0, "renewed": 0,
                    "problem": f"audit entry {e.seq} ({e.action}, {e.at:%Y-%m-%d %H:%M} UTC) does not match "
                               "its hash: the log was changed after it was written"}
        prev = e.hash
        count += 1
        if e.hash == anchor:
            anchor_seen = True
        if e.action in sealing:
            if e.content_hash is not None:
                sealed.append(e)
            renews = _supersedes(e)
            if renews:
                superseded[renews[0]] = renews[1]
    content = _check_content(session, sealed, superseded)
    if not content["ok"]:
        return {**content, "entries": count, "head": prev}
    if not anchor_seen:
        return {**content, "ok": False, "entries": count, "first_bad": None, "head": prev,
                "problem": f"anchor {anchor[:16]}… is not in the chain: the log was rewritten after it was published"}
    return {**content, "entries": count, "head": prev}
