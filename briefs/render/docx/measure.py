"""A line-by-line estimate of a document's layout from the fonts' metrics; no word processor needed.

It reads what decides heights (styles, their basedOn chains, paragraph and run properties,
numbering indents, table cell margins), breaks each paragraph's text into lines as Word and
LibreOffice do (greedy, at spaces and after hyphens, hyphenating where the paragraph allows it
with the patterns LibreOffice uses), and turns the body into a flow of paragraphs and table rows
that ``fit`` sums and ``pages`` breaks into pages.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn

from briefs import fontconfig
from briefs.errors import RenderError
from briefs.render.docx.ooxml import numbering_root, text_of

MM_PER_PT = 25.4 / 72
HYPHENS = "-\u2010"
"""Characters after which a line may break inside a word."""
SOFT_HYPHEN = "\u00ad"
MIN_HYPHEN_CHARS = 2
"""Letters a hyphenation leaves on either side at least (LibreOffice's default for a DOCX)."""


@dataclass(frozen=True)
class Look:
    """The properties of a paragraph or run that decide its height, in points."""

    font: str = ""
    size: float = 10.0
    bold: bool = False
    italic: bool = False
    caps: bool = False
    tracking: float = 0.0
    """Extra space after each character (w:spacing of a run), in points."""
    lang: str = ""
    before: float = 0.0
    after: float = 0.0
    line: float = 240.0
    rule: str = "auto"
    indent: float = 0.0
    borders: float = 0.0
    keep_next: bool = False
    keep_lines: bool = False
    widow_control: bool = False
    page_break_before: bool = False
    hyphenate: bool = True


@dataclass
class Paragraph:
    """A body paragraph as the flow sees it."""

    element: Any
    look: Look
    lines: int
    pitch: float
    """Height of each line, in points."""

    @property
    def height(self) -> float:
        """Lines and spacing, as when the paragraph sits whole on a page."""
        return self.look.before + self.lines * self.pitch + self.look.after + self.look.borders


@dataclass
class Row:
    height: float
    header: bool
    """Repeated at the top of each page the table continues on."""


@dataclass
class Table:
    element: Any
    rows: list[Row] = field(default_factory=list)

    @property
    def height(self) -> float:
        return sum(row.height for row in self.rows)


OPENTYPE_LANGUAGES = {"bg": ("cyrl", "BGR"), "mk": ("cyrl", "MKD"), "sr": ("cyrl", "SRB")}
"""Languages whose letters take localized forms (OpenType locl) of other widths: LibreOffice sets
Bulgarian text with Vollkorn's and Manrope's Bulgarian forms, and a Bulgarian т is half as wide again."""


class Fonts:
    """Advance widths and line heights of the installed fonts (fontconfig finds, fontTools reads)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, bool, bool, str], tuple[dict[int, float], float, float]] = {}

    def metrics(self, look: Look) -> tuple[dict[int, float], float, float]:
        """(advance per code point, average advance, line height), in ems; in the forms of the run's language."""
        key = (look.font, look.bold, look.italic, look.lang.split("-")[0].lower())
        if key not in self.cache:
            self.cache[key] = self._load(*key)
        return self.cache[key]

    def _load(self, family: str, bold: bool, italic: bool, lang: str) -> tuple[dict[int, float], float, float]:
        face = fontconfig.match(family, bold=bold, italic=italic)
        if family not in face.families:
            raise RenderError(f"font {family} is not installed; the layout of the DOCX brief cannot be estimated")
        advances, average, height = fontconfig.metrics(face)
        if lang in OPENTYPE_LANGUAGES:
            advances = {**advances, **_localized(str(face.path), face.index, *OPENTYPE_LANGUAGES[lang])}
        return advances, average, height

    def width(self, text: str, look: Look) -> float:
        advances, average, _ = self.metrics(look)
        if look.caps:
            text = text.upper()
        text = text.replace(SOFT_HYPHEN, "")
        return sum(advances.get(ord(ch), average) for ch in text) * look.size + look.tracking * len(text)

    def pitch(self, look: Look) -> float:
        if look.rule == "exact":
            return look.line / 20
        natural = self.metrics(look)[2] * look.size
        if look.rule == "atLeast":
            return max(look.line / 20, natural)
        return natural * look.line / 240


@functools.lru_cache(maxsize=32)
def _localized(path: str, index: int, script: str, language: str) -> dict[int, float]:
    """Advances, in ems, of the code points that the font's locl feature for ``language`` replaces."""
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        if "GSUB" not in font:
            return {}
        table = font["GSUB"].table
        lookups: set[int] = set()
        for script_record in table.ScriptList.ScriptRecord:
            if script_record.ScriptTag != script:
                continue
            for record in script_record.Script.LangSysRecord:
                if record.LangSysTag.strip() == language:
                    for feature in record.LangSys.FeatureIndex:
                        found = table.FeatureList.FeatureRecord[feature]
                        if found.FeatureTag == "locl":
                            lookups.update(found.Feature.LookupListIndex)
        mapping: dict[str, str] = {}
        for number in sorted(lookups):
            lookup = table.LookupList.Lookup[number]
            for subtable in lookup.SubTable:
                single = subtable.ExtSubTable if lookup.LookupType == 7 else subtable
                mapping.update(getattr(single, "mapping", None) or {})
        em = font["head"].unitsPerEm
        widths = font["hmtx"].metrics
        return {code: widths[mapping[name]][0] / em for code, name in font.getBestCmap().items() if name in mapping}


@functools.lru_cache(maxsize=8)
def _hyphenator(lang: str) -> Any:
    """Pyphen's patterns for ``lang`` (bg-BG, en-GB): the hyphenation dictionaries LibreOffice ships."""
    import pyphen  # installed with WeasyPrint, which hyphenates with it

    tag = lang.replace("-", "_")
    if not tag or tag.split("_")[0] not in {t.split("_")[0] for t in pyphen.LANGUAGES}:
        return None
    return pyphen.Pyphen(lang=tag, left=MIN_HYPHEN_CHARS, right=MIN_HYPHEN_CHARS)


_LETTERS = re.compile(r"\w+", re.UNICODE)


def hyphenation_points(word: str, lang: str) -> list[int]:
    """Offsets in ``word`` where it may be hyphenated: soft hyphens, else the language's patterns."""
    if SOFT_HYPHEN in word:
        return [i for i, ch in enumerate(word) if ch == SOFT_HYPHEN]
    hyphenator = _hyphenator(lang)
    if hyphenator is None:
        return []
    points: list[int] = []
    for found in _LETTERS.finditer(word):
        letters = found.group(0)
        if not letters.isalpha():
            continue
        points += [found.start() + p for p in hyphenator.positions(letters)]
    return points


class Layout:
    """A document's paragraphs and tables measured, and its body turned into a flow."""

    def __init__(self, doc: DocxDocument) -> None:
        self.doc = doc
        self.fonts = Fonts()
        self.styles = {s.get(qn("w:styleId")): s for s in doc.styles.element.iter(qn("w:style"))}
        self.numbering = numbering_root(doc)
        # the looks of styles, worked out once: a Layout measures the styles as they were when it was made
        self._paragraph_styles: dict[str | None, Look] = {}
        self._run_styles: dict[tuple[Look, str | None], Look] = {}
        settings = doc.settings.element
        self.auto_hyphenation = _on(settings.find(qn("w:autoHyphenation")))
        # w:consecutiveHyphenLimit is not read: LibreOffice 7.4 does not apply it to a DOCX, and
        # lines break as LibreOffice breaks them

    # --- Styles and properties ----------------------------------------------------------------------

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

    def paragraph_look(self, p: Any) -> Look:
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        ident = style.get(qn("w:val")) if style is not None else None
        if ident not in self._paragraph_styles:
            layers = self._defaults() if ident is None else [*self._defaults()[:1], *self._chain(ident)]
            look = Look()
            for layer in layers:
                look = _apply(look, layer, self.numbering)
            self._paragraph_styles[ident] = look
        return _apply(self._paragraph_styles[ident], p, self.numbering)

    def run_look(self, base: Look, run: Any) -> Look:
        style = run.find(f"{qn('w:rPr')}/{qn('w:rStyle')}")
        key = (base, style.get(qn("w:val")) if style is not None else None)
        if key not in self._run_styles:
            look = base
            for layer in self._chain(key[1]):
                look = _apply_run(look, layer.find(qn("w:rPr")))
            self._run_styles[key] = look
        return _apply_run(self._run_styles[key], run.find(qn("w:rPr")))

    def style_name(self, element: Any) -> str:
        """The name of a paragraph's style, lower case ("heading 1"), or ""."""
        style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        named = self.styles.get(style.get(qn("w:val"))) if style is not None else None
        name = named.find(qn("w:name")) if named is not None else None
        return str(name.get(qn("w:val"))).lower() if name is not None else ""

    # --- Paragraphs -----------------------------------------------------------------------------------

    def paragraph(self, p: Any, width: float) -> Paragraph:
        look = self.paragraph_look(p)
        lines = self._lines(p, look, width - look.indent)
        return Paragraph(p, look, lines, self.fonts.pitch(look))

    def paragraph_height(self, p: Any, width: float) -> float:
        return self.paragraph(p, width).height

    def _lines(self, p: Any, look: Look, width: float) -> int:
        state = _Line(width, look.hyphenate and self.auto_hyphenation)
        for run in p.iter(qn("w:r")):
            run_look = self.run_look(look, run)
            for node in run:
                if node.tag in (qn("w:br"), qn("w:cr")):
                    state.new_line()
                elif node.tag == qn("w:tab"):
                    state.add_text(" ", run_look, self.fonts)
                elif node.tag == qn("w:t") and node.text:
                    state.add_text(node.text, run_look, self.fonts)
        return state.lines

    # --- Tables ---------------------------------------------------------------------------------------

    def table(self, tbl: Any) -> Table:
        grid = [int(c.get(qn("w:w"), "0")) / 20 for c in tbl.iter(qn("w:gridCol"))]
        top, left, bottom, right = self._cell_margins(tbl)
        rule = self._inside_rule(tbl)
        table = Table(tbl)
        for row in tbl.findall(qn("w:tr")):
            column, tallest = 0, 0.0
            for cell in row.findall(qn("w:tc")):
                span_el = cell.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
                span = int(span_el.get(qn("w:val"))) if span_el is not None else 1
                width = sum(grid[column : column + span]) - left - right
                column += span
                content = sum(self.paragraph_height(p, width) for p in cell.findall(qn("w:p")))
                tallest = max(tallest, content + top + bottom)
            header = row.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
            table.rows.append(Row(tallest + rule, header))
        return table

    def _table_layers(self, tbl: Any) -> list[Any]:
        style = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}")
        return [*self._chain(style.get(qn("w:val")) if style is not None else None), tbl]

    def _cell_margins(self, tbl: Any) -> tuple[float, float, float, float]:
        margins = [0.0, 5.4, 0.0, 5.4]  # Word's defaults
        for layer in self._table_layers(tbl):
            found = layer.find(f"{qn('w:tblPr')}/{qn('w:tblCellMar')}")
            for index, side in enumerate(("top", "left", "bottom", "right")):
                node = found.find(qn(f"w:{side}")) if found is not None else None
                if node is not None:
                    margins[index] = int(node.get(qn("w:w"), "0")) / 20
        return margins[0], margins[1], margins[2], margins[3]

    def _inside_rule(self, tbl: Any) -> float:
        """The width of the rule between rows, which each row's height includes in LibreOffice."""
        width = 0.0
        for layer in self._table_layers(tbl):
            found = layer.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}/{qn('w:insideH')}")
            if found is not None:
                width = 0.0 if found.get(qn("w:val")) in ("nil", "none") else int(found.get(qn("w:sz"), "0")) / 8
        return width

    # --- The body -------------------------------------------------------------------------------------

    def text_width(self) -> float:
        section = self.doc.sections[0]
        return (_emu(section.page_width) - _emu(section.left_margin) - _emu(section.right_margin)) / 12700

    def body_height(self) -> float:
        section = self.doc.sections[0]
        return (_emu(section.page_height) - _emu(section.top_margin) - _emu(section.bottom_margin)) / 12700

    def flow(self) -> list[Paragraph | Table]:
        """The body's paragraphs and tables, measured, in order."""
        width = self.text_width()
        items: list[Paragraph | Table] = []
        for child in self.doc.element.body:
            if child.tag == qn("w:p"):
                items.append(self.paragraph(child, width))
            elif child.tag == qn("w:tbl"):
                items.append(self.table(child))
        return items

    def has_style(self, tbl: Any, style_name: str) -> bool:
        return any(self.style_name(p) == style_name for p in tbl.iter(qn("w:p")))

    def heading_text(self, p: Any) -> str:
        return text_of(p).strip()


