"""Font checks: the families the text of a document may be set in."""

from __future__ import annotations

from typing import Any

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml.ns import qn
from lxml import etree

from briefs.render.docx.ooxml import numbering_root, story_parts


def font_families(doc: DocxDocument) -> set[str]:
    """Families Latin and Cyrillic text may be set in: rFonts ascii/hAnsi of the styles in use,
    their lists and the text itself.

    Styles nobody uses are left out (LibreOffice adds a few of its own on saving), and so
    are the East Asian and complex-script slots: no Bulgarian or English text uses them.
    """
    theme = _theme_fonts(doc)
    used = _used_styles(doc)
    roots = [
        *(s for s in doc.styles.element.iter(qn("w:style")) if s.get(qn("w:styleId")) in used),
        *doc.styles.element.iter(qn("w:docDefaults")),
        *_used_lists(doc, used),
        *story_parts(doc),
    ]
    found: set[str] = set()
    for root in roots:
        for fonts in root.iter(qn("w:rFonts")):
            for slot in ("ascii", "hAnsi"):
                name = fonts.get(qn(f"w:{slot}"))
                themed = fonts.get(qn(f"w:{slot}Theme"))
                if themed:
                    name = theme.get("major" if themed.startswith("major") else "minor")
                if name:
                    found.add(name)
    return found


def _used_styles(doc: DocxDocument) -> set[str]:
    """Ids of the styles the text names, the default styles, and every style they are based on."""
    styles = {s.get(qn("w:styleId")): s for s in doc.styles.element.iter(qn("w:style"))}
    wanted = {ident for ident, s in styles.items() if s.get(qn("w:default")) in ("1", "true", "on")}
    for root in story_parts(doc):
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            wanted.update(node.get(qn("w:val")) for node in root.iter(qn(tag)))
    used: set[str] = set()
    while wanted:
        ident = wanted.pop()
        if ident in used or ident not in styles:
            continue
        used.add(ident)
        based = styles[ident].find(qn("w:basedOn"))
        if based is not None:
            wanted.add(based.get(qn("w:val")))
    return used


def _used_lists(doc: DocxDocument, used: set[str]) -> list[Any]:
    """The abstract numbering definitions that the styles in use or the text refer to."""
    numbering = numbering_root(doc)
    if numbering is None:
        return []
    holders = [s for s in doc.styles.element.iter(qn("w:style")) if s.get(qn("w:styleId")) in used]
    numbers = {n.get(qn("w:val")) for root in (*holders, *story_parts(doc)) for n in root.iter(qn("w:numId"))}
    abstract = {
        num.find(qn("w:abstractNumId")).get(qn("w:val"))
        for num in numbering.iter(qn("w:num"))
        if num.get(qn("w:numId")) in numbers and num.find(qn("w:abstractNumId")) is not None
    }
    return [a for a in numbering.iter(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) in abstract]


def _theme_fonts(doc: DocxDocument) -> dict[str, str]:
    for rel in doc.part.rels.values():
        if rel.reltype == RT.THEME and isinstance(rel.target_part, Part):
            root = etree.fromstring(rel.target_part.blob)
            ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
            return {
                kind: (root.xpath(f"//a:{kind}Font/a:latin/@typeface", namespaces=ns) or [""])[0]
                for kind in ("major", "minor")
            }
    return {}
