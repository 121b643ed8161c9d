"""The localized view of an agreement: plain, formatted values that templates only place.

Templates never see the raw data or choose a language: every text here is in
the brief's language, with dates formatted and quotation marks in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any


@dataclass(frozen=True)
class PartyView:
    code: str
    name: str
    signatory: str | None
    signatory_role: str | None


@dataclass(frozen=True)
class CommitmentView:
    area: str
    commitment: str
    means: str | None
    means_aside: str | None
    """The means in brackets after the area (one-page table): "(investment promotion)"."""


@dataclass(frozen=True)
class PillarView:
    id: str
    title: str
    summary: list[str]
    commitments: list[CommitmentView]
    main: list[CommitmentView]
    more: int
    """How many commitments the one-page brief leaves out."""
    more_label: str | None
    """"and 4 more in the full brief", localized; None when nothing is left out."""


@dataclass(frozen=True)
class QuoteView:
    text: str
    """The words with the language's quotation marks around them."""
    excerpt: str
    """The passage for a pull quote (the whole text if no excerpt is given), in quotation marks."""
    speaker: str
    role: str
    source: str
    source_line: str
    """"Source: Oxu.Az, 10 February 2026", localized."""
    date: str | None
    occasion: str | None
    occasion_line: str | None
    """Where and when it was said: "Joint press statement after the signing, 10 February 2026"."""
    translation: str | None
    """The visible mark of a translation, or None for the speaker's exact words."""
    featured: bool


@dataclass(frozen=True)
class SourceView:
    number: int
    id: str
    publisher: str | None
    title: str
    date: str | None
    url: str | None
    name: str
    """How a short list names the source: its publisher, else its title."""


@dataclass(frozen=True)
class RelatedView:
    title: str
    date: str | None
    note: str | None


@dataclass(frozen=True)
class DocumentInfo:
    """File metadata: PDF info dictionary, DOCX core properties."""

    title: str
    author: str
    subject: str
    keywords: list[str]
    language: str
    created: str
    """ISO date the brief is dated; never the clock."""


@dataclass(frozen=True)
class BriefView:
    id: str
    kind: str
    lang: str
    """BCP 47 tag of the brief's language (bg-BG, en-GB)."""
    language: str
    """The language code the data uses (bg, en)."""
    labels: dict[str, str]
    kind_label: str
    organisation: str
    title: str
    short_title: str
    type: str
    status: str
    signed_date: str | None
    signed_place: str | None
    parties: list[PartyView]
    summary: list[str]
    key_points: list[str]
    context: list[str]
    pillars: list[PillarView]
    quotes: list[QuoteView]
    featured_quotes: list[QuoteView]
    outlook: list[str]
    sources: list[SourceView]
    footer_sources: list[SourceView]
    """The sources as a short list names them (the one-page footer): each name and date once, though
    an outlet may be cited for several of its reports of one day."""
    related: list[RelatedView]
    prepared: str
    version: str
    distribution: str
    issued: str
    """The footer line: organisation, version and date."""
    info: DocumentInfo
    quote_marks: tuple[str, str] = field(default=("“", "”"))


def view_texts(view: BriefView) -> dict[str, str]:
    """Every text in the view, keyed by where it is (``pillars[1].commitments[0].area``)."""
    found: dict[str, str] = {}

    def walk(value: Any, where: str) -> None:
        if isinstance(value, str):
            found[where] = value
        elif is_dataclass(value):
            for item in fields(value):
                walk(getattr(value, item.name), f"{where}.{item.name}" if where else item.name)
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                walk(item, f"{where}[{index}]")
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{where}[{key!r}]")

    walk(view, "")
    return found
