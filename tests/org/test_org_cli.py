"""Every org-chart command through the CLI: output formats, languages,
masking, and each error path (exit code 1, one line on stderr)."""

import csv
import io
import json
import re

import pytest
from wcwidth import wcswidth

FULL_ID = re.compile(r"(?<!\d)\d{17}[\dX](?!\d)")
FULL_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.mark.parametrize("args, expect", [
    (["area", "list", "--kind", "community"], "裕鸿佳苑第四社区"),
    (["area", "list", "--under", "cj-yh4", "--search", "1号楼"], "cj-yh4-b01"),
    (["area", "show", "cj-yh4"], "第一网格"),
    (["area", "tree", "cj-yh4", "--depth", "2"], "第一网格"),
    (["grid", "list", "--area", "cj-yh4"], "cj-yh4-g01"),
    (["grid", "show", "cj-yh4-g01"], "1号楼"),
    (["grid", "check"], "cross-appointment rate"),
    (["org", "list", "--kind", "department"], "陈家镇派出所"),
    (["org", "show", "cj-yh4-rc"], "director"),
    (["org", "tree"], "cj-yh4-g01-pb"),
    (["org", "tree", "--all", "cj-yh4-oc"], "cj-yh4-oc-pwg"),
    (["branch", "list", "--area", "cj-yh4"], "cj-yh4-g01-pb"),
    (["branch", "show", "cj-yh4-g01-pb"], "secretary"),
    (["person", "list", "--grid", "cj-yh4-g01", "--party", "member"], "full"),
    (["person", "find", "p-0047"], "p-0047"),
    (["person", "show", "p-0047"], "grid-worker"),
    (["post", "list", "--org", "cj-yh4-rc"], "director"),
    (["db", "info"], "person"),
    (["db", "check"], "ok"),
    (["audit", "log"], "import"),
])
def test_read_commands_work_in_every_format(town_cli, args, expect):
    for fmt in ("plain", "table", "md", "csv", "json"):
        r = town_cli(*args, "-f", fmt)
        assert r.exit_code == 0, (args, fmt, r.output)
        assert r.stdout.strip(), (args, fmt)
        if fmt == "json":
            json.loads(r.stdout)
        if fmt == "plain":
            assert expect in r.stdout, (args, r.stdout[:500])


@pytest.mark.parametrize("args, message", [
    (["area", "show", "nowhere"], "no area 'nowhere'"),
    (["area", "list", "--kind", "planet"], "classification 'planet' is not one of"),
    (["area", "tree", "nowhere"], "no area 'nowhere'"),
    (["grid", "show", "cj-yh4"], "'cj-yh4' is a community, not a grid"),
    (["grid", "list", "--area", "nowhere"], "no area 'nowhere'"),
    (["grid", "check", "--min", "600", "--max", "300"], "--min 600 is above --max 300"),
    (["org", "show", "nobody"], "no organization 'nobody'"),
    (["org", "list", "--kind", "club"], "classification 'club' is not one of"),
    (["org", "tree", "nobody"], "no organization 'nobody'"),
    (["org", "add", "--id", "bad id", "--name", "X", "--kind", "party-branch"], "may only have letters"),
    (["org", "add", "--id", "cj-police", "--name", "X", "--kind", "department"], "already exists"),
    (["branch", "show", "cj-yh4-rc"], "not a party branch"),
    (["person", "show", "p-9999"], "no person 'p-9999'"),
    (["person", "add", "某", "--id-number", "310230196203019917"], "check digit"),
    (["person", "add", "某", "--phone", "123"], "--phone"),
    (["person", "add", "某", "--home", "cj-yh4"], "give a building"),
    (["person", "add", "某", "--birth-date", "1980-02-30"], "not a valid date"),
    (["person", "list", "--role", "king"], "--role 'king'"),
    (["post", "assign", "p-0001", "--role", "member"], "exactly one of --org or --area"),
    (["post", "assign", "p-0001", "--role", "member", "--org", "cj-yh4-rc", "--at", "yesterday"], "--at: 'yesterday'"),
    (["post", "end", "999999"], "no post 999999"),
    (["person", "list", "--reveal"], "--reveal needs --reason"),
])
def test_errors_are_one_line_exit_1(town_cli, args, message):
    r = town_cli(*args)
    assert r.exit_code == 1, (args, r.output)
    first = r.stderr.splitlines()[0]
    assert first.startswith("error: ") and message in first, r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("args, message", [
    (["grid", "list", "-f", "xml"], "error: --format: 'xml' is not one of table, plain, md, csv, json"),
    (["grid", "list", "--lang", "fr"], "error: --lang: 'fr' is not en or zh"),
    (["--format", "xml", "person", "list"], "error: --format: 'xml'"),
])
def test_a_format_or_language_cgov_does_not_have_is_a_usage_error(town_cli, args, message):
    # DESIGN §4: 2 for a usage error, as for an option value Click refuses.
    r = town_cli(*args)
    assert r.exit_code == 2 and r.stderr.startswith(message) and r.stderr.count("\n") == 1, r.stderr


