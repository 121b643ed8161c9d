"""Read agreement files (YAML or JSON) into plain data that remembers where each value stood.

Every scalar is kept as a string (or None when empty): types are decided by the
schema, never by YAML's implicit typing, so ``NO``, ``012``, ``1:30`` or ``3.10``
reach validation exactly as written.  Problems that do not stop reading
(duplicate keys, anchors, tags) are collected so that one run reports them all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
import yaml.resolver

from briefs.data.characters import SEPARATORS, clean, refused
from briefs.errors import InvalidInput, Problem

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_PROBLEMS = 100
"""Problems listed for one file while it is read; a file of thousands of duplicate keys says so in one line."""
MAX_NODE_PROBLEMS = 3
"""Anchors, aliases and tags listed one by one; an alias bomb would otherwise fill the screen."""
_LINE_BREAKS = re.compile("\r\n|[\r\n]")
_LONG_ESCAPE = re.compile(r"\\U([0-9A-Fa-f]{8})")
NULLS = frozenset({"", "~", "null", "Null", "NULL"})

Loc = tuple[str | int, ...]
Position = tuple[int, int]


@dataclass
class Document:
    """An agreement file's data, with the position of every key and value."""

    path: str
    data: Any
    positions: dict[Loc, Position] = field(default_factory=dict)
    key_positions: dict[Loc, Position] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def locate(self, loc: Loc, *, key: bool = False) -> Position:
        """Position of ``loc`` (of its key if ``key``), or of the nearest enclosing value."""
        if key and loc in self.key_positions:
            return self.key_positions[loc]
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.positions:
                return self.positions[loc[:end]]
        return (1, 1)

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        line, col = self.locate(loc, key=key)
        return Problem(self.path, line, col, format_loc(loc), message)


def format_loc(loc: Loc) -> str:
    """``("pillars", 1, "title", "en")`` -> ``pillars[1].title.en``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = _printable(part)
            text += f".{name}" if text else name
    return text


def _printable(key: str) -> str:
    """A key as messages can print it: refused characters (a lone surrogate cannot even be written as
    UTF-8) shown as escapes."""
    return "".join(f"\\u{ord(char):04x}" if refused(char) else char for char in key)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML was built with it: several times faster, with the same events and
marks (a plain scalar's style is ``""`` there, ``None`` in the Python parser)."""


