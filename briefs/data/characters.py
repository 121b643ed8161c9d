"""Rules every human-readable text obeys: NFC, and no invisible or invalid characters."""

from __future__ import annotations

import unicodedata

ALLOWED_CONTROLS = frozenset("\n\t")


def bad_character(text: str) -> str | None:
    """Describe the first character that has no place in a brief, or None."""
    for index, char in enumerate(text):
        code = ord(char)
        if char in ALLOWED_CONTROLS:
            continue
        if code < 0x20 or 0x7F <= code < 0xA0:
            kind = "control character"
        elif 0xD800 <= code <= 0xDFFF:
            kind = "lone surrogate"
        elif 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
            kind = "non-character"
        else:
            continue
        return f"{kind} U+{code:04X} at character {index + 1}"
    return None


def normalize(text: str) -> str:
    """NFC, so that the same words are the same bytes wherever they came from."""
    return unicodedata.normalize("NFC", text)
