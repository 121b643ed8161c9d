"""Whether the brief's fonts can show a text: checked on the data when it is validated, and on every
text of a view before it is rendered, so ``validate``, the PDF and the DOCX agree.

A text may be set in any of the fonts (a party's name is body text in one place and a table heading
in another) and in capitals (headings and labels use ``text-transform: uppercase``), so each of its
characters, and each of its capitals, must be in every font or in one of the fallbacks.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from briefs import fontconfig

INVISIBLE = frozenset("\u00ad")
"""Soft hyphens show only as the hyphen the typesetter adds at a break."""


class Coverage:
    """What each font, with the fallbacks behind it, can show; read once per check."""

    def __init__(self, fonts: Sequence[str], fallback: Sequence[str]) -> None:
        behind = frozenset().union(*(fontconfig.coverage(family) for family in fallback))
        self.fonts = tuple(fonts)
        self.fallback = tuple(fallback)
        self.shown = {family: fontconfig.coverage(family) | behind for family in fonts}

    def report(self, texts: dict[str, str]) -> dict[str, str]:
        """For each text that cannot be shown whole, by its key, what is missing."""
        found = {key: self.missing(text) for key, text in texts.items()}
        return {key: message for key, message in found.items() if message}

    def missing(self, text: str) -> str | None:
        """What in ``text`` (or in its capitals) no font can show, as a message; None if it all shows."""
        codes = {ord(char) for char in text} | {ord(char) for char in text.upper()}
        lacking: dict[str, list[str]] = {}
        for family, covered in self.shown.items():
            for code in sorted(codes - covered):  # set arithmetic first: most texts lack nothing
                char = chr(code)
                if char.isspace() or char in INVISIBLE:
                    continue
                lacking.setdefault(char, []).append(family)
        if not lacking:
            return None
        groups: dict[tuple[str, ...], list[str]] = {}
        for char, lacked_by in lacking.items():
            groups.setdefault(tuple(lacked_by), []).append(char)
        behind = f" or the fallback {', '.join(self.fallback)}" if self.fallback else ""
        parts = []
        for families, chars in groups.items():
            listed = ", ".join(_describe(char, text) for char in chars[:5])
            more = f" and {len(chars) - 5} more" if len(chars) > 5 else ""
            parts.append(f"{listed}{more} cannot be shown in {', '.join(families)}{behind}")
        return "; ".join(parts)


def _describe(char: str, text: str) -> str:
    name = unicodedata.name(char, "unnamed character")
    capital = "" if char in text else f", the capital of {char.lower()!r}"
    return f"{char!r} (U+{ord(char):04X} {name}{capital})"
