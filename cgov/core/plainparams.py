"""Cheap coercion for cgov's plain options (str, bool, int, lists of str).

Typer 0.29 passes every option's value, given or not, through a pydantic
TypeAdapter that it builds on first use. For `cgov case --help` that means
importing pydantic (about twice the cost of importing Typer) only to
confirm that the root's unset --db is None; for `case add` it means
building some twenty adapters, about 10 ms, to confirm that strings Click
has already parsed are strings. Click has done the parsing for these
types, so cgov hands them a coercer that checks the type (and a whole
number's min/max) and returns the value; anything else (dates, choices,
paths, float ranges, custom parsers) still goes through Typer's own adapters.

This reaches into Typer's private coercion layer (`typer._coercion`,
`_TyperParameter._runtime_param`). If a Typer release moves or reshapes
it, `install` does nothing and Typer's own coercion runs as before: slower,
not wrong."""

from dataclasses import dataclass
from typing import Any

_PLAIN = {str, bool, int, list[str]}

try:
    from typer import _coercion

    @dataclass(frozen=True)
    class _Plain(_coercion.RuntimeParam):
        descriptor: Any

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            kind = self.annotation
            if kind is str and isinstance(value, str):
                return value
            if kind is bool and isinstance(value, bool):
                return value
            if kind is int and isinstance(value, str):
                try:
                    # int() reads full-width digits too, as Chinese input methods type them.
                    return self._in_range(int(value), param, ctx)
                except ValueError:
                    pass  # "5.0" and the like: Typer reads those, or says why not
            elif kind is int and isinstance(value, int) and not isinstance(value, bool):
                return self._in_range(value, param, ctx)
            elif kind == list[str] and all(isinstance(v, str) for v in value):
                return list(value)
            # Not what Click usually hands over: let Typer decide, exactly as
            # it would have.
            full = _coercion.build_runtime_param(self.descriptor)
            return full._coerce_value(value, param=param, ctx=ctx)

        def _in_range(self, n: int, param: Any, ctx: Any) -> int:
            from typer._click.exceptions import BadParameter

            from cgov.core.schema import MAX_INTEGER

            low, high = self.parameter_info.min, self.parameter_info.max
            if abs(n) > MAX_INTEGER:  # more than the store can hold
                raise BadParameter(f"{n} is too large.", ctx=ctx, param=param)
            if low is not None and n < low:
                raise BadParameter(f"{n} is less than {low}.", ctx=ctx, param=param)
            if high is not None and n > high:
                raise BadParameter(f"{n} is more than {high}.", ctx=ctx, param=param)
            return n
except Exception:  # a Typer without this layer, or with another shape of it
    _Plain = None


def _eligible(param: Any) -> bool:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or getattr(param, "_runtime_param", False) is not None:
        return False
    info = descriptor.parameter_info
    return (descriptor.annotation in _PLAIN
            and descriptor.file_annotation is None
            and getattr(info, "parser", None) is None
            and getattr(info, "click_type", None) is None
            # Ranges only on whole numbers, and refused, not clamped.
            and (descriptor.annotation is int or (info.min is None and info.max is None))
            and not getattr(info, "clamp", False))


def install(command: Any, ctx: Any) -> None:
    """Give the plain options of `command` and all its subcommands the cheap
    coercer. Safe to call again: options already set up are left alone.
    `ctx` is the context of `command` or of the group above it: it names the
    help option (-h/--help), which Click makes on first use and which
    every subcommand inherits."""
    if _Plain is None:
        return
    for param in command.get_params(ctx):
        try:
            if _eligible(param):
                descriptor = param.type_descriptor
                param._runtime_param = _Plain(parameter_info=descriptor.parameter_info,
                                              annotation=descriptor.annotation, descriptor=descriptor)
        except (AttributeError, TypeError):
            return  # Typer's parameters have changed shape: its own coercion runs
    for sub in getattr(command, "commands", {}).values():
        install(sub, ctx)
