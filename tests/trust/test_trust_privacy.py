"""No full ID number or mobile number leaves cgov unless asked for with a
reason: every list, show, report and export command of every feature, in
every output format, on the example data; and --reveal without --reason is
refused by every command that has it."""

from __future__ import annotations

import json
import re

import typer.main
import yaml

from cgov.core import privacy

FORMATS = ("table", "plain", "md", "csv", "json", "html")
# The commands that show stored records; everything else records something.
READ_VERBS = {"list", "show", "find", "tree", "check", "info", "categories", "stats", "refusals", "types", "due",
              "balance", "ledger", "rank", "rule", "match", "weekly", "status", "log"}
PII_KEYS = ("id_number", "phone", "reporter_phone")
_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def _commands():
    """(path, click command) of every command, walked from the real app."""
    from cgov.cli import app

    root = typer.main.get_command(app)
    found = []

    def walk(command, path):
        if hasattr(command, "list_commands"):
            ctx = root.context_class(command)
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), path + [name])
        else:
            found.append((path, command))

    walk(root, [])
    return found


def _values(node, out: set) -> set:
    """Every personal number in the example files, as cgov stores it."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in PII_KEYS and isinstance(v, str):
                out.add(privacy.normalize_id_number(v) if k == "id_number" else privacy.normalize_phone(v))
            else:
                _values(v, out)
    elif isinstance(node, list):
        for v in node:
            _values(v, out)
    return out


def _leaks(text: str, values: set) -> list[str]:
    found = [v for v in values if v in text]
    found += [m for m in _ID.findall(text) if privacy.id_number_problem(m) is None]
    found += _MOBILE.findall(text)
    return found


def _json(cli, *args):
    r = cli(*args, "-f", "json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def _richest(rows: list[dict]) -> dict:
    """The row with the most personal fields filled (masked in the list)."""
    return max(rows, key=lambda r: sum(r.get(k) is not None for k in PII_KEYS))


def _arguments(cli, path: list[str], command) -> list[str] | None:
    """Arguments for a read command's required parameters, from the data."""
    required = [p for p in command.params if p.param_type_name == "argument" and p.required]
    if not required:
        return []
    if path == ["person", "find"]:
        return [_richest(_json(cli, "person", "list"))["name"]]
    if path == ["access", "check"]:
        return [_json(cli, "access", "list")[0]["name"]]
    if path[-1] == "show":
        return [_richest(_json(cli, *path[:-1], "list"))["id"]]
    raise AssertionError(f"no sample arguments for cgov {' '.join(path)}: add them to this test")


def test_no_output_carries_a_full_id_number_or_mobile(every_example_cli, every_example_file):
    pcli = every_example_cli
    values = set()
    for f in every_example_file:
        _values(yaml.safe_load(f.read_text(encoding="utf-8")), values)
    assert len(values) > 600  # the town's residents and the cases' reporters
    read = [(p, c) for p, c in _commands() if p[-1] in READ_VERBS or p == ["export"]]
    nouns = {p[0] for p, _ in read}
    assert {"person", "org", "case", "meeting", "access", "report", "points", "need", "export"} <= nouns
    ran = []
    for path, command in read:
        args = _arguments(pcli, path, command)
        formats = FORMATS if any(p.name == "fmt" for p in command.params) else (None,)
        shown, needed = 0, 1 if formats == (None,) else 4
        for fmt in formats:
            r = pcli(*path, *args, *(["-f", fmt] if fmt else []))
            if r.exit_code == 2 and "--format" in r.stderr:
                continue  # a format this command does not offer
            assert r.exit_code == 0, f"cgov {' '.join(path)} -f {fmt}: {r.stderr}"
            assert r.stdout.strip(), f"cgov {' '.join(path)} -f {fmt} showed nothing"
            leaks = _leaks(r.stdout + r.stderr, values)
            assert not leaks, f"cgov {' '.join(path + args)} -f {fmt} shows {leaks[:3]}"
            shown += 1
        assert shown >= needed, f"cgov {' '.join(path)} ran in {shown} formats"
        ran.append((" ".join(path), shown))
    names = [name for name, _ in ran]
    assert len(names) >= 40 and {"person show", "case show", "report weekly", "export"} <= set(names)


