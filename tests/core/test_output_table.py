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
