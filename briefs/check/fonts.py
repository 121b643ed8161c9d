"""Fonts: whether each font's program is embedded, and whether each character code shown maps to Unicode.

The Unicode map is read from the font's /ToUnicode CMap (ISO 32000-1 9.10.3: ``bfchar`` and ``bfrange``).
Without one, a simple font with a standard encoding and no /Differences is taken as mapped (ISO 19005-2
6.2.11.7.2 also accepts the Adobe Glyph List names of a /Differences array; this checker does not read
glyph names, so such a font is reported as unmapped). Codes of a composite font are split by the
code-space ranges of its ToUnicode CMap (two bytes for Identity-H/V).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pikepdf

from briefs.check.content import FontUse

STANDARD_ENCODINGS = frozenset({"/WinAnsiEncoding", "/MacRomanEncoding", "/StandardEncoding"})
FORBIDDEN = frozenset({"\x00", "\ufeff", "\ufffe"})
"""Unicode values a map shall not give (ISO 19005-2 6.2.11.7.2)."""

_HEX = r"<([0-9A-Fa-f\s]*)>"
_CODESPACE = re.compile(r"begincodespacerange(.*?)endcodespacerange", re.S)
_BFCHAR = re.compile(r"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(r"beginbfrange(.*?)endbfrange", re.S)
_PAIR = re.compile(_HEX + r"\s*" + _HEX)
_RANGE = re.compile(_HEX + r"\s*" + _HEX + r"\s*(?:" + _HEX + r"|\[((?:\s*<[0-9A-Fa-f\s]*>)*)\s*\])")


@dataclass(frozen=True)
class ToUnicode:
    lengths: tuple[int, ...]
    """Byte lengths of the code-space ranges, longest first."""
    mapping: dict[bytes, str]


def _hex(text: str) -> bytes:
    return bytes.fromhex("".join(text.split()))


def _utf16(data: bytes) -> str:
    return data.decode("utf-16-be", errors="replace")


def parse_cmap(data: bytes) -> ToUnicode:
    text = data.decode("latin-1")
    lengths: set[int] = set()
    for block in _CODESPACE.findall(text):
        for low, _high in _PAIR.findall(block):
            lengths.add(len(_hex(low)))
    mapping: dict[bytes, str] = {}
    for block in _BFCHAR.findall(text):
        for source, target in _PAIR.findall(block):
            mapping[_hex(source)] = _utf16(_hex(target))
    for block in _BFRANGE.findall(text):
        for low_hex, high_hex, start_hex, array in _RANGE.findall(block):
            low, high = _hex(low_hex), _hex(high_hex)
            first, last = int.from_bytes(low, "big"), int.from_bytes(high, "big")
            if last < first or last - first > 0xFFFF:
                continue
            targets = [_hex(item) for item in re.findall(_HEX, array)] if array else None
            start = _hex(start_hex) if not array else b""
            for offset in range(last - first + 1):
                code = (first + offset).to_bytes(len(low), "big")
                if targets is not None:
                    if offset < len(targets):
                        mapping[code] = _utf16(targets[offset])
                elif start:
                    # the last byte of the destination is incremented (ISO 32000-1 9.10.3)
                    value = start[:-1] + bytes([(start[-1] + offset) & 0xFF])
                    mapping[code] = _utf16(value)
    return ToUnicode(tuple(sorted(lengths, reverse=True)) or (1,), mapping)


def descriptor(font: pikepdf.Dictionary) -> pikepdf.Object | None:
    if font.get("/Subtype") == "/Type0":
        descendants = font.get("/DescendantFonts")
        if isinstance(descendants, pikepdf.Array) and len(descendants) > 0:
            return descendants[0].get("/FontDescriptor")
        return None
    return font.get("/FontDescriptor")


def embedded(font: pikepdf.Dictionary) -> bool:
    """The font program is in the file (Type 3 glyphs are content streams, always in the file)."""
    if font.get("/Subtype") == "/Type3":
        return True
    found = descriptor(font)
    return isinstance(found, pikepdf.Dictionary) and any(
        key in found for key in ("/FontFile", "/FontFile2", "/FontFile3")
    )


def unmapped(use: FontUse) -> tuple[list[bytes], str]:
    """The codes shown with this font that map to no Unicode value (or a forbidden one), and how the font
    maps codes (``ToUnicode``, ``standard encoding``, or what is missing)."""
    font = use.font
    composite = font.get("/Subtype") == "/Type0"
    to_unicode = font.get("/ToUnicode")
    if isinstance(to_unicode, pikepdf.Stream):
        cmap = parse_cmap(to_unicode.read_bytes())
        if not cmap.mapping:
            return sorted(_codes(use.codes, cmap.lengths if composite else (1,))), "empty ToUnicode"
        bad = [
            code
            for code in _codes(use.codes, cmap.lengths if composite else (1,))
            if not cmap.mapping.get(code) or any(char in FORBIDDEN for char in cmap.mapping[code])
        ]
        return sorted(bad), "ToUnicode"
    encoding = font.get("/Encoding")
    simple = not composite and font.get("/Subtype") != "/Type3"
    if simple and isinstance(encoding, pikepdf.Name) and str(encoding) in STANDARD_ENCODINGS:
        return [], "standard encoding"
    return sorted(_codes(use.codes, (2,) if composite else (1,))), "no ToUnicode"


def _codes(strings: set[bytes], lengths: tuple[int, ...]) -> set[bytes]:
    codes: set[bytes] = set()
    length = lengths[0] if len(lengths) == 1 else None
    for data in strings:
        if length is not None:
            codes.update(data[i : i + length] for i in range(0, len(data) - length + 1, length))
        else:  # mixed code lengths: the shortest that the map knows, per code (approximation)
            i = 0
            shortest = min(lengths)
            while i < len(data):
                codes.add(data[i : i + shortest])
                i += shortest
    return codes
