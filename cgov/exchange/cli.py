"""`cgov import` and `cgov export`."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from cgov.core import cmd, i18n
from cgov.core.cmd import FormatOpt, LangOpt, ReasonOpt, RevealOpt


def import_cmd(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help="YAML files (cgov: 1); '-' reads standard input.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count, write nothing.")] = False,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """Import org charts, rosters and records from YAML: all files whole, or nothing.

    \b
    Examples:
      cgov import examples/town.yaml
      cgov import --dry-run roster.yaml
      cat roster.yaml | cgov import -"""
    from cgov.core import yamlio
    from cgov.core.errors import Invalid
    from cgov.core.output import Col, render_list
    from cgov.exchange import service

    o = cmd.out(ctx, fmt, lang)
    sources = []
    for name in files:
        try:
            sources.append(yamlio.read_source(name))
        except OSError as e:
            raise Invalid(f"cannot read {name}: {e.strerror}") from None
    if dry_run and cmd.missing_store(ctx) is not None:
        # Check against an empty store in a temporary folder: a dry run
        # leaves nothing behind, not even a new database file.
        import tempfile

        from cgov.core import store

        with tempfile.TemporaryDirectory() as tmp:
            scratch = str(Path(tmp) / "dry-run.db")
            try:
                result = _import(store.engine_for(scratch), cmd.actor(ctx), service, sources, dry_run)
            finally:
                store.forget_engine(scratch)
    else:
        new_store = cmd.missing_store(ctx)
        try:
            result = _import(cmd.engine(ctx), cmd.actor(ctx), service, sources, dry_run)
        except BaseException:
            if new_store is not None:
                # "nothing was written": not even the database the import
                # would have created.
                from cgov.core import store

                store.discard_sqlite(new_store)
            raise
    rows = [{"section": k, **v} for k, v in result["counts"].items()]
    title = None
    if o.fmt not in ("json", "csv"):
        title = i18n.t("Dry run: nothing was written", "试运行：未写入任何数据", o.lang) if dry_run else None
    render_list(rows, [Col("section", "Section", "部分"), Col("created", "Created", "新建"),
                       Col("updated", "Updated", "更新"), Col("unchanged", "Unchanged", "未变")], o, title=title)


def _import(engine, actor: str, service, sources, dry_run: bool) -> dict:
    from cgov.core import store

    with _progress(sum(len(d) for _, d in sources)) as step, store.writing(engine, actor=actor) as s:
        result = service.import_sources(s, sources, dry_run=dry_run, progress=step)
        if dry_run:
            s.rollback()
    return result


class _progress:
    """A progress bar on stderr for large imports at a terminal; silent otherwise."""

    def __init__(self, size: int):
        import os
        import sys

        self.live = size > 2_000_000 and sys.stderr.isatty() and not os.environ.get("NO_COLOR")
        self.bar = None

    def __enter__(self):
        if not self.live:
            return lambda label: None
        from rich.progress import Progress

        self.bar = Progress(transient=True)
        self.bar.start()
        task = self.bar.add_task("import", total=None)
        return lambda label: self.bar.update(task, description=label, advance=1)

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()
        return False


def export_cmd(
    ctx: typer.Context,
    only: Annotated[Optional[str], typer.Option(help="Comma-separated sections, e.g. areas,persons.")] = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Write to this file (default: standard output).")] = None,
    reveal: RevealOpt = False, reason: ReasonOpt = None,
):
    """Export the store as cgov YAML; `cgov export | cgov import -` changes nothing.

    ID numbers and phones, also those typed into text, are masked unless
    --reveal --reason is given; a masked value imported back keeps what is stored.

    Example: cgov export --only areas,organizations -o chart.yaml"""
    from cgov.core import audit, yamlio
    from cgov.exchange import service

    o = cmd.out(ctx, None, None, reveal, reason)
    sections = [s.strip() for s in only.split(",")] if only else None
    if output:
        from cgov.core.files import check_target

        check_target(output)
    with cmd.reading(ctx) as s:
        doc = service.export(s, only=sections, reveal=o.reveal)
    text = yamlio.dump(doc)
    if output:
        from cgov.core.files import write_atomic

        write_atomic(output, text.encode("utf-8"))
    else:
        typer.echo(text, nl=False)
    if o.reveal:
        with cmd.writing(ctx) as s:
            audit.record(s, "reveal", entity="export", ids=[output or "<stdout>"],
                         detail={"fields": ["id_number", "phone"], "reason": o.reason,
                                 "sections": sections or "all"})