class _Line:
    """Greedy line breaking, as Word and LibreOffice do: at spaces, after hyphens, and by hyphenation."""

    def __init__(self, width: float, hyphenate: bool) -> None:
        self.width = width
        self.hyphenate = hyphenate
        self.lines = 1
        self.used = 0.0
        self.pending_space = 0.0

    def new_line(self) -> None:
        self.lines += 1
        self.used = 0.0
        self.pending_space = 0.0

    def add_text(self, text: str, look: Look, fonts: Fonts) -> None:
        space = fonts.width(" ", look)
        for index, word in enumerate(text.split(" ")):
            if index:
                self.pending_space += space
            if word:
                for piece in _pieces(word):
                    self._add_piece(piece, look, fonts)

    def _add_piece(self, piece: str, look: Look, fonts: Fonts) -> None:
        """A piece of a word that a line may end after: the word, or the word up to and with a hyphen."""
        size = fonts.width(piece, look)
        start = self.used + self.pending_space
        self.pending_space = 0.0
        if self.used == 0:
            self.used = size
        elif start + size <= self.width:
            self.used = start + size
        elif not self._hyphenate(piece, look, fonts, start):
            self.new_line()
            self.used = size
        self._overlong()

    def _hyphenate(self, piece: str, look: Look, fonts: Fonts, start: float) -> bool:
        if not self.hyphenate:
            return False
        hyphen = fonts.width("-", look)
        for point in reversed(hyphenation_points(piece, look.lang)):
            head = piece[:point]
            if start + fonts.width(head, look) + hyphen <= self.width:
                self.new_line()
                self.used = fonts.width(piece[point:], look)
                return True
        return False

    def _overlong(self) -> None:
        """A piece longer than the line breaks anywhere."""
        while self.used > self.width:
            self.lines += 1
            self.used -= self.width


