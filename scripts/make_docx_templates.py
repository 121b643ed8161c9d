#!/usr/bin/env python3
"""Generate the Word templates templates/docx/one-page.docx and full.docx.

The generated files are committed; designers then edit them in Word or
LibreOffice. This script exists so that the starting point is reproducible and
reviewable: it writes the same bytes every time.

Design rules for the templates, so they stay pleasant to edit:

* All formatting lives in named styles (paragraph, character and table
  styles); body paragraphs and runs only name a style. Change "Title" or
  "Brief Table" and every brief follows.
* Each Jinja tag sits whole inside one run, so Word shows it as plain text
  that can be moved or styled like any other word.
* Paragraphs that hold only a loop or a condition ({%p ... %}) use the
  "Template Logic" style: small and grey, so they read as scaffolding.
* Fonts are named explicitly (Vollkorn for text, Manrope for headings and
  tables), never through theme slots, so every word processor shows the same.

Run:  .venv/bin/python scripts/make_docx_templates.py [OUTPUT_DIR]
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefs.render.docx import reproducible_zip  # noqa: E402  (the builder's own zip writer)

TEMPLATE_DATE = "2026-01-01"
"""Dates inside the template files: fixed, so regenerating changes no byte."""

# Colours of the PDF twin (styles/brief.css).
NAVY = "0B3A5B"
INK = "1D2327"
SLATE = "33414B"
GREY = "5B6770"
LIGHT = "9AA5AD"
RULE = "C9D1D7"
BAND = "F3F6F8"
ACCENT = "B5482A"
WHITE = "FFFFFF"

SERIF = "Vollkorn"
SANS = "Manrope"

A4_W, A4_H = 11906, 16838  # twips
MM = 1440 / 25.4  # twips per millimetre


def mm(value: float) -> int:
    return round(value * MM)


# --- Styles -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Border:
    size: float
    """Width in points."""
    color: str
    space: int = 4
    """Distance from the text in points."""

    def xml(self, side: str) -> str:
        eighths = round(self.size * 8)
        return f'<w:{side} w:val="single" w:sz="{eighths}" w:space="{self.space}" w:color="{self.color}"/>'


@dataclass(frozen=True)
class Look:
    """Paragraph and run properties of a style; None leaves the property to the base style."""

    font: str | None = None
    size: float | None = None
    bold: bool | None = None
    italic: bool | None = None
    caps: bool | None = None
    tracking: float | None = None
    color: str | None = None
    underline: bool | None = None
    align: str | None = None
    before: float | None = None
    after: float | None = None
    line: float | None = None
    """Exact line pitch in points: Word and LibreOffice derive "single" spacing from different
    font metrics (Vollkorn's differ by 15%), an exact pitch lays out alike in both."""
    left: float | None = None
    """Left indent in points."""
    keep_next: bool | None = None
    keep_lines: bool | None = None
    widow_control: bool | None = None
    numbering: int | None = None
    outline: int | None = None
    top: Border | None = None
    bottom: Border | None = None
    border_left: Border | None = None
    tabs: tuple[tuple[str, int, str], ...] = ()
    """(alignment, position in twips, leader)."""

    def ppr(self) -> str:
        parts: list[str] = []
        if self.keep_next is not None:
            parts.append(_onoff("keepNext", self.keep_next))
        if self.keep_lines is not None:
            parts.append(_onoff("keepLines", self.keep_lines))
        if self.widow_control is not None:
            parts.append(_onoff("widowControl", self.widow_control))
        if self.numbering is not None:
            parts.append(f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{self.numbering}"/></w:numPr>')
        borders = [b.xml(side) for side, b in (("top", self.top), ("left", self.border_left)) if b]
        borders += [self.bottom.xml("bottom")] if self.bottom else []
        if borders:
            parts.append(f"<w:pBdr>{''.join(borders)}</w:pBdr>")
        if self.tabs:
            tabs = "".join(f'<w:tab w:val="{a}" w:leader="{lead}" w:pos="{pos}"/>' for a, pos, lead in self.tabs)
            parts.append(f"<w:tabs>{tabs}</w:tabs>")
        spacing = ""
        if self.before is not None:
            spacing += f' w:before="{round(self.before * 20)}"'
        if self.after is not None:
            spacing += f' w:after="{round(self.after * 20)}"'
        if self.line is not None:
            spacing += f' w:line="{round(self.line * 20)}" w:lineRule="exact"'
        if spacing:
            parts.append(f"<w:spacing{spacing}/>")
        if self.left is not None:
            parts.append(f'<w:ind w:left="{round(self.left * 20)}"/>')
        if self.align is not None:
            parts.append(f'<w:jc w:val="{self.align}"/>')
        if self.outline is not None:
            parts.append(f'<w:outlineLvl w:val="{self.outline}"/>')
        return f"<w:pPr>{''.join(parts)}</w:pPr>" if parts else ""

    def rpr(self) -> str:
        parts: list[str] = []
        if self.font is not None:
            parts.append(_fonts(self.font))
        if self.bold is not None:
            parts += [_onoff("b", self.bold), _onoff("bCs", self.bold)]
        if self.italic is not None:
            parts += [_onoff("i", self.italic), _onoff("iCs", self.italic)]
        if self.caps is not None:
            parts.append(_onoff("caps", self.caps))
        if self.color is not None:
            parts.append(f'<w:color w:val="{self.color}"/>')
        if self.tracking is not None:
            parts.append(f'<w:spacing w:val="{round(self.tracking * 20)}"/>')
        if self.size is not None:
            half = round(self.size * 2)
            parts += [f'<w:sz w:val="{half}"/>', f'<w:szCs w:val="{half}"/>']
        if self.underline is not None:
            parts.append(f'<w:u w:val="{"single" if self.underline else "none"}"/>')
        return f"<w:rPr>{''.join(parts)}</w:rPr>" if parts else ""


def _onoff(tag: str, value: bool) -> str:
    return f"<w:{tag}/>" if value else f'<w:{tag} w:val="0"/>'


def _fonts(name: str) -> str:
    # Every slot named, so no script falls back to a theme font.
    return f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}"/>'


@dataclass(frozen=True)
class StyleDef:
    id: str
    name: str
    kind: str  # paragraph | character | table | numbering
    look: Look = field(default_factory=Look)
    base: str | None = None
    next: str | None = None
    priority: int | None = None
    quick: bool = False
    """Shown in Word's style gallery."""
    default: bool = False
    table: str = ""
    """Raw table-style XML: tblPr, then tblStylePr elements."""

    def xml(self) -> str:
        default = ' w:default="1"' if self.default else ""
        inner = [f'<w:name w:val="{self.name}"/>']
        if self.base:
            inner.append(f'<w:basedOn w:val="{self.base}"/>')
        if self.next:
            inner.append(f'<w:next w:val="{self.next}"/>')
        if self.priority is not None:
            inner.append(f'<w:uiPriority w:val="{self.priority}"/>')
        if self.quick:
            inner.append("<w:qFormat/>")
        if self.kind != "character":
            inner.append(self.look.ppr())
        inner.append(self.look.rpr())
        inner.append(self.table)
        return f'<w:style {nsdecls("w")} w:type="{self.kind}"{default} w:styleId="{self.id}">{"".join(inner)}</w:style>'


@dataclass(frozen=True)
class Kind:
    """What differs between the one-page and the full template."""

    name: str
    margins: tuple[float, float, float, float]
    """Top, right, bottom, left in millimetres."""
    header: float
    footer: float
    body: float
    """Body text size in points."""
    title: float

    @property
    def text_width(self) -> int:
        return A4_W - mm(self.margins[1]) - mm(self.margins[3])


ONE_PAGE = Kind("one-page", (15, 15, 17, 15), 7.5, 7.5, body=9, title=15.5)
FULL = Kind("full", (20, 18, 20, 18), 10, 10, body=10, title=18)


def styles(kind: Kind) -> list[StyleDef]:
    """Every style the template uses, with all of its formatting."""
    one = kind is ONE_PAGE
    right_tab = (("right", kind.text_width, "none"),)
    body, table_text = kind.body, (8 if one else 8.5)
    serif = Look(font=SERIF, size=body, line=pitch(body, 1.3 if one else 1.36))
    if one:
        # The one-page brief sets its featured quotes side by side as pull quotes.
        quote = Look(
            font=SERIF,
            italic=True,
            size=9,
            line=pitch(9, 1.3),
            align="left",
            before=7,
            after=3,
            keep_next=True,
            keep_lines=True,
            top=Border(2, ACCENT, 4),
        )
        attribution = Look(
            font=SANS, size=7.5, line=pitch(7.5, 1.3), color=SLATE, align="left", after=0, keep_lines=True
        )
    else:
        # The full brief sets every quote as a block quote with a rule on its left.
        rule = Border(2, ACCENT, 8)
        quote = Look(
            font=SERIF,
            italic=True,
            size=10.5,
            line=pitch(10.5, 1.34),
            left=18,
            before=9,
            after=3,
            keep_next=True,
            keep_lines=True,
            border_left=rule,
        )
        attribution = Look(
            font=SANS,
            size=8,
            line=pitch(8, 1.4),
            color=SLATE,
            align="left",
            left=18,
            after=9,
            keep_lines=True,
            border_left=rule,
        )
    return [
        StyleDef("Normal", "Normal", "paragraph", priority=0, quick=True, default=True,
                 look=replace(serif, color=INK, align="both", after=4 if one else 5, widow_control=True)),
        StyleDef("DefaultParagraphFont", "Default Paragraph Font", "character", priority=1, default=True),
        StyleDef("TableNormal", "Normal Table", "table", priority=99, default=True,
                 table='<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
                       '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
                       '<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>'),
        StyleDef("NoList", "No List", "numbering", priority=99, default=True),
        # Title block
        StyleDef("Kicker", "Kicker", "paragraph", base="Normal", next="Title", quick=True,
                 look=Look(font=SANS, size=7.5, line=pitch(7.5, 1.3), bold=True, caps=True, tracking=0.5,
                           color=GREY, align="left", after=3, keep_next=True)),
        StyleDef("Title", "Title", "paragraph", base="Normal", next="Dateline", priority=10, quick=True,
                 look=Look(font=SANS, size=kind.title, line=pitch(kind.title, 1.18), bold=True, color=NAVY,
                           align="left", after=4, keep_next=True, keep_lines=True)),
        StyleDef("Dateline", "Dateline", "paragraph", base="Normal", next="Normal", quick=True,
                 look=Look(font=SANS, size=8.5, line=pitch(8.5, 1.3), color=SLATE, align="left",
                           after=6 if one else 12, bottom=Border(1.5, NAVY, 4))),
        # Headings
        StyleDef("Heading1", "heading 1", "paragraph", base="Normal", next="Normal", priority=9, quick=True,
                 look=Look(font=SANS, size=11 if one else 12, line=pitch(11 if one else 12, 1.2), bold=True,
                           color=NAVY, align="left", before=7 if one else 14, after=2 if one else 5,
                           keep_next=True, keep_lines=True, outline=0)),
        StyleDef("Heading2", "heading 2", "paragraph", base="Normal", next="Normal", priority=9, quick=True,
                 look=Look(font=SANS, size=10.5, line=pitch(10.5, 1.2), bold=True, color=NAVY, align="left",
                           before=11, after=4, keep_next=True, keep_lines=True, outline=1)),
        StyleDef("TOCHeading", "TOC Heading", "paragraph", base="Heading1", next="Normal", priority=39,
                 look=Look(outline=9)),
        StyleDef("TOC1", "toc 1", "paragraph", base="Normal", next="Normal", priority=39,
                 look=Look(font=SANS, size=9, line=pitch(9, 1.35), align="left", after=3,
                           tabs=(("right", kind.text_width, "dot"),))),
        StyleDef("TOC2", "toc 2", "paragraph", base="TOC1", next="Normal", priority=39, look=Look(left=12)),
        # Running text
        StyleDef("ListBullet", "List Bullet", "paragraph", base="Normal", priority=36, quick=True,
                 look=Look(numbering=1, after=2 if one else 3)),
        StyleDef("ListNumber", "List Number", "paragraph", base="Normal", priority=37,
                 look=Look(numbering=2, align="left", after=3)),
        StyleDef("Quote", "Quote", "paragraph", base="Normal", next="QuoteAttribution", priority=29, quick=True,
                 look=quote),
        StyleDef("QuoteAttribution", "Quote Attribution", "paragraph", base="Normal", next="Normal",
                 quick=True, look=attribution),
        StyleDef("Issued", "Issued", "paragraph", base="Normal", quick=True,
                 look=Look(font=SANS, size=7 if one else 7.5, line=pitch(7 if one else 7.5, 1.3), color=GREY,
                           align="left", after=0, before=0 if one else 12)),
        StyleDef("BriefFooter", "Brief Footer", "paragraph", base="Issued", next="Issued",
                 look=Look(before=6, after=1, top=Border(0.5, LIGHT, 3))),
        # Tables: the table styles give rules, shading and cell padding; these paragraph
        # styles give the text.
        StyleDef("TableText", "Table Text", "paragraph", base="Normal",
                 look=Look(font=SANS, size=table_text, line=pitch(table_text, 1.3), align="left", before=0,
                           after=0)),
        StyleDef("TableHeading", "Table Heading", "paragraph", base="TableText",
                 look=Look(bold=True, color=WHITE, keep_next=True)),
        StyleDef("TableRowHeading", "Table Row Heading", "paragraph", base="TableText",
                 look=Look(bold=True, color=NAVY)),
        StyleDef("TableBullet", "Table Bullet", "paragraph", base="TableText", look=Look(numbering=3, after=1)),
        StyleDef("TableNote", "Table Note", "paragraph", base="TableText",
                 look=Look(size=table_text - 0.5, line=pitch(table_text - 0.5, 1.3), color=GREY, before=1)),
        StyleDef("TemplateLogic", "Template Logic", "paragraph", base="Normal",
                 look=Look(font=SANS, size=7, line=pitch(7, 1.3), color=LIGHT, align="left", after=0)),
        StyleDef("Header", "header", "paragraph", base="Normal", priority=99,
                 look=Look(font=SANS, size=7.5, line=pitch(7.5, 1.3), color=GREY, align="left", after=0,
                           tabs=right_tab)),
        StyleDef("Footer", "footer", "paragraph", base="Header", priority=99),
        # Character styles
        StyleDef("KickerLabel", "Kicker Label", "character", base="DefaultParagraphFont", quick=True,
                 look=Look(color=ACCENT)),
        StyleDef("Separator", "Separator", "character", base="DefaultParagraphFont", look=Look(color=LIGHT)),
        StyleDef("Strong", "Strong", "character", base="DefaultParagraphFont", priority=22, quick=True,
                 look=Look(bold=True)),
        StyleDef("Speaker", "Speaker", "character", base="DefaultParagraphFont", quick=True,
                 look=Look(bold=True, color=INK)),
        StyleDef("TranslationMark", "Translation Mark", "character", base="DefaultParagraphFont", quick=True,
                 look=Look(font=SANS, bold=True, caps=True, tracking=0.3, size=6.5 if one else 7, color=ACCENT)),
        StyleDef("Muted", "Muted", "character", base="DefaultParagraphFont", look=Look(bold=False, color=GREY)),
        StyleDef("Hyperlink", "Hyperlink", "character", base="DefaultParagraphFont", priority=99,
                 look=Look(color=NAVY, underline=True)),
        # Table styles
        StyleDef("BriefTable", "Brief Table", "table", base="TableNormal", priority=59, table=_brief_table()),
        StyleDef("BriefMetadata", "Brief Metadata", "table", base="TableNormal", priority=59,
                 table=_cell_margins_table(f'<w:tblBorders>{_line("top")}{_line("bottom")}{_line("insideH")}'
                                           "</w:tblBorders>")),
        StyleDef("BriefLayout", "Brief Layout", "table", base="TableNormal", priority=59,
                 table='<w:tblPr><w:tblInd w:w="-142" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
                       '<w:left w:w="142" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
                       '<w:right w:w="142" w:type="dxa"/></w:tblCellMar></w:tblPr>'),
    ]  # fmt: skip


def pitch(size: float, factor: float) -> float:
    """Line pitch for ``size``, rounded to a tenth of a point as Word's dialog shows it."""
    return round(size * factor, 1)


def _line(side: str, color: str = RULE) -> str:
    return f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{color}"/>'


def _cell_margins_table(borders: str) -> str:
    margins = (
        '<w:tblCellMar><w:top w:w="50" w:type="dxa"/><w:left w:w="100" w:type="dxa"/>'
        '<w:bottom w:w="50" w:type="dxa"/><w:right w:w="100" w:type="dxa"/></w:tblCellMar>'
    )
    return f'<w:tblPr><w:tblStyleRowBandSize w:val="1"/>{borders}{margins}</w:tblPr>'


def _brief_table() -> str:
    """Rules between rows, a dark header row and every second body row shaded, as in the PDF."""
    base = _cell_margins_table(f"<w:tblBorders>{_line('bottom')}{_line('insideH')}</w:tblBorders>")
    header = (
        '<w:tblStylePr w:type="firstRow"><w:tcPr><w:shd w:val="clear" w:color="auto" '
        f'w:fill="{NAVY}"/><w:vAlign w:val="bottom"/></w:tcPr></w:tblStylePr>'
    )
    band = (
        '<w:tblStylePr w:type="band2Horz"><w:tcPr><w:shd w:val="clear" w:color="auto" '
        f'w:fill="{BAND}"/></w:tcPr></w:tblStylePr>'
    )
    return base + header + band


def numbering_xml() -> str:
    """Bullets and numbers of the list styles; Word keeps list formatting here, not in the styles."""

    def abstract(ident: int, fmt: str, text: str, left: int, hanging: int, font: str, color: str) -> str:
        return (
            f'<w:abstractNum w:abstractNumId="{ident}"><w:nsid w:val="B41EF{ident:03X}"/>'
            '<w:multiLevelType w:val="singleLevel"/>'
            f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
            f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr>'
            f'<w:rPr>{_fonts(font)}<w:color w:val="{color}"/></w:rPr></w:lvl></w:abstractNum>'
        )

    return (
        f"<w:numbering {nsdecls('w')}>"
        + abstract(0, "bullet", "•", 255, 255, SERIF, ACCENT)
        + abstract(1, "decimal", "%1.", 340, 340, SERIF, INK)
        + abstract(2, "bullet", "•", 170, 170, SANS, NAVY)
        + "".join(f'<w:num w:numId="{n + 1}"><w:abstractNumId w:val="{n}"/></w:num>' for n in range(3))
        + "</w:numbering>"
    )


# --- Body -----------------------------------------------------------------------------------------


class Break:
    """A line break inside a paragraph."""


class Tab:
    """A tab: the styles put the tab stops."""


BR, TAB = Break(), Tab()
Part = str | tuple[str, str] | Break | Tab
"""A run: plain text, (text, character style id), a line break or a tab."""


def para(container: DocxDocument | _Cell, style: str, *parts: Part) -> Paragraph:
    """A paragraph of ``style`` whose runs carry no formatting but a character style."""
    paragraph = container.add_paragraph()
    _fill(paragraph, style, parts)
    return paragraph


def _fill(paragraph: Paragraph, style: str, parts: Iterable[Part]) -> None:
    paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:pStyle {nsdecls("w")} w:val="{style}"/>'))
    for part in parts:
        run = paragraph.add_run()
        if isinstance(part, Break):
            run.add_break()
        elif isinstance(part, Tab):
            run.add_tab()
        elif isinstance(part, tuple):
            run.text = part[0]
            run._r.get_or_add_rPr().append(parse_xml(f'<w:rStyle {nsdecls("w")} w:val="{part[1]}"/>'))
        else:
            run.text = part


def logic(container: DocxDocument | _Cell, tag: str) -> Paragraph:
    """A paragraph holding only a docxtpl paragraph tag ({%p ... %}); it disappears from the brief."""
    return para(container, "TemplateLogic", tag)


def loop(container: DocxDocument | _Cell, head: str, style: str, *parts: Part) -> None:
    """``style`` paragraph repeated by ``{%p head %}``."""
    logic(container, f"{{%p {head} %}}")
    para(container, style, *parts)
    logic(container, "{%p endfor %}")


def table(doc: DocxDocument, style: str, widths: Sequence[int], rows: int, header: bool = True) -> Table:
    """A fixed-layout table of ``style``; every row may not split, the first repeats on each page."""
    tbl = doc.add_table(rows=rows, cols=len(widths))
    look = ' w:firstRow="1" w:noHBand="0"' if header else ' w:firstRow="0" w:noHBand="1"'
    properties = parse_xml(
        f'<w:tblPr {nsdecls("w")}><w:tblStyle w:val="{style}"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        '<w:tblLayout w:type="fixed"/>'
        f'<w:tblLook w:val="04A0"{look} w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noVBand="1"/>'
        "</w:tblPr>"
    )
    tbl._tbl.replace(tbl._tbl.tblPr, properties)
    grid = tbl._tbl.tblGrid
    for column, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        column.set(qn("w:w"), str(width))
    for index, row in enumerate(tbl.rows):
        flags = "<w:cantSplit/>" + ("<w:tblHeader/>" if header and index == 0 else "")
        row._tr.insert(0, parse_xml(f"<w:trPr {nsdecls('w')}>{flags}</w:trPr>"))
        for cell, width in zip(row.cells, widths, strict=True):
            cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:tcW {nsdecls("w")} w:w="{width}" w:type="dxa"/>'))
            cell._tc.remove(cell.paragraphs[0]._p)  # cells are filled with para() below
    return tbl


def columns(total: int, *shares: float) -> list[int]:
    widths = [round(total * share) for share in shares]
    widths[-1] = total - sum(widths[:-1])
    return widths


def title_block(doc: DocxDocument) -> None:
    para(doc, "Kicker", "{{ organisation }}", "\u2003", ("{{ kind_label }}", "KickerLabel"))
    para(doc, "Title", "{{ title }}")
    para(
        doc,
        "Dateline",
        "{% for party in parties %}{{ party.name }}{% if not loop.last %}",
        (" · ", "Separator"),
        "{% endif %}{% endfor %}{% if signed_place or signed_date %}",
        (" | ", "Separator"),
        "{{ [signed_place, signed_date] | select | join(', ') }}{% endif %}",
        (" | ", "Separator"),
        "{{ status }}",
    )


def section(doc: DocxDocument, condition: str | None, heading: str, body: str, style: str = "Normal") -> None:
    """A heading and the paragraphs of a list field, left out when the field is empty."""
    if condition:
        logic(doc, f"{{%p if {condition} %}}")
    para(doc, "Heading1", heading)
    loop(doc, f"for item in {body}", style, "{{ item }}")
    if condition:
        logic(doc, "{%p endif %}")


def header_footer(doc: DocxDocument, kind: Kind) -> None:
    sect = doc.sections[0]
    sect.page_width, sect.page_height = A4_W * 635, A4_H * 635  # EMU
    top, right, bottom, left = (mm(m) * 635 for m in kind.margins)
    sect.top_margin, sect.right_margin, sect.bottom_margin, sect.left_margin = top, right, bottom, left
    sect.header_distance, sect.footer_distance = mm(kind.header) * 635, mm(kind.footer) * 635
    header = sect.header.paragraphs[0]
    header._p.getparent().remove(header._p)
    para(sect.header, "Header", "{{ short_title }}", TAB, "{{ organisation }}")
    footer = sect.footer.paragraphs[0]
    footer._p.getparent().remove(footer._p)
    # page_x_of_y: the localized "Page {page} of {pages}" with PAGE and NUMPAGES fields, made by the builder
    para(sect.footer, "Footer", "{{ issued }}", TAB, "{{r page_x_of_y }}")


# --- One-page brief -------------------------------------------------------------------------------


def one_page_body(doc: DocxDocument) -> None:
    width = ONE_PAGE.text_width
    title_block(doc)
    section(doc, None, "{{ labels['section.summary'] }}", "summary")
    section(doc, "key_points", "{{ labels['section.key-points'] }}", "key_points", "ListBullet")
    para(doc, "Heading1", "{{ labels['section.pillars'] }}")
    pillars = table(doc, "BriefTable", columns(width, 0.28, 0.72), rows=4)
    para(pillars.cell(0, 0), "TableHeading", "{{ labels['table.pillar'] }}")
    para(pillars.cell(0, 1), "TableHeading", "{{ labels['table.main-commitments'] }}")
    _tag_row(pillars, 1, "{%tr for pillar in pillars %}")
    para(pillars.cell(2, 0), "TableRowHeading", "{{ pillar.title }}")
    cell = pillars.cell(2, 1)
    loop(
        cell,
        "for row in pillar.main",
        "TableBullet",
        ("{{ row.area }}", "Strong"),
        "{% if row.means %} ",
        ("({{ row.means }})", "Muted"),
        "{% endif %}",
    )
    logic(cell, "{%p if pillar.more %}")
    para(cell, "TableNote", "{{ labels['table.more-commitments'].format(count=pillar.more) }}")
    logic(cell, "{%p endif %}")
    _tag_row(pillars, 3, "{%tr endfor %}")
    _pull_quotes(doc, width)
    para(
        doc,
        "BriefFooter",
        ("{{ labels['footer.sources'] }}:", "Strong"),
        " {% for source in sources %}{{ source.publisher or source.title }}{% if source.date %} "
        "({{ source.date }}){% endif %}{% if not loop.last %}; {% endif %}{% endfor %}",
    )
    para(doc, "Issued", "{{ issued }} · {{ distribution }}")


def _tag_row(tbl: Table, index: int, tag: str) -> None:
    """A row holding only a docxtpl row tag ({%tr ... %}); it disappears from the brief."""
    for number, cell in enumerate(tbl.rows[index].cells):
        para(cell, "TemplateLogic", tag if number == 0 else "")


def _pull_quotes(doc: DocxDocument, width: int) -> None:
    """The featured quotes side by side: one column per quote ({%tc for %} repeats the middle cell)."""
    logic(doc, "{%p if featured_quotes %}")
    # Three equal columns, so that one or two quote cells share the width evenly once the
    # tag columns are gone. The layout style indents by the cell padding so the text aligns.
    layout = table(doc, "BriefLayout", columns(width + 284, 1 / 3, 1 / 3, 1 / 3), rows=1, header=False)
    first, middle, last = layout.rows[0].cells
    para(first, "TemplateLogic", "{%tc for quote in featured_quotes %}")
    para(middle, "Quote", "{{ quote.excerpt }}")
    para(
        middle,
        "QuoteAttribution",
        ("{{ quote.speaker }}", "Speaker"),
        ", {{ quote.role }}{% if quote.translation %} ",
        ("({{ quote.translation }})", "TranslationMark"),
        "{% endif %}",
    )
    para(last, "TemplateLogic", "{%tc endfor %}")
    for cell in (first, middle, last):
        # docxtpl rebalances the grid; cell widths follow it
        cell._tc.tcPr.find(qn("w:tcW")).set(qn("w:type"), "auto")
        cell._tc.tcPr.find(qn("w:tcW")).set(qn("w:w"), "0")
    logic(doc, "{%p endif %}")


# --- Full brief -----------------------------------------------------------------------------------


def full_body(doc: DocxDocument) -> None:
    width = FULL.text_width
    title_block(doc)
    _metadata(doc, width)
    para(doc, "TOCHeading", "{{ labels['section.contents'] }}")
    _toc_field(doc)
    summary = para(doc, "Heading1", "{{ labels['section.summary'] }}")
    # The contents have a page to themselves, as in the PDF.
    summary._p.pPr.append(parse_xml(f"<w:pageBreakBefore {nsdecls('w')}/>"))
    loop(doc, "for item in summary", "Normal", "{{ item }}")
    section(doc, "key_points", "{{ labels['section.key-points'] }}", "key_points", "ListBullet")
    section(doc, "context", "{{ labels['section.context'] }}", "context")
    para(doc, "Heading1", "{{ labels['section.pillars'] }}")
    logic(doc, "{%p for pillar in pillars %}")
    para(doc, "Heading2", "{{ pillar.title }}")
    loop(doc, "for item in pillar.summary", "Normal", "{{ item }}")
    _commitments(doc, width)
    logic(doc, "{%p endfor %}")
    _quotes(doc)
    section(doc, "outlook", "{{ labels['section.outlook'] }}", "outlook")
    para(doc, "Heading1", "{{ labels['section.sources'] }}")
    loop(
        doc,
        "for source in sources",
        "ListNumber",
        "{% if source.publisher %}",
        ("{{ source.publisher }}", "Strong"),
        ". {% endif %}{{ source.title }}{% if source.date %}, {{ source.date }}{% endif %}.{% if source.url %} ",
        "{{r links[source.url] }}",
        "{% endif %}",
    )
    logic(doc, "{%p if related %}")
    para(doc, "Heading1", "{{ labels['section.related'] }}")
    loop(
        doc,
        "for item in related",
        "ListBullet",
        ("{{ item.title }}", "Strong"),
        "{% if item.date %} ({{ item.date }}){% endif %}{% if item.note %}. {{ item.note }}{% endif %}",
    )
    logic(doc, "{%p endif %}")
    para(doc, "Issued", "{{ issued }} · {{ distribution }}")


def _metadata(doc: DocxDocument, width: int) -> None:
    rows = [
        ("meta.type", "{{ type }}", None),
        ("meta.parties", "{{ parties | map(attribute='name') | join(', ') }}", None),
        ("meta.signatories", None, "parties | selectattr('signatory') | list"),
        ("meta.place", "{{ signed_place }}", "signed_place"),
        ("meta.date", "{{ signed_date }}", "signed_date"),
        ("meta.status", "{{ status }}", None),
    ]
    count = sum(3 if condition else 1 for _, _, condition in rows)
    tbl = table(doc, "BriefMetadata", columns(width, 0.26, 0.74), rows=count, header=False)
    index = 0
    for label, value, condition in rows:
        if condition:
            _tag_row(tbl, index, f"{{%tr if {condition} %}}")
            index += 1
        para(tbl.cell(index, 0), "TableRowHeading", f"{{{{ labels['{label}'] }}}}")
        if value:
            para(tbl.cell(index, 1), "TableText", value)
        else:
            loop(
                tbl.cell(index, 1),
                "for party in parties if party.signatory",
                "TableText",
                "{{ party.signatory }}{% if party.signatory_role %}, {{ party.signatory_role }}{% endif %}",
            )
        index += 1
        if condition:
            _tag_row(tbl, index, "{%tr endif %}")
            index += 1


def _toc_field(doc: DocxDocument) -> None:
    """A TOC field of heading levels 1-2; Word rebuilds it on opening, the builder fills a first version."""
    paragraph = para(doc, "TOC1")
    w = nsdecls("w")
    for run in (
        f'<w:r {w}><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>',
        f'<w:r {w}><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText></w:r>',
        f'<w:r {w}><w:fldChar w:fldCharType="separate"/></w:r>',
        f'<w:r {w}><w:t xml:space="preserve">Contents: updated when the brief is built and again by Word</w:t></w:r>',
        f'<w:r {w}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(parse_xml(run))


def _commitments(doc: DocxDocument, width: int) -> None:
    tbl = table(doc, "BriefTable", columns(width, 0.24, 0.52, 0.24), rows=4)
    for cell, label in zip(tbl.rows[0].cells, ("table.area", "table.commitment", "table.means"), strict=True):
        para(cell, "TableHeading", f"{{{{ labels['{label}'] }}}}")
    _tag_row(tbl, 1, "{%tr for row in pillar.commitments %}")
    area, commitment, means = tbl.rows[2].cells
    para(area, "TableRowHeading", "{{ row.area }}")
    para(commitment, "TableText", "{{ row.commitment }}")
    para(
        means,
        "TableText",
        "{% if row.means %}{{ row.means }}{% else %}",
        ("{{ labels['table.means-none'] }}", "Muted"),
        "{% endif %}",
    )
    _tag_row(tbl, 3, "{%tr endfor %}")


def _quotes(doc: DocxDocument) -> None:
    logic(doc, "{%p if quotes %}")
    para(doc, "Heading1", "{{ labels['section.quotes'] }}")
    logic(doc, "{%p for quote in quotes %}")
    para(doc, "Quote", "{{ quote.text }}")
    para(
        doc,
        "QuoteAttribution",
        ("{{ quote.speaker }}", "Speaker"),
        ", {{ quote.role }}{% if quote.occasion %}",
        BR,
        "{{ quote.occasion }}{% endif %}",
        BR,
        "{{ quote.source_line }}{% if quote.translation %}",
        BR,
        ("{{ quote.translation }}", "TranslationMark"),
        "{% endif %}",
    )
    logic(doc, "{%p endfor %}")
    logic(doc, "{%p endif %}")


# --- Package --------------------------------------------------------------------------------------


def new_document(kind: Kind) -> DocxDocument:
    """python-docx's blank document, stripped to what a template needs, with our styles."""
    doc = Document()
    _drop_parts(doc)
    _replace_styles(doc, kind)
    _replace_numbering(doc)
    _settings(doc)
    _theme_fonts(doc)
    _font_table(doc)
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    sect_pr = body.find(qn("w:sectPr"))
    for name in list(sect_pr.attrib):
        del sect_pr.attrib[name]  # revision ids
    props = doc.core_properties
    stamp = datetime.fromisoformat(TEMPLATE_DATE).replace(tzinfo=UTC)
    props.title = f"Policy brief template: {kind.name}"
    props.subject = props.keywords = props.comments = props.category = ""
    props.author = props.last_modified_by = "briefs"
    props.created = props.modified = stamp
    props.revision = 1
    return doc


def _drop_parts(doc: DocxDocument) -> None:
    """The thumbnail, custom XML and the legacy styles-with-effects copy would only confuse."""
    package_rels = doc.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package_rels[rid]
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype in (RT.CUSTOM_XML, RT.WEB_SETTINGS) or rel.reltype.endswith("/stylesWithEffects"):
            del doc.part.rels[rid]


def _replace_styles(doc: DocxDocument, kind: Kind) -> None:
    root = doc.styles.element
    for child in list(root):
        if child.tag in (qn("w:style"), qn("w:docDefaults")):
            root.remove(child)
    defaults = parse_xml(
        f"<w:docDefaults {nsdecls('w')}><w:rPrDefault><w:rPr>{_fonts(SERIF)}"
        f'<w:sz w:val="{round(kind.body * 2)}"/><w:szCs w:val="{round(kind.body * 2)}"/>'
        '<w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        "<w:pPrDefault><w:pPr/></w:pPrDefault></w:docDefaults>"
    )
    root.insert(0, defaults)
    for style in styles(kind):
        root.append(parse_xml(style.xml()))


def _replace_numbering(doc: DocxDocument) -> None:
    part = doc.part.numbering_part
    fresh = parse_xml(numbering_xml())
    old = part.element
    for child in list(old):
        old.remove(child)
    for child in fresh:
        old.append(copy.deepcopy(child))


def _settings(doc: DocxDocument) -> None:
    settings = doc.settings.element
    for tag in ("w:rsids", "w:proofState", "w14:docId", "w:attachedTemplate", "w:savePreviewPicture"):
        for found in settings.findall(qn(tag)):
            settings.remove(found)
    # Hyphenation as in the PDF; the language of each brief picks the patterns.
    auto = parse_xml(f"<w:autoHyphenation {nsdecls('w')}/>")
    settings.find(qn("w:defaultTabStop")).addnext(auto)
    auto.addnext(parse_xml(f'<w:consecutiveHyphenLimit {nsdecls("w")} w:val="2"/>'))
    compat = settings.find(qn("w:compat"))
    mode = compat.find(qn("w:compatSetting"))
    mode.set(qn("w:val"), "15")  # Word 2013+ layout


def _theme_fonts(doc: DocxDocument) -> None:
    """The theme's heading and body fonts match the styles, for designers who pick theme fonts."""
    theme = next(rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.THEME)
    xml = theme.blob.decode("utf-8")
    major = xml.index("<a:majorFont>")
    minor = xml.index("<a:minorFont>")
    head, middle, tail = xml[:major], xml[major:minor], xml[minor:]
    middle = _replace_latin(middle, SANS)
    tail = _replace_latin(tail, SERIF)
    theme._blob = (head + middle + tail).encode("utf-8")


def _replace_latin(xml: str, font: str) -> str:
    start = xml.index('<a:latin typeface="') + len('<a:latin typeface="')
    end = xml.index('"', start)
    return xml[:start] + font + xml[end:]


def _font_table(doc: DocxDocument) -> None:
    part = next(rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    fonts = "".join(
        f'<w:font w:name="{name}"><w:charset w:val="CC"/><w:family w:val="{family}"/><w:pitch w:val="variable"/>'
        "</w:font>"
        for name, family in ((SERIF, "roman"), (SANS, "swiss"))
    )
    declaration = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    part._blob = f"{declaration}<w:fonts {nsdecls('w')}>{fonts}</w:fonts>".encode()


def build(kind: Kind) -> bytes:
    doc = new_document(kind)
    header_footer(doc, kind)
    (one_page_body if kind is ONE_PAGE else full_body)(doc)
    buffer = BytesIO()
    doc.save(buffer)
    return reproducible_zip(buffer.getvalue(), TEMPLATE_DATE)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "templates" / "docx"
    out.mkdir(parents=True, exist_ok=True)
    for kind in (ONE_PAGE, FULL):
        target = out / f"{kind.name}.docx"
        target.write_bytes(build(kind))
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
