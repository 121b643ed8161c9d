"""Fuzzing the loading and validation of agreement files: input strategies, the property, the long run.

The property: whatever bytes an agreement file holds, ``load_agreement`` returns an Agreement or raises
InvalidInput whose every problem is located in that file (line and column from 1, within the file), has a
message, prints as UTF-8, and comes once; and a small file gives few problems. Anything else (another
exception, a bad problem, an input that takes longer than the time limit) is a failure.

Inputs come from three strategies:

* ``mutated``: the seeds (MINIMAL and the samples, as YAML and as JSON) with bytes flipped, spans deleted,
  interesting tokens inserted (YAML syntax, escapes, BOMs, look-alike numbers and dates), lines duplicated,
  swapped, moved or re-indented, pieces of other seeds spliced in;
* ``structured``: a seed's data with a value replaced (random text with surrogates and controls, numbers,
  deep lists...), a key renamed, added or deleted, then written out again as YAML or JSON in some style;
* ``hostile``: empty files, comments only, deep nesting, long lines, many keys or documents, alias bombs,
  random bytes, other encodings (UTF-16, UTF-32, cp1251), files around the size limit.

This module is not collected by pytest: ``tests/test_fuzz.py`` runs a bounded budget in ``make test`` and
replays ``tests/fuzz_corpus/``. The long run is ``make fuzz``, or::

    .venv/bin/python -m tests.fuzz --count 100000 --jobs 2

It reports the inputs tried, the distinct failures (by exception type and place, or by broken rule), saves
the first input of each new failure and its minimized form in ``tests/fuzz_corpus/``, and exits 1 if
anything failed. ``--replay`` checks the corpus only.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import multiprocessing
import os
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

import briefs
from briefs.config import Config
from briefs.data.files import load_agreement
from briefs.data.loader import MAX_BYTES
from briefs.data.model import Agreement
from briefs.errors import InvalidInput, Problem

from .conftest import MINIMAL, ROOT, SAMPLES

CORPUS = Path(__file__).resolve().parent / "fuzz_corpus"
SUFFIXES = (".yaml", ".json")
PACKAGE = Path(briefs.__file__).resolve().parent
SMALL_INPUT = 64 * 1024
"""The bounded run in ``make test`` keeps to inputs this small; the long run goes past the size limit."""
TIMEOUT = 120.0
"""Seconds one input may take in the long run before it counts as a hang."""

# --- seeds ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    name: str
    raw: bytes
    suffix: str
    data: Any
    """The seed's data with every scalar a string, as the project's loader reads it."""


@cache
def seeds() -> tuple[Seed, ...]:
    """MINIMAL and the sample agreements, each as written (YAML) and as JSON."""
    texts = [("MINIMAL", MINIMAL)] + [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.glob("*.yaml"))]
    found: list[Seed] = []
    for name, text in texts:
        data = yaml.load(text, Loader=yaml.BaseLoader)  # strings, lists and dicts only
        found.append(Seed(name, text.encode("utf-8"), ".yaml", data))
        as_json = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        found.append(Seed(f"{name} as JSON", as_json.encode("utf-8"), ".json", data))
    return tuple(found)


@cache
def field_names() -> tuple[str, ...]:
    """Every key the seeds use: the names a mutation swaps in to make unknown, duplicate or misplaced fields."""
    names: set[str] = set()
    for seed in seeds():
        for path, _ in walk(seed.data):
            if path and isinstance(path[-1], str):
                names.add(path[-1])
    return tuple(sorted(names))


# --- interesting pieces --------------------------------------------------------------------------------

# fmt: off
TOKENS: tuple[bytes, ...] = (
    # YAML syntax
    b"&a ", b"*a", b"&a [x, *a]", b"!!python/object:os.system ", b"!!python/name:os.system ", b"!custom ",
    b"!!str ", b"!!binary ", b"!<tag:yaml.org,2002:int> ", b"? ", b"? [a]\n: b\n", b": ", b"- ", b"-", b"<<: ",
    b"{", b"}", b"[", b"]", b",", b"{}", b"[]", b"---\n", b"...\n", b"--- ", b"%YAML 1.1\n", b"%TAG ! tag:x,2000:\n",
    b"|\n", b"|-\n", b">+\n", b"|2\n", b"|9\n", b"#", b" #", b"\t", b"  ", b"\n", b"\r", b"\r\n", b"\n\n\n",
    b"'", b'"', b"''", b'""', b"\\", b"`", b"@", b"%", b"=", b"~",
    # byte order marks and encodings
    b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00", b"\x00\x00\xfe\xff", b"\xed\xa0\x80", b"\xc0\x80", b"\x80",
    b"\xf4\x90\x80\x80", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\xe2\x80\xae", b"\xe2\x80\x8b",
    b"\xef\xbf\xbe", b"\xef\xbf\xbd", b"\xf4\x8f\xbf\xbf",
    # escapes in double quotes
    b'"\\ud800"', b'"\\udfff\\ud800"', b'"\\x00"', b'"\\x85"', b'"\\u2028"', b'"\\u202e"', b'"\\ufeff"',
    b'"\\U0001F600"', b'"\\U0010FFFF"', b'"\\U00110000"', b'"\\ufffe"', b'"\\N"', b'"\\_"', b'"\\/"', b'"\\q"',
    b'"\\', b"'it''s'",
    # things YAML would type, and numbers
    b"NO", b"no", b"yes", b"On", b"true", b"False", b"null", b"Null", b"~", b"3.10", b"1:30", b"190:20:30", b"0o12",
    b"012", b"0x1F", b"0b101", b"1_000", b"1e400", b"-0", b".inf", b"-.Inf", b".NaN", b"9" * 400, b"1" * 5000,
    # dates
    b"2026-02-30", b"2026-13-01", b"0000-00-00", b"9999-12-31", b"2026-2-1", b"2026-02-10T10:00:00Z",
    b"2026-02-10 ", b"20260210", b"\xd9\xa2\xd9\xa0\xd9\xa2\xd9\xa6-02-10",
    # values the model knows
    b"state", b"organisation", b"signed", b"in-force", b"charter", b"bg", b"en", b"fr", b"bg-Latn-BG", b"USA",
    b"ZZZ", b"EU", b"eu", b"[\xe2\x80\xa6]", b"https://example.org/x", b"http://", b"a--b", b"-a", b"a" * 70,
    b"{bg: x, en: y}", b"[bg, en, fr]", b"featured: true", b"highlight: yes", b"rendering: {fr: verbatim}",
)

INTERESTING_CHARS = (
    "\x00\x01\x08\x0b\x0c\x1b\x7f\x80\x85\x9f\xa0\xad\xe9\u0301\u0308\u061c\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u2028\u2029\u202a\u202e\u2060\u2066\u2069\ufeff\ufdd0\ufdef\ufffe\uffff\ufffd\ud800\udbff\udc00\udfff"
    "\U0001f600\U0001fffe\U0010ffff\u0419\u0439\u0435\u0451\u2026[]{}:#&*!|>'\"%@`,?- \t\n\r\\"
)

SPECIAL_STRINGS: tuple[str, ...] = (
    "", " ", "\n", "\t", "~", "null", "NO", "yes", "on", "true", "True", "0", "1", "3.10", "1:30", "0o12", "012",
    "1e400", "9" * 400, ".inf", "-.nan", "2026-02-30", "2026-02-10\n", "2026-2-1", "20260210", "2026-02-10",
    "state", "organisation", "signed", "bg", "en", "fr", "bg-Latn-BG", "[…]", "x […] y", "a" * 65, "a" * 64,
    "http://x y", "https://example.org", "USA", "XXX", "EU", "-", "a--b", "report", "trade", "{", "[", "*a",
    "&a", "!tag", "# comment", "---", "...", "key: value", "- item", "'", '"', "\\", "%", "@", "`",
)
# fmt: on

HOSTILE_COUNTS = (0, 1, 2, 3, 31, 32, 33, 34, 64, 100, 1000, 10_000, 100_000)


@cache
def texts(max_size: int = 40) -> st.SearchStrategy[str]:
    """Any text, lone surrogates and controls included, with the characters the loader cares about often."""
    chars = st.one_of(st.characters(codec=None, exclude_categories=()), st.sampled_from(INTERESTING_CHARS))
    return st.text(chars, max_size=max_size)


@cache
def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        texts(),
        st.sampled_from(SPECIAL_STRINGS),
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=10**30, max_value=10**400),
        st.floats(),
    )


@cache
def values() -> st.SearchStrategy[Any]:
    keys = st.one_of(texts(12), st.sampled_from(field_names()))
    nested = st.recursive(
        scalars(),
        lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(keys, inner, max_size=5)),
        max_leaves=12,
    )
    return st.one_of(nested, st.integers(min_value=28, max_value=40).map(deep_list))


def deep_list(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


# --- the tree of a seed's data -------------------------------------------------------------------------

TreePath = tuple[str | int, ...]


def walk(data: Any, path: TreePath = ()) -> Iterator[tuple[TreePath, Any]]:
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from walk(value, (*path, index))


def _at(data: Any, path: TreePath) -> Any:
    for part in path:
        data = data[part]
    return data


@st.composite
def _edit(draw: st.DrawFn, data: Any) -> Any:
    """One change to the tree: replace, delete, rename, add or duplicate."""
    nodes = list(walk(data))
    path, value = draw(st.sampled_from(nodes))
    action = draw(st.sampled_from(("replace", "replace", "replace", "delete", "rename", "add", "duplicate", "swap")))
    if not path:
        return draw(values()) if action == "replace" else data
    parent = _at(data, path[:-1])
    last = path[-1]
    if action == "replace":
        parent[last] = draw(values())
    elif action == "delete":
        del parent[last]
    elif action == "rename" and isinstance(parent, dict):
        new = draw(st.one_of(texts(12), st.sampled_from(field_names())))
        parent[new] = parent.pop(last)
    elif action == "add" and isinstance(value, dict):
        value[draw(st.one_of(texts(12), st.sampled_from(field_names())))] = draw(values())
    elif action == "add" and isinstance(value, list):
        value.insert(draw(st.integers(0, len(value))), draw(values()))
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(int(last), copy.deepcopy(value))
    elif action == "swap" and isinstance(value, dict) and len(value) >= 2:
        keys = list(value)
        first, second = draw(st.sampled_from(keys)), draw(st.sampled_from(keys))
        value[first], value[second] = value[second], value[first]
    return data


def _dump(draw: st.DrawFn, data: Any, form: str) -> bytes:
    if form == "json":
        ascii_only = draw(st.booleans())
        text = json.dumps(data, ensure_ascii=ascii_only, indent=draw(st.sampled_from((None, 1, 2, "\t"))))
    else:
        try:
            text = yaml.safe_dump(
                data,
                allow_unicode=draw(st.booleans()),
                default_flow_style=draw(st.sampled_from((False, True, None))),
                default_style=draw(st.sampled_from((None, '"', "'", "|"))),
                width=draw(st.sampled_from((80, 20, 10**6))),
                sort_keys=draw(st.booleans()),
                explicit_start=draw(st.booleans()),
            )
        except yaml.YAMLError:  # a shape PyYAML cannot write: write it as JSON, which is YAML too
            text = json.dumps(data)
    return text.encode("utf-8", "surrogatepass")  # a raw surrogate becomes bytes that are not UTF-8


# --- byte mutations ------------------------------------------------------------------------------------

Mutation = Callable[[st.DrawFn, bytearray], bytearray]


def _tokens() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.sampled_from(TOKENS),
        st.sampled_from(field_names()).map(lambda name: name.encode() + b": "),
        st.sampled_from(INTERESTING_CHARS).map(lambda char: char.encode("utf-8", "surrogatepass")),
        texts(12).map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.binary(max_size=12),
    )


def _lines(data: bytearray) -> list[bytes]:
    return re.findall(rb"[^\n]*\n|[^\n]+", bytes(data))


def _index(draw: st.DrawFn, data: bytearray, *, end: bool = True) -> int:
    return draw(st.integers(0, len(data) if end else max(len(data) - 1, 0)))


def _flip_bit(draw: st.DrawFn, data: bytearray) -> bytearray:
    if data:
        data[_index(draw, data, end=False)] ^= 1 << draw(st.integers(0, 7))
    return data


def _set_byte(draw: st.DrawFn, data: bytearray) -> bytearray:
    if data:
        data[_index(draw, data, end=False)] = draw(st.integers(0, 255))
    return data


def _delete_span(draw: st.DrawFn, data: bytearray) -> bytearray:
    start = _index(draw, data)
    del data[start : start + draw(st.integers(1, 64))]
    return data


def _insert_token(draw: st.DrawFn, data: bytearray) -> bytearray:
    start = _index(draw, data)
    data[start:start] = draw(_tokens())
    return data


def _insert_at_line_start(draw: st.DrawFn, data: bytearray) -> bytearray:
    starts = [0] + [m.end() for m in re.finditer(rb"\n", data)]
    start = draw(st.sampled_from(starts))
    data[start:start] = draw(_tokens())
    return data


def _replace_value(draw: st.DrawFn, data: bytearray) -> bytearray:
    """What follows ``key:`` or ``- `` on a line becomes a token."""
    places = [(m.start(1), m.end(1)) for m in re.finditer(rb"(?:: |- )([^\n]*)", data)]
    if places:
        start, end = draw(st.sampled_from(places))
        data[start:end] = draw(_tokens())
    return data


def _line_edit(draw: st.DrawFn, data: bytearray) -> bytearray:
    lines = _lines(data)
    if not lines:
        return data
    action = draw(st.sampled_from(("duplicate", "delete", "swap", "move", "indent", "dedent", "tab")))
    i = draw(st.integers(0, len(lines) - 1))
    j = draw(st.integers(0, len(lines) - 1))
    if action == "duplicate":
        lines.insert(j, lines[i])
    elif action == "delete":
        del lines[i]
    elif action == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif action == "move":
        lines.insert(j, lines.pop(i))
    elif action == "indent":
        lines[i] = b" " * draw(st.integers(1, 6)) + lines[i]
    elif action == "dedent":
        spaces = len(lines[i]) - len(lines[i].lstrip(b" "))
        lines[i] = lines[i][min(draw(st.integers(1, 6)), spaces) :]
    else:
        lines[i] = b"\t" + lines[i].lstrip(b" ")
    return bytearray(b"".join(lines))


def _truncate(draw: st.DrawFn, data: bytearray) -> bytearray:
    del data[draw(st.integers(min(1, len(data)), len(data))) :]
    return data


def _repeat_chunk(draw: st.DrawFn, data: bytearray) -> bytearray:
    start = _index(draw, data)
    chunk = bytes(data[start : start + draw(st.integers(1, 200))])
    at = _index(draw, data)
    data[at:at] = chunk * draw(st.integers(1, 8))
    return data


def _splice(draw: st.DrawFn, data: bytearray) -> bytearray:
    other = draw(st.sampled_from(seeds())).raw
    start = draw(st.integers(0, len(other)))
    piece = other[start : start + draw(st.integers(1, 400))]
    at = _index(draw, data)
    data[at:at] = piece
    return data


MUTATIONS: tuple[Mutation, ...] = (
    _flip_bit,
    _set_byte,
    _delete_span,
    _insert_token,
    _insert_token,
    _insert_at_line_start,
    _replace_value,
    _replace_value,
    _line_edit,
    _line_edit,
    _truncate,
    _repeat_chunk,
    _splice,
)


# --- the three strategies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One fuzz input: the bytes of a file, the suffix it is saved with, and how it was made."""

    raw: bytes
    suffix: str
    origin: str

    def __repr__(self) -> str:
        shown = self.raw if len(self.raw) <= 400 else self.raw[:400] + b"..."
        return f"Sample({self.origin!r}, {self.suffix!r}, {len(self.raw)} bytes, sha {digest(self.raw)}: {shown!r})"


