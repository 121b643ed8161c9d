"""Typographic clean-up of running text, by language: dashes, quotes, non-breaking spaces."""

from __future__ import annotations

import re

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
EN_DASH = "\u2013"

_SPACED_DASH = re.compile(r"(?<=\S)[ \t]+[-\u2013\u2014][ \t]+(?=\S)")
_INITIAL = re.compile(r"(?<!\w)(\w\.)[ \t]+(?=\w)")
_NUMBER_UNIT = re.compile(r"(\d)[ \t]+(?=(?:г\.|гр\.|км|кг|млн\.|млрд\.|хил\.|%|€|\$|km|kg|mn|bn|m)(?!\w))")
_SHORT_WORD = {
    # one-letter words that must not end a line
    "bg": re.compile(r"(?<![\w-])([вВсСиИаАоОуУкК])[ \t]+(?=\S)"),
}
_STRAIGHT_QUOTES = re.compile(r'"([^"\n]*)"')


def refine(text: str, language: str, marks: tuple[str, str]) -> str:
    """Apply the house rules to one text in ``language``; ``marks`` are its quotation marks."""
    # CLDR puts narrow no-break spaces in dates (2026 г.); not every typeface has that glyph
    text = text.replace(NARROW_NBSP, NBSP)
    text = _SPACED_DASH.sub(f"{NBSP}{EN_DASH} ", text)
    text = _INITIAL.sub(_keep_initial, text)
    text = _NUMBER_UNIT.sub(rf"\1{NBSP}", text)
    short = _SHORT_WORD.get(language.split("-")[0])
    if short:
        text = short.sub(rf"\1{NBSP}", text)
    return _STRAIGHT_QUOTES.sub(lambda m: f"{marks[0]}{m.group(1)}{marks[1]}", text)


def _keep_initial(match: re.Match[str]) -> str:
    initial = match.group(1)
    return f"{initial}{NBSP}" if initial[0].isupper() else match.group(0)


def nest_quotes(text: str, outer: tuple[str, str], inner: tuple[str, str]) -> str:
    """Inside a quotation, quotation marks of the outer style become the inner style."""
    if outer[0] == outer[1]:
        return text
    return text.replace(outer[0], inner[0]).replace(outer[1], inner[1])


def paragraphs(text: str) -> list[str]:
    """Split on blank lines; single newlines inside a paragraph are spaces."""
    return [" ".join(p.split()) for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def keep_last_words(text: str) -> str:
    """Tie the last two words together, so a heading never ends on a lone short word."""
    head, space, last = text.rpartition(" ")
    return f"{head}{NBSP}{last}" if space and len(last) <= 12 else text
