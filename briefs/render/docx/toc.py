"""The table of contents: complex fields, headings by outline level, and the first entries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from markupsafe import escape

from briefs.render.docx.ooxml import text_of

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


def fill_table_of_contents(doc: DocxDocument) -> int:
    """Write the entries of each TOC field: hyperlinks to bookmarks on the headings, no page numbers.

    Word replaces them, with page numbers, when it updates the field on opening;
    LibreOffice and previewers show them as they are. Returns the number of entries.
    """
    body = doc.element.body
    count = 0
    for field in [f for f in _fields(body) if f.instruction.strip().upper().startswith("TOC")]:
        first, last = _paragraph_of(field.begin), _paragraph_of(field.end)
        if field.separate is None or first is None or last is None or first.getparent() is not last.getparent():
            continue
        region = _region(first, last)
        levels = _TOC_LEVELS.search(field.instruction)
        low, high = (int(levels.group(1)), int(levels.group(2))) if levels else (1, 3)
        headings = _headings(doc, low, high, set(region))
        if not headings:
            continue
        entries = [_toc_entry(doc, level, text_of(p), _bookmark(doc, p)) for level, p in headings]
        _move_field_runs(field, entries[0], entries[-1])
        for entry in entries:
            first.addprevious(entry)
        for p in region:
            p.getparent().remove(p)
        count += len(entries)
    return count


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
    style = _style_id(doc, f"toc {level}")
    properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return parse_xml(
        f'<w:p {nsdecls("w")}>{properties}<w:hyperlink w:anchor="{anchor}" w:history="1">'
        f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:hyperlink></w:p>'
    )


def _move_field_runs(field: _Field, head: Any, tail: Any) -> None:
    """Copies of the field's begin..separate runs open the first entry; a copy of its end run closes the last.

    The begin is marked dirty, so Word rebuilds the contents even where it ignores updateFields.
    """
    opening: list[Any] = []
    run = field.begin.getparent()
    while run is not None:
        opening.append(deepcopy(run))
        if field.separate in run.iter(qn("w:fldChar")):
            break
        run = run.getnext()
    link = head.find(qn("w:hyperlink"))
    for item in opening:
        for char in item.iter(qn("w:fldChar")):
            if char.get(qn("w:fldCharType")) == "begin":
                char.set(qn("w:dirty"), "true")
        link.addprevious(item)
    tail.append(deepcopy(field.end.getparent()))
