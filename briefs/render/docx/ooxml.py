"""Walking WordprocessingML: the story parts, schema-ordered insertion, text, numbering."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn


def story_parts(doc: DocxDocument) -> Iterator[Any]:
    """The root elements of the story parts: body, headers, footers."""
    yield doc.element
    for rel in doc.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external:
            yield rel.target_part.element


def insert_before(parent: Any, child: Any, successors: Iterable[str]) -> None:
    """Insert ``child`` before the first of ``successors`` present in ``parent``, else at the end."""
    tags = {qn(tag) for tag in successors}
    for existing in parent:
        if existing.tag in tags:
            existing.addprevious(child)
            return
    parent.append(child)


def text_of(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def numbering_root(doc: DocxDocument) -> Any:
    try:
        return doc.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return None
