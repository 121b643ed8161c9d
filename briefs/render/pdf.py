"""PDF builder: Jinja2 HTML typeset by WeasyPrint, with a one-page fit and strict checks."""

from __future__ import annotations

import contextlib
import logging
import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import TemplateError
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from briefs.errors import BriefsError
from briefs.localize.view import BriefView, view_texts
from briefs.render import fontconfig as fonts
from briefs.render.base import Rendered, RenderOptions
from briefs.render.templating import describe, html_environment, search_path

BASE_SIZE_PT = 10.0
FIT_SIZES_PT = (9.5, 9.0, 8.5)
"""Body sizes tried, in order, when a one-page brief overflows; never below 8.5 pt."""
MM_PER_PX = 25.4 / 96
WORDS_PER_MM = 1.4
"""About how many words of body text fill a millimetre of column height at 8.5-10 pt."""


class RenderError(BriefsError):
    """A brief could not be rendered as it should be."""


class _Fetcher(URLFetcher):
    """Serves files under the template and style folders, and nothing else."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(fail_on_errors=True)
        self.roots = [root.resolve() for root in roots]

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        from urllib.parse import unquote, urlsplit

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
def _warnings() -> Iterator[_Collect]:
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


@dataclass
class _Block:
    name: str
    height_mm: float


class PdfBuilder:
    format = "pdf"

    def __init__(self, options: RenderOptions) -> None:
        self.options = options
        fonts.require(options.fonts)
        self.env = html_environment(options.templates)
        self.env.globals["style_url"] = self._style_url
        self.style_roots = search_path("styles", options.templates)
        self.fetcher = _Fetcher([*self.style_roots, *search_path("html", options.templates)])
        self.font_config = FontConfiguration()

    def _style_url(self, name: str) -> str:
        for folder in self.style_roots:
            if (folder / name).is_file():
                return (folder / name).resolve().as_uri()
        raise RenderError(f"no stylesheet {name!r} in {', '.join(map(str, self.style_roots))}")

    def html(self, view: BriefView) -> str:
        """The HTML of the brief, for inspection and tests."""
        try:
            return self.env.get_template(f"{view.kind}.html").render(b=view)
        except TemplateError as exc:
            raise RenderError(f"template error: {describe(exc)}") from None

    def render(self, view: BriefView) -> Rendered:
        where = f"{view.id}: {view.kind} brief ({view.language})"
        missing = fonts.uncovered(view_texts(view), self.options.fonts)
        if missing:
            raise RenderError(
                f"{where}: the text has characters the brief's fonts cannot show:\n  " + "\n  ".join(missing)
            )
        source = self.html(view)
        sizes = (None, *FIT_SIZES_PT) if view.kind == "one-page" else (None,)
        for size in sizes:
            document = self._layout(source, size, where)
            if len(document.pages) == 1 or view.kind != "one-page":
                break
        else:
            raise RenderError(_overflow_message(where, document))
        data = self._write(document, where)
        notes = []
        if size is not None:
            notes.append(f"{where}: fitted on one page with body text at {size:g} pt (from {BASE_SIZE_PT:g} pt)")
        return Rendered(data, len(document.pages), notes)

    def _layout(self, source: str, size: float | None, where: str) -> Any:
        extra = [CSS(string=f"html {{ font-size: {size}pt !important }}", font_config=self.font_config)] if size else []
        with _warnings() as caught:
            try:
                document = HTML(
                    string=source, base_url=self.style_roots[-1].as_uri() + "/", url_fetcher=self.fetcher
                ).render(stylesheets=extra, font_config=self.font_config, pdf_tags=self.options.pdf_tags)
            except FatalURLFetchingError as exc:
                raise RenderError(f"{where}: {exc}") from None
        if caught.messages:
            raise RenderError(f"{where}: WeasyPrint warned:\n  " + "\n  ".join(caught.messages))
        return document

    def _write(self, document: Any, where: str) -> bytes:
        with _warnings() as caught:
            data = document.write_pdf(
                pdf_variant=self.options.pdf_variant, pdf_tags=self.options.pdf_tags, uncompressed_pdf=False
            )
        if caught.messages:
            raise RenderError(f"{where}: WeasyPrint warned:\n  " + "\n  ".join(caught.messages))
        used = {font.family for font in document.fonts.values()}
        strays = sorted(used - set(self.options.fonts)) if self.options.fonts else []
        if strays:
            raise RenderError(f"{where}: text was set in {', '.join(strays)}, not in {', '.join(self.options.fonts)}")
        return data


def _blocks(page: Any) -> list[_Block]:
    """Heights of the page's named blocks (elements with data-block)."""
    found: dict[str, float] = {}
    for box in page._page_box.descendants():
        element = getattr(box, "element", None)
        name = element.get("data-block") if element is not None else None
        if name and getattr(box, "element_tag", None) == element.tag and box.element is element:
            found[name] = found.get(name, 0.0) + box.margin_height() * MM_PER_PX
    return [_Block(name, height) for name, height in found.items()]


def _overflow_message(where: str, document: Any) -> str:
    over = sum(block.height_mm for page in document.pages[1:] for block in _blocks(page))
    blocks = sorted(_blocks(document.pages[0]), key=lambda b: -b.height_mm)
    listed = ", ".join(f"{b.name} ({b.height_mm:.0f} mm)" for b in blocks[:4])
    return (
        f"{where} does not fit on one page, even with body text at {FIT_SIZES_PT[-1]:g} pt: it runs over by "
        f"about {over:.0f} mm. Shorten the largest blocks: {listed} - by about {over * WORDS_PER_MM:.0f} words "
        "in all. No one-page PDF was written."
    )
