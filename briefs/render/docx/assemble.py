"""Filling a Word template with a view and finishing the document: language, contents, properties, zip."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docxtpl import DocxTemplate

from briefs.errors import RenderError
from briefs.localize.view import BriefView
from briefs.render.base import check_fonts, describe
from briefs.render.docx.fill import context, environment, remove_empty_runs
from briefs.render.docx.fit import block_names, fit_one_page
from briefs.render.docx.package import reproducible_zip
from briefs.render.docx.toc import fill_table_of_contents, number_contents
from briefs.render.docx.typefaces import font_families
from briefs.render.docx.word import no_field_prompts, set_language, set_properties

_ENV = environment()


def assemble(view: BriefView, template_path: Path, fonts: Sequence[str]) -> DocxDocument:
    """The template at ``template_path`` filled with ``view`` and finished."""
    where = describe(view)
    template = DocxTemplate(BytesIO(template_path.read_bytes()))
    try:
        template.render(context(view, template), jinja_env=_ENV)
    except RenderError as exc:
        raise RenderError(f"{where}: {template_path}: {exc}") from None
    except Exception as exc:  # Jinja's errors: syntax, undefined names
        raise RenderError(f"{where}: template {template_path}: {type(exc).__name__}: {exc}") from None
    # Saved and read again, so python-docx works on its own element classes.
    buffer = BytesIO()
    template.save(buffer)
    doc = Document(BytesIO(buffer.getvalue()))
    remove_empty_runs(doc)
    entries = fill_table_of_contents(doc)
    no_field_prompts(doc)
    set_language(doc, view.lang)
    set_properties(doc, view)
    check_fonts(font_families(doc), fonts, f"{where}: template {template_path}")
    # page numbers last: the language decides the hyphenation the estimate of the layout follows
    number_contents(doc, entries)
    return doc


def finish(doc: DocxDocument, view: BriefView) -> tuple[bytes, list[str]]:
    """The document's bytes, reproducible, and what fitting it on one page noted.

    A one-page brief is saved with its styles scaled to the size it fits at (``fit``).
    """
    where = describe(view)
    notes = fit_one_page(doc, where, block_names(view.labels)) if view.kind == "one-page" else []
    buffer = BytesIO()
    doc.save(buffer)
    return reproducible_zip(buffer.getvalue(), view.info.created), notes
