"""The root of the command line: global options and the feature apps.

Kept light: `cgov --help` must not import SQLAlchemy or PyYAML."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Optional

import typer
import typer.exceptions
from typer.core import TyperGroup

from cgov import __version__
from cgov.core import cmd
from cgov.core.errors import CgovError, ImportErrors

class _Root(TyperGroup):
    """Turns domain errors into one line on stderr and their exit code, for
    every subcommand, whether run from a shell or from tests in-process."""

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
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version.")] = False,
):
    ctx.obj = cmd.State(db=db, fmt=fmt, lang=lang, actor=actor, debug=debug)


def _register():
    from cgov.access import cli as access_cli
    from cgov.cases import cli as cases_cli
    from cgov.core import db_cli
    from cgov.meetings import cli as meetings_cli
    from cgov.exchange import cli as exchange_cli
    from cgov.org import cli as org_cli
    from cgov.org import cli_people
    from cgov.reports import cli as reports_cli
    from cgov.volunteers import cli as volunteers_cli

    app.command("init")(db_cli.init)
    app.add_typer(db_cli.db_app, name="db")
    app.command("import")(exchange_cli.import_cmd)
    app.command("export")(exchange_cli.export_cmd)
    app.add_typer(org_cli.area_app, name="area")
    app.add_typer(org_cli.grid_app, name="grid")
    app.add_typer(org_cli.org_app, name="org")
    app.add_typer(org_cli.branch_app, name="branch")
    app.add_typer(cli_people.person_app, name="person")
    app.add_typer(cli_people.post_app, name="post")
    app.add_typer(cases_cli.case_app, name="case")
    app.add_typer(meetings_cli.meeting_app, name="meeting")
    app.add_typer(meetings_cli.matter_app, name="matter")
    app.add_typer(access_cli.access_app, name="access")
    org_cli.org_app.command("register")(volunteers_cli.register_cmd)
    app.add_typer(volunteers_cli.points_app, name="points")
    app.add_typer(volunteers_cli.need_app, name="need")
    app.add_typer(volunteers_cli.resource_app, name="resource")
    app.add_typer(volunteers_cli.project_app, name="project")
    app.add_typer(reports_cli.report_app, name="report")
    app.add_typer(db_cli.audit_app, name="audit")


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