def _pieces(word: str) -> list[str]:
    """``word`` cut after each hyphen that has a letter before and after it."""
    pieces, start = [], 0
    for index, ch in enumerate(word):
        if ch in HYPHENS and 0 < index < len(word) - 1 and word[index - 1].isalpha() and word[index + 1].isalpha():
            pieces.append(word[start : index + 1])
            start = index + 1
    pieces.append(word[start:])
    return pieces


def _on(node: Any) -> bool:
    """A WordprocessingML on/off property: present and not switched off."""
    return node is not None and node.get(qn("w:val"), "true") not in ("0", "false", "off")


_FLAGS = {
    "w:keepNext": "keep_next",
    "w:keepLines": "keep_lines",
    "w:widowControl": "widow_control",
    "w:pageBreakBefore": "page_break_before",
}


def _apply(look: Look, layer: Any, numbering: Any) -> Look:
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
    for tag, key in _FLAGS.items():
        node = ppr.find(qn(tag))
        if node is not None:
            changes[key] = _on(node)
    hyphens = ppr.find(qn("w:suppressAutoHyphens"))
    if hyphens is not None:
        changes["hyphenate"] = not _on(hyphens)
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


def _apply_run(look: Look, rpr: Any) -> Look:
    if rpr is None:
        return look
    changes: dict[str, Any] = {}
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None and fonts.get(qn("w:hAnsi")):
        changes["font"] = fonts.get(qn("w:hAnsi"))
    size = rpr.find(qn("w:sz"))
    if size is not None:
        changes["size"] = int(size.get(qn("w:val"))) / 2
    for tag, key in (("w:b", "bold"), ("w:i", "italic"), ("w:caps", "caps")):
        node = rpr.find(qn(tag))
        if node is not None:
            changes[key] = _on(node)
    tracking = rpr.find(qn("w:spacing"))
    if tracking is not None and tracking.get(qn("w:val")) is not None:
        changes["tracking"] = int(tracking.get(qn("w:val"))) / 20
    lang = rpr.find(qn("w:lang"))
    if lang is not None and lang.get(qn("w:val")):
        changes["lang"] = lang.get(qn("w:val"))
    return dataclasses.replace(look, **changes)


def _emu(length: int | None) -> int:
    """A page measure in EMU; a template without page set-up cannot be laid out."""
    if length is None:
        raise RenderError("the template's section has no page size or margins; set them in Word")
    return int(length)
