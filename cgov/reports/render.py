"""The weekly summary as Markdown, plain text, JSON and one self-contained
HTML page (tables and inline SVG charts, no scripts, fit for A4).

Every format is drawn from the same dict, so they carry the same numbers;
nothing here reads the clock, so the same data gives the same bytes."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

from cgov.core import clock, i18n
from cgov.core.output import Col, Out, table_text

# (key, English, Chinese) — the case figures in the order of the cases feature.
from cgov.cases.cli import GROUP_KEYS, METRIC_COLS  # noqa: E402

T = {
    "title": ("Weekly summary", "工作周报"),
    "cases": ("Cases", "案件"), "figure": ("Figure", "指标"), "this": ("This period", "本期"),
    "prev": ("Previous", "上期"), "change": ("Change", "变化"),
    "by_community": ("By community", "分社区"), "by_grid": ("By grid", "分网格"),
    "by_category": ("By category", "分类别"), "most_overdue": ("Most overdue open cases", "超期未结案件（前十）"),
    "escalated": ("Escalated open cases", "督办中的案件"), "none": ("None.", "无。"),
    "meetings": ("Meetings", "会议"), "held": ("Meetings held", "召开会议"),
    "motions": ("Motions voted / passed / failed / void", "表决事项 / 通过 / 未通过 / 无效"),
    "published": ("Minutes published", "会议记录公开"), "regular_overdue": ("Regular meetings overdue", "逾期未开的例会"),
    "access": ("Work-item access list", "社区工作事项准入"), "org": ("Org chart changes", "组织架构变动"),
    "grid": ("Grid check", "网格检查"), "audit": ("Audit chain", "审计链"),
    "history": ("Last eight weeks", "近八周"), "anchor": ("Head hash (anchor)", "链头哈希（锚点）"),
    "entries": ("Entries", "条目"), "area": ("Area", "范围"), "whole": ("whole store", "全部"),
    "findings": ("Findings", "问题"), "cross": ("Cross-appointment rate", "交叉任职率"),
}
ACCESS_KEYS = (("applications_received", "Applications received", "收到申请"),
               ("applications_decided", "Applications decided", "已审结申请"),
               ("applications_decided_late", "Decided late", "逾期审结"),
               ("applications_overdue", "Undecided past the limit", "逾期未审结"),
               ("items_admitted", "Items admitted", "新准入事项"), ("items_revoked", "Items revoked", "退出事项"),
               ("requests_refused", "Requests refused", "拒绝摊派"), ("admitted", "Items on the list", "在册事项"),
               ("baseline", "Baseline", "基数"), ("reduction_rate", "Reduction", "精简率"))
ORG_KEYS = (("persons_added", "People added", "新增人员"), ("posts_started", "Posts started", "新任职务"),
            ("posts_ended", "Posts ended", "卸任职务"))


_NUMERIC = re.compile(r"^(?:[+-]?\d+(?:\.\d+)?(?:%| pt)?|—|\d+ / \d+ / \d+ / \d+)$")


def t(key: str, lang: str) -> str:
    en, zh = T[key]
    return zh if lang == "zh" else en


def _pct(v) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _num(key: str, v) -> str:
    if v is None:
        return "—"
    if key.endswith("rate"):
        return _pct(v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _delta(key: str, v) -> str:
    if v is None:
        return "—"
    if key.endswith("rate"):
        return f"{v * 100:+.1f} pt"
    return f"{v:+g}"


def _date(v) -> str:
    return clock.fmt_local(v) if isinstance(v, dt.datetime) else ("" if v is None else str(v))


def _period_line(r: dict, lang: str) -> str:
    p = r["period"]
    first = clock.to_local(p["start"]).date()
    last = clock.to_local(p["end"] - dt.timedelta(microseconds=1)).date()
    area = p["area_name"] or t("whole", lang)
    return f"{p['label']} ({first} – {last}) · {t('area', lang)}: {area}"


# ---- the tables every text format shares ----------------------------------------

def tables(r: dict, lang: str) -> list[tuple[str, list[dict], list[Col]]]:
    """(title, rows, columns) for every table of the report, in order."""
    c = r["cases"]
    out = []
    label = {k: (zh if lang == "zh" else en) for k, en, zh in METRIC_COLS}
    out.append((t("cases", lang), [
        {"figure": label[k], "this": _num(k, c["figures"][k]), "prev": _num(k, c["previous"][k]),
         "change": _delta(k, c["change"].get(k)) if k in c["change"] else ""} for k, _, _ in METRIC_COLS],
        [Col("figure", *T["figure"]), Col("this", *T["this"]), Col("prev", *T["prev"]), Col("change", *T["change"])]))
    group_cols = [Col("name", "Name", "名称")] + [Col(k, *[x for x in METRIC_COLS if x[0] == k][0][1:])
                                                  for k in GROUP_KEYS]

    def groups(rows):
        return [{"name": g["name"] or g["key"] or "—", **{k: _num(k, g[k]) for k in GROUP_KEYS}} for g in rows]

    by = "by_grid" if c["by_area"]["by"] == "grid" else "by_community"
    out.append((t(by, lang), groups(c["by_area"]["groups"]), group_cols))
    out.append((t("by_category", lang), groups(c["by_category"]), group_cols))
    case_cols = [Col("id", "Case", "编号"), Col("title", "Title", "标题"), Col("community_name", "Community", "社区"),
                 Col("handler_name", "Handler", "承办"), Col("resolve_by", "Resolve by", "办结时限"),
                 Col("overdue_days", "Days overdue", "超期天数"), Col("escalation_level", "Escalation", "督办级别")]

    def briefs(rows):
        end = r["period"]["end"]
        return [{**b, "resolve_by": _date(b["resolve_by"]),
                 "overdue_days": f"{max((end - b['resolve_by']).total_seconds(), 0) / 86400:.1f}",
                 "escalation_level": b["escalation_level"] or ""} for b in rows]

    out.append((t("most_overdue", lang), briefs(c["most_overdue"]), case_cols))
    out.append((t("escalated", lang), briefs(c["escalated"]), case_cols))
    m = r["meetings"]
    out.append((t("meetings", lang), [
        {"figure": (row["name"] if lang == "zh" else row["name_en"]), "value": str(row["held"])} for row in m["by_type"]]
        + [{"figure": t("held", lang), "value": str(m["held"])},
           {"figure": t("motions", lang),
            "value": f"{m['motions_voted']} / {m['motions_passed']} / {m['motions_failed']} / {m['motions_void']}"},
           {"figure": t("published", lang), "value": str(m["minutes_published"])}],
        [Col("figure", *T["figure"]), Col("value", "Count", "数量")]))
    out.append((t("regular_overdue", lang), [
        {"organization": row["organization_name"], "type": row["type_name"] if lang == "zh" else row["type_name_en"],
         "due": str(row["due"]), "days": str(row["overdue_days"])} for row in m["regular_overdue"]],
        [Col("organization", "Organization", "组织"), Col("type", "Meeting", "会议"),
         Col("due", "Due", "应开日期"), Col("days", "Days overdue", "逾期天数")]))
    a = r["access"]
    out.append((t("access", lang), [{"figure": zh if lang == "zh" else en, "value": _num(k, a.get(k))}
                                     for k, en, zh in ACCESS_KEYS],
                [Col("figure", *T["figure"]), Col("value", "Value", "数值")]))
    o = r["org"]
    out.append((t("org", lang), [{"figure": zh if lang == "zh" else en, "value": str(o[k])} for k, en, zh in ORG_KEYS],
                [Col("figure", *T["figure"]), Col("value", "Count", "数量")]))
    g = r["grid_check"]
    out.append((t("grid", lang), [{"figure": rule, "value": str(n)} for rule, n in g["by_rule"].items()]
                + [{"figure": t("findings", lang), "value": str(g["findings"])},
                   {"figure": t("cross", lang), "value": _pct(g["cross_appointment_rate"])}],
                [Col("figure", *T["figure"]), Col("value", "Value", "数值")]))
    out.append((t("history", lang), [
        {"week": h["week"], "reported": str(h["reported"]), "due": str(h["due"]),
         "on_time_rate": _pct(h["on_time_rate"]), "rated": str(h["rated"]),
         "satisfaction_rate": _pct(h["satisfaction_rate"])} for h in r["history"]],
        [Col("week", "Week", "周"), Col("reported", "Reported", "上报"), Col("due", "Due", "应结"),
         Col("on_time_rate", "On-time rate", "按期结案率"), Col("rated", "Rated", "评价"),
         Col("satisfaction_rate", "Satisfaction rate", "满意率")]))
    return out


def text(r: dict, fmt: str, lang: str, stamp: str | None = None) -> str:
    """Markdown or plain text."""
    out = Out(fmt=fmt, lang=lang)
    head = f"{t('title', lang)} — {_period_line(r, lang)}"
    parts = [("# " + head) if fmt == "md" else head + "\n" + "=" * 40]
    if stamp:
        parts.append(stamp)
    for title, rows, cols in tables(r, lang):
        if not rows:
            parts.append((f"### {title}\n\n" if fmt == "md" else f"{title}\n") + t("none", lang))
            continue
        body = table_text(rows, cols, out, title=None if fmt == "md" else title)
        parts.append((f"### {title}\n\n" + body) if fmt == "md" else body.rstrip("\n"))
    anchor = f"{t('anchor', lang)}: {r['audit']['head']} ({t('entries', lang)}: {r['audit']['entries']})"
    parts.append(("### " + t("audit", lang) + "\n\n`" + r["audit"]["head"] + "`  \n" + anchor.split(": ", 1)[0]
                  + f" · {t('entries', lang)}: {r['audit']['entries']}") if fmt == "md" else anchor)
    return "\n\n".join(parts).rstrip("\n") + "\n"


def to_json(r: dict, stamp: str | None = None) -> str:
    def conv(v):
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        if isinstance(v, dt.datetime):
            return clock.iso_local(v)
        if isinstance(v, dt.date):
            return v.isoformat()
        return v

    doc = conv(r)
    if stamp:
        doc["generated"] = stamp
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


# ---- HTML -------------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 14mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       font-size: 10pt; color: #222; max-width: 180mm; margin: 0 auto; }
h1 { font-size: 16pt; border-bottom: 2px solid #b22; padding-bottom: 4px; }
h2 { font-size: 12pt; color: #b22; margin-top: 14pt; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; page-break-inside: avoid; }
th, td { border: 1px solid #ccc; padding: 2pt 4pt; text-align: left; }
th { background: #f3f3f3; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.charts { display: flex; gap: 8mm; flex-wrap: wrap; }
figure { margin: 0; } figcaption { font-size: 9pt; color: #555; }
code { font-size: 8pt; word-break: break-all; }
"""


