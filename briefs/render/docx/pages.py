"""Where the pages of a document break, estimated as LibreOffice lays it out: for the contents' page numbers.

The flow of ``measure`` is cut into pages with the rules Word and LibreOffice share: a
paragraph kept together (keepLines) or too short to split moves to the next page whole; a
longer one splits, leaving at least two lines on each page under widow control; a paragraph
kept with the next (keepNext) moves with the first lines of what follows; a page break before
starts a page; a table row that may not split (cantSplit) moves whole, and the table's header
rows repeat at the top of each page it continues on.
"""

from __future__ import annotations

from typing import Any

from docx.document import Document as DocxDocument

from briefs.render.docx.measure import Layout, Paragraph, Table

ORPHAN_LINES = WIDOW_LINES = 2
"""Lines a paragraph under widow control keeps at the foot and at the head of a page."""
SPACE_BEFORE_AT_TOP = False
"""Whether a paragraph's space before is kept at the top of a page: LibreOffice drops it."""
COLLAPSE_SPACING = True
"""Whether the space between two paragraphs is the larger of the first's space after and the
second's space before: so LibreOffice (7.4, the tests' layout) sets our DOCX briefs. Word adds
the two, as the estimate in ``fit`` does, which errs on the safe side for a brief that must fit."""


class _Pages:
    def __init__(self, height: float) -> None:
        self.height = height
        self.page = 1
        self.used = 0.0
        self.after = 0.0
        """The space after the paragraph last laid out, when it is the last thing on the page."""

    @property
    def room(self) -> float:
        return self.height - self.used

    def next_page(self) -> None:
        self.page += 1
        self.used = 0.0
        self.after = 0.0


def _before(item: Paragraph, pages: _Pages) -> float:
    """The space the paragraph adds above its first line where the page now ends."""
    if pages.used == 0 and not SPACE_BEFORE_AT_TOP:
        return 0.0
    return _gap(pages.after, item)


def _gap(after: float, item: Paragraph) -> float:
    """The space ``item`` adds above itself after a paragraph with ``after`` below it."""
    return max(0.0, item.look.before - after) if COLLAPSE_SPACING else item.look.before


def _start(items: list[Paragraph | Table], index: int, before: float) -> float:
    """The least of ``items[index]`` (with ``before`` above it) that must go on the page it starts on:
    what it is kept with included."""
    item = items[index]
    if isinstance(item, Table):
        head = [row.height for row in item.rows if row.header]
        body = [row.height for row in item.rows if not row.header]
        return sum(head) + (body[0] if body else 0.0)
    lines = item.lines * item.pitch + item.look.borders
    if item.look.keep_next and index + 1 < len(items):
        following = items[index + 1]
        gap = _gap(item.look.after, following) if isinstance(following, Paragraph) else 0.0
        return before + lines + item.look.after + _start(items, index + 1, gap)
    if _splits(item):
        return before + ORPHAN_LINES * item.pitch
    return before + lines


def _splits(item: Paragraph) -> bool:
    least = ORPHAN_LINES + WIDOW_LINES if item.look.widow_control else 2
    return not item.look.keep_lines and item.lines >= least


def first_pages(doc: DocxDocument, layout: Layout | None = None) -> dict[Any, int]:
    """The page each body paragraph and table starts on, by element."""
    return {element: page for element, (page, _) in positions(doc, layout).items()}


def positions(doc: DocxDocument, layout: Layout | None = None) -> dict[Any, tuple[int, float]]:
    """The page each body paragraph and table starts on, and how far below the top of the page body
    its first line (or row) starts, in points; by element."""
    layout = layout or Layout(doc)
    items = layout.flow()
    pages = _Pages(layout.body_height())
    found: dict[Any, tuple[int, float]] = {}
    for index, item in enumerate(items):
        if isinstance(item, Table):
            found[item.element] = _place_table(item, pages)
            continue
        if item.look.page_break_before and pages.used > 0:
            pages.next_page()
        needed = _start(items, index, _before(item, pages))
        if needed > pages.room and pages.used > 0:
            pages.next_page()
        found[item.element] = _place_paragraph(item, pages)
    return found


def _place_paragraph(item: Paragraph, pages: _Pages) -> tuple[int, float]:
    """Lay the paragraph on the pages; where its first line is."""
    before = _before(item, pages)
    lines = item.lines
    least = ORPHAN_LINES if item.look.widow_control else 1
    start: tuple[int, float] | None = None
    while True:
        fit = int((pages.room - before - item.look.borders) // item.pitch) if item.pitch > 0 else lines
        if fit > 0 and start is None:
            start = (pages.page, pages.used + before)
        if fit >= lines:
            pages.used += before + lines * item.pitch + item.look.borders + item.look.after
            pages.after = item.look.after
            return start or (pages.page, pages.used)
        if _splits(item):
            fit = min(fit, lines - WIDOW_LINES) if item.look.widow_control else fit
            if fit >= least:
                lines -= fit
                start = start or (pages.page, pages.used + before)
                pages.next_page()
                before = 0.0
                continue
        if pages.used == 0:  # taller than a page: it runs on as it must
            start = start or (pages.page, before)
            lines -= max(fit, 1)
            pages.next_page()
            before = 0.0
            continue
        start = None
        pages.next_page()
        before = _before(item, pages)


def _place_table(table: Table, pages: _Pages) -> tuple[int, float]:
    head = sum(row.height for row in table.rows if row.header)
    body = [row for row in table.rows if not row.header]
    first = head + (body[0].height if body else 0.0)
    if first > pages.room and pages.used > 0:
        pages.next_page()
    start = (pages.page, pages.used)
    pages.after = 0.0
    pages.used += head
    for row in body:
        if row.height > pages.room and pages.used > head:
            pages.next_page()
            pages.used = head
        pages.used += row.height
    return start
