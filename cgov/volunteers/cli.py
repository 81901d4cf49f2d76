"""`cgov points …`, `cgov need …`, `cgov resource …`, `cgov project …` and `cgov org register`."""

import typer

from cgov.core import cmd

points_app = cmd.sub_app("Volunteer points (志愿者积分): earn, redeem, balances and ranks.")
need_app = cmd.sub_app("Needs and micro-wishes (需求清单、微心愿).")
resource_app = cmd.sub_app("Resources offered by co-building units (资源清单).")
project_app = cmd.sub_app("Projects matching needs to resources (项目清单).")


def register_cmd(ctx: typer.Context):
    """Register a unit or an in-service party member with a community (双报到)."""
    raise typer.Exit(0)
