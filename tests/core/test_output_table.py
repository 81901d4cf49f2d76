"""The terminal table: ids, dates and masked values stay whole while the
columns of text fold, as far as the width allows."""

import pytest

from cgov.core import output
from cgov.core.output import Col, Out

ROWS = [{"id": f"C2026-0000{n}", "at": "2026-11-20 03:48", "phone": "139****0260",
         "title": "第三网格13至17号楼居民反映电动自行车飞线充电存在火灾隐患" * 2, "place": "裕鸿佳苑第四社区第三网格"}
        for n in range(10, 14)]
COLS = [Col("id", "Id", "编号"), Col("at", "Reported", "上报时间"), Col("phone", "Phone", "电话"),
        Col("title", "Title", "标题"), Col("place", "Place", "地点")]


def table(width, monkeypatch, rows=ROWS):
    monkeypatch.setattr(output, "_term_width", lambda: width)
    monkeypatch.setenv("NO_COLOR", "1")
    return output.table_text(rows, COLS, Out(fmt="table", lang="zh"))


@pytest.mark.parametrize("width", [100, 80])
def test_ids_dates_and_masked_values_stay_whole_and_text_folds(width, monkeypatch):
    text = table(width, monkeypatch)
    for r in ROWS:
        assert r["id"] in text and r["at"] in text and r["phone"] in text
    assert max(len(line) for line in text.splitlines()) <= width
    assert "第三网格" in text  # the title is there, folded over lines


def test_too_narrow_for_all_keeps_the_id_whole(monkeypatch):
    rows = [{**r, **{f"x{i}": "2026-11-20 03:48" for i in range(6)}} for r in ROWS]
    cols = COLS + [Col(f"x{i}", f"X{i}", f"X{i}") for i in range(6)]
    monkeypatch.setattr(output, "_term_width", lambda: 110)
    monkeypatch.setenv("NO_COLOR", "1")
    text = output.table_text(rows, cols, Out(fmt="table", lang="en"))
    assert all(r["id"] in text for r in rows)


def test_plain_tables_align_chinese_as_tabulate_does():
    # -f plain lays tables out itself (importing tabulate cost more than a
    # listing's own work); the layout must stay the one scripts already read.
    import random

    from tabulate import tabulate

    # Emoji as pasted from WeChat (⚠️ with its selector, 👍🏻 with a skin
    # tone, 1️⃣), conjoining jamo and Indic marks are where widths disagree.
    chars = [*"abcXYZ012 -_裕安社区网格楼道堆物，。（）①·—é̃ｱ한😀™ß€",
             "⚠️", "❤️", "👍🏻", "1️⃣", "\u1100\u1161", "क्षि"]
    rng = random.Random(7)
    for _ in range(800):
        n = rng.randint(1, 5)
        heads = ["".join(rng.choice(chars) for _ in range(rng.randint(1, 8))) for _ in range(n)]
        body = [["".join(rng.choice(chars) for _ in range(rng.randint(0, 12))) for _ in range(n)]
                for _ in range(rng.randint(1, 4))]
        assert output._plain_table(heads, body) == tabulate(body, headers=heads, tablefmt="simple",
                                                            disable_numparse=True)


def test_plain_tables_put_chinese_columns_in_line():
    rows = [{"id": "g01", "name": "裕安社区第一网格"}, {"id": "g02", "name": "Block 2"}]
    cols = [Col("name", "Name", "名称"), Col("id", "Id", "编号")]
    lines = output.table_text(rows, cols, Out(fmt="plain", lang="zh")).splitlines()
    # The id column starts at the same terminal column on every line.
    starts = {output.display_width(line[:line.index(i)]) for line, i in zip(lines[2:], ("g01", "g02"))}
    assert lines[0].startswith("名称") and len(starts) == 1
    # A cell with a line break is still laid out (by tabulate), not dropped.
    text = output.table_text([{"id": "g03", "name": "一\n二"}], cols, Out(fmt="plain", lang="en"))
    assert "一" in text and "二" in text and "g03" in text
