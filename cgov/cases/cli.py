"""`cgov case …`."""

import typer

case_app = typer.Typer(help="Cases: the community blows the whistle, departments report.", no_args_is_help=True)
