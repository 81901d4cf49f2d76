"""Writing files that cron jobs and other people read."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import time
from pathlib import Path


def check_target(path) -> None:
    """Refuse, before any work, a file to write in a folder that does not
    exist: a mistyped folder is an error, not a new tree."""
    from cgov.core.errors import Invalid

    folder = Path(path).parent
    if not folder.is_dir():
        raise Invalid(f"cannot write {path}: there is no directory {folder}")


def write_atomic(path, data: bytes, mode: int = 0o600) -> None:
    """Write to a temporary file beside the target, then rename: a reader
    never sees half a file, and a failure leaves the old file in place.
    Callers run check_target before their work; what can still go wrong
    here (a folder removed meanwhile, no permission) is one line too."""
    from cgov.core.errors import Invalid

    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    except OSError as e:
        raise Invalid(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def exclusive(lock_path, wait: float, what: str):
    """Hold an exclusive lock on a file for the duration, waiting up to `wait`
    seconds for another holder (another cron run) to finish."""
    from cgov.core.errors import Refused

    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Refused(f"{what}; gave up after {wait:g} s", hint="try again when it has finished") from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)
