"""`cgov access …`."""

import typer

access_app = typer.Typer(help="The work-item access list (社区工作事项准入).", no_args_is_help=True)