def test_reveal_without_a_reason_is_refused_everywhere(every_example_cli, table_counts):
    pcli = every_example_cli
    revealing = [(p, c) for p, c in _commands() if any(x.name == "reveal" for x in c.params)]
    assert {" ".join(p) for p, _ in revealing} >= {"export", "person show", "person list", "case show", "case list"}
    before = table_counts(pcli.db, ["audit_log"])
    for path, command in revealing:
        args = _arguments(pcli, path, command)
        for reason in ([], ["--reason", "   "]):
            r = pcli(*path, *args, "--reveal", *reason)
            assert r.exit_code == 1, f"cgov {' '.join(path)} --reveal {reason}: {r.stdout[:200]}"
            assert r.stderr == "error: --reveal needs --reason: say why the full ID numbers and phones are needed\n"
            assert r.stdout == ""
    assert table_counts(pcli.db, ["audit_log"]) == before  # nothing shown, nothing logged
    who = _richest(_json(pcli, "person", "list"))["id"]
    shown = pcli("person", "show", who, "--reveal", "--reason", "核对身份")
    assert shown.exit_code == 0 and _MOBILE.search(shown.stdout)  # with a reason, the full values


def test_reveal_and_reason_also_work_before_the_noun(every_example_cli):
    pcli = every_example_cli
    who = _richest(_json(pcli, "person", "list"))["id"]
    refused = pcli("--reveal", "person", "show", who)
    assert refused.exit_code == 1 and refused.stderr.startswith("error: --reveal needs --reason")
    shown = pcli("--reveal", "--reason", "核对身份", "person", "show", who)
    assert shown.exit_code == 0 and _MOBILE.search(shown.stdout)
    logged = _json(pcli, "audit", "log", "--action", "reveal")
    assert logged and who in logged[0]["ids"] and logged[0]["detail"]["reason"] == "核对身份"


_MASKED = re.compile(r"\d{3}\*{4}\d{4}|\d{3}\*{11}[\dX]")


def test_every_read_command_that_masks_offers_reveal_after_the_verb(every_example_cli):
    # DESIGN §3: --reveal/--reason after the verb, wherever values are masked.
    pcli = every_example_cli
    masking = []
    for path, command in _commands():
        if path[-1] not in READ_VERBS or not any(p.name == "fmt" for p in command.params):
            continue
        r = pcli(*path, *_arguments(pcli, path, command), "-f", "json")
        if r.exit_code == 0 and _MASKED.search(r.stdout):
            masking.append(" ".join(path))
            assert any(p.name == "reveal" for p in command.params), f"cgov {' '.join(path)} masks but has no --reveal"
    assert {"person list", "post list", "case list"} <= set(masking)


def test_export_masks_numbers_typed_into_text_and_reading_it_back_keeps_them(town_cli):
    # DESIGN §6: masked on every output path, export included.
    cid = town_cli("case", "add", "张女士13912345678反映漏水", "-d", "身份证310115198001010016",
                   "-c", "1001", "-b", "cj-yh4-b03").stdout.strip()
    masked = town_cli("export", "--only", "cases").stdout
    assert "张女士139****5678反映漏水" in masked and "身份证310***********0016" in masked
    assert "13912345678" not in masked and "310115198001010016" not in masked
    # export | import: nothing changes, and the store keeps the full text.
    back = json.loads(town_cli("import", "-", "-f", "json", input=masked).stdout)
    assert all(c["created"] == c["updated"] == 0 for c in back)
    full = json.loads(town_cli("case", "show", cid, "-f", "json", "--reveal", "--reason", "核对").stdout)
    assert full["title"] == "张女士13912345678反映漏水" and full["description"] == "身份证310115198001010016"
    # With --reveal, the export is whole; changed masked text is imported as written.
    assert "13912345678" in town_cli("--reveal", "--reason", "备份", "export", "--only", "cases").stdout
    edited = masked.replace("张女士139****5678反映漏水", "张女士139****5678反映漏水（已修）")
    assert json.loads(town_cli("import", "-", "-f", "json", input=edited).stdout)
    shown = json.loads(town_cli("case", "show", cid, "-f", "json", "--reveal", "--reason", "核对").stdout)
    assert shown["title"] == "张女士139****5678反映漏水（已修）"
