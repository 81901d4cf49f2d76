"""Minutes as a street office would accept them, in Markdown, English or
Chinese: who convened, when and where, who chaired and recorded, entitled /
present / ratio / quorum, absentees with reasons, guests, agenda, discussion,
each motion with its method, counts and result, action items, disclosure.

Pure: renders the dict from `service.show_meeting`. The canonical form (the
text whose SHA-256 is published) is the Chinese rendering in China Standard
Time without the disclosure and addenda, so it reads the same on any machine."""

from __future__ import annotations

import datetime as dt
from functools import partial

from cgov.core import clock, i18n
from cgov.meetings import labels

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def _time(value: dt.datetime | None, tz) -> str:
    if value is None:
        return ""
    return value.astimezone(tz or clock.local_zone()).strftime("%Y-%m-%d %H:%M")


def _cell(text) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", "<br>")


def _names(rows: list[dict], lang: str, note=None) -> str:
    sep = "、" if lang == "zh" else ", "
    out = []
    for r in rows:
        extra = note(r) if note else None
        out.append(f"{r['name']}（{extra}）" if extra and lang == "zh" else
                   f"{r['name']} ({extra})" if extra else r["name"])
    return sep.join(out) if out else i18n.t("none", "无", lang)


def _header(d: dict, lang: str, tz) -> list[str]:
    t = partial(i18n.t, lang=lang)
    conveners = d["organization_name"]
    if d["with"]:
        others = ("、" if lang == "zh" else ", ").join(c["organization_name"] for c in d["with"])
        conveners += t(f"; with {others}", f"；参加单位：{others}")
    lines = [
        (t("Meeting", "会议类型"), d["type_name"] if lang == "zh" else f"{d['type_name_en']} ({d['type_name']})"),
        (t("Convened by", "召集单位"), conveners),
        (t("Time", "时间"), _time(d["at"], tz)),
        (t("Place", "地点"), d["place"] or t("not recorded", "未记录")),
        (t("Chair", "主持人"), d["chair_name"] or t("not recorded", "未记录")),
        (t("Recorder", "记录人"), d["recorder_name"] or t("not recorded", "未记录")),
    ]
    lines += _attendance_lines(d, lang)
    sep = "：" if lang == "zh" else ": "
    return [f"- **{k}**{sep}{v}" for k, v in lines]


def _attendance_lines(d: dict, lang: str) -> list[tuple[str, str]]:
    t = partial(i18n.t, lang=lang)
    att = d["attendance"]
    entitled, present = d["entitled"], d["present"]
    lines = []
    if d["counting"] == "open":
        lines.append((t("Entitled to vote", "应到（有表决权）"), t("open to all who come", "不限，到会者均可表决")))
    else:
        given = t(" (given at the meeting)", "（会议确认人数）") if d["counting"] == "given" else ""
        lines.append((t("Entitled to vote", "应到（有表决权）"), t(f"{entitled}{given}", f"{entitled}人{given}")))
    if present is None:
        lines.append((t("Present with a vote", "实到（有表决权）"), t("not recorded", "未登记")))
    else:
        ratio = f" ({d['attendance_rate']:.1%})" if d["attendance_rate"] is not None and lang != "zh" else \
            f"（{d['attendance_rate']:.1%}）" if d["attendance_rate"] is not None else ""
        came = [r for r in att if r["kind"] != "guest" and r["votes"] and r["status"] == "present"]
        names = f"{'：' if lang == 'zh' else ': '}{_names(came, lang)}" if came else ""
        lines.append((t("Present with a vote", "实到（有表决权）"), t(f"{present}{ratio}", f"{present}人{ratio}") + names))
    if d["quorum_met"] is None:
        lines.append((t("Quorum", "法定人数"), t("cannot be judged: attendance not recorded", "无法判断：未登记到会人数")))
    else:
        met = t("met", "已达到") if d["quorum_met"] else t("NOT met", "未达到")
        why = d["quorum_explanation_zh"] if lang == "zh" else d["quorum_explanation"]
        lines.append((t("Quorum", "法定人数"), f"{met}{'——' if lang == 'zh' else ' — '}{why}"))
    absent = [r for r in att if r["kind"] == "entitled" and r["status"] == "absent"]
    if d["counting"] == "roster":
        lines.append((t("Absent", "缺席"), _names(absent, lang, lambda r: r["reason"])))
    silent = [r for r in att if r["kind"] == "entitled" and not r["votes"] and r["status"] == "present"]
    if silent:
        lines.append((t("Present without a vote", "到会（无表决权）"),
                      _names(silent, lang, lambda r: _status_note(r, lang))))
    guests = [r for r in att if r["kind"] == "guest"]
    lines.append((t("Guests (列席, no vote)", "列席人员"), _names(guests, lang)))
    return lines


def _status_note(r: dict, lang: str) -> str:
    status = r.get("party_status")
    if status == "probationary":
        return i18n.t("probationary member", "预备党员", lang)
    return i18n.t("not a full member", "非正式党员", lang)


