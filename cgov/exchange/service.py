"""`cgov import` and `cgov export`: one YAML format for every section.

Each feature owns its sections (an `exchange` module with SECTIONS, plan,
apply, export). An import reads every file, reports every problem it finds,
and commits only when there are none: one transaction, all or nothing."""

from __future__ import annotations

from cgov.core import audit, yamlio
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
        for name, items in f.export(session, reveal=reveal).items():
            if only and name not in only:
                continue
            if items:
                doc[name] = items
    return doc
