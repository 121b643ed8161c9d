"""Fit of the one-page brief: a line-by-line estimate of the body's height from the fonts' metrics."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn

from briefs import fontconfig
from briefs.errors import RenderError
from briefs.render import base
from briefs.render.docx.ooxml import numbering_root, text_of

FIT_LIMIT = 0.95
"""A one-page DOCX estimated to fill more of the page body than this fails: Word and LibreOffice
lay out a little differently from the estimate and from each other."""
FIT_NOTE = 0.90
MM_PER_PT = 25.4 / 72


@dataclass(frozen=True)
class _Look:
    """The properties of a paragraph or run that decide its height, in points."""

    font: str = ""
    size: float = 10.0
    bold: bool = False
    italic: bool = False
    before: float = 0.0
    after: float = 0.0
    line: float = 240.0
    rule: str = "auto"
    indent: float = 0.0
    borders: float = 0.0


@dataclass
class Block:
    name: str
    height: float
    """Points."""


class _Fonts:
    """Advance widths and line heights of the installed fonts (fontconfig finds, fontTools reads)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, bool, bool], tuple[dict[int, float], float, float]] = {}

    def metrics(self, look: _Look) -> tuple[dict[int, float], float, float]:
        """(advance per code point, average advance, line height), in ems."""
        key = (look.font, look.bold, look.italic)
        if key not in self.cache:
            self.cache[key] = self._load(*key)
        return self.cache[key]

    def _load(self, family: str, bold: bool, italic: bool) -> tuple[dict[int, float], float, float]:
        face = fontconfig.match(family, bold=bold, italic=italic)
        if family not in face.families:
            raise RenderError(f"font {family} is not installed; the fit of the one-page brief cannot be estimated")
        return fontconfig.metrics(face)

    def width(self, text: str, look: _Look) -> float:
        advances, average, _ = self.metrics(look)
        return sum(advances.get(ord(ch), average) for ch in text) * look.size

    def pitch(self, look: _Look) -> float:
        if look.rule == "exact":
            return look.line / 20
        natural = self.metrics(look)[2] * look.size
        if look.rule == "atLeast":
            return max(look.line / 20, natural)
        return natural * look.line / 240


