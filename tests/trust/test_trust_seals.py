"""Sealed records: published minutes and addenda, case closes and ratings,
access-list decisions and refusals carry a content hash in the audit chain,
and `cgov audit verify` recomputes it from what is stored now. Published
minutes and addenda are also guarded by database triggers.

Each test changes the store behind cgov's back with plain SQL, as someone
with write access to the database file or server would, and checks that
verify exits 1 naming the entry (or, for legitimate rewrites through cgov,
that it stays clean)."""

from __future__ import annotations

import json

import pytest
import yaml
from sqlalchemy.exc import DBAPIError

from cgov.core import audit, store

PUBLISHED = "M2026-0004"  # published in examples/meetings.yaml
WITH_ADDENDUM = "M2026-0007"  # published, with one addendum
UNPUBLISHED = "M2026-0001"
PENDING = "A-0049"  # an application waiting for a decision


def ok(r):
    assert r.exit_code == 0, r.stderr
    return r.stdout


def verify_fails(cli, *args) -> str:
    r = cli("audit", "verify", *args)
    assert r.exit_code == 1, r.stdout
    assert r.stderr.startswith("error: ") and "Traceback" not in r.stderr
    return r.stderr.splitlines()[0]


def seq_of(cli, action: str, record: str) -> int:
    rows = json.loads(ok(cli("audit", "log", "--action", action, "--id", record, "-f", "json")))
    return rows[0]["seq"]  # newest first


def closed_and_rated_case(cli) -> str:
    """A case taken through the flow by commands, closed and rated."""
    cid = ok(cli("case", "add", "3号楼楼道堆放纸箱", "-c", "1001", "-b", "cj-yh4-b03",
                 "--at", "2026-11-23 09:00")).strip()
    ok(cli("case", "accept", cid, "--at", "2026-11-23 09:10"))
    ok(cli("case", "dispatch", cid, "--to", "cj-yh4-pm", "--at", "2026-11-23 09:20"))
    ok(cli("case", "reply", cid, "物业已清理", "--at", "2026-11-23 15:00"))
    ok(cli("case", "close", cid, "--note", "网格员现场核查", "--at", "2026-11-23 16:00"))
    ok(cli("case", "rate", cid, "--unresolved", "--satisfaction", "dissatisfied", "--at", "2026-11-24 10:00"))
    return cid


# ---- the triggers ---------------------------------------------------------------------

@pytest.mark.parametrize("statement", [
    f"UPDATE meeting SET published_text = published_text || '.' WHERE id = '{PUBLISHED}'",
    f"UPDATE meeting SET title = '另一个标题' WHERE id = '{PUBLISHED}'",
    f"DELETE FROM meeting WHERE id = '{PUBLISHED}'",
    f"UPDATE meeting_addendum SET text = '改过' WHERE meeting_id = '{WITH_ADDENDUM}'",
    f"DELETE FROM meeting_addendum WHERE meeting_id = '{WITH_ADDENDUM}'",
])
def test_the_database_refuses_to_change_or_remove_published_minutes_and_addenda(sql, statement):
    before = sql.one(f"SELECT published_text FROM meeting WHERE id = '{PUBLISHED}'")
    with pytest.raises(DBAPIError, match="published and cannot change|append-only"):
        sql.run(statement)
    assert sql.one(f"SELECT published_text FROM meeting WHERE id = '{PUBLISHED}'") == before
    assert sql.one(f"SELECT COUNT(*) FROM meeting_addendum WHERE meeting_id = '{WITH_ADDENDUM}'") == 1


def test_an_unpublished_meeting_still_changes_and_a_published_one_takes_addenda(sql, examples_cli):
    sql.run(f"UPDATE meeting SET title = '改过的标题' WHERE id = '{UNPUBLISHED}'")
    assert sql.one(f"SELECT title FROM meeting WHERE id = '{UNPUBLISHED}'") == "改过的标题"
    ok(examples_cli("meeting", "addendum", PUBLISHED, "更正：会议地点为二楼", "--at", "2026-11-23 10:00"))
    assert sql.one(f"SELECT COUNT(*) FROM meeting_addendum WHERE meeting_id = '{PUBLISHED}'") == 1
    assert "sealed records match" in ok(examples_cli("audit", "verify"))


# ---- published minutes and addenda -------------------------------------------------------

