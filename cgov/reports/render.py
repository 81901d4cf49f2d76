"""The weekly summary as Markdown, plain text, JSON and one self-contained
HTML page (tables and inline SVG charts, no scripts, fit for A4).

Every text format is laid out from the same list of tables (`tables`), so md,
plain and html carry the same numbers as each other and as the JSON; nothing
here reads the clock, so the same data gives the same bytes."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

from cgov.cases.cli import GROUP_KEYS, METRIC_COLS
from cgov.core import clock
from cgov.core.output import Col, Out, display_width, table_text
from cgov.org.labels import GRID_RULES

T = {
    "title": ("Weekly summary", "工作周报"),
    "area": ("Area", "范围"), "whole": ("everything in the store", "全部"),
    "cases": ("Cases", "案件"), "figure": ("Figure", "指标"), "this": ("This period", "本期"),
    "prev": ("Previous period", "上期"), "change": ("Change", "变化"), "value": ("Value", "数值"),
    "count": ("Count", "数量"), "name": ("Name", "名称"),
    "by_community": ("By community", "分社区"), "by_grid": ("By grid", "分网格"),
    "by_category": ("By category", "分类别"),
    "most_overdue": ("Most overdue open cases at the end of the period", "期末超期未结案件（前十）"),
    "escalations": ("Escalations in the period", "本期督办"), "escalations_row": ("Escalations", "督办"),
    "none": ("None.", "无。"),
    "meetings": ("Meetings", "会议"), "held": ("Meetings held", "召开会议"),
    "motions_voted": ("Motions voted", "表决事项"), "motions_passed": ("Motions passed", "通过"),
    "motions_failed": ("Motions failed", "未通过"), "motions_void": ("Motions void (no quorum)", "无效（未达法定人数）"),
    "minutes_published": ("Minutes published", "会议记录公开"),
    "regular_overdue": ("Regular meetings overdue", "逾期未开的例会"),
    "regular_overdue_top": ("Most overdue regular meetings", "逾期最久的例会（前十）"),
    "access": ("Work-item access list", "社区工作事项准入"),
    "access_all": ("The access list is the street's: these figures cover every community.",
                   "准入清单全街道（镇）统一，以下数字不分社区。"),
    "org": ("Org chart changes", "组织架构变动"),
    "volunteers": ("Volunteers and co-building", "志愿服务与共建"),
    "grid": ("Grid check", "网格检查"), "findings": ("Findings", "问题合计"),
    "cross": ("Cross-appointment rate", "交叉任职率"),
    "history": ("Last eight weeks", "近八周"),
    "audit": ("Audit chain", "审计链"), "anchor": ("Head hash (anchor)", "链头哈希（锚点）"),
    "entries": ("Entries", "条目数"),
}
ACCESS_KEYS = (("applications_received", "Applications received", "收到申请"),
               ("applications_decided", "Applications decided", "已审结申请"),
               ("applications_decided_late", "Decided late", "逾期审结"),
               ("applications_overdue", "Undecided past the limit", "逾期未审结"),
               ("items_admitted", "Items admitted", "新准入事项"), ("items_revoked", "Items revoked", "退出事项"),
               ("requests_refused", "Requests refused", "拒绝摊派"), ("admitted", "Items on the list", "在册事项"),
               ("baseline", "Baseline", "精简前基数"), ("reduction", "Items cut", "精简事项"),
               ("reduction_rate", "Reduction rate", "精简率"))
ORG_KEYS = (("persons_added", "People added", "新增人员"), ("posts_started", "Posts started", "新任职务"),
            ("posts_ended", "Posts ended", "卸任职务"))
VOLUNTEER_KEYS = (("activities", "Activities held", "志愿服务活动"), ("volunteers", "Volunteers who served", "参与志愿者"),
                  ("hours_served", "Hours served", "服务时长（小时）"), ("points_earned", "Points earned", "获得积分"),
                  ("hours_adjusted", "Hours corrected", "更正时长（小时）"),
                  ("points_adjusted", "Points corrected", "更正积分"), ("redemptions", "Redemptions", "兑换次数"),
                  ("points_redeemed", "Points redeemed", "兑换积分"), ("wishes_posted", "Micro-wishes posted", "新发布微心愿"),
                  ("wishes_fulfilled", "Micro-wishes fulfilled", "已实现微心愿"),
                  ("needs_posted", "Needs posted", "新增需求"), ("needs_fulfilled", "Needs met", "已满足需求"),
                  ("projects_started", "Projects started", "启动项目"), ("projects_done", "Projects done", "完成项目"),
                  ("registrations", "Units and members newly registered", "新报到（双报到）"))
MEETING_KEYS = ("held", "motions_voted", "motions_passed", "motions_failed", "motions_void", "minutes_published",
                "regular_overdue")
HISTORY_KEYS = ("reported", "due", "closed_on_time", "on_time_rate", "rated", "satisfaction_rate")
METRIC = {k: (en, zh) for k, en, zh in METRIC_COLS}
# Cells that must not wrap in HTML: ids, times and numbers.
_KEEP = re.compile(r"^(?:[+-]?\d+(?:\.\d+)?(?:%|(?: ?pt|个百分点))?|—|C\d{4}-\d+|\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?"
                   r"|\d{4}-W\d{2})$")
_NUMBER = re.compile(r"^(?:[+-]?\d+(?:\.\d+)?(?:%|(?: ?pt|个百分点))?|—)$")


def t(key: str, lang: str) -> str:
    en, zh = T[key]
    return zh if lang == "zh" else en


def _pick(pair, lang: str) -> str:
    return pair[1] if lang == "zh" else pair[0]


def num(key: str, v) -> str:
    """A figure as people read it: rates in per cent, counts as they are."""
    if v is None:
        return "—"
    if key.endswith("rate"):
        return f"{v * 100:.1f}%"
    return f"{v:g}" if isinstance(v, float) else str(v)


def delta(key: str, v, lang: str) -> str:
    """A change: rates in percentage points."""
    if v is None:
        return "—"
    if key.endswith("rate"):
        return f"{v * 100:+.1f}" + ("个百分点" if lang == "zh" else " pt")
    return f"{v:+g}"


def _time(v) -> str:
    return clock.fmt_local(v) if isinstance(v, dt.datetime) else ("—" if v is None else str(v))


def period_line(r: dict, lang: str) -> str:
    p = r["period"]
    first, last = clock.to_local(p["start"]).date(), clock.to_local(p["end"] - dt.timedelta(microseconds=1)).date()
    sep = "：" if lang == "zh" else ": "
    return f"{p['label']} ({first} – {last}) · {t('area', lang)}{sep}{p['area_name'] or t('whole', lang)}"


# ---- the tables every text format shares ----------------------------------------

def _kv(pairs, value_head: str = "value") -> tuple[list[dict], list[Col]]:
    """A two-column table of (figure, value) pairs."""
    return ([{"figure": f, "value": v} for f, v in pairs],
            [Col("figure", *T["figure"]), Col("value", *T[value_head])])


def _case_figures(c: dict, lang: str):
    rows = [{"figure": _pick(METRIC[k], lang), "this": num(k, c["figures"][k]), "prev": num(k, c["previous"][k]),
             "change": delta(k, c["change"][k], lang)} for k in METRIC]
    e = c["escalations"]
    rows.append({"figure": t("escalations_row", lang), "this": str(e["count"]), "prev": str(e["previous"]),
                 "change": delta("escalations", e["change"], lang)})
    return rows, [Col("figure", *T["figure"]), Col("this", *T["this"]), Col("prev", *T["prev"]),
                  Col("change", *T["change"])]


def _groups(groups: list[dict], lang: str):
    none = "（无）" if lang == "zh" else "(none)"
    rows = [{"name": g["name"] or g["key"] or none, **{k: num(k, g[k]) for k in GROUP_KEYS}} for g in groups]
    return rows, [Col("name", *T["name"])] + [Col(k, *METRIC[k]) for k in GROUP_KEYS]


def _cell_text(key: str, v) -> str:
    return _time(v) if isinstance(v, (dt.date, type(None))) else num(key, v)


def _case_list(cases: list[dict], extra: list[tuple[str, str, str]]):
    rows = [{**c, **{k: _cell_text(k, c[k]) for k, _, _ in extra}} for c in cases]
    cols = [Col("id", "Case", "编号"), Col("title", "Title", "标题"), Col("community_name", "Community", "社区"),
            Col("handler_name", "Handler", "承办方")]
    return rows, cols + [Col(*x) for x in extra]


def tables(r: dict, lang: str) -> list[tuple[str, str | None, list[dict], list[Col]]]:
    """(title, note, rows, columns) of every table of the report, in order."""
    c, m, a, o, g = r["cases"], r["meetings"], r["access"], r["org"], r["grid_check"]
    out = [(t("cases", lang), None, *_case_figures(c, lang))]
    by = "by_grid" if c["by_area"]["by"] == "grid" else "by_community"
    out.append((t(by, lang), None, *_groups(c["by_area"]["groups"], lang)))
    out.append((t("by_category", lang), None, *_groups(c["by_category"], lang)))
    out.append((t("most_overdue", lang), None, *_case_list(c["most_overdue"], [
        ("resolve_by", "Resolve by", "办结时限"), ("overdue_days", "Days overdue", "超期天数")])))
    out.append((t("escalations", lang), None, *_case_list(c["escalations"]["cases"], [
        ("level", "Level", "督办级别"), ("at", "Escalated at", "督办时间"), ("resolve_by", "Resolve by", "办结时限")])))
    types = [((row["name_en"] or row["name"], row["name"]), row["held"]) for row in m["by_type"]]
    out.append((t("meetings", lang), None, *_kv(
        [(_pick(n, lang), str(v)) for n, v in types] + [(t(k, lang), str(m[k])) for k in MEETING_KEYS],
        "count")))
    out.append((t("regular_overdue_top", lang), None, [
        {"organization": row["organization_name"], "type": row["type_name"] if lang == "zh" else row["type_name_en"],
         "last_held": _time(row["last_held"]), "due": _time(row["due"]), "days": str(row["overdue_days"])}
        for row in m["regular_overdue_top"]],
        [Col("organization", "Organization", "组织"), Col("type", "Meeting", "会议"),
         Col("last_held", "Last held", "上次召开"), Col("due", "Due", "应开日期"), Col("days", "Days overdue", "逾期天数")]))
    note = t("access_all", lang) if r["period"]["area"] else None
    out.append((t("access", lang), note,
                *_kv([(_pick((en, zh), lang), num(k, a[k])) for k, en, zh in ACCESS_KEYS])))
    out.append((t("org", lang), None,
                *_kv([(_pick((en, zh), lang), str(o[k])) for k, en, zh in ORG_KEYS], "count")))
    v = r["volunteers"]
    out.append((t("volunteers", lang), None,
                *_kv([(_pick((en, zh), lang), num(k, v[k])) for k, en, zh in VOLUNTEER_KEYS], "count")))
    out.append((t("grid", lang), None, *_kv(
        [(_pick(GRID_RULES.get(rule, (rule, rule)), lang), str(n)) for rule, n in g["by_rule"].items()]
        + [(t("findings", lang), str(g["findings"])), (t("cross", lang), num("rate", g["cross_appointment_rate"]))])))
    out.append((t("history", lang), None,
                [{"week": h["week"], **{k: num(k, h[k]) for k in HISTORY_KEYS}} for h in r["history"]],
                [Col("week", "Week", "周")] + [Col(k, *METRIC[k]) for k in HISTORY_KEYS]))
    out.append((t("audit", lang), None, *_kv([(t("anchor", lang), r["audit"]["head"]),
                                              (t("entries", lang), str(r["audit"]["entries"]))])))
    return out


def text(r: dict, fmt: str, lang: str, stamp: str | None = None) -> str:
    """Markdown or plain text."""
    out = Out(fmt=fmt, lang=lang)
    head = f"{t('title', lang)} — {period_line(r, lang)}"
    parts = ["# " + head if fmt == "md" else head + "\n" + "=" * display_width(head)]
    if stamp:
        parts.append(stamp)
    for title, note, rows, cols in tables(r, lang):
        lines = [f"## {title}" if fmt == "md" else title + "\n" + "-" * display_width(title)]
        if note:
            lines.append(note)
        lines.append(table_text(rows, cols, out).rstrip("\n") if rows else t("none", lang))
        parts.append("\n\n".join(lines) if fmt == "md" else "\n".join(lines))
    return "\n\n".join(parts) + "\n"


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
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# ---- HTML -------------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       font-size: 9.5pt; color: #222; max-width: 186mm; margin: 0 auto; }
h1 { font-size: 15pt; border-bottom: 2px solid #b22; padding-bottom: 3pt; margin-bottom: 4pt; }
h2 { font-size: 11.5pt; color: #b22; margin: 12pt 0 3pt; break-after: avoid; page-break-after: avoid; }
p { margin: 3pt 0; }
table { border-collapse: collapse; width: 100%; margin: 3pt 0 6pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #ccc; padding: 1.5pt 3pt; text-align: left; vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.k { white-space: nowrap; }
table.wide { font-size: 7.5pt; }
table.wide th { padding: 1pt 2pt; }
table.wide td { padding: 1pt 2pt; }
table.wide td:first-child { white-space: nowrap; }
table.kv { width: auto; min-width: 60%; }
td.hash { font-family: monospace; font-size: 8pt; word-break: break-all; }
.charts { display: flex; gap: 6mm; flex-wrap: wrap; break-inside: avoid; }
figure { margin: 0; } figcaption { font-size: 8.5pt; color: #555; }
@media print { body { max-width: none; } }
"""


