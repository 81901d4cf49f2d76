"""md, plain and html carry the numbers of the JSON: each table is read back
out of the rendered text and compared figure by figure; the same data gives
the same bytes; --stamp adds the one line that changes; --lang zh renders
every format in Chinese."""

import json
import re

import pytest

from cgov.reports.render import t

METRICS = ("reported", "responded_on_time", "response_rate", "due", "closed_on_time", "on_time_rate",
           "due_closed", "closure_rate", "rated", "resolved", "satisfied", "basic", "dissatisfied",
           "resolution_rate", "satisfaction_rate", "closed", "reopened", "rework_rate", "extended",
           "median_hours_to_close", "open_overdue")
GROUP = ("reported", "response_rate", "due", "on_time_rate", "closure_rate", "rated", "resolution_rate",
         "satisfaction_rate", "closed", "rework_rate", "extended", "median_hours_to_close", "open_overdue")
ACCESS = ("applications_received", "applications_decided", "applications_decided_late", "applications_overdue",
          "items_admitted", "items_revoked", "requests_refused", "admitted", "baseline", "reduction",
          "reduction_rate")
MEETING = ("held", "motions_voted", "motions_passed", "motions_failed", "motions_void", "minutes_published",
           "regular_overdue")
VOLUNTEERS = ("activities", "volunteers", "hours_served", "points_earned", "hours_adjusted", "points_adjusted",
              "redemptions", "points_redeemed", "wishes_posted", "wishes_fulfilled", "needs_posted",
              "needs_fulfilled", "projects_started", "projects_done", "registrations")
HISTORY = ("reported", "due", "closed_on_time", "on_time_rate", "rated", "satisfaction_rate")


def number(cell: str):
    """A rendered figure back as a number: 71.4% → 71.4, '+15.0 pt' → 15.0, — → None."""
    if cell == "—":
        return None
    m = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)(?:%| pt|个百分点)?", cell)
    assert m, f"not a figure: {cell!r}"
    return float(m.group(1))


def same(cell: str, key: str, value) -> bool:
    """The cell shows the JSON value: rates as per cent to one decimal, others exactly."""
    shown = number(cell)
    if value is None or shown is None:
        return value is None and shown is None
    if key.endswith("rate"):
        return abs(shown - value * 100) <= 0.05 + 1e-9
    return shown == value


def check(rows, keys, values, label=""):
    bad = [(label, k, c, v) for k, c, v in zip(keys, rows, values) if not same(c, k, v)]
    assert not bad and len(rows) == len(keys)


def local(iso: str) -> str:
    return iso[:16].replace("T", " ")


def compare(tables: dict, r: dict, lang: str) -> None:
    """Every table of the rendered report against the JSON report `r`."""
    c = r["cases"]
    cases = tables[t("cases", lang)]
    assert len(cases) == 1 + len(METRICS) + 1
    for i, k in enumerate(METRICS, start=1):
        row = cases[i]
        assert same(row[1], k, c["figures"][k]) and same(row[2], k, c["previous"][k]), row
        assert same(row[3], k, c["change"][k]), row
    e = c["escalations"]
    assert [number(x) for x in cases[-1][1:]] == [e["count"], e["previous"], e["change"]]

    by = t("by_grid" if c["by_area"]["by"] == "grid" else "by_community", lang)
    for title, groups in ((by, c["by_area"]["groups"]), (t("by_category", lang), c["by_category"])):
        rows = tables[title][1:]
        assert [row[0] for row in rows] == [g["name"] for g in groups]
        for row, g in zip(rows, groups):
            check(row[1:], GROUP, [g[k] for k in GROUP], g["name"])

    overdue = tables[t("most_overdue", lang)][1:]
    assert [(row[0], row[4], number(row[5])) for row in overdue] == [
        (x["id"], local(x["resolve_by"]), x["overdue_days"]) for x in c["most_overdue"]]
    esc = tables[t("escalations", lang)][1:]
    assert [(row[0], number(row[4]), row[5]) for row in esc] == [
        (x["id"], x["level"], local(x["at"])) for x in e["cases"]]

    m = r["meetings"]
    meetings = tables[t("meetings", lang)][1:]
    assert [(row[0], number(row[1])) for row in meetings[:len(m["by_type"])]] == [
        (x["name"] if lang == "zh" else x["name_en"], x["held"]) for x in m["by_type"]]
    check([row[1] for row in meetings[len(m["by_type"]):]], MEETING, [m[k] for k in MEETING])
    regular = tables[t("regular_overdue_top", lang)][1:]
    assert [(row[0], row[3], number(row[4])) for row in regular] == [
        (x["organization_name"], x["due"], x["overdue_days"]) for x in m["regular_overdue_top"]]

    check([row[1] for row in tables[t("access", lang)][1:]], ACCESS, [r["access"][k] for k in ACCESS])
    check([row[1] for row in tables[t("org", lang)][1:]], ("persons_added", "posts_started", "posts_ended"),
          [r["org"][k] for k in ("persons_added", "posts_started", "posts_ended")])
    check([row[1] for row in tables[t("volunteers", lang)][1:]], VOLUNTEERS, [r["volunteers"][k] for k in VOLUNTEERS])
    g = r["grid_check"]
    grid = [row[1] for row in tables[t("grid", lang)][1:]]
    check(grid, [*g["by_rule"], "findings", "cross_appointment_rate"],
          [*g["by_rule"].values(), g["findings"], g["cross_appointment_rate"]])

    hist = tables[t("history", lang)][1:]
    assert [row[0] for row in hist] == [h["week"] for h in r["history"]]
    for row, h in zip(hist, r["history"]):
        check(row[1:], HISTORY, [h[k] for k in HISTORY], h["week"])
    audit = tables[t("audit", lang)][1:]
    assert [row[1] for row in audit] == [r["audit"]["head"], str(r["audit"]["entries"])]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("fmt", ["md", "plain", "html"])
