"""The contents: an entry for each heading, linked to it, with the page number the heading is on.

The template marks where the contents go, and which heading levels they list, with a TOC
field (`TOC \\o "1-2" ...`). The builder writes the entries in its place as plain paragraphs in
the "toc N" styles: the heading's text as a link to a bookmark on the heading, a tab (the style's
dotted leader), and a PAGEREF field to the same bookmark.

* LibreOffice works the PAGEREF fields out as it lays the document out, so its page numbers
  (on screen and in a PDF it exports) are always right. It would not do that inside a TOC field:
  there it shows the entries as they were saved, which is why the TOC field itself is not kept.
* Word shows the numbers saved in the fields (their cached results) and works them out again
  when the fields are updated (select all, F9; or on printing, if Word is set to). Those saved
  numbers are the builder's estimate of LibreOffice's layout (``pages``); Word lays text out a
  little differently and may put a heading on another page than LibreOffice does, until the
  fields are updated. Nothing is marked dirty and settings.xml does not ask for an update, so
  Word opens the file without asking whether to update fields that "may refer to other files".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from markupsafe import escape

from briefs.render.docx.ooxml import text_of
from briefs.render.docx.pages import first_pages

_TOC_LEVELS = re.compile(r'\\o\s+"(\d)-(\d)"')


@dataclass
class _Field:
    begin: Any
    instruction: str = ""
    separate: Any = None
    end: Any = None


def _fields(root: Any) -> Iterator[_Field]:
    """The complex fields (fldChar begin ... end) of ``root``, outermost first, nested ones too."""
    stack: list[_Field] = []
    for node in root.iter(qn("w:fldChar"), qn("w:instrText")):
        if node.tag == qn("w:instrText"):
            if stack and stack[-1].separate is None:
                stack[-1].instruction += node.text or ""
            continue
        kind = node.get(qn("w:fldCharType"))
        if kind == "begin":
            stack.append(_Field(node))
        elif kind == "separate" and stack:
            stack[-1].separate = node
        elif kind == "end" and stack:
            field = stack.pop()
            field.end = node
            yield field


def _paragraph_of(node: Any) -> Any:
    while node is not None and node.tag != qn("w:p"):
        node = node.getparent()
    return node


def _outline_levels(doc: DocxDocument) -> dict[str, int]:
    """Style id -> outline level (0-based), following basedOn."""
    own: dict[str, int | None] = {}
    base: dict[str, str | None] = {}
    for style in doc.styles.element.iter(qn("w:style")):
        ident = style.get(qn("w:styleId"))
        level = style.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        own[ident] = int(level.get(qn("w:val"))) if level is not None else None
        based = style.find(qn("w:basedOn"))
        base[ident] = based.get(qn("w:val")) if based is not None else None
    levels: dict[str, int] = {}
    for ident in own:
        current: str | None = ident
        for _ in range(20):  # basedOn chains are short; a loop in a broken file must not hang
            if current is None or own.get(current) is not None:
                break
            current = base.get(current)
        if current is not None and own.get(current) is not None:
            levels[ident] = own[current]  # type: ignore[assignment]
    return levels


def _style_id(doc: DocxDocument, name: str) -> str | None:
    for style in doc.styles.element.iter(qn("w:style")):
        named = style.find(qn("w:name"))
        if named is not None and str(named.get(qn("w:val"))).lower() == name:
            return str(style.get(qn("w:styleId")))
    return None


def _headings(doc: DocxDocument, low: int, high: int, skip: set[Any]) -> list[tuple[int, Any]]:
    """(level, paragraph) of every body paragraph whose outline level is within low..high (1-based)."""
    levels = _outline_levels(doc)
    found = []
    for p in doc.element.body.iter(qn("w:p")):
        if p in skip:
            continue
        direct = p.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        level = int(direct.get(qn("w:val"))) if direct is not None else None
        if level is None and style is not None:
            level = levels.get(style.get(qn("w:val")))
        if level is not None and low <= level + 1 <= high and text_of(p).strip():
            found.append((level + 1, p))
    return found


@dataclass
class Entry:
    """An entry of the contents, the heading it links to, and the text of its page number."""

    paragraph: Any
    heading: Any
    number: Any


def fill_table_of_contents(doc: DocxDocument) -> list[Entry]:
    """Write the entries in place of each TOC field: links to bookmarks on the headings, and PAGEREF fields.

    The page numbers are 1 until ``number_contents`` sets them. Returns the entries.
    """
    body = doc.element.body
    entries: list[Entry] = []
    for field in [f for f in _fields(body) if f.instruction.strip().upper().startswith("TOC")]:
        first, last = _paragraph_of(field.begin), _paragraph_of(field.end)
        if field.separate is None or first is None or last is None or first.getparent() is not last.getparent():
            continue
        region = _region(first, last)
        levels = _TOC_LEVELS.search(field.instruction)
        low, high = (int(levels.group(1)), int(levels.group(2))) if levels else (1, 3)
        for level, heading in _headings(doc, low, high, set(region)):
            paragraph = _toc_entry(doc, level, text_of(heading), _bookmark(doc, heading))
            first.addprevious(paragraph)
            number = [t for t in paragraph.iter(qn("w:t"))][-1]
            entries.append(Entry(paragraph, heading, number))
        for p in region:
            p.getparent().remove(p)
    return entries


def number_contents(doc: DocxDocument, entries: list[Entry]) -> None:
    """Each entry's page number: the page its heading starts on in the estimate of LibreOffice's layout."""
    if not entries:
        return
    pages = first_pages(doc)
    for entry in entries:
        entry.number.text = str(pages.get(entry.heading, 1))


def _region(first: Any, last: Any) -> list[Any]:
    region = [first]
    while region[-1] is not last:
        region.append(region[-1].getnext())
    return region


def _bookmark(doc: DocxDocument, paragraph: Any) -> str:
    """Put a _Toc bookmark around ``paragraph``'s content (unless it has one) and return its name."""
    for start in paragraph.iter(qn("w:bookmarkStart")):
        if start.get(qn("w:name"), "").startswith("_Toc"):
            return str(start.get(qn("w:name")))
    starts = doc.element.body.iter(qn("w:bookmarkStart"))
    ids = [int(b.get(qn("w:id"))) for b in starts if b.get(qn("w:id"), "").isdigit()]
    ident = max(ids, default=0) + 1
    name = f"_Toc{ident:09d}"
    start = parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="{ident}" w:name="{name}"/>')
    properties = paragraph.find(qn("w:pPr"))
    if properties is not None:
        properties.addnext(start)
    else:
        paragraph.insert(0, start)
    paragraph.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="{ident}"/>'))
    return name


def _toc_entry(doc: DocxDocument, level: int, text: str, anchor: str) -> Any:
    """An entry as Word writes one in a table of contents: a link holding the text, a tab and a PAGEREF field."""
    style = _style_id(doc, f"toc {level}")
    properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return parse_xml(
        f'<w:p {nsdecls("w")}>{properties}<w:hyperlink w:anchor="{anchor}" w:history="1">'
        f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r><w:r><w:tab/></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> PAGEREF {anchor} \\h </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:hyperlink></w:p>'
    )
