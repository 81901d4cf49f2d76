"""YAML sections of this feature (filled in by its issue)."""

SECTIONS: tuple = ()


def plan(session, sections, problems):
    return None


def apply(session, plan) -> dict:
    return {}


def export(session, reveal: bool = False) -> dict:
    return {}
