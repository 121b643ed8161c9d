"""Fit of the one-page brief: the text size stepped down as the PDF's is, until the estimate fits.

The PDF builder lays its one-page brief out at 10 pt body text, then at 9.5, 9 and 8.5 pt
(FIT_SIZES_PT in briefs/render/base.py) until it is one page. The DOCX steps through the same
sizes: every size and spacing of the template's styles is scaled by size / 10 pt, as the PDF's
rem-based styles are by its root size, and the body is measured again (``measure``). The
first size that fits is the one the document is saved with, and the note is the PDF's. A brief
that does not fit even at 8.5 pt fails with the PDF's diagnostic: the blocks of the first page by
the PDF's names, the overflow, and about how many words to cut.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn

from briefs.errors import RenderError
from briefs.render import base
from briefs.render.docx.measure import MM_PER_PT, Layout, Paragraph
from briefs.render.docx.ooxml import story_parts

FIT_LIMIT = 0.96
"""A one-page DOCX estimated to fill more of the page body than this does not fit: Word and
LibreOffice lay out a little differently from the estimate and from each other. The estimate
breaks lines as LibreOffice does and adds up paragraph spacing as Word does (LibreOffice keeps
the larger of two), so it errs above LibreOffice's layout. The one-page template is a little
more compact than the PDF's design, by about this margin, so that both fit at the same size."""

BLOCK_NAMES = {"section.summary": "summary", "section.key-points": "key points", "section.pillars": "pillar table"}
"""The one-page brief's blocks by the label of the heading that starts each: the names the PDF
template gives the same blocks (data-block in templates/html/one-page.html), so that both
formats' diagnostics name them alike. What comes before the first heading is the title block."""
TITLE_BLOCK = "title"
QUOTES_BLOCK = "quotes"
"""A table with quotes in it."""
FOOTER_BLOCK = "footer"
FOOTER_STYLES = ("brief footer",)
"""Paragraph styles that start the footer block."""


@dataclass
class Block:
    name: str
    height: float
    """Points."""


def block_names(labels: Mapping[str, str]) -> dict[str, str]:
    """Heading text -> block name, from a view's labels."""
    return {labels[key]: name for key, name in BLOCK_NAMES.items() if key in labels}


def blocks(layout: Layout, names: Mapping[str, str]) -> list[Block]:
    """Heights of the body's blocks: each heading starts one, and so do a quotes table and the footer."""
    found: list[Block] = [Block(TITLE_BLOCK, 0.0)]
    for item in layout.flow():
        if isinstance(item, Paragraph):
            style = layout.style_name(item.element)
            if style.startswith("heading"):
                text = layout.heading_text(item.element)
                found.append(Block(names.get(text, text or style), 0.0))
            elif style in FOOTER_STYLES:
                found.append(Block(FOOTER_BLOCK, 0.0))
        elif layout.has_style(item.element, "quote"):
            found.append(Block(QUOTES_BLOCK, 0.0))
        found[-1].height += item.height
    return [block for block in found if block.height]


def estimate_blocks(doc: DocxDocument, names: Mapping[str, str] | None = None) -> tuple[list[Block], float]:
    """The estimated heights of the body's blocks and the height of the page body, in points."""
    layout = Layout(doc)
    return blocks(layout, names or {}), layout.body_height()


class Sizes:
    """The sizes and vertical spacings of a document's styles, and the same scaled to another body size.

    Scaled: font sizes, exact and at-least line heights, space before and after paragraphs,
    letter spacing, and the top and bottom margins of table cells, as the PDF's rem-based
    sizes scale with its root size. Kept: page margins, indents and column widths (millimetres in
    the PDF too), and the styles of the running header and footer (7 pt in the PDF, at any size).
    """

    def __init__(self, doc: DocxDocument) -> None:
        self.entries: list[tuple[Any, str, int]] = []
        styles = doc.styles.element
        running = _running_styles(doc)
        roots = [*styles.iter(qn("w:docDefaults"))]
        roots += [s for s in styles.iter(qn("w:style")) if s.get(qn("w:styleId")) not in running]
        for root in roots:
            for node in root.iter(qn("w:sz"), qn("w:szCs")):
                self._keep(node, "w:val")
            for node in root.iter(qn("w:spacing")):
                for attr in ("w:before", "w:after", "w:val"):
                    self._keep(node, attr)
                if node.get(qn("w:lineRule")) in ("exact", "atLeast"):
                    self._keep(node, "w:line")
            for margins in root.iter(qn("w:tblCellMar")):
                for side in ("w:top", "w:bottom"):
                    for node in margins.iter(qn(side)):
                        self._keep(node, "w:w")

    def _keep(self, node: Any, attr: str) -> None:
        value = node.get(qn(attr))
        if value is not None and value.lstrip("-").isdigit():
            self.entries.append((node, qn(attr), int(value)))

    def scale(self, factor: float) -> None:
        """Every size set to its template value times ``factor``, rounded as Word stores it."""
        for node, attr, value in self.entries:
            node.set(attr, str(round(value * factor)))


def _running_styles(doc: DocxDocument) -> set[str]:
    """Ids of the paragraph styles used in headers and footers and not in the body."""
    parts = list(story_parts(doc))
    body = {n.get(qn("w:val")) for n in parts[0].iter(qn("w:pStyle"))}
    running = {n.get(qn("w:val")) for part in parts[1:] for n in part.iter(qn("w:pStyle"))}
    return running - body


def fit_one_page(doc: DocxDocument, where: str, names: Mapping[str, str]) -> list[str]:
    """Scale ``doc``'s styles to the first of the PDF's sizes at which it fits its page; the notes.

    Raises RenderError, as the PDF builder does, when it does not fit even at the smallest size.
    """
    sizes = Sizes(doc)
    capacity = FIT_LIMIT * Layout(doc).body_height()
    measured: list[Block] = []
    for size in (None, *base.FIT_SIZES_PT):
        if size is not None:
            sizes.scale(size / base.BASE_SIZE_PT)
        measured = blocks(Layout(doc), names)
        if sum(block.height for block in measured) <= capacity:
            return [base.fitted_note(where, size)] if size is not None else []
    first, over = first_page(measured, capacity)
    message = base.overflow_message(where, first, over * MM_PER_PT, "docx", base.unfitted_detail())
    raise RenderError(message)


def first_page(measured: list[Block], capacity: float) -> tuple[list[base.Block], float]:
    """The blocks as far as they fill the first page, in mm, and how many points run over.

    As the PDF builder reports: each block by the part of it on the first page.
    """
    shown: list[base.Block] = []
    room = capacity
    for block in measured:
        part = min(block.height, room)
        if part > 0:
            shown.append(base.Block(block.name, part * MM_PER_PT))
        room -= part
    return shown, sum(block.height for block in measured) - capacity