class _Layout:
    """A line-by-line estimate of how tall the body of a document is; no word processor needed."""

    def __init__(self, doc: DocxDocument) -> None:
        self.doc = doc
        self.fonts = _Fonts()
        self.styles = {s.get(qn("w:styleId")): s for s in doc.styles.element.iter(qn("w:style"))}
        self.numbering = numbering_root(doc)

    def _chain(self, ident: str | None) -> list[Any]:
        chain: list[Any] = []
        while ident and ident in self.styles and len(chain) < 20:
            chain.insert(0, self.styles[ident])
            based = self.styles[ident].find(qn("w:basedOn"))
            ident = based.get(qn("w:val")) if based is not None else None
        return chain

    def _defaults(self) -> list[Any]:
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        normal = next((i for i, s in self.styles.items() if s.get(qn("w:type")) == "paragraph"
                       and s.get(qn("w:default")) in ("1", "true")), None)  # fmt: skip
        return ([defaults] if defaults is not None else []) + self._chain(normal)

    def paragraph_look(self, p: Any) -> _Look:
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        layers = self._defaults() if style is None else [*self._defaults()[:1], *self._chain(style.get(qn("w:val")))]
        look = _Look()
        for layer in [*layers, p]:
            look = _apply(look, layer, self.numbering)
        return look

    def run_look(self, base: _Look, run: Any) -> _Look:
        style = run.find(f"{qn('w:rPr')}/{qn('w:rStyle')}")
        look = base
        for layer in self._chain(style.get(qn("w:val")) if style is not None else None):
            look = _apply_run(look, layer.find(qn("w:rPr")))
        return _apply_run(look, run.find(qn("w:rPr")))

    def paragraph_height(self, p: Any, width: float) -> float:
        look = self.paragraph_look(p)
        lines = self._lines(p, look, width - look.indent)
        return look.before + lines * self.fonts.pitch(look) + look.after + look.borders

    def _lines(self, p: Any, look: _Look, width: float) -> int:
        lines, used = 1, 0.0
        for run in p.iter(qn("w:r")):
            run_look = self.run_look(look, run)
            for node in run:
                if node.tag == qn("w:br"):
                    lines, used = lines + 1, 0.0
                elif node.tag == qn("w:t") and node.text:
                    lines, used = self._wrap(node.text, run_look, width, lines, used)
        return lines

    def _wrap(self, text: str, look: _Look, width: float, lines: int, used: float) -> tuple[int, float]:
        """Greedy line breaking at spaces, as Word and LibreOffice do without hyphenation."""
        space = self.fonts.width(" ", look)
        for index, word in enumerate(text.split(" ")):
            if index:
                used += space
            size = self.fonts.width(word, look)
            if used + size > width and used > 0:
                lines, used = lines + 1, 0.0
            while size > width:  # a word longer than the line breaks anywhere
                lines, size = lines + 1, size - width
            used += size
        return lines, used

    def table_height(self, tbl: Any) -> float:
        grid = [int(c.get(qn("w:w"), "0")) / 20 for c in tbl.iter(qn("w:gridCol"))]
        top, left, bottom, right = self._cell_margins(tbl)
        total = 0.0
        for row in tbl.findall(qn("w:tr")):
            column, tallest = 0, 0.0
            for cell in row.findall(qn("w:tc")):
                span_el = cell.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
                span = int(span_el.get(qn("w:val"))) if span_el is not None else 1
                width = sum(grid[column : column + span]) - left - right
                column += span
                content = sum(self.paragraph_height(p, width) for p in cell.findall(qn("w:p")))
                tallest = max(tallest, content + top + bottom)
            total += tallest
        return total

    def _cell_margins(self, tbl: Any) -> tuple[float, float, float, float]:
        style = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}")
        layers = [*self._chain(style.get(qn("w:val")) if style is not None else None), tbl]
        margins = [0.0, 5.4, 0.0, 5.4]  # Word's defaults
        for layer in layers:
            found = layer.find(f"{qn('w:tblPr')}/{qn('w:tblCellMar')}")
            for index, side in enumerate(("top", "left", "bottom", "right")):
                node = found.find(qn(f"w:{side}")) if found is not None else None
                if node is not None:
                    margins[index] = int(node.get(qn("w:w"), "0")) / 20
        return margins[0], margins[1], margins[2], margins[3]

    def blocks(self) -> list[Block]:
        """Heights of the body's blocks: each heading starts one; quotes and what follows a table too."""
        section = self.doc.sections[0]
        width = (_emu(section.page_width) - _emu(section.left_margin) - _emu(section.right_margin)) / 12700
        blocks: list[Block] = [Block("title block", 0.0)]
        after_table = False
        for child in self.doc.element.body:
            if child.tag == qn("w:p"):
                style = self._style_name(child)
                if style.startswith("heading"):
                    blocks.append(Block(text_of(child).strip() or style, 0.0))
                elif after_table:
                    blocks.append(Block(style or "text", 0.0))
                blocks[-1].height += self.paragraph_height(child, width)
                after_table = False
            elif child.tag == qn("w:tbl"):
                if self._has_style(child, "quote"):
                    blocks.append(Block("quotes", 0.0))
                blocks[-1].height += self.table_height(child)
                after_table = True
        return [block for block in blocks if block.height]

    def _style_name(self, p: Any) -> str:
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        element = self.styles.get(style.get(qn("w:val"))) if style is not None else None
        name = element.find(qn("w:name")) if element is not None else None
        return name.get(qn("w:val")).lower() if name is not None else ""

    def _has_style(self, tbl: Any, style_name: str) -> bool:
        return any(self._style_name(p) == style_name for p in tbl.iter(qn("w:p")))

    def body_height(self) -> float:
        section = self.doc.sections[0]
        return (_emu(section.page_height) - _emu(section.top_margin) - _emu(section.bottom_margin)) / 12700


