"""The builder contract: what every output format declares and does, and what the formats share.

A builder says which format it makes, which files it reads for a kind and a language,
which options change its output, and turns a localized view into the bytes of one file.
Stamps, ``watch`` and the command line's choices ask the builders, never a list kept
elsewhere.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from briefs.errors import RenderError
from briefs.localize.view import BriefView
from briefs.resources import catalog_path, search_path

DEFAULT_PDF_VARIANT = "pdf/a-2a+ua-1"
"""PDF/A-2 level A and PDF/UA-1, declared together (``briefs/render/pdf/conformance.py``); here, where
stamps can read it without importing WeasyPrint."""


@dataclass(frozen=True)
class RenderOptions:
    """What every builder needs besides the view."""

    templates: tuple[Path, ...] = ()
    """Folders whose files override the built-in templates and styles."""
    fonts: tuple[str, ...] = ()
    """Font families the styles use."""
    fallback_fonts: tuple[str, ...] = ()
    """Families the styles fall back to for characters the fonts lack; any other family fails the build."""
    pdf_variant: str | None = None

    @property
    def all_fonts(self) -> tuple[str, ...]:
        return (*self.fonts, *self.fallback_fonts)


@dataclass
class Rendered:
    data: bytes
    pages: int | None
    """Counted in the rendered file; None where a word processor paginates."""
    notes: list[str] = field(default_factory=list)
    """What the builder did that the user should know, e.g. how it fitted a page."""


@dataclass(frozen=True)
class Block:
    """A named part of a brief and its height, for overflow diagnostics."""

    name: str
    height_mm: float


class Builder(ABC):
    """One output format. Construction is cheap; heavy libraries load on the first render."""

    format: ClassVar[str]
    media_type: ClassVar[str]
    sources: ClassVar[tuple[str, ...]]
    """The kinds of resource folder it reads (html, styles, docx), besides the catalogues."""
    preload: ClassVar[tuple[str, ...]]
    """Modules that render, for worker processes to import before their first task."""

    def __init__(self, options: RenderOptions) -> None:
        self.options = options

    def roots(self) -> list[Path]:
        """Every folder an input of this builder can come from, overrides first."""
        return [folder for kind in (*self.sources, "locale") for folder in search_path(kind, self.options.templates)]

    @abstractmethod
    def files(self, kind: str) -> list[Path]:
        """The templates, partials, styles and fonts a brief of ``kind`` reads."""

    def inputs(self, kind: str, lang: str) -> list[Path]:
        """Every file the output for ``kind`` and ``lang`` depends on, the label catalogue included."""
        try:
            catalog = catalog_path(lang, self.options.templates)
        except FileNotFoundError as exc:
            raise RenderError(f"no label catalogue for language {lang!r}: {exc}") from None
        return [*self.files(kind), catalog]

    def stamp_options(self) -> dict[str, object]:
        """The options that change this builder's output."""
        return {"fonts": list(self.options.fonts), "fallback_fonts": list(self.options.fallback_fonts)}

    def warm(self) -> None:  # noqa: B027 - most formats have nothing to warm
        """Load what the first render would (libraries, fonts), so that it is as quick as the next."""

    @abstractmethod
    def render(self, view: BriefView) -> Rendered: ...


def describe(view: BriefView) -> str:
    """How messages name a brief: ``us-az-charter-2026: one-page brief (bg)``."""
    return f"{view.id}: {view.kind} brief ({view.language})"


def check_fonts(used: set[str], allowed: Sequence[str], where: str) -> None:
    """Fail if text was set in a family other than ``allowed`` (no check when nothing is allowed)."""
    strays = sorted(used - set(allowed)) if allowed else []
    if strays:
        raise RenderError(f"{where}: text was set in {', '.join(strays)}, not in {', '.join(allowed)}")


BASE_SIZE_PT = 10.0
"""The body text's size in both formats' one-page designs; every other size is in proportion to it."""
FIT_SIZES_PT = (9.5, 9.0, 8.5)
"""Body sizes tried, in order, when a one-page brief overflows; never below 8.5 pt. Both formats
step through the same sizes, so a PDF and a DOCX of the same view fit at the same size or fail together."""


def fitted_note(where: str, size: float) -> str:
    """What a builder notes when it fitted a one-page brief by setting the body text at ``size``."""
    return f"{where}: fitted on one page with body text at {size:g} pt (from {BASE_SIZE_PT:g} pt)"


def unfitted_detail() -> str:
    """How far fitting went, for overflow_message, when even the smallest size overflows."""
    return f"even with body text at {FIT_SIZES_PT[-1]:g} pt"


def overflow_message(where: str, blocks: Sequence[Block], over_mm: float, fmt: str, detail: str) -> str:
    """Why a one-page brief does not fit, and what to shorten; ``detail`` says how far fitting went."""
    largest = ", ".join(f"{b.name} ({b.height_mm:.0f} mm)" for b in sorted(blocks, key=lambda b: -b.height_mm)[:4])
    return (
        f"{where} does not fit on one page as {fmt.upper()}, {detail}: it runs over by about {over_mm:.0f} mm. "
        f"Shorten the largest blocks: {largest} - by about {over_mm * WORDS_PER_MM:.0f} words in all. "
        f"No one-page {fmt.upper()} was written."
    )


WORDS_PER_MM = 1.4
"""About how many words of body text fill a millimetre of column height at 8.5-10 pt."""
