"""Glue between Typer commands and the services: the global state, output
settings, sessions, and the shared option types every read command uses.

Imports only typer and light core modules: heavy ones (SQLAlchemy through the
store, rich through the renderers) load inside the commands that need them."""

import contextlib
import getpass
import os
from dataclasses import dataclass
from typing import Annotated, Optional

import typer

from cgov.core import i18n
from cgov.core.errors import Invalid, Usage

# One definition of the output options, declared on every read command so that
# `cgov grid list -f json` works as well as `cgov -f json grid list`.
FormatOpt = Annotated[Optional[str], typer.Option(
    "--format", "-f", help="table, plain, md, csv or json", show_default=False)]
LangOpt = Annotated[Optional[str], typer.Option("--lang", help="en or zh", show_default=False)]
RevealOpt = Annotated[bool, typer.Option("--reveal", help="Show ID numbers and phones in full (needs --reason).")]
ReasonOpt = Annotated[Optional[str], typer.Option("--reason", help="Why the full values are needed; logged.")]
AtOpt = Annotated[Optional[str], typer.Option(
    "--at", help="When it happened (ISO 8601, local time unless a zone is given); default now.")]


def sub_app(help: str) -> typer.Typer:
    """A noun's command group. Plain (click) help: Typer's rich help imports
    rich and markdown-it, which would double the time `cgov --help` takes."""
    return typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=None)


@dataclass
class State:
    db: str | None = None
    fmt: str | None = None
    lang: str | None = None
    actor: str | None = None
    debug: bool = False
    reveal: bool = False
    reason: str | None = None


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def actor(ctx: typer.Context) -> str:
    st = state(ctx)
    if st.actor:
        return st.actor
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers and cron jobs
        return "unknown"


def out(ctx: typer.Context, fmt: str | None = None, lang: str | None = None,
        reveal: bool = False, reason: str | None = None, formats: tuple | None = None):
    """Output settings: the command's options, else the global ones, else the
    environment. `formats` narrows (or, for reports, widens) what is allowed."""
    from cgov.core.output import FORMATS, Out, default_format

    st = state(ctx)
    fmt = fmt or st.fmt or default_format()
    allowed = formats or FORMATS
    if fmt == "table" and "table" not in allowed:
        fmt = "plain"  # the terminal default, where a command has no rich table
    if fmt not in allowed:
        raise Usage(f"--format: '{fmt}' is not one of {', '.join(allowed)}")
    lang = i18n.resolve_lang(lang or st.lang)
    if lang not in ("en", "zh"):
        raise Usage(f"--lang: '{lang}' is not en or zh")
    # --reveal/--reason work before the noun as well as after the verb.
    reveal, reason = reveal or st.reveal, reason or st.reason
    if reveal and not (reason and reason.strip()):
        raise Invalid("--reveal needs --reason: say why the full ID numbers and phones are needed")
    return Out(fmt=fmt, lang=lang, reveal=reveal, reason=reason)


def engine(ctx: typer.Context):
    from cgov.core import store

    return store.engine_for(state(ctx).db)


def missing_store(ctx: typer.Context):
    """The SQLite file --db names when it does not exist yet, else None."""
    from cgov.core import store

    path = store.sqlite_path(store.db_url(state(ctx).db))
    return path if path is not None and not path.exists() else None


def existing_store(ctx: typer.Context) -> None:
    """Commands that only read never create a store: a mistyped --db would
    otherwise answer with an empty list (or, under cron, an empty report
    every week) and leave a stray database behind."""
    from cgov.core.errors import NotFound

    path = missing_store(ctx)
    if path is not None:
        # One line, no hint: cron mails it as the whole reason.
        raise NotFound(f"no cgov database at {path}: give an existing store with --db or CGOV_DB "
                       "(cgov init or cgov import creates one)")


@contextlib.contextmanager
def writing(ctx: typer.Context):
    from cgov.core import store

    with store.writing(engine(ctx), actor=actor(ctx)) as s:
        yield s


@contextlib.contextmanager
def reading(ctx: typer.Context):
    from cgov.core import store

    existing_store(ctx)
    with store.reading(engine(ctx)) as s:
        yield s


def log_reveal(ctx: typer.Context, o, what: str) -> None:
    """--reveal is written to the audit log: who, why, which kinds of field
    for which records; never the values themselves."""
    if not o.reveal or not o.revealed:
        return
    from cgov.core import audit

    kinds = sorted({k for k, _ in o.revealed})
    ids = sorted({str(i) for _, i in o.revealed if i is not None})
    with writing(ctx) as s:
        audit.record(s, "reveal", entity=what, ids=ids, detail={"fields": kinds, "reason": o.reason})


def is_tty() -> bool:
    import sys

    return sys.stdout.isatty() and not os.environ.get("CI")


def echo_err(message: str) -> None:
    typer.echo(message, err=True)
