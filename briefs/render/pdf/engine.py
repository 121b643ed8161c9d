"""WeasyPrint, held strictly: files only from our folders, every warning an error, fonts checked."""

from __future__ import annotations

import contextlib
import logging
import mimetypes
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from briefs.errors import RenderError
from briefs.render.base import Block
from briefs.render.pdf import conformance, leaders

leaders.install()
conformance.install()

MM_PER_PX = 25.4 / 96


class _Fetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type information
    """Serves files under the template and style folders, and nothing else."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(fail_on_errors=True)
        self.roots = [root.resolve() for root in roots]

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
        raise FatalURLFetchingError(
            f"refused to fetch {url}: templates may only use files under {', '.join(map(str, self.roots))}"
        )


class _Collect(logging.Handler):
    """Collects WeasyPrint's warnings: each one fails the build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _warnings(where: str) -> Iterator[None]:
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    if handler.messages:
        raise RenderError(f"{where}: WeasyPrint warned:\n  " + "\n  ".join(handler.messages))


class Engine:
    """One WeasyPrint set-up, kept for the life of a builder: fonts load once."""

    def __init__(self, roots: list[Path], base: Path, pdf_variant: str | None) -> None:
        self.base_url = base.as_uri() + "/"
        self.roots = roots
        self.pdf_variant = pdf_variant
        self.fetcher = _Fetcher(roots)
        self.font_config = FontConfiguration()

    def layout(self, source: str, size: float | None, where: str) -> Any:
        """The laid-out document; ``size`` overrides the body text's size in points."""
        extra = [CSS(string=f"html {{ font-size: {size}pt !important }}", font_config=self.font_config)] if size else []
        with _warnings(where):
            try:
                return HTML(string=source, base_url=self.base_url, url_fetcher=self.fetcher).render(
                    stylesheets=extra, font_config=self.font_config, pdf_tags=True
                )
            except FatalURLFetchingError as exc:
                raise RenderError(f"{where}: {exc}") from None

    def write(self, document: Any, where: str) -> tuple[bytes, set[str]]:
        """The PDF's bytes, and the font families its text was set in."""
        variant = conformance.weasyprint_variant(self.pdf_variant)
        finish = conformance.finisher(document.metadata.lang) if conformance.declares_ua(self.pdf_variant) else None
        with _warnings(where), conformance.margins_as_artifacts(document):
            data = document.write_pdf(pdf_variant=variant, pdf_tags=True, uncompressed_pdf=False, finisher=finish)
        return data, {font.family for font in document.fonts.values()}

    def warm(self, families: tuple[str, ...]) -> None:
        """Lay out a line in each family, in each style: fonts are loaded and caches filled."""
        lines = "".join(
            f"<p style=\"font-family: '{family}'\">Aa Бб <b>Aa Бб</b> <i>Aa Бб</i></p>" for family in families
        )
        HTML(string=f"<html lang='bg'><body>{lines}</body></html>").render(font_config=self.font_config)

    def outside_page(self, document: Any) -> list[str]:
        return outside_page(document)

    def pin_to_foot(self, document: Any) -> None:
        pin_to_foot(document)

    def overflow(self, document: Any) -> tuple[list[Block], float]:
        """The first page's blocks and how many millimetres the later pages hold."""
        over = sum(block.height_mm for page in document.pages[1:] for block in _blocks(page))
        return _blocks(document.pages[0]), over


HANGING_MM = 2.0
"""How far text may stand in the margin: an opening quotation mark hangs there on purpose."""


def outside_page(document: Any) -> list[str]:
    """Boxes that reach past the page's text area (a long URL or word a cell could not wrap), each named
    by its block (``data-block``, else the ``id`` of the nearest section) and the start of its text."""
    found: dict[str, str] = {}
    for number, page in enumerate(document.pages, start=1):
        # WeasyPrint has no public API for a page's boxes; the pin weasyprint<71 holds this private name
        root = page._page_box
        left, right = root.content_box_x(), root.content_box_x() + root.width
        pending: list[tuple[Any, str]] = [(child, "page") for child in root.children]
        while pending:
            box, block = pending.pop()
            if isinstance(box, boxes.MarginBox):
                continue  # running heads and page numbers live in the margins
            element = getattr(box, "element", None)
            if element is not None and getattr(box, "element_tag", None) == element.tag:
                block = element.get("data-block") or element.get("id") or block
            if isinstance(box, boxes.TextBox):
                start, end = box.position_x, box.position_x + box.width
                hanging = HANGING_MM / MM_PER_PX
                if (start < left - hanging or end > right + hanging) and block not in found:
                    over = max(left - start, end - right) * MM_PER_PX
                    found[block] = (
                        f"{block} on page {number} runs {over:.0f} mm past the text area at {box.text[:40]!r}"
                    )
            pending.extend((child, block) for child in getattr(box, "children", ()))
    return list(found.values())


def pin_to_foot(document: Any) -> None:
    """Moves each box marked ``data-pin="foot"`` down to the bottom of its parent's content box.

    CSS does this with a flex column whose last item grows, but WeasyPrint lays a flex column out
    twice and measures every item's content, which doubled the time of a one-page brief. Moving the
    laid-out box gives the same page: nothing follows the pinned box in its parent, so nothing else
    moves.
    """
    for page in document.pages:
        # WeasyPrint has no public API for a page's boxes; the pin weasyprint<71 holds this private name
        pending: list[tuple[Any, Any]] = [(page._page_box, None)]
        while pending:
            box, parent = pending.pop()
            element = getattr(box, "element", None)
            if (
                parent is not None
                and element is not None
                and getattr(box, "element_tag", None) == element.tag
                and element.get("data-pin") == "foot"
            ):
                bottom = parent.content_box_y() + parent.height
                slack = bottom - (box.position_y + box.margin_height())
                if slack > 0:
                    box.translate(dy=slack)
                continue
            pending.extend((child, box) for child in getattr(box, "children", ()))


def _blocks(page: Any) -> list[Block]:
    """Heights of the page's named blocks (elements with data-block)."""
    found: dict[str, float] = {}
    # WeasyPrint has no public API for a page's boxes; the pin weasyprint<71 holds this private name
    for box in page._page_box.descendants():
        element = getattr(box, "element", None)
        if element is None:
            continue
        name = element.get("data-block")
        if name and getattr(box, "element_tag", None) == element.tag:
            found[name] = found.get(name, 0.0) + box.margin_height() * MM_PER_PX
    return [Block(name, height) for name, height in found.items()]
