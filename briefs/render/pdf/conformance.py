"""PDF/A level A and PDF/UA-1 in one file: what WeasyPrint 70 leaves out, completed.

WeasyPrint tags the structure and writes the PDF/A-2a parts (output intent, XMP, embedded fonts), but
declares one standard only, gives table header cells no scope, drops ``lang`` on inline elements and
writes no ``dc:language``. This module adds those, through WeasyPrint's public ``finisher`` hook (the
XMP) and by completing each structure element as WeasyPrint builds it (the pin ``weasyprint<71``
holds the names used). Upstreamable: each piece is a few lines in ``weasyprint/pdf/tags.py`` or
``metadata.py``.

PDF/A-2 rather than 3: a brief embeds no files, and part 3 differs from part 2 only in allowing
arbitrary embedded files, which some archives refuse; level A (accessible) is the level that
requires the tagged structure PDF/UA also needs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import pydyf
from weasyprint.formatting_structure import boxes
from weasyprint.pdf import tags as weasy_tags
from weasyprint.pdf.stream import Stream

from briefs.render.base import DEFAULT_PDF_VARIANT as DEFAULT_VARIANT

VARIANTS = {DEFAULT_VARIANT: "pdf/a-2a", "pdf/a-3a+ua-1": "pdf/a-3a"}
"""Our combined variants and the WeasyPrint variant each starts from."""
NONE = "none"
"""A tagged PDF that declares no standard."""

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
SCOPES = {"col": "/Column", "row": "/Row", "colgroup": "/Column", "rowgroup": "/Row"}

_build_box_tree = weasy_tags._build_box_tree
_marked = Stream.marked
_in_margins: set[int] = set()
"""Ids of the boxes in the page margins of the document being written (running heads, page numbers,
an image a template puts there): marked as artifacts, not as structure (ISO 14289-1, 7.8;
Matterhorn 18-001)."""


def weasyprint_variant(variant: str | None) -> str | None:
    """What WeasyPrint is asked for, given our ``--pdf-variant`` (None: the default)."""
    chosen = variant or DEFAULT_VARIANT
    if chosen == NONE:
        return None
    return VARIANTS.get(chosen, chosen)


def declares_ua(variant: str | None) -> bool:
    return (variant or DEFAULT_VARIANT) in VARIANTS


def _completed_tree(
    box: Any, parent: Any, pdf: Any, page: int, nums: Any, annotations: Any, tags: Any
) -> Iterator[Any]:
    """WeasyPrint's structure elements of ``box``, with a header cell's scope and an element's own
    language (``lang`` on a span or a quote), which WeasyPrint leaves out; nothing for the page
    margins, whose content is drawn as artifacts."""
    if isinstance(box, boxes.MarginBox) and _in_margins:
        return
    for element in _build_box_tree(box, parent, pdf, page, nums, annotations, tags):
        _complete(box, element)
        yield element


def _complete(box: Any, element: Any) -> None:
    html = getattr(box, "element", None)
    if html is None or isinstance(box, (boxes.PageBox, boxes.MarginBox)) or box.element_tag != html.tag:
        return  # anonymous boxes and the boxes WeasyPrint passes through yield other boxes' elements
    if html.tag in ("html", "body"):
        return
    if element.get("S") == "/TH":
        scope = SCOPES.get((html.get("scope") or "").lower()) or _inferred_scope(html)
        element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))["Scope"] = scope
    lang = html.get("lang")
    if lang and "Lang" not in element:
        element["Lang"] = pydyf.String(lang)


def _inferred_scope(cell: Any) -> str:
    """A header cell without ``scope``: a column's in the table head, else its row's."""
    row = cell.getparent()
    group = row.getparent() if row is not None else None
    return "/Column" if group is not None and group.tag == "thead" else "/Row"


@contextlib.contextmanager
def _marked_or_artifact(stream: Any, box: Any, tag: str) -> Iterator[None]:
    if stream._tags is not None and id(box) in _in_margins:
        with stream.artifact():
            yield
        return
    with _marked(stream, box, tag):
        yield


@contextlib.contextmanager
def margins_as_artifacts(document: Any) -> Iterator[None]:
    """While ``document`` is written, the text in its page margins is drawn as artifacts."""
    found = {
        id(box)
        for page in document.pages
        # WeasyPrint has no public API for a page's boxes; the pin weasyprint<71 holds this private name
        for margin in page._page_box.children
        if isinstance(margin, boxes.MarginBox)
        for box in margin.descendants()
    }
    _in_margins.update(found)
    try:
        yield
    finally:
        _in_margins.difference_update(found)


def install() -> None:
    """Makes WeasyPrint's tagging complete each element and leave the margins to artifacts; safe to
    call again."""
    weasy_tags._build_box_tree = _completed_tree
    Stream.marked = _marked_or_artifact


def finisher(lang: str) -> Any:
    """A ``write_pdf`` finisher that declares PDF/UA-1 beside PDF/A and the document's language in
    the XMP metadata (ISO 14289-1, 5: pdfuaid:part; ISO 16684-1 dc:language)."""

    def finish(document: Any, pdf: Any) -> None:
        reference = pdf.catalog["Metadata"]
        stream = pdf.objects[int(bytes(reference).split()[0])]
        stream.stream = [_declare(b"".join(_bytes(part) for part in stream.stream), lang)]
        # readable without a filter, as PDF/A-1 required and checkers of every part still expect
        stream.compress = False

    return finish


def _bytes(part: Any) -> bytes:
    return part if isinstance(part, bytes) else str(part).encode()


def _declare(packet: bytes, lang: str) -> bytes:
    start, end = packet.index(b"<rdf:RDF"), packet.index(b"</rdf:RDF>") + len(b"</rdf:RDF>")
    for prefix, uri in (("rdf", RDF), ("dc", DC), ("pdfuaid", PDFUAID)):
        ElementTree.register_namespace(prefix, uri)
    rdf = ElementTree.fromstring(packet[start:end])  # noqa: S314  # the packet WeasyPrint has just made
    description = ElementTree.SubElement(rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
    description.set(f"{{{PDFUAID}}}part", "1")
    _declare_schema(rdf)
    language = ElementTree.SubElement(ElementTree.SubElement(description, f"{{{DC}}}language"), f"{{{RDF}}}Bag")
    ElementTree.SubElement(language, f"{{{RDF}}}li").text = lang
    return packet[:start] + ElementTree.tostring(rdf) + packet[end:]


EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PROPERTY = "http://www.aiim.org/pdfa/ns/property#"


def _declare_schema(rdf: ElementTree.Element) -> None:
    """PDF/A admits only the XMP properties it predefines or an extension schema declares (ISO 19005-2,
    6.6.2.3): pdfuaid:part is not predefined, so its schema is declared here."""
    for prefix, uri in (("pdfaExtension", EXTENSION), ("pdfaSchema", SCHEMA), ("pdfaProperty", PROPERTY)):
        ElementTree.register_namespace(prefix, uri)
    description = ElementTree.SubElement(rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
    bag = ElementTree.SubElement(ElementTree.SubElement(description, f"{{{EXTENSION}}}schemas"), f"{{{RDF}}}Bag")
    schema = ElementTree.SubElement(bag, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
    for name, text in (("schema", "PDF/UA Universal Accessibility Schema"), ("namespaceURI", PDFUAID)):
        ElementTree.SubElement(schema, f"{{{SCHEMA}}}{name}").text = text
    ElementTree.SubElement(schema, f"{{{SCHEMA}}}prefix").text = "pdfuaid"
    properties = ElementTree.SubElement(ElementTree.SubElement(schema, f"{{{SCHEMA}}}property"), f"{{{RDF}}}Seq")
    part = ElementTree.SubElement(properties, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
    for name, text in (
        ("name", "part"),
        ("valueType", "Integer"),
        ("category", "internal"),
        ("description", "The part of ISO 14289 the file conforms to"),
    ):
        ElementTree.SubElement(part, f"{{{PROPERTY}}}{name}").text = text
