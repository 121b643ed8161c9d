"""The PDF builder: which files a PDF brief reads, and how its pages are made and checked."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from jinja2 import Environment, TemplateError, meta

from briefs import fontconfig
from briefs.errors import RenderError
from briefs.glyphs import Coverage
from briefs.localize.view import BriefView, view_texts
from briefs.render.base import (
    DEFAULT_PDF_VARIANT,
    FIT_SIZES_PT,
    Builder,
    Rendered,
    RenderOptions,
    check_fonts,
    describe,
    fitted_note,
    overflow_message,
    unfitted_detail,
)
from briefs.render.templating import describe as describe_template
from briefs.render.templating import html_environment
from briefs.resources import find, search_path

if TYPE_CHECKING:
    from briefs.render.pdf.engine import Engine


class PdfBuilder(Builder):
    format = "pdf"
    media_type = "application/pdf"
    sources: ClassVar[tuple[str, ...]] = ("html", "styles")
    preload: ClassVar[tuple[str, ...]] = ("briefs.render.pdf.engine",)

    def __init__(self, options: RenderOptions) -> None:
        super().__init__(options)
        self.env = html_environment(options.templates)
        self.env.globals["style_url"] = self._style_url
        self._engine: Engine | None = None
        self.coverage = Coverage((), ())

    def files(self, kind: str) -> list[Path]:
        used = templates_used(self.env, f"{kind}.html")
        if used is None:  # a computed template name: any template may be read
            used = [p for folder in search_path("html", self.options.templates) for p in _tree(folder)]
        styles = [p for folder in search_path("styles", self.options.templates) for p in _tree(folder)]
        return [*used, *styles, *fontconfig.files(self.options.all_fonts)]

    def stamp_options(self) -> dict[str, object]:
        variant = self.options.pdf_variant or DEFAULT_PDF_VARIANT
        return {**super().stamp_options(), "pdf_variant": variant, "pdf_tags": True}

    def _style_url(self, name: str) -> str:
        try:
            return find("styles", name, self.options.templates).resolve().as_uri()
        except FileNotFoundError as exc:
            raise RenderError(str(exc)) from None

    def html(self, view: BriefView) -> str:
        """The HTML of the brief, for inspection and tests."""
        try:
            return self.env.get_template(f"{view.kind}.html").render(b=view)
        except TemplateError as exc:
            raise RenderError(f"template error: {describe_template(exc)}") from None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from briefs.render.pdf.engine import Engine

            fontconfig.require(self.options.all_fonts)
            # the override folders' html/ and styles/ count even before they exist: the engine lives as
            # long as a worker, and a user may add a stylesheet override while it runs
            overrides = self.options.templates
            roots = [folder / kind for kind in ("styles", "html") for folder in overrides]
            builtin = [search_path(kind)[-1] for kind in ("styles", "html")]
            self._engine = Engine([*roots, *builtin], builtin[0], self.options.pdf_variant)
            # lives as long as the engine: a worker is replaced after a few dozen renders, and the
            # stamps hash the font files, so changed fonts rebuild in fresh workers
            self.coverage = Coverage(self.options.fonts, self.options.fallback_fonts)
        return self._engine

    def warm(self) -> None:
        self.engine.warm(self.options.all_fonts)

    def render(self, view: BriefView) -> Rendered:
        where = describe(view)
        engine = self.engine  # fails first if a font is not installed
        # the data was checked when it was validated; this catches labels and anything a template adds
        missing = [f"{key}: {message}" for key, message in self.coverage.report(view_texts(view)).items()]
        if missing:
            raise RenderError(
                f"{where}: the text has characters the brief's fonts cannot show:\n  " + "\n  ".join(missing)
            )
        source = self.html(view)
        sizes = (None, *FIT_SIZES_PT) if view.kind == "one-page" else (None,)
        for size in sizes:
            document = engine.layout(source, size, where)
            if len(document.pages) == 1 or view.kind != "one-page":
                break
        else:
            blocks, over = engine.overflow(document)
            raise RenderError(overflow_message(where, blocks, over, self.format, unfitted_detail()))
        engine.pin_to_foot(document)
        outside = engine.outside_page(document)
        if outside:
            raise RenderError(f"{where}: text runs off the page; break or shorten it:\n  " + "\n  ".join(outside))
        data, used = engine.write(document, where)
        check_fonts(used, self.options.all_fonts, where)
        notes = []
        if size is not None:
            notes.append(fitted_note(where, size))
        return Rendered(data, len(document.pages), notes)


def templates_used(env: Environment, name: str) -> list[Path] | None:
    """Files of the template ``name`` and of every template it extends, includes or imports.

    None when a reference is computed at render time and so cannot be known.
    """
    if env.loader is None:
        raise ValueError("the environment has no loader")
    seen: dict[str, Path] = {}
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        source, filename, _ = env.loader.get_source(env, current)
        seen[current] = Path(filename or current)
        for reference in _references(env, source):
            if reference is None:
                return None
            pending.append(reference)
    return list(seen.values())


@functools.lru_cache(maxsize=256)
def _references(env: Environment, source: str) -> tuple[str | None, ...]:
    """The templates ``source`` names; keyed on its text, so an edit is parsed again."""
    return tuple(meta.find_referenced_templates(env.parse(source)))


def _tree(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
