"""The DOCX builder: fills the template, finishes the document, writes reproducible bytes."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docxtpl import DocxTemplate

from briefs.localize.view import BriefView
from briefs.render.base import Rendered, RenderOptions
from briefs.render.docx.errors import RenderError
from briefs.render.docx.fill import context, environment, remove_empty_runs
from briefs.render.docx.fit import check_fit
from briefs.render.docx.fonts import font_families
from briefs.render.docx.package import reproducible_zip
from briefs.render.docx.toc import fill_table_of_contents
from briefs.render.docx.word import set_language, set_properties, update_fields_on_open
from briefs.render.templating import find


class DocxBuilder:
    format = "docx"

    def __init__(self, options: RenderOptions) -> None:
        self.options = options
        self.env = environment()

    def template_path(self, kind: str) -> Path:
        """The template of ``kind``: the user's (--templates DIR/docx/KIND.docx) first, then ours."""
        try:
            return find("docx", f"{kind}.docx", self.options.templates)
        except FileNotFoundError as exc:
            raise RenderError(str(exc)) from None

    def document(self, view: BriefView) -> DocxDocument:
        """The finished document, before it is written; for inspection and tests."""
        where = f"{view.id}: {view.kind} brief ({view.language})"
        path = self.template_path(view.kind)
        template = DocxTemplate(BytesIO(path.read_bytes()))
        try:
            template.render(context(view, template), jinja_env=self.env)
        except RenderError as exc:
            raise RenderError(f"{where}: {path}: {exc}") from None
        except Exception as exc:  # Jinja's errors: syntax, undefined names
            raise RenderError(f"{where}: template {path}: {type(exc).__name__}: {exc}") from None
        # Saved and read again, so python-docx works on its own element classes.
        buffer = BytesIO()
        template.save(buffer)
        doc = Document(BytesIO(buffer.getvalue()))
        remove_empty_runs(doc)
        if view.kind == "full":
            fill_table_of_contents(doc)
            update_fields_on_open(doc)
        set_language(doc, view.lang)
        set_properties(doc, view)
        self._check_fonts(doc, where, path)
        return doc

    def _check_fonts(self, doc: DocxDocument, where: str, path: Path) -> None:
        if not self.options.fonts:
            return
        strays = sorted(font_families(doc) - set(self.options.fonts))
        if strays:
            raise RenderError(
                f"{where}: template {path} sets text in {', '.join(strays)}, not in {', '.join(self.options.fonts)}"
            )

    def render(self, view: BriefView) -> Rendered:
        doc = self.document(view)
        notes: list[str] = []
        if view.kind == "one-page":
            notes = check_fit(doc, f"{view.id}: {view.kind} brief ({view.language})")
        buffer = BytesIO()
        doc.save(buffer)
        data = reproducible_zip(buffer.getvalue(), view.info.created)
        # A word processor paginates a DOCX; only the one-page brief's page count is known (checked above).
        return Rendered(data, 1 if view.kind == "one-page" else None, notes)
