"""YAML in and out without type guessing.

Loading composes the node graph with PyYAML's C parser (no constructors run,
so no tags are honoured and `0571`, `NO`, `14:30` stay strings) and walks it
here, keeping line numbers and refusing duplicate keys, foreign tags, deep
nesting and alias bombs. Schemas then check every string."""

from __future__ import annotations

import os
import sys

import yaml

try:
    from yaml import CBaseLoader as _BaseLoader, CSafeDumper as _Dumper
except ImportError:  # pure-Python PyYAML
    from yaml import BaseLoader as _BaseLoader, SafeDumper as _Dumper

_DEFAULT_TAGS = {yaml.ScalarNode: "tag:yaml.org,2002:str", yaml.SequenceNode: "tag:yaml.org,2002:seq",
                 yaml.MappingNode: "tag:yaml.org,2002:map"}


class _Loader(_BaseLoader):
    """BaseLoader resolves every untagged node to str/seq/map anyway, but
    through a Python method called once per scalar; on a 100k-person roster
    that costs seconds. Explicitly tagged nodes never reach it."""

    def resolve(self, kind, value, implicit):
        return _DEFAULT_TAGS[kind]

MAX_DEPTH = 64
MAX_BYTES = int(os.environ.get("CGOV_MAX_IMPORT_BYTES", 256 * 1024 * 1024))
_PLAIN_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_NULLS = {"", "~", "null", "Null", "NULL"}


class YMap(dict):
    """A mapping from the file, remembering the line it starts on (1-based)."""

    line = 0


class YList(list):
    line = 0


class YamlError(Exception):
    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def read_text(name: str, data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise YamlError(None, f"file is {len(data)} bytes, over the {MAX_BYTES}-byte limit")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise YamlError(line, "file contains a NUL byte; is it a binary file?")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            raise YamlError(line, "file is not valid UTF-8") from None
        raise YamlError(
            line,
            "file is not UTF-8 but looks GBK-encoded; convert it first: iconv -f GBK -t UTF-8 FILE > FILE.utf8",
        ) from None


def load(text: str):
    """Parse one YAML document into YMap/YList/str/None."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = e.problem or str(e)
        raise YamlError(mark.line + 1 if mark else None, f"malformed YAML: {problem}") from None
    except yaml.YAMLError as e:
        raise YamlError(None, f"malformed YAML: {e}") from None
    if node is None:
        return None
    budget = [len(text) + 100_000]  # nodes visited; aliases beyond this are a bomb
    return _walk(node, 0, budget)


def _walk(node, depth: int, budget: list):
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlError(node.start_mark.line + 1, "too many nodes: aliases expand beyond the file's size")
    if depth > MAX_DEPTH:
        raise YamlError(node.start_mark.line + 1, f"nested deeper than {MAX_DEPTH} levels")
    line = node.start_mark.line + 1
    if node.tag not in _PLAIN_TAGS:
        raise YamlError(line, f"tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed; write plain values")
    if isinstance(node, yaml.ScalarNode):
        # Plain style is None in pure-Python PyYAML and "" in the C parser.
        if not node.style and node.value in _NULLS:
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        out = YList(_walk(n, depth + 1, budget) for n in node.value)
        out.line = line
        return out
    out = YMap()
    out.line = line
    for knode, vnode in node.value:
        if not isinstance(knode, yaml.ScalarNode):
            raise YamlError(knode.start_mark.line + 1, "a key must be a plain string")
        key = knode.value
        if key == "<<":
            raise YamlError(knode.start_mark.line + 1, "merge keys (<<) are not supported; write the fields out")
        if key in out:
            raise YamlError(knode.start_mark.line + 1, f"duplicate key '{key}'")
        out[key] = _walk(vnode, depth + 1, budget)
    return out


def read_source(name: str) -> tuple[str, bytes]:
    """(display name, bytes) for a path or '-' (standard input)."""
    if name == "-":
        return "<stdin>", sys.stdin.buffer.read()
    with open(name, "rb") as f:
        return name, f.read()


def dump(doc) -> str:
    """YAML text for export: strings that would read back as something else
    are quoted by the dumper, Chinese is written as is."""
    return yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=1000)
