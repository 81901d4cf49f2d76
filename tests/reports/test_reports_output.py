"""`-o FILE` for cron: written whole or not at all, quietly, under a lock
against overlapping runs; and the crontab line run as cron runs it."""

import fcntl
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

WEEK = ["report", "weekly", "--week", "2026-W47"]


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_output_replaces_the_file_whole_and_prints_nothing(week_cli, tmp_path):
    target = tmp_path / "out" / "weekly.md"
    target.parent.mkdir()
    target.write_text("old summary\n" * 5000)  # longer than the new one: nothing of it may remain
    r = week_cli(*WEEK, "-f", "md", "-o", target)
    assert r.exit_code == 0 and r.stdout == "" and r.stderr == ""
    assert target.read_bytes() == week_cli(*WEEK, "-f", "md").stdout_bytes
    assert target.stat().st_mode & 0o777 == 0o644  # for the web server or the printer's user
    # Beside it only the (hidden) lock file; no temporary file is left behind.
    assert entries(target.parent) == [".weekly.md.lock", "weekly.md"]


@pytest.mark.parametrize("name, start", [("w.html", "<!DOCTYPE html>"), ("w.json", "{"), ("w.md", "# Weekly"),
                                         ("w.txt", "Weekly summary")])
def test_format_follows_the_file_suffix(week_cli, tmp_path, name, start):
    r = week_cli(*WEEK, "-o", tmp_path / name)
    assert r.exit_code == 0
    assert (tmp_path / name).read_text(encoding="utf-8").startswith(start)


def test_format_option_wins_over_the_suffix(week_cli, tmp_path):
    assert week_cli(*WEEK, "-f", "json", "-o", tmp_path / "w.html").exit_code == 0
    assert (tmp_path / "w.html").read_text(encoding="utf-8").startswith("{")


def test_failing_run_leaves_the_old_file_untouched(week_cli, tmp_path):
    target = tmp_path / "weekly.md"
    target.write_text("last week's summary\n")
    r = week_cli(*WEEK, "--area", "nowhere", "-o", target)
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: no area 'nowhere'")
    assert target.read_text() == "last week's summary\n"


def test_disk_full_while_writing_leaves_the_old_file_and_no_temporary(week_cli, tmp_path, monkeypatch):
    target = tmp_path / "out" / "weekly.html"
    target.parent.mkdir()
    target.write_text("last week's summary\n")

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    r = week_cli(*WEEK, "-o", target)
    assert r.exit_code == 1
    assert r.stderr == f"error: cannot write {target}: No space left on device\n"
    assert target.read_text() == "last week's summary\n"
    assert entries(target.parent) == [".weekly.html.lock", "weekly.html"]


def test_missing_directory_is_one_line(week_cli, tmp_path):
    r = week_cli(*WEEK, "-o", tmp_path / "nowhere" / "weekly.md")
    assert r.exit_code == 1
    assert r.stderr == f"error: cannot write {tmp_path / 'nowhere' / 'weekly.md'}: there is no directory " \
                       f"{tmp_path / 'nowhere'}\n"


@pytest.fixture
def held(tmp_path):
    """Hold the lock of tmp_path/weekly.md as a running report would."""
    target = tmp_path / "weekly.md"
    target.write_text("the summary being written\n")
    fd = os.open(tmp_path / ".weekly.md.lock", os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    yield target, fd
    os.close(fd)


def test_a_second_run_while_the_lock_is_held_gives_up_with_one_line(week_cli, held):
    target, _ = held
    r = week_cli(*WEEK, "-o", target, "--wait", "1")
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr == (f"error: another `cgov report weekly` is writing {target}; gave up after 1 s "
                        "(try again when it has finished)\n")
    assert target.read_text() == "the summary being written\n"


def test_a_second_run_waits_for_the_first_then_writes(week_cli, held):
    target, fd = held
    releaser = threading.Timer(0.5, fcntl.flock, (fd, fcntl.LOCK_UN))
    releaser.start()
    r = week_cli(*WEEK, "-f", "md", "-o", target, "--wait", "60")
    releaser.join()
    assert r.exit_code == 0, r.stderr
    assert target.read_bytes() == week_cli(*WEEK, "-f", "md").stdout_bytes


def test_a_mistyped_database_is_refused_not_created(cli, tmp_path):
    missing = tmp_path / "typo.db"
    r = cli("--db", missing, *WEEK, "-o", tmp_path / "weekly.md")
    assert r.exit_code == 1
    assert r.stderr == (f"error: no cgov database at {missing}: give an existing store with --db or CGOV_DB "
                        "(cgov init or cgov import creates one)\n")
    assert not missing.exists() and not (tmp_path / "weekly.md").exists()


# The README's line ("Weekly summaries with cron"), with this checkout's
# cgov and the test's store and folder put in for its paths.
CRON_LINE = ("15 6 * * 1  TZ=Asia/Shanghai /opt/cgov/.venv/bin/cgov --db /srv/cgov/town.db report weekly "
             "--lang zh -f html -o /srv/cgov/reports/weekly.html")


def cron_run(line: str, cgov, db, out, extra_env=None):
    """Run a crontab line's command as cron does: /bin/sh -c, a short PATH,
    no terminal (own session, stdin from /dev/null), no HOME, no LANG."""
    command = line.split(None, 5)[5]
    command = (command.replace("/opt/cgov/.venv/bin/cgov", str(cgov)).replace("/srv/cgov/town.db", str(db))
               .replace("/srv/cgov/reports/weekly.html", str(out)))
    env = {"PATH": "/usr/bin:/bin", **(extra_env or {})}
    return subprocess.run(["/bin/sh", "-c", command], env=env, cwd="/", stdin=subprocess.DEVNULL,
                          capture_output=True, start_new_session=True, timeout=120)


def test_the_crontab_line_works_without_a_terminal_home_or_path(week, town_db, tmp_path, week_cli):
    out = tmp_path / "reports" / "weekly.html"
    out.parent.mkdir()
    cgov = Path(sys.executable).parent / "cgov"
    # CGOV_NOW pins "now" to Monday 2026-11-23 09:00 for the test: the last complete week is W47.
    done = cron_run(CRON_LINE, cgov, town_db, out, {"CGOV_NOW": "2026-11-23T09:00"})
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b"" and done.stderr == b""
    html = out.read_bytes()
    assert html.startswith(b"<!DOCTYPE html>") and "工作周报".encode() in html and b"2026-W47" in html
    # The very page the command gives at the terminal.
    assert html == week_cli("report", "weekly", "--lang", "zh", "-f", "html").stdout_bytes
    # `python -m cgov` by absolute path works the same.
    again = cron_run(CRON_LINE.replace("/opt/cgov/.venv/bin/cgov", f"{sys.executable} -m cgov"), cgov, town_db,
                     out.with_name("again.html"), {"CGOV_NOW": "2026-11-23T09:00"})
    assert again.returncode == 0 and out.with_name("again.html").read_bytes() == html


def test_the_crontab_line_reports_failure_in_one_line(tmp_path):
    cgov = Path(sys.executable).parent / "cgov"
    done = cron_run(CRON_LINE, cgov, tmp_path / "missing.db", tmp_path / "weekly.html")
    assert done.returncode == 1 and done.stdout == b""
    assert done.stderr.decode().count("\n") == 1 and b"no cgov database at" in done.stderr
    assert not (tmp_path / "weekly.html").exists()