def _svg_bars(values: list, labels: list, caption: str) -> str:
    w, h, pad = 300, 120, 20
    top = max([v for v in values if v is not None] or [1]) or 1
    bw = (w - 2 * pad) / max(len(values), 1)
    bars = []
    for i, v in enumerate(values):
        bh = 0 if not v else (h - 2 * pad) * v / top
        x = pad + i * bw
        bars.append(f'<rect x="{x + 2:.1f}" y="{h - pad - bh:.1f}" width="{bw - 4:.1f}" height="{bh:.1f}" fill="#b22"/>'
                    f'<text x="{x + bw / 2:.1f}" y="{h - pad - bh - 2:.1f}" font-size="8" text-anchor="middle">{v or 0}</text>'
                    f'<text x="{x + bw / 2:.1f}" y="{h - 6}" font-size="7" text-anchor="middle">{html.escape(labels[i][-3:])}</text>')
    return (f'<figure><svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img">'
            f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>{"".join(bars)}</svg>'
            f'<figcaption>{html.escape(caption)}</figcaption></figure>')


def _svg_lines(series: list[tuple[str, list, str]], labels: list, caption: str) -> str:
    w, h, pad = 300, 120, 20
    n = max(len(labels), 1)
    step = (w - 2 * pad) / max(n - 1, 1)
    parts = [f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>',
             f'<line x1="{pad}" y1="{pad}" x2="{w - pad}" y2="{pad}" stroke="#eee"/>',
             f'<text x="2" y="{pad + 3}" font-size="7">100%</text>', f'<text x="2" y="{h - pad + 3}" font-size="7">0%</text>']
    for name, values, colour in series:
        points = [f"{pad + i * step:.1f},{h - pad - (h - 2 * pad) * v:.1f}" for i, v in enumerate(values) if v is not None]
        if points:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{" ".join(points)}"/>')
    for i, lab in enumerate(labels):
        parts.append(f'<text x="{pad + i * step:.1f}" y="{h - 6}" font-size="7" text-anchor="middle">{html.escape(lab[-3:])}</text>')
    legend = " · ".join(f'<span style="color:{c}">■</span> {html.escape(nm)}' for nm, _, c in series)
    return (f'<figure><svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img">'
            f'{"".join(parts)}</svg><figcaption>{html.escape(caption)}: {legend}</figcaption></figure>')


