"""The one character policy for every text in an agreement file, applied as the file is loaded.

* Refused, with a located error: control characters (but tab and newline), lone
  surrogates, non-characters, line and paragraph separators, and the bidirectional
  controls, which reorder what a reader sees.
* Removed: invisible characters that word processors paste (zero-width space and
  joiners, word joiner, a byte order mark inside a text), which no brief needs.
* Kept: soft hyphens and no-break spaces, which typesetting uses.
* Every text is normalised to NFC, so the same words are the same characters.
"""

from __future__ import annotations

import re
import unicodedata

ALLOWED_CONTROLS = frozenset("\n\t")
REMOVED = frozenset("\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e")
"""Zero-width space, non-joiner, joiner, word joiner, invisible operators, BOM, Mongolian vowel separator."""
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
SEPARATORS = frozenset("\u2028\u2029")


def refused(char: str) -> str | None:
    """What ``char`` is, if a brief refuses it; else None."""
    code = ord(char)
    if char in ALLOWED_CONTROLS:
        return None
    if code < 0x20 or 0x7F <= code < 0xA0:
        return "control character"
    if 0xD800 <= code <= 0xDFFF:
        return "lone surrogate"
    if 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
        return "non-character"
    if char in SEPARATORS:
        return "line or paragraph separator"
    if char in BIDI_CONTROLS:
        return "bidirectional control"
    return None


_SPECIAL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
    + "".join(sorted(REMOVED | BIDI_CONTROLS | SEPARATORS))
    + "]"
)
"""Any character that ``refused`` refuses or ``clean`` removes: most texts have none, and one search
finds that out faster than a look at each character."""


def clean(text: str) -> tuple[str, str | None]:
    """``text`` without the removed characters and in NFC, and a description of the first refused
    character (None if there is none). Refused characters are dropped from the returned text so
    that messages quoting it stay printable."""
    if _SPECIAL.search(text) is None:
        return unicodedata.normalize("NFC", text), None
    problem = None
    kept: list[str] = []
    for index, char in enumerate(text):
        kind = refused(char)
        if kind is not None:
            problem = problem or f"contains a {kind} U+{ord(char):04X} at character {index + 1}"
            continue
        if char not in REMOVED:
            kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)), problem