def load(path: Path, display: str | None = None) -> Document:
    """Read one agreement file; raise InvalidInput if it cannot be read at all."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _fatal(name, 1, 1, f"file is {size:,} bytes; the limit is {MAX_BYTES:,} bytes (1 MiB)")
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _fatal(name, 1, 1, f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise _fatal(name, 1, 1, f"file is larger than the limit of {MAX_BYTES:,} bytes (1 MiB)")
    return loads(raw, name, is_json=path.suffix.lower() == ".json")


def loads(raw: bytes, name: str, *, is_json: bool = False) -> Document:
    """Parse the bytes of an agreement file named ``name`` (for messages)."""
    text = _decode(raw, name)
    _check_line_breaks(text, name)
    if is_json:
        _check_json(text, name)
    composer = _Composer(name)
    try:
        try:
            data = composer.compose(yaml.parse(text, Loader=_LOADER))
        except (yaml.YAMLError, RecursionError, ValueError, InvalidInput):
            if _LOADER is yaml.SafeLoader:
                raise
            # libyaml reads ahead and words its errors its own way: the Python parser, event by
            # event, says exactly where and what, as it always has
            composer = _Composer(name)
            data = composer.compose(yaml.parse(text, Loader=yaml.SafeLoader))
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise _fatal(name, line, col, f"character {char} is not allowed in the file") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        raise _fatal(name, line, col, f"invalid YAML: {what}") from None
    except RecursionError:
        raise _fatal(name, 1, 1, f"nesting is deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # PyYAML makes a character of an escape such as \U00110000 without checking it
        escape = next((m for m in _LONG_ESCAPE.finditer(text) if int(m.group(1), 16) > 0x10FFFF), None)
        line, col = _line_col(text, escape.start()) if escape else (1, 1)
        shown = escape.group(0) if escape else "an escape"
        raise _fatal(name, line, col, f"invalid YAML: {shown} is past the last Unicode character") from None
    return Document(name, data, composer.positions, composer.key_positions, composer.problems)


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fatal(name, 1, 1, "file is UTF-16; save it as UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw[: exc.start].decode("utf-8", "replace"), exc.start)
        raise _fatal(name, line, col, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})") from None


_YAML_BREAKS = re.compile("[\x85" + "".join(sorted(SEPARATORS)) + "]")


def _check_line_breaks(text: str, name: str) -> None:
    """YAML counts U+0085, U+2028 and U+2029 as line breaks and editors do not: refuse them, so that every
    line number means what the editor shows."""
    found = _YAML_BREAKS.search(text)
    if found is not None:
        line, col = _line_col(text, found.start())
        char = found.group()
        raise _fatal(name, line, col, f"character U+{ord(char):04X} (a line separator) is not allowed; use a new line")


def _check_json(text: str, name: str) -> None:
    """Let the JSON parser report JSON syntax errors in its own terms."""
    try:
        json.loads(text, parse_int=str, parse_float=str, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise _fatal(name, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}") from None
    except ValueError as exc:
        raise _fatal(name, 1, 1, f"invalid JSON: {exc}") from None
    except RecursionError:
        raise _fatal(name, 1, 1, f"nesting is deeper than {MAX_DEPTH} levels") from None


def _no_constant(value: str) -> Any:
    raise ValueError(f"{value} is not allowed")


def _line_col(text: str, index: int) -> Position:
    """Line and column of ``index``, counting CR LF, CR and LF as line breaks, as YAML and editors do."""
    before = _LINE_BREAKS.split(text[:index])
    return len(before), len(before[-1]) + 1


def _fatal(name: str, line: int, col: int, message: str) -> InvalidInput:
    return InvalidInput([Problem(name, line, col, "", message)])


class _Composer:
    """Builds dicts, lists and strings from parser events, without recursion."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.positions: dict[Loc, Position] = {}
        self.key_positions: dict[Loc, Position] = {}
        self.problems: list[Problem] = []
        self.unlisted = 0
        """Problems past MAX_PROBLEMS: counted, not listed."""
        self.refused_nodes = 0
        """Anchors, aliases and tags found; past MAX_NODE_PROBLEMS they are counted, not listed."""
        self._resolver = yaml.resolver.Resolver()

    def compose(self, events: Any) -> Any:
        stack: list[_Frame] = []
        root: Any = None
        documents = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    self._add(event, (), "a file holds one YAML document; remove the '---' separator")
                    break
                continue
            if not isinstance(event, yaml.NodeEvent | yaml.CollectionEndEvent):
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                finished = stack.pop().value
                if not stack:
                    root = finished
                else:
                    stack[-1].put(finished)
                continue
            parent = stack[-1] if stack else None
            if parent is not None and parent.expects_key():
                parent.take_key(self, event)
                continue
            loc = parent.child_loc() if parent else ()
            self._check_node(event, loc)
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                if len(stack) >= MAX_DEPTH:
                    raise _fatal(self.name, *_mark(event), f"nesting is deeper than {MAX_DEPTH} levels")
                # a block mapping starts at its first key; point at its own key instead
                self.positions.setdefault(loc, self.key_positions.get(loc, _mark(event)))
                stack.append(_Frame(loc, {} if isinstance(event, yaml.MappingStartEvent) else []))
                continue
            value = self._scalar(event, loc) if isinstance(event, yaml.ScalarEvent) else None
            self.positions.setdefault(loc, _mark(event))
            if parent is None:
                root = value
            else:
                parent.put(value)
        if documents == 0 or (root is None and not stack):
            self.problems.append(Problem(self.name, 1, 1, "", "file holds no data"))
        if self.unlisted:
            self.problems.append(Problem(self.name, 1, 1, "", f"and {self.unlisted} more problems of the same kinds"))
        if self.refused_nodes > MAX_NODE_PROBLEMS:
            more = self.refused_nodes - MAX_NODE_PROBLEMS
            self.problems.append(Problem(self.name, 1, 1, "", f"and {more} more anchors, aliases or tags"))
        return root

    def _check_node(self, event: Any, loc: Loc) -> None:
        found = []
        if isinstance(event, yaml.AliasEvent):
            found.append(f"aliases (*{event.anchor}) are not allowed; write the value out")
        elif getattr(event, "anchor", None):
            found.append(f"anchors (&{event.anchor}) are not allowed; write the value out")
        if getattr(event, "tag", None):
            found.append(f"tags ({event.tag}) are not allowed; quote the value instead")
        for message in found:
            self.refused_nodes += 1
            if self.refused_nodes <= MAX_NODE_PROBLEMS:
                self._add(event, loc, message)

    def _scalar(self, event: yaml.ScalarEvent, loc: Loc) -> str | None:
        plain = event.implicit[0] and not event.style
        if plain and event.value in NULLS:
            return None
        text, problem = clean(event.value)
        if problem:
            self._add(event, loc, problem)
        return text

    def key_problem(self, event: Any) -> str | None:
        if not isinstance(event, yaml.ScalarEvent):
            return "keys must be plain strings, not lists, mappings or aliases"
        if event.tag or event.anchor:
            return "keys must be plain strings without tags or anchors"
        problem = clean(event.value)[1]
        if problem:
            return f"the key {problem}"
        if event.implicit[0] and not event.style:
            kind: str = self._resolver.resolve(yaml.ScalarNode, event.value, (True, False))  # type: ignore[no-untyped-call]
            if kind != "tag:yaml.org,2002:str":
                return f"key {event.value!r} is not a string (YAML reads it as {kind.rsplit(':', 1)[-1]}); quote it"
        return None

    def _add(self, event: Any, loc: Loc, message: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.unlisted += 1
            return
        line, col = _mark(event)
        self.problems.append(Problem(self.name, line, col, format_loc(loc), message))


class _Frame:
    """A mapping or sequence being built, and the key awaiting its value."""

    def __init__(self, loc: Loc, value: dict[str, Any] | list[Any]) -> None:
        self.loc = loc
        self.value = value
        self.key: str | None = None
        self.skip_value = False
        self._skip_depth = 0

    def expects_key(self) -> bool:
        return isinstance(self.value, dict) and self.key is None

    def take_key(self, composer: _Composer, event: Any) -> None:
        loc = self.loc
        problem = composer.key_problem(event)
        key = event.value if isinstance(event, yaml.ScalarEvent) else f"<key at line {_mark(event)[0]}>"
        if problem:
            composer._add(event, loc, problem)
            self.skip_value = True
        elif key in self.value:
            first = composer.key_positions.get((*loc, key), (0, 0))
            composer._add(event, (*loc, key), f"duplicate key {key!r} (first defined at line {first[0]})")
            self.skip_value = True
        else:
            composer.key_positions[(*loc, key)] = _mark(event)
            self.skip_value = False
        if not isinstance(event, yaml.ScalarEvent):
            raise _fatal(composer.name, *_mark(event), "keys must be plain strings, not lists or mappings")
        self.key = str(key)

    def child_loc(self) -> Loc:
        if isinstance(self.value, dict):
            return (*self.loc, str(self.key) if not self.skip_value else f"<ignored {self.key}>")
        return (*self.loc, len(self.value))

    def put(self, value: Any) -> None:
        if isinstance(self.value, list):
            self.value.append(value)
            return
        if self.key is None:
            raise RuntimeError("a mapping value arrived before its key")
        if not self.skip_value:
            self.value[self.key] = value
        self.key = None
        self.skip_value = False


def _mark(event: Any) -> Position:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1)
