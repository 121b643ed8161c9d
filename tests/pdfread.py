"""Reading PDFs back for the tests."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader


def reader(path: Path) -> PdfReader:
    return PdfReader(str(path))


def text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in reader(path).pages)


def squash(value: str) -> str:
    """Text without spaces, hyphens or soft hyphens, so line breaks and hyphenation do not matter."""
    return re.sub(r"[\s\-\u00ad\u2010]", "", value)


def fonts(path: Path) -> list[dict[str, object]]:
    """Every font resource on every page: its name, subtype and whether its program is embedded."""
    found: dict[str, dict[str, object]] = {}
    for page in reader(path).pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        _collect(resources.get_object(), found, set())
    return list(found.values())


def _collect(resources, found, seen) -> None:
    font_dict = resources.get("/Font")
    if font_dict is not None:
        for ref in font_dict.get_object().values():
            font = ref.get_object()
            name = str(font.get("/BaseFont"))
            subtype = str(font.get("/Subtype"))
            descriptor = font.get("/FontDescriptor")
            if subtype == "/Type0":
                descendant = font["/DescendantFonts"][0].get_object()
                descriptor = descendant.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[name] = {"name": name, "subtype": subtype, "embedded": embedded}
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for ref in xobjects.get_object().values():
            obj = ref.get_object()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            inner = obj.get("/Resources")
            if inner is not None:
                _collect(inner.get_object(), found, seen)


def structure_elements(pdf):
    """Every structure element of a pikepdf.Pdf, in reading order."""
    import pikepdf

    pending = [pdf.Root.StructTreeRoot.K]
    while pending:
        node = pending.pop(0)
        if isinstance(node, pikepdf.Array):
            pending[0:0] = list(node)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            yield node
            if "/K" in node:
                pending.insert(0, node.K)
