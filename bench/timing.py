"""Wall-clock time and peak memory of whole commands, as a user runs them."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time


def run(argv: list[str], env: dict | None = None, stdin_path: str | None = None) -> tuple[float, int]:
    """(seconds, peak resident kilobytes) of one run; raises if it fails."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    with tempfile.TemporaryFile() as err, open(stdin_path or os.devnull, "rb") as stdin:
        start = time.perf_counter()
        p = subprocess.Popen(argv, env=full_env, stdin=stdin, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        elapsed = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(argv)} failed ({p.returncode}): "
                               f"{err.read().decode(errors='replace')[-800:]}")
    return elapsed, usage.ru_maxrss


def median_of(argv: list[str], runs: int, env: dict | None = None, setup=None) -> float:
    """Median seconds of `runs` runs (setup() runs before each, untimed)."""
    times = []
    for _ in range(runs):
        if setup:
            setup()
        times.append(run(argv, env)[0])
    return statistics.median(times)


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def paired_medians(argv: list[str], baseline: list[str], runs: int, env: dict | None = None) -> tuple[float, float]:
    """Medians of `argv` and of its baseline run turn about, so that a shared
    machine's slow and quick moments fall on both alike."""
    mine, base = [], []
    for _ in range(runs):
        mine.append(run(argv, env)[0])
        base.append(run(baseline)[0])
    return statistics.median(mine), statistics.median(base)

