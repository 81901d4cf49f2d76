"""`cgov meeting …` and `cgov matter …`."""

import typer

meeting_app = typer.Typer(help="Meetings and minutes: quorum, votes, resolutions, disclosure.", no_args_is_help=True)
matter_app = typer.Typer(help="Major matters through 四议两公开.", no_args_is_help=True)