def _apply(look: _Look, layer: Any, numbering: Any) -> _Look:
    """``look`` with the paragraph and run properties of one layer (defaults, a style, the paragraph)."""
    ppr = layer.find(qn("w:pPr"))
    if layer.tag == qn("w:docDefaults"):
        ppr = layer.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}")
        look = _apply_run(look, layer.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}"))
    elif layer.tag != qn("w:p"):
        look = _apply_run(look, layer.find(qn("w:rPr")))
    if ppr is None:
        return look
    changes: dict[str, Any] = {}
    spacing = ppr.find(qn("w:spacing"))
    if spacing is not None:
        for attr, key in (("before", "before"), ("after", "after")):
            if spacing.get(qn(f"w:{attr}")) is not None:
                changes[key] = int(spacing.get(qn(f"w:{attr}"))) / 20
        if spacing.get(qn("w:line")) is not None:
            changes["line"] = float(spacing.get(qn("w:line")))
            changes["rule"] = spacing.get(qn("w:lineRule"), "auto")
    indent = ppr.find(qn("w:ind")) if ppr.find(qn("w:ind")) is not None else _list_indent(ppr, numbering)
    if indent is not None:
        changes["indent"] = int(indent.get(qn("w:left"), indent.get(qn("w:start"), "0"))) / 20
    borders = ppr.find(qn("w:pBdr"))
    if borders is not None:
        changes["borders"] = sum(
            int(b.get(qn("w:sz"), "0")) / 8 + int(b.get(qn("w:space"), "0"))
            for b in borders
            if b.tag in (qn("w:top"), qn("w:bottom")) and b.get(qn("w:val")) not in ("nil", "none")
        )
    return dataclasses.replace(look, **changes)


def _list_indent(ppr: Any, numbering: Any) -> Any:
    number = ppr.find(f"{qn('w:numPr')}/{qn('w:numId')}")
    if number is None or numbering is None:
        return None
    for num in numbering.iter(qn("w:num")):
        if num.get(qn("w:numId")) == number.get(qn("w:val")):
            abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
            for definition in numbering.iter(qn("w:abstractNum")):
                if definition.get(qn("w:abstractNumId")) == abstract:
                    return definition.find(f"{qn('w:lvl')}/{qn('w:pPr')}/{qn('w:ind')}")
    return None


def _apply_run(look: _Look, rpr: Any) -> _Look:
    if rpr is None:
        return look
    changes: dict[str, Any] = {}
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None and fonts.get(qn("w:hAnsi")):
        changes["font"] = fonts.get(qn("w:hAnsi"))
    size = rpr.find(qn("w:sz"))
    if size is not None:
        changes["size"] = int(size.get(qn("w:val"))) / 2
    for tag in ("bold", "italic"):
        node = rpr.find(qn("w:b" if tag == "bold" else "w:i"))
        if node is not None:
            changes[tag] = node.get(qn("w:val"), "true") not in ("0", "false", "off")
    return dataclasses.replace(look, **changes)


def _emu(length: int | None) -> int:
    """A page measure in EMU; a template without page set-up cannot be fitted."""
    if length is None:
        raise RenderError("the template's section has no page size or margins; set them in Word")
    return int(length)


def estimate_blocks(doc: DocxDocument) -> tuple[list[Block], float]:
    """The estimated heights of the body's blocks and the height of the page body, in points."""
    layout = _Layout(doc)
    return layout.blocks(), layout.body_height()


def check_fit(doc: DocxDocument, where: str) -> list[str]:
    blocks, available = estimate_blocks(doc)
    used = sum(block.height for block in blocks)
    fill = used / available
    if fill > FIT_LIMIT:
        over = (used - FIT_LIMIT * available) * MM_PER_PT
        detail = f"estimated to fill {fill:.0%} of the page against the {FIT_LIMIT:.0%} allowed"
        measured = [base.Block(b.name, b.height * MM_PER_PT) for b in blocks]
        raise RenderError(base.overflow_message(where, measured, over, "docx", detail))
    if fill > FIT_NOTE:
        return [f"{where}: the one-page DOCX is estimated to fill {fill:.0%} of the page; Word may need a second"]
    return []
