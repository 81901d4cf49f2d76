"""The root of the command line: global options and the feature apps.

Kept light: `cgov --help` must not import SQLAlchemy or PyYAML, and a
command loads only its own noun's module: building every command of every
feature on each start cost more than importing Typer itself."""

import copy
import importlib
import os
import sys
from typing import Annotated, Optional

import typer
import typer.exceptions
import typer.main
from typer.core import TyperGroup

from cgov import __version__
from cgov.core import cmd, plainparams
from cgov.core.errors import CgovError, ImportErrors

# noun: (module, Typer app in it, one line for `cgov --help`), in help order.
NOUNS = {
    "db": ("cgov.core.db_cli", "db_app", "The database: information, checks, backups, copies, upgrades."),
    "area": ("cgov.org.cli", "area_app", "Areas: district, street/town, community/village, grid, building."),
    "grid": ("cgov.org.cli", "grid_app", "Grids (网格): who looks after them, and the coverage check."),
    "org": ("cgov.org.cli", "org_app", "Organizations: the party line, committees, property, departments."),
    "branch": ("cgov.org.cli", "branch_app", "Party branches (党支部): secretaries and members."),
    "person": ("cgov.org.cli_people", "person_app", "People: residents, party members, staff, grid workers."),
    "post": ("cgov.org.cli_people", "post_app", "Posts: who holds which role where, with dates."),
    "case": ("cgov.cases.cli", "case_app", "Cases: the community blows the whistle, departments report."),
    "meeting": ("cgov.meetings.cli", "meeting_app", "Meetings and minutes: quorum, votes, disclosure."),
    "matter": ("cgov.meetings.cli", "matter_app", "Major matters through 四议两公开."),
    "access": ("cgov.access.cli", "access_app", "The work-item access list (社区工作事项准入)."),
    "points": ("cgov.volunteers.cli", "points_app", "Volunteer points (志愿者积分)."),
    "need": ("cgov.volunteers.cli", "need_app", "Needs and micro-wishes (需求清单、微心愿)."),
    "resource": ("cgov.volunteers.cli", "resource_app", "Resources offered by co-building units."),
    "project": ("cgov.volunteers.cli", "project_app", "Projects matching needs to resources."),
    "report": ("cgov.reports.cli", "report_app", "Reports: the weekly summary and today's status."),
    "audit": ("cgov.core.db_cli", "audit_app", "The audit log: who changed what, and when."),
}


class _Root(TyperGroup):
    """Loads each noun's commands when they are used (see NOUNS), and turns
    domain errors into one line on stderr and their exit code, for every
    subcommand, whether run from a shell or from tests in-process."""

    def list_commands(self, ctx):
        return list(super().list_commands(ctx)) + [n for n in NOUNS if n not in self.commands]

    def resolve_command(self, ctx, args):
        # The word after the noun, so that get_command builds only that verb.
        self._verb = args[1] if len(args) > 1 else None
        return super().resolve_command(ctx, args)

    def get_command(self, ctx, name):
        if name in NOUNS and name not in self.commands:
            module, attribute, _ = NOUNS[name]
            app, whole = _narrowed(getattr(importlib.import_module(module), attribute), getattr(self, "_verb", None))
            group = typer.main.get_group(app)
            group.name = name
            plainparams.install(group, ctx)
            if not whole:
                return group
            self.commands[name] = group
        return super().get_command(ctx, name)

    def parse_args(self, ctx, args):
        plainparams.install(self, ctx)
        return super().parse_args(ctx, args)

    def format_commands(self, ctx, formatter):
        # The nouns' one-liners come from NOUNS, so help imports no feature.
        rows = [(n, self.commands[n].get_short_help_str(limit=60)) for n in self.commands if n not in NOUNS]
        rows += [(n, line) for n, (_, _, line) in NOUNS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CgovError as e:
            if _debug(ctx):
                raise
            ctx.exit(_fail(e))
        except (typer.Exit, typer.Abort, typer.exceptions.TyperException):
            raise
        except BrokenPipeError:
            # `cgov … | head` closed the pipe: not an error worth a traceback.
            sys.stderr.close()
            ctx.exit(0)
        except Exception as e:
            if _debug(ctx):
                raise
            typer.echo(f"error: internal error: {type(e).__name__}: {e}", err=True)
            typer.echo("hint: run again with --debug for the traceback", err=True)
            ctx.exit(1)


def _narrowed(app: typer.Typer, verb: str | None) -> tuple[typer.Typer, bool]:
    """The noun's app with only `verb` in it when `verb` is one of its
    commands, and whether it is the whole app. Typer builds every command of
    a group (signature, type hints, options) to run one of them: 5 ms of a
    `case add` for the case noun's sixteen. Anything else (--help, a typo
    that deserves a suggestion) gets the whole app."""
    found = [c for c in app.registered_commands
             if (c.name or typer.main.get_command_name(c.callback.__name__)) == verb]
    if len(found) != 1 or app.registered_groups:
        return app, True
    narrow = copy.copy(app)
    narrow.registered_commands = found
    return narrow, False


def _debug(ctx) -> bool:
    obj = ctx.obj
    return bool(getattr(obj, "debug", False) or os.environ.get("CGOV_DEBUG"))


app = typer.Typer(
    cls=_Root,
    name="cgov",
    help="Community governance from the command line: org chart, cases, access list, meetings, reports.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool):
    if value:
        typer.echo(f"cgov {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option(
        "--db", envvar="CGOV_DB", show_default=False,
        help="Database: a file path or a SQLAlchemy URL (postgresql+psycopg://…).")] = None,
    fmt: Annotated[Optional[str], typer.Option(
        "--format", "-f", envvar="CGOV_FORMAT", show_default=False,
        help="Output: table, plain, md, csv, json.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", envvar="CGOV_LANG", show_default=False,
                                                help="en or zh (default from LANG).")] = None,
    actor: Annotated[Optional[str], typer.Option("--actor", envvar="CGOV_ACTOR", show_default=False,
                                                 help="Who is acting, for the audit log (default: login name).")] = None,
    reveal: Annotated[bool, typer.Option(
        "--reveal", help="Show ID numbers and phones in full (needs --reason; logged).")] = False,
    reason: Annotated[Optional[str], typer.Option(
        "--reason", show_default=False, help="Why the full values are needed; written to the audit log.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version.")] = False,
):
    ctx.obj = cmd.State(db=db, fmt=fmt, lang=lang, actor=actor, debug=debug, reveal=reveal, reason=reason)


def _register():
    from cgov.core import db_cli
    from cgov.exchange import cli as exchange_cli

    app.command("init")(db_cli.init)
    app.command("import")(exchange_cli.import_cmd)
    app.command("export")(exchange_cli.export_cmd)


_register()


# A file with thousands of problems usually has one mistake repeated; the
# first thousand lines say what it is without burying the terminal.
MAX_PROBLEMS_SHOWN = 1000


def _fail(err: CgovError) -> int:
    typer.echo(f"error: {err.message}", err=True)
    if isinstance(err, ImportErrors):
        shown = err.problems[:MAX_PROBLEMS_SHOWN]
        for line in shown:
            typer.echo(f"  {line}", err=True)
        if len(err.problems) > len(shown):
            typer.echo(f"  … and {len(err.problems) - len(shown)} more like these", err=True)
    if err.hint:
        typer.echo(f"hint: {err.hint}", err=True)
    return err.exit_code


def main() -> None:
    app()