def _svg(w: int, h: int, body: str, caption: str) -> str:
    return (f'<figure><svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            f'role="img" font-family="sans-serif">{body}</svg><figcaption>{caption}</figcaption></figure>')


def svg_bars(values: list, labels: list, caption: str) -> str:
    w, h, pad = 300, 120, 20
    top = max([v for v in values if v] or [1])
    bw = (w - 2 * pad) / max(len(values), 1)
    parts = [f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>']
    for i, v in enumerate(values):
        bh = (h - 2 * pad) * (v or 0) / top
        x = pad + i * bw
        parts.append(f'<rect x="{x + 2:.1f}" y="{h - pad - bh:.1f}" width="{bw - 4:.1f}" height="{bh:.1f}" fill="#b22"/>'
                     f'<text x="{x + bw / 2:.1f}" y="{h - pad - bh - 2:.1f}" font-size="8" text-anchor="middle">'
                     f'{v or 0}</text><text x="{x + bw / 2:.1f}" y="{h - 6}" font-size="7" text-anchor="middle">'
                     f'{html.escape(labels[i][-3:])}</text>')
    return _svg(w, h, "".join(parts), html.escape(caption))


def svg_lines(series: list[tuple[str, list, str]], labels: list, caption: str) -> str:
    w, h, pad = 300, 120, 20
    step = (w - 2 * pad) / max(len(labels) - 1, 1)
    parts = [f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>',
             f'<line x1="{pad}" y1="{pad}" x2="{w - pad}" y2="{pad}" stroke="#ddd"/>',
             f'<text x="2" y="{pad + 3}" font-size="7">100%</text>',
             f'<text x="2" y="{h - pad + 3}" font-size="7">0%</text>']
    for _, values, colour in series:
        points = [(pad + i * step, h - pad - (h - 2 * pad) * v) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="'
                         + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{colour}"/>' for x, y in points]
    for i, lab in enumerate(labels):
        parts.append(f'<text x="{pad + i * step:.1f}" y="{h - 6}" font-size="7" text-anchor="middle">'
                     f'{html.escape(lab[-3:])}</text>')
    legend = " · ".join(f'<span style="color:{c}">■</span> {html.escape(name)}' for name, _, c in series)
    return _svg(w, h, "".join(parts), f"{html.escape(caption)}: {legend}")


def _cell(col: Col, v: str) -> str:
    e = html.escape(v)
    if col.key == "value" and re.fullmatch(r"[0-9a-f]{64}", v):
        return f'<td class="hash">{e}</td>'
    classes = (["n"] if _NUMBER.match(v) else []) + (["k"] if _KEEP.match(v) else [])
    return f'<td class="{" ".join(classes)}">{e}</td>' if classes else f"<td>{e}</td>"


def to_html(r: dict, lang: str, stamp: str | None = None) -> str:
    e = html.escape
    hist = r["history"]
    weeks = [h["week"] for h in hist]
    charts = (svg_bars([h["reported"] for h in hist], weeks, _pick(METRIC["reported"], lang))
              + svg_lines([(_pick(METRIC["on_time_rate"], lang), [h["on_time_rate"] for h in hist], "#b22"),
                           (_pick(METRIC["satisfaction_rate"], lang), [h["satisfaction_rate"] for h in hist], "#26a")],
                          weeks, t("history", lang)))
    body = [f"<h1>{e(t('title', lang))}</h1>", f"<p>{e(period_line(r, lang))}</p>"]
    if stamp:
        body.append(f"<p>{e(stamp)}</p>")
    body.append(f'<div class="charts">{charts}</div>')
    for title, note, rows, cols in tables(r, lang):
        body.append(f"<h2>{e(title)}</h2>")
        if note:
            body.append(f"<p>{e(note)}</p>")
        if not rows:
            body.append(f"<p>{e(t('none', lang))}</p>")
            continue
        kind = ' class="wide"' if len(cols) > 8 else (' class="kv"' if cols[0].key == "figure" else "")
        head = "".join(f"<th>{e(c.heading(lang))}</th>" for c in cols)
        lines = ["<tr>" + "".join(_cell(c, str(row.get(c.key) or "")) for c in cols) + "</tr>" for row in rows]
        body.append(f"<table{kind}><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>")
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{e(t('title', lang))} {e(r['period']['label'])}</title><style>{CSS}</style></head>\n"
            f"<body>\n" + "\n".join(body) + "\n</body></html>\n")


def render(r: dict, fmt: str, lang: str, stamp: str | None = None) -> str:
    if fmt == "json":
        return to_json(r, stamp)
    if fmt == "html":
        return to_html(r, lang, stamp)
    return text(r, fmt, lang, stamp)
