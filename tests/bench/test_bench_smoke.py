"""The benchmark harness at a tiny scale, so it cannot rot. It measures and
reports; it asserts nothing about speed."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_harness_runs_end_to_end_and_reports_every_figure(tmp_path):
    out = tmp_path / "results.json"
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--scale", "0.0005", "--runs", "1",
                        "--work", str(tmp_path / "work"), "--json", str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    data = json.loads(out.read_text(encoding="utf-8"))
    names = [f["figure"] for f in data["figures"]]
    assert names[:2] == ["cgov --help", "cgov case --help"]
    assert any(n.startswith("cgov import of") for n in names)
    assert any(n.startswith("cgov case list --grid") for n in names)
    assert "cgov report weekly -f json" in names
    for f in data["figures"]:
        assert f["cgov"] > 0 and f["baseline"] > 0 and f["ratio"] == f["cgov"] / f["baseline"]
    assert data["info"]["cases"] >= 500 and data["info"]["db_bytes"] > 0
    assert "figure" in r.stdout and "baseline" in r.stdout  # the printed table
    # The floors that explain a missed target are measured in the same run.
    assert data["info"]["floor_import_what_case_commands_need_s"] > 0
    assert data["info"]["floor_report_sqlmodel_typer_plus_raw_sql_s"] > data["info"]["import_sqlmodel_typer_s"]
