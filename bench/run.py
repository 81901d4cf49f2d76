"""Every measurement of the speed issue, each beside a baseline measured in
the same run on the same machine; medians of --runs runs. Start-up figures
run turn about with their baseline, so the machine's drift hits both.

    python bench/run.py                 # full scale: 5,800 grids, 100k people, 1M cases
    python bench/run.py --scale 0.02    # a quick check in about a minute

Prints a table (figure, cgov median, baseline median, ratio, target) and
writes the same as JSON (--json, default bench/out/results.json)."""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_city import generate  # noqa: E402
from timing import median_of, paired_medians, python, run  # noqa: E402

CGOV = [sys.executable, "-m", "cgov"]


def cgov(db: Path, *args: str) -> list[str]:
    return [*CGOV, "--db", str(db), *args]


def parse_and_insert_baseline(yaml_path: Path, db: Path) -> list[str]:
    """What the roster import must at least do: parse with PyYAML's C loader and
    insert the same person rows with raw sqlite3 executemany, one transaction."""
    code = f"""
import sqlite3, yaml, datetime
doc = yaml.load(open({str(yaml_path)!r}, 'rb'), Loader=yaml.CSafeLoader)
now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None).isoformat(sep=' ')
rows = [(p['id'], p['name'], None, None, str(p.get('id_number')), str(p.get('phone')), p.get('home'),
         (p.get('party') or {{}}).get('status'), None, now) for p in doc['persons']]
con = sqlite3.connect({str(db)!r}, isolation_level=None)
con.execute('BEGIN')
con.executemany('INSERT INTO person (id, name, gender, birth_date, id_number, phone, home_id, party_status, party_joined, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)', rows)
con.execute('COMMIT')
"""
    return python(code)


def parse_only(yaml_path: Path) -> list[str]:
    return python(f"import yaml; doc = yaml.load(open({str(yaml_path)!r}, 'rb'), Loader=yaml.CSafeLoader)")


