"""Loading: every refused input gets an exact, located message."""

from __future__ import annotations

import json

import pytest

from briefs.data.loader import MAX_BYTES, format_loc, load
from briefs.errors import InvalidInput


def messages(path) -> list[str]:
    try:
        doc = load(path, display="x.yaml")
    except InvalidInput as exc:
        return [str(p) for p in exc.problems]
    return [str(p) for p in doc.problems]


def test_plain_scalars_stay_strings(write):
    doc = load(write("a: NO\nb: 012\nc: 1:30\nd: 3.10\ne: 2026-02-10\nf: yes\ng:\nh: ~\n"))
    assert doc.data == {
        "a": "NO",
        "b": "012",
        "c": "1:30",
        "d": "3.10",
        "e": "2026-02-10",
        "f": "yes",
        "g": None,
        "h": None,
    }
    assert doc.problems == []


def test_positions_are_one_based_line_and_column(write):
    doc = load(write("a:\n  b: [x, 'y']\n"))
    assert doc.locate(("a", "b", 1)) == (2, 10)
    assert doc.locate(("a", "b")) == (2, 3)
    assert doc.locate(("a", "missing", "deeper")) == (1, 1)


def test_duplicate_key(write):
    assert messages(write("a: 1\nb: {c: 1}\nb: 2\n")) == ["x.yaml:3:1: b: duplicate key 'b' (first defined at line 2)"]


def test_anchor_and_alias(write):
    assert messages(write("a: &base 1\nb: *base\n")) == [
        "x.yaml:1:4: a: anchors (&base) are not allowed; write the value out",
        "x.yaml:2:4: b: aliases (*base) are not allowed; write the value out",
    ]


def test_custom_tag(write):
    assert messages(write("a: !!python/object:os.system ls\nb: !custom x\n")) == [
        "x.yaml:1:4: a: tags (tag:yaml.org,2002:python/object:os.system) are not allowed; quote the value instead",
        "x.yaml:2:4: b: tags (!custom) are not allowed; quote the value instead",
    ]


def test_non_string_keys(write):
    assert messages(write("yes: 1\n12: 2\nnull: 3\n'ok': 4\n")) == [
        "x.yaml:1:1: key 'yes' is not a string (YAML reads it as bool); quote it",
        "x.yaml:2:1: key '12' is not a string (YAML reads it as int); quote it",
        "x.yaml:3:1: key 'null' is not a string (YAML reads it as null); quote it",
    ]


def test_complex_key(write):
    assert messages(write("? [a, b]\n: 1\n")) == ["x.yaml:1:3: keys must be plain strings, not lists or mappings"]


def test_file_over_one_mebibyte_is_refused_before_parsing(write):
    path = write(b"a: " + b"x" * MAX_BYTES + b"\n")
    assert messages(path) == [f"x.yaml:1:1: file is {MAX_BYTES + 4:,} bytes; the limit is {MAX_BYTES:,} bytes (1 MiB)"]


def test_not_utf8(write):
    assert messages(write("title: Харта\nb: ok\n".encode("cp1251"))) == [
        "x.yaml:1:8: file is not valid UTF-8 (byte 0xd5)"
    ]


def test_utf16_is_named(write):
    assert messages(write("a: b\n".encode("utf-16"))) == ["x.yaml:1:1: file is UTF-16; save it as UTF-8"]


def test_bom_is_fine(write):
    assert load(write(b"\xef\xbb\xbfa: b\n")).data == {"a": "b"}


def test_unacceptable_character_in_stream(write):
    assert messages(write("a: b\nc: d\x07\n")) == ["x.yaml:2:5: character U+0007 is not allowed in the file"]


def test_deep_nesting(write):
    assert messages(write("a: " + "[" * 5000 + "]" * 5000 + "\n")) == ["x.yaml:1:35: nesting is deeper than 32 levels"]


def test_deep_nesting_json(write):
    path = write("[" * 100000 + "]" * 100000, name="x.json")
    assert messages(path) == ["x.yaml:1:1: nesting is deeper than 32 levels"]


def test_huge_number_json_is_kept_as_text(write):
    path = write(json.dumps({"a": 1}).replace("1", "9" * 6000), name="x.json")
    assert load(path).data == {"a": "9" * 6000}


def test_json_syntax_error(write):
    assert messages(write('{"a": 1,\n "b": }', name="x.json")) == ["x.yaml:2:7: invalid JSON: Expecting value"]


def test_json_duplicate_key(write):
    assert messages(write('{"a": 1,\n "a": 2}', name="x.json")) == [
        "x.yaml:2:2: a: duplicate key 'a' (first defined at line 1)"
    ]


def test_yaml_syntax_error(write):
    assert messages(write("a: [1, 2\nb: 3\n")) == ["x.yaml:2:2: invalid YAML: expected ',' or ']', but got ':'"]


def test_several_documents(write):
    assert messages(write("a: 1\n---\nb: 2\n")) == [
        "x.yaml:2:1: a file holds one YAML document; remove the '---' separator"
    ]


def test_empty_file(write):
    assert messages(write("")) == ["x.yaml:1:1: file holds no data"]


def test_missing_file(tmp_path):
    with pytest.raises(InvalidInput, match="cannot read file"):
        load(tmp_path / "nope.yaml")


def test_format_loc():
    assert format_loc(("pillars", 1, "title", "en")) == "pillars[1].title.en"
    assert format_loc(()) == ""