def test_one_byte_changed_in_published_minutes_is_named(sql, examples_cli):
    assert "5 sealed records match their hashes" in ok(examples_cli("audit", "verify"))
    sql.drop_guards("meeting")  # as an attacker with the database file would
    published = sql.one(f"SELECT published_text FROM meeting WHERE id = '{PUBLISHED}'")
    i = next(i for i, ch in enumerate(published) if ch in "0123456789")
    forged = published[:i] + str((int(published[i]) + 1) % 10) + published[i + 1:]
    assert len(forged.encode()) == len(published.encode())  # one byte differs
    sql.run("UPDATE meeting SET published_text = :t WHERE id = :m", t=forged, m=PUBLISHED)
    assert verify_fails(examples_cli) == (
        f"error: audit entry {seq_of(examples_cli, 'meeting.publish', PUBLISHED)} (meeting.publish {PUBLISHED}): "
        "the published minutes no longer match the hash recorded when they were published")


def test_a_changed_hash_beside_the_minutes_does_not_hide_the_change(sql, examples_cli):
    # Rewriting the text and the meeting's own hash column together still
    # disagrees with the hash in the audit chain.
    sql.drop_guards("meeting")
    forged = "# 会议\n\n全体同意。\n"
    sql.run("UPDATE meeting SET published_text = :t, content_hash = :h WHERE id = :m",
            t=forged, h=audit.content_digest(forged), m=PUBLISHED)
    assert "(meeting.publish M2026-0004): the published minutes no longer match" in verify_fails(examples_cli)


def test_a_changed_or_removed_addendum_is_named(sql, examples_cli):
    sql.drop_guards("meeting_addendum")
    sql.run(f"UPDATE meeting_addendum SET text = text || '（已撤回）' WHERE meeting_id = '{WITH_ADDENDUM}'")
    seq = seq_of(examples_cli, "meeting.addendum", WITH_ADDENDUM)
    assert verify_fails(examples_cli) == (
        f"error: audit entry {seq} (meeting.addendum {WITH_ADDENDUM}): "
        "the addendum no longer matches the hash recorded when it was added")
    sql.run(f"DELETE FROM meeting_addendum WHERE meeting_id = '{WITH_ADDENDUM}'")
    assert verify_fails(examples_cli).endswith(f"(meeting.addendum {WITH_ADDENDUM}): the addendum it sealed is gone")


def test_a_rewritten_chain_passes_alone_but_fails_against_the_published_anchor(sql, examples_cli):
    """The whole attack: change the minutes, their hashes, and recompute the
    chain. Only the head published earlier (the weekly report, the notice
    board) still shows it."""
    anchor = ok(examples_cli("audit", "verify")).split("head ")[1].strip()
    sql.drop_guards("meeting")
    sql.drop_guards("audit_log")
    forged = "# 会议\n\n全体同意。\n"
    digest = audit.content_digest(forged)
    sql.run("UPDATE meeting SET published_text = :t, content_hash = :h WHERE id = :m", t=forged, h=digest, m=PUBLISHED)
    sql.run("UPDATE audit_log SET content_hash = :h WHERE seq = :s", h=digest,
            s=seq_of(examples_cli, "meeting.publish", PUBLISHED))
    sql.rechain()
    assert "audit chain intact" in ok(examples_cli("audit", "verify"))
    assert "is not in the chain: the log was rewritten" in verify_fails(examples_cli, "--anchor", anchor)


# ---- case closes and ratings ---------------------------------------------------------------

@pytest.mark.parametrize("kind, change, message", [
    ("close", "UPDATE case_event SET note = '已解决' WHERE case_id = :c AND kind = 'close'",
     "the close event no longer matches the hash recorded when the case was closed"),
    ("close", "UPDATE case_event SET at = :earlier WHERE case_id = :c AND kind = 'close'",
     "the close event no longer matches the hash recorded when the case was closed"),
    ("close", "DELETE FROM case_event WHERE case_id = :c AND kind IN ('close', 'rate')",
     "the close event it sealed is gone from the case's timeline"),
    ("rate", "UPDATE case_event SET satisfaction = 'satisfied', resolved = :yes WHERE case_id = :c AND kind = 'rate'",
     "the rating no longer matches the hash recorded when the case was rated"),
])
def test_a_case_close_or_rating_changed_behind_cgovs_back_is_named(sql, examples_cli, kind, change, message):
    cid = closed_and_rated_case(examples_cli)
    assert "audit chain intact" in ok(examples_cli("audit", "verify"))
    params = {"c": cid}
    if ":earlier" in change:
        params["earlier"] = sql.one("SELECT at FROM case_event WHERE case_id = :c AND kind = 'reply'", c=cid)
    if ":yes" in change:
        params["yes"] = True
    sql.run(change, **params)
    seq = seq_of(examples_cli, f"case.{kind}", cid)
    assert verify_fails(examples_cli) == f"error: audit entry {seq} (case.{kind} {cid}): {message}"


