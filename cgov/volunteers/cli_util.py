"""What the volunteers commands share: columns with our own Chinese labels,
times from --at, period bounds and the one-line answer of a step. Light:
only typer, cgov.core.cmd and i18n at import."""

from __future__ import annotations

import typer

from cgov.core import cmd, i18n
from cgov.volunteers.labels import LABELS


def cols(*spec):
    """Columns from (key, en, zh[, True]); a fourth item marks an enum,
    rendered with this feature's labels under --lang zh."""
    from cgov.core.output import cols as make

    return make(*spec, labels=LABELS)


def at(value: str | None):
    from cgov.core import clock

    return clock.parse_at(value) if value else None


def day(value: str | None):
    """The local date of --at, for records kept by the day."""
    from cgov.core import clock

    return clock.to_local(clock.parse_at(value)).date() if value else None


def since(value: str | None):
    from cgov.volunteers.common import bound

    return bound(value, "--since") if value else None


def until(value: str | None):
    from cgov.volunteers.common import bound

    return bound(value, "--until", end=True) if value else None


def json_or(ctx: typer.Context, fmt: str | None, lang: str | None, row: dict, line) -> None:
    """The whole record with -f json, else the one line `line(lang)`."""
    o = cmd.out(ctx, fmt, lang)
    if o.fmt == "json":
        from cgov.core.output import render_show

        render_show(row, [], o)
        return
    typer.echo(line(o.lang))


def new_id(ctx: typer.Context, fmt: str | None, lang: str | None, row: dict) -> None:
    """After an add: the new id only (the whole record with -f json)."""
    json_or(ctx, fmt, lang, row, lambda _: row["id"])


def step(ctx: typer.Context, fmt: str | None, lang: str | None, row: dict) -> None:
    """After a step: the id and the status it leads to."""
    json_or(ctx, fmt, lang, row, lambda lg: f"{row['id']} {LABELS.get(row['status'], row['status']) if lg == 'zh' else row['status']}")


def note(message_en: str, message_zh: str, lang: str | None, ctx: typer.Context) -> None:
    """Something the user should know about what was recorded, on stderr so
    that stdout stays the id."""
    cmd.echo_err(i18n.t(message_en, message_zh, i18n.resolve_lang(lang or cmd.state(ctx).lang)))