def _other_suffix(draw: st.DrawFn, suffix: str) -> str:
    """Mostly the seed's own suffix; now and then the other, so YAML is read as JSON and back."""
    return suffix if draw(st.integers(0, 9)) else SUFFIXES[1 - SUFFIXES.index(suffix)]


@st.composite
def mutated(draw: st.DrawFn) -> Sample:
    seed = draw(st.sampled_from(seeds()))
    data = bytearray(seed.raw)
    names = []
    wanted = draw(st.integers(1, 6))
    for _ in range(4 * wanted):  # a mutation that changes nothing (a dedent of an unindented line...) is not counted
        if len(names) == wanted:
            break
        mutation = draw(st.sampled_from(MUTATIONS))
        before = bytes(data)
        data = mutation(draw, data)
        if data != before:
            names.append(mutation.__name__.strip("_"))
    return Sample(bytes(data), _other_suffix(draw, seed.suffix), f"mutated {seed.name}: {', '.join(names)}")


@st.composite
def structured(draw: st.DrawFn) -> Sample:
    seed = draw(st.sampled_from(seeds()))
    data = copy.deepcopy(seed.data)
    wanted = draw(st.integers(1, 4))
    for _ in range(4 * wanted):
        data = draw(_edit(data))
        if data != seed.data:
            wanted -= 1
            if not wanted:
                break
    form = draw(st.sampled_from(("yaml", "json")))
    suffix = _other_suffix(draw, ".json" if form == "json" else ".yaml")
    return Sample(_dump(draw, data, form), suffix, f"structured {seed.name} as {form}")