def test_case_seals_do_not_depend_on_the_time_zone(examples_cli):
    cid = closed_and_rated_case(examples_cli)  # sealed in China Standard Time
    ok(examples_cli("access", "approve", PENDING, "--note", "经费到位", "--at", "2026-11-23 11:00"))
    outputs = {tz: ok(examples_cli("audit", "verify", env={"TZ": tz}))
               for tz in ("Asia/Shanghai", "UTC", "America/New_York")}
    assert len(set(outputs.values())) == 1 and "8 sealed records match" in outputs["UTC"]
    with store.reading(store.engine_for(examples_cli.db)) as s:
        entry = s.get(audit.AuditEntry, seq_of(examples_cli, "case.close", cid))
        assert json.loads(entry.detail)["event"] == 4  # accept, dispatch, reply, close


# ---- access-list decisions and refusals -------------------------------------------------------

@pytest.mark.parametrize("change, message", [
    ("UPDATE access_event SET reason = '领导同意' WHERE item_id = :i AND action = 'approve'",
     "the approve step no longer matches the hash recorded when it was taken"),
    ("UPDATE access_event SET actor = 'someone-else' WHERE item_id = :i AND action = 'approve'",
     "the approve step no longer matches the hash recorded when it was taken"),
    ("UPDATE access_event SET action = 'reject', status = 'rejected' WHERE item_id = :i AND action = 'approve'",
     "the approve step it sealed is gone from the item's history"),
])
def test_an_access_decision_changed_behind_cgovs_back_is_named(sql, examples_cli, change, message):
    ok(examples_cli("access", "approve", PENDING, "--note", "经费到位", "--at", "2026-11-23 11:00"))
    seq = seq_of(examples_cli, "access.approve", PENDING)
    sql.run(change, i=PENDING)
    assert verify_fails(examples_cli) == f"error: audit entry {seq} (access.approve {PENDING}): {message}"


def test_a_later_step_does_not_disturb_an_earlier_decision(examples_cli):
    ok(examples_cli("access", "approve", PENDING, "--at", "2026-11-23 11:00"))
    ok(examples_cli("access", "revoke", PENDING, "--reason", "并入其他事项", "--at", "2026-11-24 11:00"))
    assert "7 sealed records match" in ok(examples_cli("audit", "verify"))


def test_a_changed_refusal_is_named(sql, examples_cli):
    rid = ok(examples_cli("access", "refuse", "统计辖区奶茶店数量", "-d", "cj-market", "--at", "2026-11-23 10:00",
                          "-f", "json"))
    rid = json.loads(rid)["id"]
    sql.run("UPDATE access_refusal SET request = '统计辖区商户' WHERE id = :r", r=rid)
    assert verify_fails(examples_cli) == (
        f"error: audit entry {seq_of(examples_cli, 'access.refuse', rid)} (access.refuse {rid}): "
        "the refusal no longer matches the hash recorded when the request was turned away")


# ---- rewrites through cgov renew the seal ----------------------------------------------------------

def _export_record(cli, section: str, record: str) -> dict:
    doc = yaml.safe_load(ok(cli("export", "--only", section)))
    return next(r for r in doc[section] if r["id"] == record)


def _import(cli, tmp_path, section: str, record: dict) -> dict:
    f = tmp_path / "fix.yaml"
    f.write_text(yaml.safe_dump({"cgov": "1", section: [record]}, allow_unicode=True), encoding="utf-8")
    return ok(cli("import", f, "-f", "json"))


def test_an_import_that_rewrites_a_closed_case_renews_its_seal(sql, examples_cli, tmp_path):
    cid = closed_and_rated_case(examples_cli)
    close_seq = seq_of(examples_cli, "case.close", cid)
    record = _export_record(examples_cli, "cases", cid)
    close = next(e for e in record["events"] if e["kind"] == "close")
    close["note"] = "网格员与物业共同核查"  # corrected from the paper record
    _import(examples_cli, tmp_path, "cases", record)
    reseal = json.loads(ok(examples_cli("audit", "log", "--action", "case.reseal", "-f", "json")))
    assert [(r["ids"], r["detail"]["supersedes"], r["detail"]["sealed"]) for r in reseal] == [
        ([cid], close_seq, "case.close")]  # the rating did not change: its seal stands
    assert "audit chain intact" in ok(examples_cli("audit", "verify"))
    sql.run("UPDATE case_event SET note = '未核查' WHERE case_id = :c AND kind = 'close'", c=cid)
    assert verify_fails(examples_cli) == (
        f"error: audit entry {reseal[0]['seq']} (case.reseal {cid}): "
        "the event no longer matches the hash recorded when an import rewrote the timeline")


