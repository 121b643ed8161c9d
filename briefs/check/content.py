"""Walk the content streams of a PDF's pages: which content is tagged (a marked-content sequence with an
MCID), which is an artifact, which is neither, and which character codes each font shows.

Form XObjects are followed with the marked content they are drawn in (ISO 32000-1 14.7.2: a form
drawn inside a marked-content sequence belongs to it). Annotation appearances are not page content and
are not walked.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pikepdf

TEXT_OPERATORS = frozenset({"Tj", "TJ", "'", '"'})
PAINT_OPERATORS = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "INLINE IMAGE"})
MAX_FORM_DEPTH = 12


@dataclass
class PageContent:
    """What one page's content streams hold."""

    number: int
    mcids: set[int] = field(default_factory=set)
    untagged_text: int = 0
    """Text-showing operators outside both tagged content and artifacts (Matterhorn 01-005)."""
    untagged_paint: int = 0
    """Paths, shadings and images outside both (also 01-005)."""
    artifact_in_tagged: int = 0
    """Artifacts opened inside tagged content (Matterhorn 01-003)."""
    tagged_in_artifact: int = 0
    """Tagged content opened inside an artifact (Matterhorn 01-004)."""
    languages: set[str] = field(default_factory=set)
    """/Lang of marked-content property lists."""


@dataclass
class FontUse:
    """One font and the character codes shown with it."""

    font: pikepdf.Dictionary
    name: str
    codes: set[bytes] = field(default_factory=set)


@dataclass
class Walk:
    pages: list[PageContent] = field(default_factory=list)
    fonts: dict[tuple[int, int], FontUse] = field(default_factory=dict)


@dataclass(frozen=True)
class _Mark:
    tag: str
    mcid: int | None

    @property
    def artifact(self) -> bool:
        return self.tag == "/Artifact"


def walk(pdf: pikepdf.Pdf) -> Walk:
    result = Walk()
    for number, page in enumerate(pdf.pages, start=1):
        content = PageContent(number)
        resources = page.obj.get("/Resources")
        _walk_stream(page.obj, resources, [], content, result, set(), 0)
        result.pages.append(content)
    return result


def _walk_stream(
    stream: pikepdf.Object,
    resources: pikepdf.Object | None,
    marks: list[_Mark],
    content: PageContent,
    result: Walk,
    forms: set[tuple[int, int]],
    depth: int,
) -> None:
    fonts: list[FontUse | None] = [None]  # the graphics state's font, saved by q and restored by Q
    base = len(marks)
    for instruction in pikepdf.parse_content_stream(stream):
        operator = str(instruction.operator)
        operands = instruction.operands
        if operator in ("BMC", "BDC"):
            properties = _properties(operands[1], resources) if operator == "BDC" and len(operands) > 1 else None
            mark = _Mark(str(operands[0]), _mcid(properties))
            if mark.artifact and _tagged(marks):
                content.artifact_in_tagged += 1
            if mark.mcid is not None and _artifact(marks):
                content.tagged_in_artifact += 1
            if mark.mcid is not None:
                content.mcids.add(mark.mcid)
            if properties is not None and "/Lang" in properties:
                content.languages.add(str(properties.Lang))
            marks.append(mark)
        elif operator == "EMC":
            if len(marks) > base:
                marks.pop()
        elif operator == "q":
            fonts.append(fonts[-1])
        elif operator == "Q":
            if len(fonts) > 1:
                fonts.pop()
        elif operator == "Tf" and operands:
            fonts[-1] = _font(operands[0], resources, result)
        elif operator in TEXT_OPERATORS:
            if not (_tagged(marks) or _artifact(marks)):
                content.untagged_text += 1
            if fonts[-1] is not None:
                fonts[-1].codes.update(_strings(operator, list(operands)))
        elif operator in PAINT_OPERATORS:
            if not (_tagged(marks) or _artifact(marks)):
                content.untagged_paint += 1
        elif operator == "Do" and operands:
            _draw(operands[0], resources, marks, content, result, forms, depth)
    del marks[base:]


def _draw(
    name: pikepdf.Object,
    resources: pikepdf.Object | None,
    marks: list[_Mark],
    content: PageContent,
    result: Walk,
    forms: set[tuple[int, int]],
    depth: int,
) -> None:
    xobject = _resource(resources, "/XObject", name)
    if not isinstance(xobject, pikepdf.Stream):
        return
    subtype = xobject.get("/Subtype")
    if subtype == "/Image":
        if not (_tagged(marks) or _artifact(marks)):
            content.untagged_paint += 1
        return
    if subtype != "/Form" or depth >= MAX_FORM_DEPTH:
        return
    key = xobject.objgen
    if key in forms:  # a form drawing itself
        return
    forms.add(key)
    try:
        inner = xobject.get("/Resources", resources)
        _walk_stream(xobject, inner, marks, content, result, forms, depth + 1)
    finally:
        forms.discard(key)


def _tagged(marks: list[_Mark]) -> bool:
    return any(mark.mcid is not None for mark in marks)


def _artifact(marks: list[_Mark]) -> bool:
    return any(mark.artifact for mark in marks)


def _mcid(properties: pikepdf.Object | None) -> int | None:
    if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
        return int(properties.MCID)
    return None


def _properties(operand: pikepdf.Object, resources: pikepdf.Object | None) -> pikepdf.Object | None:
    """A BDC's property list: inline, or named in the /Properties resources."""
    if isinstance(operand, pikepdf.Dictionary):
        return operand
    if isinstance(operand, pikepdf.Name):
        found = _resource(resources, "/Properties", operand)
        return found if isinstance(found, pikepdf.Dictionary) else None
    return None


def _resource(resources: pikepdf.Object | None, category: str, name: pikepdf.Object) -> pikepdf.Object | None:
    if not isinstance(resources, pikepdf.Dictionary) or not isinstance(name, pikepdf.Name):
        return None
    group = resources.get(category)
    if not isinstance(group, pikepdf.Dictionary):
        return None
    return group.get(str(name))


def _font(name: pikepdf.Object, resources: pikepdf.Object | None, result: Walk) -> FontUse | None:
    font = _resource(resources, "/Font", name)
    if not isinstance(font, pikepdf.Dictionary):
        return None
    key = font.objgen if font.is_indirect else (0, id(font))
    if key not in result.fonts:
        label = str(font.get("/BaseFont", name)).lstrip("/")
        result.fonts[key] = FontUse(font, label)
    return result.fonts[key]


def _strings(operator: str, operands: Sequence[pikepdf.Object]) -> Iterator[bytes]:
    if operator == "TJ":
        for item in operands[0] if operands else []:
            if isinstance(item, pikepdf.String):
                yield bytes(item)
    elif operands and isinstance(operands[-1], pikepdf.String):
        yield bytes(operands[-1])