def test_every_text_format_carries_the_numbers_of_the_json(week_cli, parse, fmt, lang):
    args = ["report", "weekly", "--week", "2026-W47", "--baseline", "10", "--lang", lang]
    r = json.loads(week_cli(*args, "-f", "json").stdout)
    out = week_cli(*args, "-f", fmt)
    assert out.exit_code == 0, out.stderr
    tables = getattr(parse, fmt)(out.stdout)
    compare(tables, r, lang)
    # Nothing beyond the tables compared: every section is one of them.
    assert len(tables) == 13


def test_area_report_carries_the_same_numbers_and_says_the_access_list_is_street_wide(week_cli, parse):
    args = ["report", "weekly", "--week", "2026-W47", "--area", "cj-yh4"]
    r = json.loads(week_cli(*args, "-f", "json").stdout)
    md = week_cli(*args, "-f", "md").stdout
    compare(parse.md(md), r, "en")
    assert "## By grid" in md and "## By community" not in md
    assert "裕鸿佳苑第四社区 第一网格" in md
    assert "these figures cover every community" in md


@pytest.mark.parametrize("fmt", ["md", "plain", "json", "html"])
def test_same_data_gives_the_same_bytes_and_stamp_adds_one_line(week_cli, fmt, monkeypatch):
    args = ["report", "weekly", "--week", "2026-W47", "-f", fmt]
    first, second = week_cli(*args), week_cli(*args)
    assert first.exit_code == 0 and first.stdout_bytes == second.stdout_bytes
    # A later run of the same week on the same store, by someone else, is the same too.
    monkeypatch.setenv("CGOV_NOW", "2026-12-01T10:00")
    assert week_cli("--actor", "other", *args).stdout_bytes == first.stdout_bytes
    stamped = week_cli("--actor", "王科长", *args, "--stamp")
    line = "Generated 2026-12-01 10:00 · 王科长"
    assert line in stamped.stdout and "Generated" not in first.stdout
    if fmt == "json":
        doc = json.loads(stamped.stdout)
        assert doc.pop("generated") == line and doc == json.loads(first.stdout)
    else:
        added = [x for x in stamped.stdout.splitlines() if x not in first.stdout.splitlines()]
        assert len(added) == 1 and line in added[0]


def test_lang_zh_renders_headings_and_values_in_chinese(week_cli, parse):
    args = ["report", "weekly", "--week", "2026-W47", "--lang", "zh"]
    en = parse.md(week_cli("report", "weekly", "--week", "2026-W47", "-f", "md").stdout)
    for fmt in ("md", "plain", "html"):
        text = week_cli(*args, "-f", fmt).stdout
        tables = getattr(parse, fmt)(text)
        assert list(tables)[:4] == ["案件", "分社区", "分类别", "期末超期未结案件（前十）"]
        assert not set(tables) & set(en)  # no English section heading is left
        assert "工作周报" in text and "范围：全部" in text
        # Enum values: meeting types, grid-check rules, figures, changes in points.
        assert "党员大会" in text and "听证会" in text and "Party members" not in text and "Hearing" not in text
        assert "网格无网格长" in text and "grid-no-leader" not in text
        assert "按期结案率" in text and "+15.0个百分点" in text and " pt" not in text
    html = week_cli(*args, "-f", "html").stdout
    assert '<html lang="zh-CN">' in html
    # JSON is the contract for scripts: its keys and values do not change with the language.
    assert week_cli(*args, "-f", "json").stdout == week_cli("report", "weekly", "--week", "2026-W47", "-f", "json").stdout


def test_html_is_one_self_contained_page_with_charts_for_a4(week_cli):
    html = week_cli("report", "weekly", "--week", "2026-W47", "-f", "html").stdout
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<script" not in html and "src=" not in html and "href=" not in html and "url(" not in html
    assert "@page { size: A4" in html
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(svgs) == 2
    bars = svgs[0]
    # One bar per week with its count: W40..W45 empty, then 1, 5, 7.
    assert re.findall(r'text-anchor="middle">(\d+)</text>', bars)[-3:] == ["1", "5", "7"]
    assert [x for x in re.findall(r">(W\d\d)<", bars)] == [f"W{n}" for n in range(40, 48)]
    # The rate lines start at W45, the first week with a case due.
    assert svgs[1].count("<polyline") == 2 and svgs[1].count("<circle") == 3 + 2


def test_plain_and_md_lay_out_chinese_in_columns(week_cli):
    plain = week_cli("report", "weekly", "--week", "2026-W47", "-f", "plain", "--lang", "zh").stdout
    lines = plain.splitlines()
    i = lines.index("分社区")
    head, rule, *rows = lines[i + 2:i + 6]
    from wcwidth import wcswidth

    # Each row is as wide as the rule under the heading, in display columns.
    assert {wcswidth(x.rstrip()) <= wcswidth(rule) for x in rows} == {True}
    assert rows[0].startswith("裕安社区") and rows[1].startswith("裕鸿佳苑第四社区")
