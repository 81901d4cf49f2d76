"""`cgov import` and `cgov export`: one YAML format for every section.

Each feature owns its sections (an `exchange` module with SECTIONS, plan,
apply, export). An import reads every file, reports every problem it finds,
and commits only when there are none: one transaction, all or nothing."""

from __future__ import annotations

from cgov.core import audit, privacy, yamlio
from cgov.core.errors import ImportErrors, Invalid
from cgov.core.schema import Problems


def _features():
    # Order matters: later sections refer to records of earlier ones.
    from cgov.access import exchange as access
    from cgov.cases import exchange as cases
    from cgov.meetings import exchange as meetings
    from cgov.org import exchange as org
    from cgov.volunteers import exchange as volunteers

    return [org, cases, access, meetings, volunteers]


def all_sections() -> list[str]:
    return [s for f in _features() for s in f.SECTIONS]


def parse_sources(sources: list[tuple[str, bytes]], problems: Problems) -> dict:
    """{section: [(file, items)]} from every readable file."""
    known = set(all_sections())
    sections: dict = {}
    for name, data in sources:
        try:
            doc = yamlio.load(yamlio.read_text(name, data))
        except yamlio.YamlError as e:
            problems.add(name, e.line, "file", e.message)
            continue
        if not isinstance(doc, dict):
            problems.add(name, getattr(doc, "line", None) or 1, "file",
                         "expected a mapping with 'cgov: 1' and sections")
            continue
        if doc.get("cgov") != "1":
            problems.add(name, doc.line, "file",
                         f"'cgov: 1' (the schema version) is required; found {doc.get('cgov')!r}")
            continue
        for key, items in doc.items():
            if key == "cgov":
                continue
            if key not in known:
                problems.add(name, doc.line, "file", f"unknown section '{key}' (known: {', '.join(sorted(known))})")
                continue
            if items is None:
                continue
            if not isinstance(items, list):
                problems.add(name, getattr(items, "line", doc.line), key, "a section must be a list of records")
                continue
            sections.setdefault(key, []).append((name, items))
    return sections


def import_sources(session, sources: list[tuple[str, bytes]], dry_run: bool = False,
                   progress=None) -> dict:
    """Check everything, then write everything; raise ImportErrors otherwise.
    The caller's transaction is rolled back on error (and on dry run)."""
    problems = Problems()
    step = progress or (lambda label: None)
    step("reading")
    sections = parse_sources(sources, problems)
    restore_masked_text(session, sections)
    # Feature by feature, inside the caller's one transaction: cases can refer
    # to a grid defined in the same file because the org sections are written
    # (not committed) before the cases are checked. The first feature with
    # problems stops the import, so later ones don't report its records as
    # missing; nothing is committed either way.
    counts: dict = {}
    for f in _features():
        name = f.__name__.split(".")[-2]
        step(f"checking {name}")
        p = f.plan(session, sections, problems)
        if problems:
            raise ImportErrors(problems)
        step(f"writing {name}")
        counts.update(f.apply(session, p))
        if problems:  # found only while writing (e.g. a post given twice)
            raise ImportErrors(problems)
    changed = sum(c["created"] + c["updated"] for c in counts.values())
    if changed and not dry_run:
        audit.record(session, "import", entity="import", ids=[n for n, _ in sources],
                     detail={"counts": counts})
    return {"files": [n for n, _ in sources], "dry_run": dry_run, "counts": counts}


def export(session, only: list[str] | None = None, reveal: bool = False) -> dict:
    known = all_sections()
    for s in only or []:
        if s not in known:
            raise Invalid(f"--only: unknown section '{s}'", hint=f"sections: {', '.join(known)}")
    doc: dict = {"cgov": 1}
    for f in _features():
        for name, items in f.export(session).items():
            if only and name not in only:
                continue
            if items:
                doc[name] = items
    # DESIGN §6: masked on every output path, export included — ID and
    # phone fields, and the numbers people type into text (a case title, a
    # note, a draft of the minutes), here once for every feature's sections.
    # Imported back, masked values keep what is stored (restore_masked_text).
    return doc if reveal else privacy.mask_record(doc, free_text=True)


def restore_masked_text(session, sections: dict) -> None:
    """Text in a record that is the masked form of what the store holds for
    that record (an export read back) becomes the stored text again, so
    `export | import` changes nothing. A record is found again by its id,
    and its parts (events, agenda items) by their id or their position.
    Masked text in a new record is imported as written."""
    wanted = [name for name, files in sections.items() if _has_mask([items for _, items in files])]
    if not wanted:
        return  # the usual import: no masked text, no work
    stored: dict = {}
    for f in _features():
        if set(f.SECTIONS) & set(wanted):
            stored.update(f.export(session))
    for name in wanted:
        by_id = {r["id"]: r for r in stored.get(name) or [] if isinstance(r, dict) and "id" in r}
        for _, items in sections[name]:
            for i, record in enumerate(items):
                if isinstance(record, dict) and record.get("id") in by_id:
                    items[i] = _restore(record, by_id[record["id"]])


def _has_mask(value) -> bool:
    if isinstance(value, str):
        return privacy.has_masked_number(value)
    if isinstance(value, dict):
        return any(_has_mask(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_mask(v) for v in value)
    return False


def _restore(incoming, stored):
    if isinstance(incoming, str):
        if isinstance(stored, str) and incoming != stored and privacy.has_masked_number(incoming) \
                and privacy.mask_text(stored) == incoming:
            return stored
        return incoming
    if isinstance(incoming, dict) and isinstance(stored, dict):
        for k, v in incoming.items():
            if k in stored:
                incoming[k] = _restore(v, stored[k])
        return incoming
    if isinstance(incoming, list) and isinstance(stored, list):
        by_id = {x["id"]: x for x in stored if isinstance(x, dict) and "id" in x}
        for i, v in enumerate(incoming):
            if isinstance(v, dict) and v.get("id") in by_id:
                incoming[i] = _restore(v, by_id[v["id"]])
            elif i < len(stored):
                incoming[i] = _restore(v, stored[i])
        return incoming
    return incoming
