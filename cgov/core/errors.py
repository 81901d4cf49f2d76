"""Errors users see. Each is printed as one line `error: …` and exits 1,
except Usage (2) and Busy (75). Kept free of heavy imports: the CLI entry point loads it."""


class CgovError(Exception):
    """A domain error: not found, invalid input, a refused transition."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotFound(CgovError):
    pass


class Invalid(CgovError):
    pass


class Refused(CgovError):
    """A rule of the domain said no (state machine, access list, vote rules)."""


class Busy(CgovError):
    exit_code = 75


class Usage(CgovError):
    """A command line cgov cannot use as given (a --format or --lang it
    does not have): exit 2, as for the options Click itself refuses."""

    exit_code = 2


class ImportErrors(CgovError):
    """Every problem found in a set of import files, reported together."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        n = len(problems)
        super().__init__(
            f"{n} error{'s' if n != 1 else ''} in import; nothing was written",
        )
