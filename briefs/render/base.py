"""One builder per output format; each turns a BriefView into the bytes of one file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from briefs.localize.view import BriefView

FORMATS = ("pdf", "docx")
"""Formats built when none is asked for."""


@dataclass(frozen=True)
class RenderOptions:
    """What every builder needs besides the view."""

    templates: tuple[Path, ...] = ()
    """Folders whose files override the built-in templates and styles."""
    fonts: tuple[str, ...] = ()
    """Font families the brief must be set in; any other font fails the build."""
    pdf_variant: str | None = None
    pdf_tags: bool = True


@dataclass
class Rendered:
    data: bytes
    pages: int | None
    notes: list[str] = field(default_factory=list)
    """What the builder did that the user should know, e.g. how it fitted a page."""


class Builder(Protocol):
    format: str

    def render(self, view: BriefView) -> Rendered: ...


def get_builder(fmt: str, options: RenderOptions) -> Builder:
    """The builder for ``fmt``; its heavy libraries are imported only now."""
    if fmt == "pdf":
        from briefs.render.pdf import PdfBuilder

        return PdfBuilder(options)
    if fmt == "docx":
        from briefs.render.docx import DocxBuilder

        return DocxBuilder(options)
    raise ValueError(f"unknown format {fmt!r}")
