import pytest

from cgov.core import yamlio


def load(text: str):
    return yamlio.load(yamlio.read_text("t.yaml", text.encode("utf-8")))


def test_no_type_guessing():
    doc = load("a: 0571\nb: NO\nc: 14:30\nd: 310230196203019916\ne: 1e3\nf: 2026-11-16\ng: ~\nh: ''\n")
    assert doc == {"a": "0571", "b": "NO", "c": "14:30", "d": "310230196203019916", "e": "1e3",
                   "f": "2026-11-16", "g": None, "h": ""}


def test_lines_are_kept_for_error_messages():
    doc = load("cgov: 1\nareas:\n  - id: a\n    name: x\n  - id: b\n")
    assert doc["areas"][0].line == 3 and doc["areas"][1].line == 5


@pytest.mark.parametrize("text, message", [
    ("a: 1\na: 2\n", "duplicate key 'a'"),
    ("x:\n  deep:\n    a: 1\n    a: 2\n", "duplicate key 'a'"),
    ("a: !!python/object:os.system {}\n", "tag !!python/object:os.system is not allowed"),
    ("a: !!int 3\n", "tag !!int is not allowed"),
    ("a: [1, 2\n", "malformed YAML"),
    ("base: &b {x: 1}\nother:\n  <<: *b\n", "merge keys"),
])
def test_refused_yaml(text, message):
    with pytest.raises(yamlio.YamlError) as e:
        load(text)
    assert message in e.value.message


def test_alias_bomb_is_refused_quickly():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    with pytest.raises(yamlio.YamlError) as e:
        load("\n".join(lines) + "\n")
    assert "aliases expand" in e.value.message


def test_nesting_deeper_than_64_is_refused():
    text = "a: " + "[" * 70 + "]" * 70 + "\n"
    with pytest.raises(yamlio.YamlError) as e:
        load(text)
    assert "deeper than 64" in e.value.message


def test_nul_bytes_and_encodings():
    with pytest.raises(yamlio.YamlError) as e:
        yamlio.read_text("t.yaml", b"a: 1\nb: \x00\n")
    assert "NUL byte" in e.value.message and e.value.line == 2
    with pytest.raises(yamlio.YamlError) as e:
        yamlio.read_text("t.yaml", "name: 陈家镇\n".encode("gbk"))
    assert "GBK" in e.value.message and "iconv" in e.value.message
    with pytest.raises(yamlio.YamlError) as e:
        yamlio.read_text("t.yaml", b"a: \xff\xfe\xfa\n")
    assert "not valid UTF-8" in e.value.message
    assert yamlio.read_text("t.yaml", "\ufeffa: 陈\n".encode("utf-8")) == "a: 陈\n"


def test_size_cap(monkeypatch):
    monkeypatch.setattr(yamlio, "MAX_BYTES", 10)
    with pytest.raises(yamlio.YamlError) as e:
        yamlio.read_text("t.yaml", b"a: 12345678901\n")
    assert "over the 10-byte limit" in e.value.message


def test_dump_quotes_what_would_read_back_differently():
    text = yamlio.dump({"code": "0571", "flag": "NO", "time": "14:30", "id": "310230196203019916", "name": "陈家镇"})
    assert load(text) == {"code": "0571", "flag": "NO", "time": "14:30", "id": "310230196203019916", "name": "陈家镇"}
    assert "陈家镇" in text  # written as is, not escaped


def test_no_unsafe_loader_anywhere_in_the_package():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "cgov"
    bad = re.compile(r"yaml\.load\(|yaml\.unsafe_load|FullLoader|UnsafeLoader|yaml\.Loader\b|CLoader\b")
    hits = [f"{p}:{i}" for p in root.rglob("*.py")
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if bad.search(line)]
    assert hits == []
