"""Trees (areas, the party line) in every output format."""

from __future__ import annotations

import json


def render_tree(nodes: list[dict], out, label) -> None:
    if out.fmt == "json":
        out.write(json.dumps(nodes, ensure_ascii=False, indent=2) + "\n")
        return
    if out.fmt == "csv":
        # A tree in a spreadsheet: one row a node, with its depth and parent.
        from cgov.core.output import Col, render_list

        rows = []

        def walk(n, depth, parent):
            rows.append({"depth": depth, "id": n["id"], "parent": parent, "label": label(n, out.lang)})
            for c in n.get("children", []):
                walk(c, depth + 1, n["id"])

        for n in nodes:
            walk(n, 0, None)
        render_list(rows, [Col("depth", "Depth", "层级"), Col("id", "Id", "编号"),
                           Col("parent", "Parent", "上级"), Col("label", "Node", "节点")], out)
        return
    if out.fmt == "table":
        import io
        import sys

        from rich.console import Console
        from rich.text import Text
        from rich.tree import Tree

        buf = io.StringIO()
        con = Console(file=buf, force_terminal=sys.stdout.isatty(), highlight=False, width=200)
        for n in nodes:
            t = Tree(Text(label(n, out.lang)))
            _rich_add(t, n, out.lang, label)
            con.print(t)
        out.write(buf.getvalue())
        return
    lines: list[str] = []
    indent = "  " if out.fmt == "md" else "    "
    bullet = "- " if out.fmt == "md" else ""

    def walk_text(n, depth):
        lines.append(indent * depth + bullet + label(n, out.lang))
        for c in n.get("children", []):
            walk_text(c, depth + 1)

    for n in nodes:
        walk_text(n, 0)
    out.write("\n".join(lines) + "\n")


def _rich_add(tree, node, lang, label):
    for c in node.get("children", []):
        from rich.text import Text

        branch = tree.add(Text(label(c, lang)))
        _rich_add(branch, c, lang, label)