def _repeat(unit: bytes, count: int, max_size: int) -> bytes:
    return unit * min(count, max_size // max(len(unit), 1))


@st.composite
def hostile(draw: st.DrawFn, max_size: int = SMALL_INPUT) -> Sample:
    kind = draw(
        st.sampled_from(
            (
                "tiny",
                "comments",
                "deep",
                "long line",
                "many keys",
                "many items",
                "alias bomb",
                "documents",
                "encoding",
                "bytes",
                "text",
                "size limit",
            )
        )
    )
    count = draw(st.sampled_from(HOSTILE_COUNTS))
    minimal = MINIMAL.encode()
    if kind == "tiny":
        raw = draw(
            st.sampled_from(
                (b"", b"\n", b" ", b"\t", b"\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf", b"---\n", b"...\n",
                 b"--- \n...\n", b"%YAML 1.2\n---\n", b"~", b"null", b"[]", b"{}", b'""', b"0", b"-", b"?", b":",
                 b"id:", b"? ", b"|", b"'", b'"', b"#", b"&a", b"*a", b"!x", b"\x00", b"\xff", b"{\"a\": 1}")
            )
        )  # fmt: skip
    elif kind == "comments":
        raw = draw(st.sampled_from((b"", b"\xef\xbb\xbf"))) + _repeat(b"# a comment\n", count, max_size)
    elif kind == "deep":
        opener, closer = draw(
            st.sampled_from(((b"[", b"]"), (b"{a: ", b"}"), (b'{"a": ', b"}"), (b"- ", b""), (b"[{a: ", b"}]")))
        )
        depth = min(count, max_size // (len(opener) + len(closer) + 1))
        raw = opener * depth + b"x" + (closer * depth if draw(st.booleans()) else b"")
        if draw(st.booleans()):  # the same depth as block mappings
            depth = min(count, int((2 * max_size) ** 0.5) // 2)
            raw = b"".join(b"  " * i + b"a:\n" for i in range(depth)) + b"  " * depth + b"x\n"
    elif kind == "long line":
        unit = draw(st.sampled_from((b"a", "я".encode(), b"\\", b" ", b"'", b"x\t")))
        body = _repeat(unit, count * draw(st.sampled_from((1, 10, 100))), max_size - 20)
        raw = draw(
            st.sampled_from(
                (b"id: " + body + b"\n", b"id: '" + body + b"'\n", b"id: \"" + body + b"\"\n", body + b": x\n",
                 b"# " + body + b"\n" + minimal, minimal.replace(b"Summary.", body))
            )
        )  # fmt: skip
    elif kind == "many keys":
        same = draw(st.booleans())
        pattern = draw(st.sampled_from((b"k%d: v\n", b"- k%d\n", b"k%d: v, ")))
        body = b"".join(pattern % (0 if same else i) for i in range(min(count, max_size // 16)))
        raw = b"{" + body + b"}" if pattern.endswith(b", ") else body
    elif kind == "many items":
        items = b", ".join([draw(st.sampled_from((b"fr", b"bg", b"x", b'"\\ud800"')))] * min(count, max_size // 8))
        raw = minimal + b"key_points: [" + items + b"]\n"
    elif kind == "alias bomb":
        levels = min(count, 20)
        lines = [b"a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        lines += [b"a%d: &a%d [*a%d, *a%d, *a%d, *a%d]" % (i, i, i - 1, i - 1, i - 1, i - 1) for i in range(1, levels)]
        raw = b"\n".join(lines) + b"\n"
    elif kind == "documents":
        raw = _repeat(draw(st.sampled_from((b"---\na: 1\n", b"---\n", b"...\n", b"--- x\n"))), count, max_size)
    elif kind == "encoding":
        text = draw(st.sampled_from(seeds())).raw.decode("utf-8")
        encoding = draw(st.sampled_from(("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "cp1251")))
        raw = text.encode(encoding, errors="replace")
    elif kind == "bytes":
        raw = draw(st.binary(max_size=256))
    elif kind == "text":
        raw = draw(texts(200)).encode("utf-8", "surrogatepass")
    else:  # padded with a comment to just under, at and just over the size limit
        target = MAX_BYTES + draw(st.sampled_from((-1, 0, 1)))
        target = min(target, max_size)
        raw = minimal + b"#" + b"x" * max(target - len(minimal) - 2, 0) + b"\n"
    raw = raw[:max_size]
    return Sample(raw, draw(st.sampled_from(SUFFIXES)), f"hostile {kind} ({count})")


def samples(max_size: int = SMALL_INPUT) -> st.SearchStrategy[Sample]:
    """Every kind of input: mostly mutations, then structured changes, then hostile shapes."""
    return st.one_of(mutated(), mutated(), mutated(), structured(), structured(), hostile(max_size))


# --- the property --------------------------------------------------------------------------------------


class Violation(AssertionError):
    """An outcome that is neither an Agreement nor a well-located InvalidInput."""

    def __init__(self, rule: str, problem: Problem | None = None, detail: str = "") -> None:
        self.rule = rule
        self.problem = problem
        super().__init__(" ".join(str(part) for part in (rule, detail, problem and repr(problem)) if part))


class Timeout(BaseException):  # not an error of the code under test: the input took too long
    """Raised by the alarm when one input takes longer than the limit."""


def max_problems(raw: bytes) -> int:
    """How many problems a file can reasonably have: a few per line or per flow item, and 50 more."""
    return 50 + 2 * (line_count(raw) + raw.count(b","))


def line_count(raw: bytes) -> int:
    """An upper bound of the lines any reader sees: YAML also breaks lines at CR, NEL, LS and PS."""
    return 1 + sum(raw.count(mark) for mark in (b"\n", b"\r", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9"))


def check(raw: bytes, suffix: str, *, timeout: float | None = None) -> str:
    """Load ``raw`` as an agreement file; return "valid" or "invalid", or raise what went wrong."""
    with tempfile.TemporaryDirectory(prefix="briefs-fuzz-") as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(raw)
        if timeout:
            signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            agreement = load_agreement(path, Config())
        except InvalidInput as exc:
            verify_problems(exc, str(path), raw)
            return "invalid"
        finally:
            if timeout:
                signal.setitimer(signal.ITIMER_REAL, 0)
        if not isinstance(agreement, Agreement):
            raise Violation(f"load_agreement returned {type(agreement).__name__}, not an Agreement")
        return "valid"


def _alarm(signum: int, frame: Any) -> None:
    raise Timeout


def verify_problems(exc: InvalidInput, name: str, raw: bytes) -> None:
    problems = exc.problems
    if not problems:
        raise Violation("InvalidInput without problems")
    lines = line_count(raw)
    width = max((len(line) for line in re.split(rb"\r\n|[\r\n]", raw)), default=0) + 2
    for problem in problems:
        if not isinstance(problem, Problem):
            raise Violation(f"a problem is a {type(problem).__name__}")
        if problem.path != name:
            raise Violation("problem names another file", problem)
        if not (isinstance(problem.line, int) and 1 <= problem.line <= lines):
            raise Violation("line out of the file", problem)
        if not (isinstance(problem.column, int) and 1 <= problem.column <= width):
            raise Violation("column out of the line", problem)
        if not isinstance(problem.field, str):
            raise Violation("field is not a text", problem)
        if not (isinstance(problem.message, str) and problem.message.strip()):
            raise Violation("empty message", problem)
        try:
            str(problem).encode("utf-8")
        except UnicodeEncodeError:
            where = "field" if _unencodable(problem.field) else "message"
            raise Violation(f"problem cannot be printed as UTF-8 (in its {where})", problem) from None
    try:
        str(exc).encode("utf-8")
    except UnicodeEncodeError:
        raise Violation("InvalidInput cannot be printed as UTF-8") from None
    repeated = [p for p, n in Counter(problems).items() if n > 1]
    if repeated:
        raise Violation("the same problem reported twice", repeated[0])
    if len(problems) > max_problems(raw):
        raise Violation("too many problems", detail=f"({len(problems):,} for {len(raw):,} bytes in {lines:,} lines)")


def _unencodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# --- classifying failures ------------------------------------------------------------------------------


@dataclass
class Outcome:
    result: str  # valid, invalid or failed
    signature: str | None = None
    detail: str = ""
    seconds: float = 0.0


def classify(raw: bytes, suffix: str, *, timeout: float | None = None) -> Outcome:
    """Run the property on one input and name its failure, if any, so that equal failures group together."""
    start = time.perf_counter()
    try:
        result = check(raw, suffix, timeout=timeout)
    except Violation as exc:
        detail = "".join(traceback.format_exception(exc))
        return Outcome("failed", _violation_signature(exc), detail, time.perf_counter() - start)
    except (Exception, Timeout) as exc:
        detail = "".join(traceback.format_exception(exc))
        return Outcome("failed", exception_signature(exc), detail, time.perf_counter() - start)
    return Outcome(result, seconds=time.perf_counter() - start)


def exception_signature(exc: BaseException) -> str:
    """``TypeError at briefs/data/loader.py:123 in take_key`` (and the frame that raised, if outside briefs/)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if Path(f.filename).resolve().is_relative_to(PACKAGE)]
    where = _frame(ours[-1]) if ours else "outside briefs/"
    if frames and (not ours or frames[-1] is not ours[-1]):
        last = frames[-1]
        where += f" (raised in {Path(last.filename).name}:{last.lineno} {last.name})"
    return f"{type(exc).__name__} at {where}"


def _frame(frame: traceback.FrameSummary) -> str:
    relative = Path(frame.filename).resolve().relative_to(PACKAGE.parent)
    return f"{relative}:{frame.lineno} in {frame.name}"


def _violation_signature(exc: Violation) -> str:
    if exc.problem is None:
        return f"Violation: {exc.rule}"
    return f"Violation: {exc.rule}: {_shape(exc.problem)}"


def _shape(problem: Problem) -> str:
    """The kind of problem, without the input's own words or the path to it: ``the quote has no``."""
    message = re.sub(r"'[^']*'|\"[^\"]*\"|U\+[0-9A-F]+|\d+", "…", problem.message.encode("utf-8", "replace").decode())
    return " ".join(message.split()[:4])


# --- the corpus ----------------------------------------------------------------------------------------


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:16]


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*") if p.suffix in SUFFIXES)


def save(raw: bytes, suffix: str) -> Path:
    """Keep a failing input in the corpus, named by its content hash; an input already there stays as it is."""
    CORPUS.mkdir(exist_ok=True)
    path = CORPUS / f"{digest(raw)}{suffix}"
    if not path.exists():
        path.write_bytes(raw)
    return path


def minimize(raw: bytes, suffix: str, signature: str, *, seconds: float = 120.0) -> bytes:
    """The smallest input found (by removing lines, then bytes, then any span) that fails with the same signature."""
    deadline = time.monotonic() + seconds

    def fails(candidate: bytes) -> bool:
        return time.monotonic() < deadline and classify(candidate, suffix, timeout=10).signature == signature

    for split in (lambda data: re.findall(rb"[^\n]*\n|[^\n]+", data), lambda data: [bytes([b]) for b in data]):
        parts = split(raw)
        chunk = max(len(parts) // 2, 1)
        while parts:
            removed = False
            i = 0
            while i < len(parts):
                candidate = parts[:i] + parts[i + chunk :]
                if fails(b"".join(candidate)):
                    parts = candidate
                    removed = True
                else:
                    i += chunk
            if not removed:
                if chunk == 1:
                    break
                chunk //= 2
        raw = b"".join(parts)
    size = len(raw) - 1 if len(raw) <= 512 else 0  # then any span: a JSON item with its comma, a key and its value
    while size > 0 and time.monotonic() < deadline:
        for start in range(len(raw) - size + 1):
            if fails(raw[:start] + raw[start + size :]):
                raw = raw[:start] + raw[start + size :]
                break
        else:
            size -= 1
        size = min(size, len(raw) - 1)
    return raw


# --- the long run --------------------------------------------------------------------------------------


@dataclass
class Found:
    raw: bytes
    suffix: str
    origin: str
    detail: str
    count: int = 0


@dataclass
class Tally:
    tried: int = 0
    results: Counter[str] = field(default_factory=Counter)
    digests: set[bytes] = field(default_factory=set)
    failures: dict[str, Found] = field(default_factory=dict)
    slowest: tuple[float, str, int] = (0.0, "", 0)
    seconds: float = 0.0

    def add(self, sample: Sample, outcome: Outcome) -> None:
        self.tried += 1
        self.results[outcome.result] += 1
        self.digests.add(hashlib.sha256(sample.suffix.encode() + sample.raw).digest()[:8])
        if outcome.signature:
            found = self.failures.setdefault(
                outcome.signature, Found(sample.raw, sample.suffix, sample.origin, outcome.detail)
            )
            found.count += 1
        if outcome.seconds > self.slowest[0]:
            self.slowest = (outcome.seconds, sample.origin, len(sample.raw))

    def merge(self, other: Tally) -> None:
        self.tried += other.tried
        self.results.update(other.results)
        self.digests |= other.digests
        for signature, found in other.failures.items():
            if signature in self.failures:
                self.failures[signature].count += found.count
            else:
                self.failures[signature] = found
        self.slowest = max(self.slowest, other.slowest)


def _worker_start() -> None:
    limit = 4 * 1024**3  # an input that eats memory raises MemoryError, a failure, instead of stopping the machine
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_batch(job: tuple[int, int, int, float]) -> Tally:
    """``count`` inputs drawn by Hypothesis with seed ``seed``; failures are counted, not raised."""
    seed, count, max_size, timeout = job
    tally = Tally()
    start = time.perf_counter()

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(samples(max_size))
    def run(sample: Sample) -> None:
        tally.add(sample, classify(sample.raw, sample.suffix, timeout=timeout))

    run()
    tally.seconds = time.perf_counter() - start
    return tally


def long_run(args: argparse.Namespace) -> int:
    base = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    batches = [(base + i, min(args.batch, args.count - i * args.batch), args.max_size, args.timeout) for i in
               range((args.count + args.batch - 1) // args.batch)]  # fmt: skip
    print(f"fuzzing: {args.count:,} inputs in {len(batches)} batches, {args.jobs} processes, seed {base}", flush=True)
    total = Tally()
    start = time.monotonic()
    last_report = start
    with multiprocessing.Pool(args.jobs, initializer=_worker_start, maxtasksperchild=20) as pool:
        for tally in pool.imap_unordered(run_batch, batches):
            new = sorted(set(tally.failures) - set(total.failures))
            total.merge(tally)
            for signature in new:
                print(f"  new failure: {signature}", flush=True)
            if time.monotonic() - last_report > 30:
                last_report = time.monotonic()
                rate = total.tried / (last_report - start)
                print(f"  {total.tried:,} inputs, {len(total.failures)} distinct failures, {rate:,.0f}/s", flush=True)
    elapsed = time.monotonic() - start
    print(f"\n{total.tried:,} inputs tried ({len(total.digests):,} distinct) in {elapsed:,.0f} s", flush=True)
    print(", ".join(f"{n:,} {result}" for result, n in sorted(total.results.items())))
    seconds, origin, size = total.slowest
    print(f"slowest input: {seconds:.1f} s ({origin}, {size:,} bytes)")
    print(f"{len(total.failures)} distinct failures")
    for signature, found in sorted(total.failures.items()):
        print(f"\n- {signature}\n  {found.count:,} inputs; first: {found.origin}")
        if args.save:
            original = save(found.raw, found.suffix)
            print(f"  saved {original.relative_to(ROOT)}")
            if args.shrink and classify(found.raw, found.suffix, timeout=10).seconds < 5:
                small = minimize(found.raw, found.suffix, signature)
                path = save(small, found.suffix)
                print(f"  minimized to {len(small):,} bytes: {path.relative_to(ROOT)}: {small[:300]!r}")
        print("  " + found.detail.strip().replace("\n", "\n  "))
    return 1 if total.failures else 0


def replay() -> int:
    failed = 0
    files = corpus_files()
    for path in files:
        outcome = classify(path.read_bytes(), path.suffix, timeout=TIMEOUT)
        if outcome.signature:
            failed += 1
            print(f"FAIL {path.relative_to(ROOT)}: {outcome.signature}")
        else:
            print(f"ok   {path.relative_to(ROOT)}: {outcome.result}")
    print(f"{len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


def minimize_file(path: Path) -> int:
    raw = path.read_bytes()
    outcome = classify(raw, path.suffix, timeout=TIMEOUT)
    if not outcome.signature:
        print(f"{path}: {outcome.result}, no failure to minimize")
        return 0
    small = minimize(raw, path.suffix, outcome.signature, seconds=600)
    print(f"{path}: {outcome.signature}\nminimized to {len(small):,} bytes: {save(small, path.suffix)}: {small!r}")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="inputs to try (default 100,000)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes (default: one per core)")
    parser.add_argument("--seed", type=int, help="first Hypothesis seed (default: random, printed)")
    parser.add_argument("--batch", type=int, default=1000, help="inputs per Hypothesis run (default 1,000)")
    parser.add_argument("--max-size", type=int, default=MAX_BYTES + 1, help="largest hostile input in bytes")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds one input may take")
    parser.add_argument("--no-save", dest="save", action="store_false", help="do not write to tests/fuzz_corpus/")
    parser.add_argument("--no-minimize", dest="shrink", action="store_false", help="save failing inputs as found")
    parser.add_argument("--replay", action="store_true", help="only check the inputs in tests/fuzz_corpus/")
    parser.add_argument("--minimize", metavar="FILE", type=Path, help="minimize one failing input and save it")
    args = parser.parse_args(argv)
    if args.replay:
        return replay()
    if args.minimize:
        return minimize_file(args.minimize)
    return long_run(args)


if __name__ == "__main__":
    sys.exit(main())