def figure(rows, name, cgov_s, base_s, target, ok, unit="s"):
    ratio = cgov_s / base_s if base_s else None
    rows.append({"figure": name, "cgov": cgov_s, "baseline": base_s, "ratio": ratio, "target": target,
                 "met": ok(cgov_s, base_s), "unit": unit})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = 5,800 grids, 100k people, 1M cases")
    ap.add_argument("--runs", type=int, default=5, help="runs per figure (medians are quoted)")
    ap.add_argument("--work", type=Path, default=HERE / "out", help="where the city and its databases go")
    ap.add_argument("--json", type=Path, default=None, help="results file (default WORK/results.json)")
    args = ap.parse_args(argv)
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    results_path = args.json or work / "results.json"
    rows: list = []
    info: dict = {"scale": args.scale, "runs": args.runs}
    env = {"CGOV_NOW": "2026-11-23T09:00", "TZ": "Asia/Shanghai"}

    t = time.perf_counter()
    sizes = generate(work / "city", scale=args.scale)
    info.update(sizes)
    info["generate_s"] = time.perf_counter() - t
    areas = work / "city" / "city-areas.yaml"
    persons = work / "city" / "city-persons.yaml"
    case_files = sorted((work / "city").glob("city-cases-*.yaml"))

    # --- start-up ------------------------------------------------------------
    for label, cmd in (("cgov --help", [*CGOV, "--help"]), ("cgov case --help", [*CGOV, "case", "--help"])):
        figure(rows, label, *paired_medians(cmd, python("import typer"), args.runs), "≤ 1.5 × import typer",
               lambda c, b: c <= 1.5 * b)
    # The floor under case add and case list: importing what they need
    # (the case and org models are SQLModel classes, built at import).
    info["floor_import_what_case_commands_need_s"] = median_of(
        python("import sqlmodel, typer, cgov.cli, cgov.cases.cli, cgov.cases.service"), args.runs)
    info["import_typer_s"] = rows[0]["baseline"]  # measured beside `cgov --help`

    # --- the roster import -----------------------------------------------------
    base_db = work / "areas.db"
    for p in work.glob("areas.db*"):
        p.unlink()
    run(cgov(base_db, "import", str(areas)), env)
    run(cgov(base_db, "db", "check"), env)  # checkpoint the WAL into the file
    scratch = work / "scratch.db"

    def fresh():
        for p in work.glob("scratch.db*"):
            p.unlink()
        shutil.copy(base_db, scratch)

    imports, peaks = [], []
    for _ in range(args.runs):
        fresh()
        s, kb = run(cgov(scratch, "import", str(persons)), env)
        imports.append(s)
        peaks.append(kb)
    baselines = []
    for _ in range(args.runs):
        fresh()
        baselines.append(run(parse_and_insert_baseline(persons, scratch))[0])
    figure(rows, f"cgov import of {sizes['persons']:,} persons", statistics.median(imports),
           statistics.median(baselines), "≤ 1.5 × (C-loader parse + executemany)", lambda c, b: c <= 1.5 * b)
    parse_kb = statistics.median(run(parse_only(persons))[1] for _ in range(args.runs))
    figure(rows, "peak memory of that import (MB)", statistics.median(peaks) / 1024, parse_kb / 1024,
           "≤ 2 × the parsed YAML alone", lambda c, b: c <= 2 * b, unit="MB")

    # --- the city database with its cases --------------------------------------
    city = work / "city.db"
    for p in work.glob("city.db*"):
        p.unlink()
    shutil.copy(base_db, city)
    run(cgov(city, "import", str(persons)), env)
    t = time.perf_counter()
    for f in case_files:
        run(cgov(city, "import", str(f)), env)
    info["case_import_s"] = time.perf_counter() - t
    t = time.perf_counter()
    for name in ("city-meetings.yaml", "city-access.yaml"):
        run(cgov(city, "import", str(work / "city" / name)), env)
    info["meetings_and_access_import_s"] = time.perf_counter() - t
    run(cgov(city, "db", "check"), env)

    con = sqlite3.connect(city)
    grid, = con.execute("SELECT grid_id FROM case_record GROUP BY grid_id ORDER BY COUNT(*) DESC LIMIT 1").fetchone()
    info["cases"] = con.execute("SELECT COUNT(*) FROM case_record").fetchone()[0]
    con.close()

    start_up = python("import sqlmodel, typer")
    figure(rows, "cgov case add (city store)",
           *paired_medians(cgov(city, "case", "add", "楼道堆物", "--grid", grid, "--category", "1006",
                                "--source", "patrol"), start_up, args.runs, env),
           "≤ 1.25 × import sqlmodel, typer", lambda c, b: c <= 1.25 * b)
    figure(rows, f"cgov case list --grid {grid} --status open",
           *paired_medians(cgov(city, "case", "list", "--grid", grid, "--status", "open", "-f", "plain"),
                           start_up, args.runs, env),
           "≤ 1.25 × import sqlmodel, typer", lambda c, b: c <= 1.25 * b)
    report_s, sqlmodel_s = paired_medians(cgov(city, "report", "weekly", "--week", "2026-W47", "-f", "json"),
                                          start_up, args.runs, env)
    figure(rows, "cgov report weekly -f json", report_s, sqlmodel_s, "≤ import sqlmodel, typer + 0.3 s",
           lambda c, b: c <= b + 0.3)
    q_cgov, q_raw = report_query_work(city, args.runs)
    figure(rows, "weekly case figures: query work", q_cgov, q_raw, "≤ 3 × raw SQL", lambda c, b: c <= 3 * b)
    # The floor under the report: start-up plus the same figures in raw SQL.
    info["import_sqlmodel_typer_s"] = sqlmodel_s
    info["floor_report_sqlmodel_typer_plus_raw_sql_s"] = sqlmodel_s + q_raw

    size = sum(p.stat().st_size for p in (city, work / "city.db-wal") if p.exists())
    info["db_bytes"] = size
    info["db_mb_per_million_cases"] = size / 1024 / 1024 / (info["cases"] / 1_000_000)
    info["index_mb"] = index_sizes(city)

    print_table(rows, info)
    results_path.write_text(json.dumps({"info": info, "figures": rows}, ensure_ascii=False, indent=2) + "\n",
                            encoding="utf-8")
    print(f"\nwritten to {results_path}")
    return 0


