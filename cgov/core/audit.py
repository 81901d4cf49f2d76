"""The audit log: who changed what and when, append-only, one hash chain.

Each entry hashes the previous entry's hash with its own content, so a later
rewrite shows up when the chain is walked again (`cgov audit verify`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

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


def record(session: Session, action: str, entity: str | None = None, ids=(),
           detail: dict | None = None, at: dt.datetime | None = None,
           content_hash: str | None = None) -> AuditEntry:
    """Append one entry. Call inside the write transaction that made the change,
    so the entry and the change commit or vanish together."""
    actor = session.info.get("actor", "cgov")
    at = at or clock.now()
    ids_text = json.dumps(list(ids), ensure_ascii=False)
    detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    prev = session.exec(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    prev = prev[0] if isinstance(prev, tuple) else prev
    prev = prev or GENESIS
    entry = AuditEntry(
        at=at, actor=actor, action=action, entity=entity, ids=ids_text, detail=detail_text,
        content_hash=content_hash, prev_hash=prev,
        hash=entry_hash(prev, at, actor, action, entity, ids_text, detail_text, content_hash),
    )
    session.add(entry)
    session.flush()
    return entry


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


def verify(session: Session, anchor: str | None = None) -> dict:
    """Walk the chain; name the first entry whose hash does not follow. With an
    anchor (a head published earlier), that hash must still be in the chain."""
    prev = GENESIS
    count = 0
    anchor_seen = anchor is None
    for e in session.exec(select(AuditEntry).order_by(AuditEntry.seq)):
        expected = entry_hash(prev, e.at, e.actor, e.action, e.entity, e.ids, e.detail, e.content_hash)
        if e.prev_hash != prev or e.hash != expected:
            return {"ok": False, "entries": count, "first_bad": e.seq, "head": prev,
                    "problem": f"audit entry {e.seq} ({e.action}, {e.at:%Y-%m-%d %H:%M} UTC) does not match "
                               "its hash: the log was changed after it was written"}
        prev = e.hash
        count += 1
        if e.hash == anchor:
            anchor_seen = True
    if not anchor_seen:
        return {"ok": False, "entries": count, "first_bad": None, "head": prev,
                "problem": f"anchor {anchor[:16]}… is not in the chain: the log was rewritten after it was published"}
    return {"ok": True, "entries": count, "first_bad": None, "head": prev, "problem": None}
