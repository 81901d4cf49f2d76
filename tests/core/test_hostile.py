"""Hostile and broken input through `cgov import`: each a clean one-line
error with the file and line, exit 1, and nothing written."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

BASE = "cgov: 1\npersons:\n  - {id: p-1, name: 王建国}\n"
TABLES = ("person", "area", "audit_log")


def bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        p, c = chr(96 + i), chr(97 + i)
        lines.append(f"{c}: &{c} [" + ", ".join([f"*{p}"] * 10) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name, data, message", [
    ("python-tag", "cgov: 1\npersons: !!python/object/apply:os.system ['echo owned']\n", "is not allowed"),
    ("alias-bomb", bomb(), "aliases expand"),
    ("deep", "cgov: 1\nx: " + "[" * 80 + "]" * 80 + "\n", "deeper than 64"),
    ("dup-deep", "cgov: 1\npersons:\n  - id: p-1\n    name: 甲\n    party: {status: full, status: probationary}\n",
     "duplicate key 'status'"),
    ("nul", "cgov: 1\npersons:\n  - {id: p-1, name: 王\x00}\n", "NUL byte"),
    ("zero-width-id", "cgov: 1\npersons:\n  - {id: \"p\u200b-1\", name: 王建国}\n", "has characters other than"),
    ("not-a-mapping", "- just\n- a list\n", "expected a mapping"),
    ("empty", "", "expected a mapping"),
])
def test_hostile_yaml(cli, tmp_path, table_counts, name, data, message):
    f = tmp_path / f"{name}.yaml"
    f.write_bytes(data.encode("utf-8"))
    r = cli("import", f)
    assert r.exit_code == 1, r.output
    assert r.stderr.startswith("error: ") and message in r.stderr, r.stderr
    assert str(f) in r.stderr
    assert "Traceback" not in r.stderr
    assert table_counts(cli.db, TABLES) == {t: 0 for t in TABLES}


def test_gbk_file_says_how_to_convert(cli, tmp_path):
    f = tmp_path / "gbk.yaml"
    f.write_bytes(BASE.encode("gbk"))
    r = cli("import", f)
    assert r.exit_code == 1 and "GBK" in r.stderr and "iconv -f GBK -t UTF-8" in r.stderr


def test_invalid_utf8(cli, tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_bytes(b"cgov: 1\npersons:\n  - {id: p-1, name: \xff\xfe}\n")
    r = cli("import", f)
    assert r.exit_code == 1 and "not valid UTF-8" in r.stderr and f"{f}:3" in r.stderr


def test_file_over_the_size_cap(cli, tmp_path, monkeypatch):
    from cgov.core import yamlio

    monkeypatch.setattr(yamlio, "MAX_BYTES", 1000)  # CGOV_MAX_IMPORT_BYTES, read at start-up
    f = tmp_path / "big.yaml"
    f.write_text(BASE + "#" * 2000 + "\n", encoding="utf-8")
    r = cli("import", f)
    assert r.exit_code == 1 and "over the 1000-byte limit" in r.stderr


def test_fullwidth_digits_in_an_id_number_are_normalised(cli, tmp_path):
    fw = "".join(chr(ord(c) + 0xFEE0) for c in "310230196203019916")
    f = tmp_path / "fw.yaml"
    f.write_text(f"cgov: 1\npersons:\n  - {{id: p-1, name: 王建国, id_number: '{fw}'}}\n", encoding="utf-8")
    assert cli("import", f).exit_code == 0
    shown = json.loads(cli("person", "show", "p-1", "-f", "json", "--reveal", "--reason", "test").stdout)
    assert shown["id_number"] == "310230196203019916"


def _dump(path) -> list:
    con = sqlite3.connect(path)
    lines = list(con.iterdump())
    con.close()
    return lines


def _start_import(town_path, files):
    env = dict(os.environ, CGOV_DB=str(town_path))
    return subprocess.Popen([sys.executable, "-m", "cgov", "import", *map(str, files)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _assert_untouched(town_path, before):
    assert _dump(town_path) == before
    env = dict(os.environ, CGOV_DB=str(town_path))
    check = subprocess.run([sys.executable, "-m", "cgov", "db", "check", "-f", "json"], env=env,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert all(c["result"] == "ok" for c in json.loads(check.stdout))


def test_sigkill_during_a_large_import_leaves_the_database_as_it_was(town_path, tmp_path):
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
    from bench.gen_city import generate

    generate(tmp_path / "city", scale=0.3)  # 1,740 grids, 30,000 persons
    files = [tmp_path / "city" / "city-areas.yaml", tmp_path / "city" / "city-persons.yaml"]
    before = _dump(town_path)
    wal = town_path.with_name(town_path.name + "-wal")

    # Killed while reading and checking the files.
    p = _start_import(town_path, files)
    time.sleep(1.0)
    assert p.poll() is None
    p.send_signal(signal.SIGKILL)
    p.wait()
    _assert_untouched(town_path, before)

    # Killed while writing: as soon as the write-ahead log starts to grow.
    start_size = wal.stat().st_size if wal.exists() else 0
    p = _start_import(town_path, files)
    deadline = time.monotonic() + 120
    while p.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > start_size + 1_000_000:
            break
        time.sleep(0.01)
    assert p.poll() is None, "the import finished before it could be interrupted"
    p.send_signal(signal.SIGKILL)
    p.wait()
    _assert_untouched(town_path, before)


def test_a_lock_held_past_the_timeout_exits_75(town_path):
    holder = sqlite3.connect(town_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        env = dict(os.environ, CGOV_DB=str(town_path))
        r = subprocess.run([sys.executable, "-m", "cgov", "person", "add", "等待者"], env=env,
                           capture_output=True, text=True, timeout=60)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.returncode == 75
    assert r.stderr.splitlines()[0].startswith("error: the database stayed busy")
    assert "Traceback" not in r.stderr
