import pytest

from cgov.core import privacy

VALID = "310230196203019916"  # synthetic, check digit computed by GB 11643


def test_valid_id_number_passes_and_normalises_fullwidth_and_lowercase_x():
    assert privacy.id_number_problem(VALID) is None
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in VALID)
    assert privacy.normalize_id_number(full_width) == VALID
    # 11010519491231002X is the standard's own example with an X check character.
    assert privacy.normalize_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize("value, reason", [
    ("310230196203019917", "check digit is 7, should be 6"),
    ("310230198002309914", "birth date 1980-02-30 does not exist"),
    ("31023019620301991", "has 17 characters"),
    ("3102301962030199A6", "must be 17 digits"),
])
def test_invalid_id_numbers_say_why(value, reason):
    assert reason in privacy.id_number_problem(value)


@pytest.mark.parametrize("raw, expected", [
    ("13800138000", "13800138000"),
    ("+86 138-0013-8000", "13800138000"),
    ("0086 13800138000", "13800138000"),
    ("１３８００１３８０００", "13800138000"),
    ("021-64881234", "02164881234"),
    ("(0571) 8888 1234", "057188881234"),
])
def test_phones_normalise(raw, expected):
    assert privacy.normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "138001380001", "abc", "64881234"])
def test_bad_phones_are_refused(raw):
    with pytest.raises(ValueError):
        privacy.normalize_phone(raw)


def test_masks_keep_first_three_and_last_four():
    assert privacy.mask_id_number("11010519491231002X") == "110***********002X"
    assert privacy.mask_phone("13812345678") == "138****5678"
    assert privacy.mask_record({"id_number": VALID, "nested": [{"phone": "13812345678"}], "name": "王"}) == {
        "id_number": "310***********9916", "nested": [{"phone": "138****5678"}], "name": "王"}


def test_numbers_written_into_free_text_are_masked_and_nothing_else():
    text = f"5号楼漏水，联系人电话13812345678，又 +86 139-1234-5678，身份证{VALID}"
    assert privacy.mask_text(text) == "5号楼漏水，联系人电话138****5678，又 139****5678，身份证310***********9916"
    # Hashes, codes, case ids, dates and landlines are left alone.
    for plain in ("hash a1381234567890bcdef", "C2026-000123", "2026-11-23 09:00", "0571-88886666",
                  "编号2026000123"):
        assert privacy.mask_text(plain) == plain
    assert privacy.mask_record({"title": "电话13812345678", "n": 13812345678}) == {
        "title": "电话138****5678", "n": 13812345678}
    assert privacy.mask_record({"title": "电话13812345678"}, free_text=False) == {"title": "电话13812345678"}


def test_pii_lines_names_lines_with_ids_or_mobiles():
    text = "会议记录\n联系人电话 138 1234 5678\n无\n身份证310230196203019916\n编号2026000123"
    assert privacy.pii_lines(text) == [2, 4]


def test_pii_lines_counts_landlines_with_their_area_code_as_phones():
    text = ("社区办公室电话：021-51234567\n会议时间2026-11-23 14:30\n(0571) 8765 4321\n"
            "预算12,000元，面积1200平方米\n编号2026110012345")
    assert privacy.pii_lines(text) == [1, 3]