def report_query_work(db: Path, runs: int) -> tuple[float, float]:
    """The weekly case figures: cgov's metrics service in-process against the
    same counts in hand-written SQL through raw sqlite3 (same indexes)."""
    code_cgov = f"""
import time, statistics
from cgov.core import store
from cgov.cases import metrics
eng = store.engine_for({str(db)!r})
start, end = metrics.week_period('2026-W47')
ts = []
for _ in range({runs}):
    with store.reading(eng) as s:
        t = time.perf_counter(); metrics.metrics(s, start, end); ts.append(time.perf_counter() - t)
print(statistics.median(ts))
"""
    code_raw = f"""
import sqlite3, time, statistics
con = sqlite3.connect({str(db)!r})
s, e = '2026-11-15 16:00:00', '2026-11-22 16:00:00'
qs = [
 "SELECT COUNT(*), SUM(responded_at IS NOT NULL AND responded_at <= respond_by) FROM case_record WHERE status != 'cancelled' AND coalesce(duplicate_of, '') = '' AND reported_at >= ? AND reported_at < ?",
 "SELECT COUNT(*), SUM(first_closed_at <= resolve_by), SUM(first_closed_at < ?) FROM case_record WHERE status NOT IN ('cancelled','rejected') AND coalesce(duplicate_of, '') = '' AND resolve_by >= ? AND resolve_by < ?",
 "SELECT kind, COUNT(*), COUNT(DISTINCT case_id) FROM case_event WHERE kind IN ('rate','close','reopen','extend') AND at >= ? AND at < ? GROUP BY kind",
 "SELECT COUNT(*) FROM case_record WHERE status NOT IN ('cancelled') AND coalesce(duplicate_of, '') = '' AND resolve_by < ? AND (closed_at IS NULL OR closed_at >= ?)",
]
args = [(s, e), (e, s, e), (s, e), (e, e)]
ts = []
for _ in range({runs}):
    t = time.perf_counter()
    for q, a in zip(qs, args):
        con.execute(q, a).fetchall()
    ts.append(time.perf_counter() - t)
print(statistics.median(ts))
"""
    import subprocess

    c = float(subprocess.run(python(code_cgov), capture_output=True, text=True, check=True).stdout)
    r = float(subprocess.run(python(code_raw), capture_output=True, text=True, check=True).stdout)
    return c, r


def index_sizes(db: Path) -> dict:
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    except sqlite3.OperationalError:  # SQLite built without the dbstat table
        rows = []
    con.close()
    return {name: round(size / 1024 / 1024, 1) for name, size in rows[:15]}


def print_table(rows, info) -> None:
    print(f"\nscale {info['scale']}: {info.get('grids')} grids, {info.get('persons'):,} persons, "
          f"{info.get('cases', 0):,} cases; medians of {info['runs']} runs\n")
    print(f"{'figure':52} {'cgov':>9} {'baseline':>9} {'ratio':>6}  target")
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        mark = "met" if r["met"] else "MISSED"
        print(f"{r['figure'][:52]:52} {r['cgov']:>9.3f} {r['baseline']:>9.3f} {ratio:>6}  {r['target']} — {mark}")
    print("\nfloors measured in the same run:")
    for key in ("floor_import_what_case_commands_need_s", "floor_report_sqlmodel_typer_plus_raw_sql_s"):
        if key in info:
            print(f"  {key[6:-2].replace('_', ' '):50} {info[key]:>9.3f}")
    print(f"\ndatabase: {info['db_bytes'] / 1024 / 1024:.0f} MB, "
          f"{info['db_mb_per_million_cases']:.0f} MB per million cases")
    for name, mb in info["index_mb"].items():
        print(f"  {name:40} {mb:>8.1f} MB")


if __name__ == "__main__":
    sys.exit(main())