def test_grid_check_strict_exits_1_with_findings(town_cli):
    assert town_cli("grid", "check").exit_code == 0
    r = town_cli("grid", "check", "--strict")
    assert r.exit_code == 1 and "6 findings" in r.stderr
    data = json.loads(town_cli("grid", "check", "-f", "json").stdout)
    assert {f["rule"] for f in data["findings"]} >= {"grid-households", "branch-too-small"}
    assert set(data["cross_appointment"]) == {"holders", "cross_appointed", "rate"}


def test_grid_check_reads_in_chinese(town_cli):
    zh = town_cli("grid", "check", "--lang", "zh", "-f", "plain").stdout
    assert "网格户数超出范围" in zh and "540户，不在300–500户之间" in zh and "党支部正式党员不足3人" in zh
    assert "households" not in zh and "grid-households" not in zh and "full members" not in zh
    data = json.loads(town_cli("grid", "check", "-f", "json").stdout)
    assert all(f["message"] and f["message_zh"] for f in data["findings"])


def test_usage_errors_exit_2(town_cli):
    assert town_cli("grid", "list", "--bogus").exit_code == 2
    assert town_cli("nonsense").exit_code == 2


def test_add_commands_print_only_the_id_and_are_audited(town_cli):
    r = town_cli("person", "add", "钱七", "--id-number", "310230196203019916", "--phone", "139 0000 0999",
                 "--home", "cj-yh4-b01", "--party", "probationary")
    assert r.exit_code == 0, r.output
    pid = r.stdout.strip()
    assert re.fullmatch(r"P\d{6}", pid)
    shown = json.loads(town_cli("person", "show", pid, "-f", "json").stdout)
    assert shown["id_number"] == "310***********9916" and shown["phone"] == "139****0999"
    r = town_cli("post", "assign", pid, "--role", "grid-worker", "--area", "cj-yh1-g03", "--part-time",
                 "--at", "2026-11-01")
    post = r.stdout.strip()
    assert r.exit_code == 0 and post.isdigit()
    r = town_cli("post", "end", post, "--at", "2026-11-20")
    assert r.exit_code == 0 and "ended 2026-11-20" in r.stdout
    r = town_cli("org", "add", "--id", "cj-yh4-vt2", "--name", "银发志愿服务队", "--kind", "volunteer-team",
                 "--area", "cj-yh4", "-f", "json")
    assert json.loads(r.stdout)["id"] == "cj-yh4-vt2"
    actions = [e["action"] for e in json.loads(town_cli("audit", "log", "-f", "json").stdout)]
    assert actions[:4] == ["org.add", "post.end", "post.assign", "person.add"]


def test_lang_zh_translates_headings_and_values(town_cli):
    r = town_cli("org", "list", "--kind", "party-branch", "--lang", "zh", "-f", "plain")
    assert "名称" in r.stdout and "党支部" in r.stdout and "party-branch" not in r.stdout
    r = town_cli("--lang", "zh", "person", "show", "p-0047", "-f", "plain")
    assert "网格员" in r.stdout and "姓名" in r.stdout
    # JSON keeps the stable codes whatever the language.
    r = town_cli("org", "list", "--kind", "party-branch", "--lang", "zh", "-f", "json")
    assert json.loads(r.stdout)[0]["classification"] == "party-branch"


def test_plain_tables_align_chinese_by_display_width(town_cli):
    lines = town_cli("grid", "list", "-f", "plain").stdout.splitlines()
    rule = lines[1]
    starts = [m.start() for m in re.finditer(r"(?<= )-", " " + rule)]
    header_cols = len(starts)
    assert header_cols == 9
    for line in lines[2:]:
        # every row's columns begin at the same display offsets as the rule's
        for col_start in starts[1:]:
            prefix_width = 0
            for i, ch in enumerate(line):
                if prefix_width >= col_start - 1:
                    break
                prefix_width += max(wcswidth(ch), 0)
            assert prefix_width == col_start - 1, line