def _motion(mo: dict, agenda: dict, lang: str) -> list[str]:
    t = partial(i18n.t, lang=lang)
    sep = "：" if lang == "zh" else ": "
    out = [f"### {mo['position']}. {mo['text']}", ""]
    if mo["item"] is not None:
        out.append(f"- **{t('Agenda item', '对应议程')}**{sep}{mo['item']}. {agenda.get(mo['item'], '')}")
    if mo["method"] is None:
        out.append(f"- **{t('Vote', '表决')}**{sep}{t('not voted', '未表决')}")
        return out
    method = labels.METHODS[mo["method"]] if lang == "zh" else labels.METHODS_EN[mo["method"]]
    tally = t(f"{mo['yes']} yes, {mo['no']} no, {mo['abstain']} abstain",
              f"赞成{mo['yes']}票，反对{mo['no']}票，弃权{mo['abstain']}票")
    out.append(f"- **{t('Vote', '表决')}**{sep}{method}{'；' if lang == 'zh' else ' — '}{tally}")
    if mo["ballots"]:
        parts = []
        for choice in ("yes", "no", "abstain"):
            who = [b for b in mo["ballots"] if b["choice"] == choice]
            if who:
                head = labels.CHOICES[choice] if lang == "zh" else choice.capitalize()
                parts.append(f"{head}{sep}{_names(who, lang)}")
        out.append(f"- **{t('Roll call', '记名表决情况')}**{sep}{'；'.join(parts) if lang == 'zh' else '; '.join(parts)}")
    result = labels.RESULTS[mo["result"]] if lang == "zh" else mo["result"]
    why = mo["explanation_zh"] if lang == "zh" else mo["explanation"]
    out.append(f"- **{t('Result', '表决结果')}**{sep}**{result}**" +
               (f"（{why}）" if lang == "zh" else f" — {why}"))
    return out


def _actions(d: dict, lang: str) -> list[str]:
    t = partial(i18n.t, lang=lang)
    heads = [t("#", "序号"), t("Action", "事项"), t("Owner", "责任单位（人）"), t("Due", "完成时限"),
             t("Motion", "依据决议"), t("Case", "工单")]
    out = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for a in d["actions"]:
        out.append("| " + " | ".join(_cell(x) for x in (a["position"], a["text"], a["owner_name"],
                                                         a["due"].isoformat(), a["motion"], a["case"])) + " |")
    return out


def render(d: dict, lang: str = "en", tz=None, canonical: bool = False) -> str:
    """The minutes as Markdown. `canonical` leaves out what follows publication."""
    t = partial(i18n.t, lang=lang)
    out = [f"# {d['title']}", ""]
    out += _header(d, lang, tz)
    out += ["", f"## {t('Agenda', '会议议程')}", ""]
    out += [f"{i['item']}. {i['text']}" for i in d["agenda"]] or [t("No agenda recorded.", "未登记议程。")]
    out += ["", f"## {t('Discussion', '讨论记录')}", ""]
    out += [d["minutes"] or t("No discussion recorded.", "未登记讨论记录。")]
    out += ["", f"## {t('Motions and votes', '表决事项')}", ""]
    agenda = {i["item"]: i["text"] for i in d["agenda"]}
    if d["motions"]:
        for mo in d["motions"]:
            out += _motion(mo, agenda, lang) + [""]
        out.pop()
    else:
        out.append(t("No motions.", "无表决事项。"))
    out += ["", f"## {t('Action items', '落实事项')}", ""]
    out += _actions(d, lang) if d["actions"] else [t("None.", "无。")]
    if not canonical:
        out += ["", f"## {t('Disclosure', '公开情况')}", ""]
        out += _disclosure(d, lang, tz)
        if d["addenda"]:
            out += ["", f"## {t('Addenda', '补充说明')}", ""]
            for a in d["addenda"]:
                text = a["text"].replace("\n", "\n  ")
                out.append(f"- {_time(a['at'], tz)}{'：' if lang == 'zh' else ': '}{text}")
    return "\n".join(out) + "\n"


def _disclosure(d: dict, lang: str, tz) -> list[str]:
    t = partial(i18n.t, lang=lang)
    if not d["published"]:
        return [t("Not yet made public.", "尚未公开。")]
    when = _time(d["published_at"], tz)
    lines = [t(f"- Made public at {d['published_where']} on {when}.", f"- 已于{when}在{d['published_where']}公开。")]
    if d.get("integrity") == "verified":
        check = t(" (verified)", "（校验一致）")
    elif d.get("integrity"):
        check = t(f" (DOES NOT MATCH: {d['integrity']})", "（校验不一致：公开文本已被改动）")
    else:
        check = ""
    lines.append(t(f"- SHA-256 of the minutes as published (Chinese, China Standard Time, up to the action items): "
                   f"`{d['content_hash']}`{check}",
                   f"- 公开文本（会议记录至落实事项，北京时间）SHA-256：`{d['content_hash']}`{check}"))
    if d.get("renders_as_published") is False:
        lines.append(t("- The meeting as stored now renders differently from the published text; "
                       "the published text is the record.",
                       "- 现存会议内容生成的文本与公开文本不同，以公开文本为准。"))
    return lines
