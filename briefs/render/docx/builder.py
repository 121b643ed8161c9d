"""The DOCX builder: which template a Word brief reads, and the document it makes from a view."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from briefs.errors import RenderError
from briefs.localize.view import BriefView
from briefs.render.base import Builder, Rendered
from briefs.resources import find

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument


class DocxBuilder(Builder):
    format = "docx"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    sources: ClassVar[tuple[str, ...]] = ("docx",)
    preload: ClassVar[tuple[str, ...]] = ("briefs.render.docx.assemble",)

    def template_path(self, kind: str) -> Path:
        """The template of ``kind``: the user's (--templates DIR/docx/KIND.docx) first, then ours."""
        try:
            return find("docx", f"{kind}.docx", self.options.templates)
        except FileNotFoundError as exc:
            raise RenderError(str(exc)) from None

    def files(self, kind: str) -> list[Path]:
        return [self.template_path(kind)]

    def document(self, view: BriefView) -> DocxDocument:
        """The filled and finished document, before a one-page brief is fitted and the file written; for tests."""
        from briefs.render.docx.assemble import assemble

        return assemble(view, self.template_path(view.kind), self.options.all_fonts)

    def render(self, view: BriefView) -> Rendered:
        from briefs.render.docx.assemble import finish

        data, notes = finish(self.document(view), view)
        # A word processor paginates a DOCX: the page count is not known here, only estimated.
        return Rendered(data, None, notes)