def test_csv_has_bom_neutralised_cells_and_text_ids(town_cli):
    r = town_cli("person", "add", "=HYPERLINK(\"x\")", "--id", "evil")
    assert r.exit_code == 0
    out = town_cli("person", "list", "-f", "csv").stdout
    assert out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    evil = next(row for row in rows if row[0] == "evil")
    assert evil[1] == "'=HYPERLINK(\"x\")"



def test_csv_keeps_negative_numbers_numbers_and_guards_the_rest():
    from cgov.core.output import _csv_cell

    assert [_csv_cell(x) for x in ("-6", "-1.5", "-12%", "12")] == ["-6", "-1.5", "-12%", "12"]
    assert [_csv_cell(x) for x in ("-1+2", "-A1", "+86", "@SUM(A1)")] == ["'-1+2", "'-A1", "'+86", "'@SUM(A1)"]


def test_no_full_id_or_phone_in_any_format_of_any_list_or_show(town_cli):
    commands = [["person", "list"], ["person", "find", "王"], ["person", "show", "p-0047"],
                ["org", "show", "cj-yh4-rc"], ["branch", "show", "cj-yh4-g01-pb"], ["post", "list"],
                ["grid", "show", "cj-yh4-g01"], ["export"]]
    for args in commands:
        for fmt in ("plain", "table", "md", "csv", "json"):
            out = town_cli(*args, "-f", fmt).stdout if args != ["export"] else town_cli(*args).stdout
            assert not FULL_ID.search(out), (args, fmt)
            assert not FULL_MOBILE.search(out), (args, fmt)


def test_reveal_shows_full_values_and_logs_who_why_and_which_records(town_cli):
    r = town_cli("--actor", "张社工", "person", "show", "p-0047", "-f", "json", "--reveal", "--reason", "入户走访核对")
    assert FULL_ID.search(r.stdout)
    entry = json.loads(town_cli("audit", "log", "--action", "reveal", "-f", "json").stdout)[0]
    assert entry["actor"] == "张社工" and entry["ids"] == ["p-0047"]
    assert entry["detail"] == {"fields": ["id_number", "phone"], "reason": "入户走访核对"}


def test_md_output_is_a_pipe_table(town_cli):
    out = town_cli("branch", "list", "-f", "md").stdout.splitlines()
    assert out[0].startswith("| ") and set(out[1]) <= set("|:- ")


def test_python_dash_m_and_version(tmp_path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "cgov", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("cgov ")


def test_help_loads_neither_sqlalchemy_nor_yaml():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "cgov", "--help"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "case" in r.stdout
    modules = {line.split("|")[-1].strip() for line in r.stderr.splitlines() if "|" in line}
    assert not {m for m in modules if m.split(".")[0] in ("sqlalchemy", "sqlmodel", "yaml", "rich")}


def test_a_nouns_help_loads_no_pydantic():
    # Typer would build a pydantic adapter for every unset root option;
    # cgov's plain options are coerced without it (cgov/core/plainparams.py).
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "cgov", "case", "--help"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "dispatch" in r.stdout
    modules = {line.split("|")[-1].strip() for line in r.stderr.splitlines() if "|" in line}
    assert not {m for m in modules if m.split(".")[0] in ("pydantic", "sqlalchemy", "sqlmodel")}


def test_person_json_has_the_field_names_of_the_yaml_format(town_cli):
    # DESIGN §4: JSON uses §2's names — `party: {status, joined}`, `memberships`.
    shown = json.loads(town_cli("person", "show", "p-0001", "-f", "json").stdout)
    assert shown["party"] == {"status": "full", "joined": "2008-07-01"}
    assert sorted(m["id"] for m in shown["memberships"]) == sorted(m["id"] for m in shown["posts"] + shown["past_posts"])
    listed = json.loads(town_cli("person", "list", "-f", "json").stdout)
    assert all(r["party"] is None or set(r["party"]) == {"status", "joined"} for r in listed)
    assert any(r["party"] is None for r in listed) and any(r["party"] for r in listed)