def to_html(r: dict, lang: str, stamp: str | None = None) -> str:
    e = html.escape
    hist = r["history"]
    weeks = [h["week"] for h in hist]
    label = {k: (zh if lang == "zh" else en) for k, en, zh in METRIC_COLS}
    charts = (_svg_bars([h["reported"] for h in hist], weeks, label["reported"])
              + _svg_lines([(label["on_time_rate"], [h["on_time_rate"] for h in hist], "#b22"),
                            (label["satisfaction_rate"], [h["satisfaction_rate"] for h in hist], "#26a")],
                           weeks, t("history", lang)))
    body = [f"<h1>{e(t('title', lang))}</h1>", f"<p>{e(_period_line(r, lang))}</p>"]
    if stamp:
        body.append(f"<p>{e(stamp)}</p>")
    body.append(f'<div class="charts">{charts}</div>')
    for title, rows, cols in tables(r, lang):
        body.append(f"<h2>{e(title)}</h2>")
        if not rows:
            body.append(f"<p>{e(t('none', lang))}</p>")
            continue
        head = "".join(f"<th>{e(c.heading(lang))}</th>" for c in cols)
        lines = []
        for row in rows:
            cells = []
            for c in cols:
                v = str(row.get(c.key, "") or "")
                numeric = bool(_NUMERIC.match(v))
                cells.append(f'<td class="n">{e(v)}</td>' if numeric else f"<td>{e(v)}</td>")
            lines.append("<tr>" + "".join(cells) + "</tr>")
        body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>")
    body.append(f"<h2>{e(t('audit', lang))}</h2><p>{e(t('anchor', lang))}: <code>{e(r['audit']['head'])}</code>"
                f" ({e(t('entries', lang))}: {r['audit']['entries']})</p>")
    lang_attr = "zh-CN" if lang == "zh" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{lang_attr}"><head><meta charset="utf-8">'
            f"<title>{e(t('title', lang))} {e(r['period']['label'])}</title><style>{CSS}</style></head>"
            f"<body>{''.join(body)}</body></html>\n")


def render(r: dict, fmt: str, lang: str, stamp: str | None = None) -> str:
    if fmt == "json":
        return to_json(r, stamp)
    if fmt == "html":
        return to_html(r, lang, stamp)
    return text(r, fmt, lang, stamp)