def test_an_import_that_rewrites_a_decision_renews_its_seal(examples_cli, tmp_path):
    ok(examples_cli("access", "approve", PENDING, "--at", "2026-11-23 11:00"))
    record = _export_record(examples_cli, "access_items", PENDING)
    record["history"][-1]["reason"] = "经费到位"
    _import(examples_cli, tmp_path, "access_items", record)
    reseal = json.loads(ok(examples_cli("audit", "log", "--action", "access.reseal", "-f", "json")))
    assert [(r["ids"], r["detail"]["sealed"]) for r in reseal] == [([PENDING], "access.approve")]
    assert "audit chain intact" in ok(examples_cli("audit", "verify"))


def test_verify_points_at_seals_renewed_by_imports(examples_cli, tmp_path):
    ok(examples_cli("access", "approve", PENDING, "--at", "2026-11-23 11:00"))
    record = _export_record(examples_cli, "access_items", PENDING)
    record["history"][-1]["reason"] = "经费到位"
    _import(examples_cli, tmp_path, "access_items", record)
    assert ok(examples_cli("audit", "verify")).splitlines()[1] == (
        "1 seals were renewed by imports that rewrote their records: cgov audit log --action '*.reseal'")


def test_a_forged_renewal_cannot_switch_off_another_records_seal(sql, examples_cli):
    """Someone with write access appends a well-chained `case.reseal` that
    claims to supersede the seal of the minutes they changed."""
    cid = closed_and_rated_case(examples_cli)
    sql.drop_guards("meeting")
    sql.run(f"UPDATE meeting SET published_text = published_text || '。' WHERE id = '{PUBLISHED}'")
    publish = seq_of(examples_cli, "meeting.publish", PUBLISHED)
    with store.writing(store.engine_for(examples_cli.db), actor="mallory") as s:
        audit.record(s, "case.reseal", entity="case", ids=[cid],
                     detail={"event": 4, "supersedes": publish, "sealed": "meeting.publish"}, content_hash=None)
    assert f"audit entry {publish} (meeting.publish {PUBLISHED})" in verify_fails(examples_cli)


def test_export_then_import_changes_nothing_and_renews_no_seal(examples_cli, tmp_path):
    closed_and_rated_case(examples_cli)
    ok(examples_cli("access", "approve", PENDING, "--at", "2026-11-23 11:00"))
    ok(examples_cli("meeting", "addendum", PUBLISHED, "更正：会议地点为二楼", "--at", "2026-11-23 10:00"))
    f = tmp_path / "all.yaml"
    ok(examples_cli("export", "-o", f))
    counts = json.loads(ok(examples_cli("import", f, "-f", "json")))
    assert [c for c in counts if c["created"] or c["updated"]] == []
    assert json.loads(ok(examples_cli("audit", "log", "--action", "*.reseal", "-f", "json"))) == []
    assert "9 sealed records match" in ok(examples_cli("audit", "verify"))


def test_records_stamped_now_round_trip_through_export(examples_cli, tmp_path):
    # No --at and no pinned clock: "now" must be stored as the export writes
    # it (to the second), or the published meeting reads back as changed.
    ok(examples_cli("meeting", "publish", "M2026-0005", "--where", "社区公开栏"))
    ok(examples_cli("meeting", "addendum", "M2026-0005", "更正：到会人数为9人"))
    ok(examples_cli("access", "approve", PENDING))
    f = tmp_path / "all.yaml"
    ok(examples_cli("export", "-o", f))
    counts = json.loads(ok(examples_cli("import", f, "-f", "json")))
    assert [c for c in counts if c["created"] or c["updated"]] == []


def test_seals_written_before_rows_were_hashed_are_counted_not_failed(examples_cli):
    """A store written by an earlier cgov: its close seals hashed a local-time
    string that cannot be rebuilt. They are reported, not taken for tampering."""
    cid = closed_and_rated_case(examples_cli)
    with store.writing(store.engine_for(examples_cli.db), actor="old-cgov") as s:
        audit.record(s, "case.close", entity="case", ids=[cid], detail={"status": "closed"},
                     content_hash=audit.content_digest(f"{cid}|2026-11-23T16:00:00+08:00|cj-yh4-pm|"))
    out = ok(examples_cli("audit", "verify"))
    assert "7 sealed records match their hashes (1 older seals in a form that cannot be recomputed)" in out


def test_a_changed_imported_refusal_is_named(sql, examples_cli):
    # Refusals that came in by import are sealed by the import's entry.
    sql.run("UPDATE access_refusal SET request = '改过' WHERE id = 'R-0001'")
    assert verify_fails(examples_cli) == (
        f"error: audit entry {seq_of(examples_cli, 'access.import', 'R-0001')} (access.import R-0001): "
        "the imported record no longer matches the hash recorded when it was imported")
