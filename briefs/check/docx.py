"""The DOCX rules: what makes a Word brief accessible and faithful to its PDF twin, read straight from the
package's XML (ISO/IEC 29500), with the WCAG 2.2 success criterion each serves."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from lxml import etree

from briefs.check import lang
from briefs.check.report import FileReport, RuleSet, Verdict, heading_order, listed

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DC = "http://purl.org/dc/elements/1.1/"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
HEADING_NAME = re.compile(r"^heading ([1-9])$", re.IGNORECASE)
MAX_STYLE_DEPTH = 16
MAX_PART = 50 * 1024 * 1024
TBL_LOOK_FIRST_COLUMN = 0x0080

RULES: RuleSet[DocxFile] = RuleSet()


def w(name: str) -> str:
    return f"{{{W}}}{name}"


class DocxError(ValueError):
    """Not a readable Word package."""


@dataclass(frozen=True)
class Style:
    ident: str
    name: str
    based_on: str | None
    element: etree._Element


class DocxFile:
    """A Word package: its main document, headers, footers, styles and core properties, parsed once."""

    def __init__(self, path: Path, package: zipfile.ZipFile) -> None:
        self.path = path
        self.package = package
        self.main = self._main_part()
        document = self._xml(self.main)
        if document is None:
            raise DocxError(f"no {self.main} in the package")
        self.document: etree._Element = document
        self.styles_xml = self._xml("word/styles.xml")
        self.core = self._xml(self._core_part())

    def _main_part(self) -> str:
        rels = self._xml("_rels/.rels")
        if rels is not None:
            for rel in rels.iter(f"{{{RELS}}}Relationship"):
                if rel.get("Type") == OFFICE_DOCUMENT:
                    return str(rel.get("Target", "")).lstrip("/")
        return "word/document.xml"

    def _core_part(self) -> str:
        rels = self._xml("_rels/.rels")
        if rels is not None:
            for rel in rels.iter(f"{{{RELS}}}Relationship"):
                if rel.get("Type") == CORE:
                    return str(rel.get("Target", "")).lstrip("/")
        return "docProps/core.xml"

    def _xml(self, name: str) -> etree._Element | None:
        try:
            info = self.package.getinfo(name)
        except KeyError:
            return None
        if info.file_size > MAX_PART:
            raise DocxError(f"{name} is larger than {MAX_PART // (1024 * 1024)} MB")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        try:
            return etree.fromstring(self.package.read(name), parser)
        except etree.XMLSyntaxError as error:
            raise DocxError(f"{name} is not well-formed XML: {error}") from error

    @cached_property
    def parts(self) -> list[tuple[str, etree._Element]]:
        """The main document, then each header and footer."""
        found = [(self.main, self.document)]
        for name in sorted(self.package.namelist()):
            if re.fullmatch(r"word/(header|footer)[0-9]*\.xml", name):
                part = self._xml(name)
                if part is not None:
                    found.append((name, part))
        return found

    @cached_property
    def styles(self) -> dict[str, Style]:
        found: dict[str, Style] = {}
        if self.styles_xml is None:
            return found
        for element in self.styles_xml.iter(w("style")):
            ident = element.get(w("styleId"))
            if ident is None:
                continue
            name = element.find(w("name"))
            based = element.find(w("basedOn"))
            found[ident] = Style(
                ident,
                name.get(w("val"), ident) if name is not None else ident,
                based.get(w("val")) if based is not None else None,
                element,
            )
        return found

    def style_chain(self, ident: str | None) -> Iterator[Style]:
        for _ in range(MAX_STYLE_DEPTH):
            style = self.styles.get(ident) if ident else None
            if style is None:
                return
            yield style
            ident = style.based_on

    @cached_property
    def default_language(self) -> str | None:
        """docDefaults' run language, else the default paragraph style's."""
        if self.styles_xml is not None:
            found = self.styles_xml.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}/{w('lang')}")
            if found is not None and found.get(w("val")):
                return str(found.get(w("val")))
        return None

    def run_language(self, run: etree._Element, paragraph_style: str | None) -> str | None:
        """A run's effective w:lang: its own, its character style's, its paragraph style's, the default."""
        own = run.find(f"{w('rPr')}/{w('lang')}")
        if own is not None and own.get(w("val")):
            return str(own.get(w("val")))
        style = run.find(f"{w('rPr')}/{w('rStyle')}")
        for ident in (style.get(w("val")) if style is not None else None, paragraph_style):
            for chained in self.style_chain(ident):
                found = chained.element.find(f"{w('rPr')}/{w('lang')}")
                if found is not None and found.get(w("val")):
                    return str(found.get(w("val")))
        return self.default_language

    def paragraph_style(self, paragraph: etree._Element) -> str | None:
        found = paragraph.find(f"{w('pPr')}/{w('pStyle')}")
        if found is not None:
            return str(found.get(w("val")))
        return self.default_paragraph_style

    @cached_property
    def default_paragraph_style(self) -> str | None:
        for style in self.styles.values():
            if style.element.get(w("type")) == "paragraph" and style.element.get(w("default")) in ("1", "true"):
                return style.ident
        return None

    def outline_level(self, paragraph: etree._Element) -> tuple[int | None, str]:
        """The paragraph's outline level (0 is a top heading, 9 or None body text) and where it comes
        from: ``direct`` formatting or the style's id."""
        own = paragraph.find(f"{w('pPr')}/{w('outlineLvl')}")
        if own is not None:
            return _int(own.get(w("val"))), "direct"
        style = self.paragraph_style(paragraph)
        for chained in self.style_chain(style):
            found = chained.element.find(f"{w('pPr')}/{w('outlineLvl')}")
            if found is not None:
                return _int(found.get(w("val"))), style or ""
        return None, style or ""

    def core_values(self, namespace: str, name: str) -> list[str]:
        if self.core is None:
            return []
        return ["".join(e.itertext()).strip() for e in self.core.iter(f"{{{namespace}}}{name}")]

    def runs(self) -> Iterator[tuple[str, etree._Element, str | None]]:
        """Every run with text, with its part and its paragraph's style."""
        for part, root in self.parts:
            for paragraph in root.iter(w("p")):
                style = self.paragraph_style(paragraph)
                for run in paragraph.iter(w("r")):
                    if run.find(w("t")) is not None and _parent_paragraph(run) is paragraph:
                        yield part, run, style

    def claims(self) -> dict[str, object]:
        languages = sorted({tag for _, run, style in self.runs() if (tag := self.run_language(run, style))})
        levels = Counter(
            f"Heading {level + 1}"
            for paragraph in self.document.iter(w("p"))
            if (level := self.outline_level(paragraph)[0]) is not None and level < 9
        )
        return {
            "title": next(iter(self.core_values(DC, "title")), None),
            "dc_language": self.core_values(DC, "language"),
            "languages": languages,
            "headings": dict(sorted(levels.items())),
            "tables": len(list(self.document.iter(w("tbl")))),
        }


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _parent_paragraph(element: etree._Element) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != w("p"):
        parent = parent.getparent()
    return parent


def check_docx(path: Path) -> FileReport:
    try:
        with zipfile.ZipFile(path) as package:
            document = DocxFile(path, package)
            rules = RULES.apply(document)
            try:
                claims = document.claims()
            except Exception as error:  # claims are a summary; a malformed part must not hide the rules
                claims = {"error": f"{type(error).__name__}: {error}"}
            return FileReport(str(path), "docx", claims, rules)
    except (zipfile.BadZipFile, DocxError, OSError, KeyError, RuntimeError) as error:
        return FileReport(str(path), "docx", error=f"{path}: not a readable DOCX file: {error}")


@RULES.rule("language", "WCAG 2.2 SC 3.1.1, 3.1.2; ISO/IEC 29500-1 17.3.2.20 (w:lang)")
def language(doc: DocxFile) -> Verdict:
    """Every run of text has a language (w:lang: its own, from its styles or the document defaults), a
    valid BCP 47 tag, so that spelling, hyphenation and screen readers use the right language (WCAG 2.2
    SC 3.1.1 Language of Page, 3.1.2 Language of Parts; ISO/IEC 29500-1 17.3.2.20)."""
    missing: Counter[str] = Counter()
    invalid: set[str] = set()
    used: Counter[str] = Counter()
    for part, run, style in doc.runs():
        tag = doc.run_language(run, style)
        if tag is None:
            missing[part] += 1
        elif lang.problem(tag):
            invalid.add(str(lang.problem(tag)))
        else:
            used[tag] += 1
    problems = [f"{part}: {count} run(s) without a language" for part, count in sorted(missing.items())]
    problems.extend(sorted(invalid))
    if problems:
        return False, listed(problems)
    if not used:
        return True, "no text"
    return True, ", ".join(f"{tag} ×{count}" for tag, count in sorted(used.items()))


@RULES.rule("title", "WCAG 2.2 SC 2.4.2; ISO/IEC 29500-2 11 (core properties, dc:title)")
def title(doc: DocxFile) -> Verdict:
    """The core properties (docProps/core.xml) have a non-empty dc:title, which Word shows as the
    document's title (WCAG 2.2 SC 2.4.2 Page Titled; ISO/IEC 29500-2 11 Core Properties)."""
    if doc.core is None:
        return False, "no core properties part"
    found = [value for value in doc.core_values(DC, "title") if value]
    return (True, found[0]) if found else (False, "no dc:title, or an empty one, in the core properties")


@RULES.rule("headings", "WCAG 2.2 SC 1.3.1, 2.4.6; ISO/IEC 29500-1 17.3.1.20 (w:outlineLvl)")
def headings(doc: DocxFile) -> Verdict:
    """Headings are paragraphs in the built-in Heading 1–9 styles (not direct formatting or other styles
    given an outline level), start at Heading 1 and never skip a level going down, as in the PDF (WCAG
    2.2 SC 1.3.1, 2.4.6; ISO/IEC 29500-1 17.3.1.20)."""
    problems: list[str] = []
    levels: list[int] = []
    for paragraph in doc.document.iter(w("p")):
        level, source = doc.outline_level(paragraph)
        if level is None or level >= 9:
            continue
        text = "".join(paragraph.itertext()).strip()[:40]
        style = doc.styles.get(source)
        if source == "direct":
            problems.append(f"{text!r} is a heading by direct formatting, not a Heading style")
        elif style is None or not HEADING_NAME.match(style.name):
            problems.append(f"{text!r} is a heading in style {source!r}, not a Heading style")
        levels.append(level + 1)
    if problems:
        return False, listed(problems, 3)
    if not levels:
        return True, "no headings"
    return heading_order(levels, "Heading {}")


@RULES.rule("table-headers", "WCAG 2.2 SC 1.3.1; ISO/IEC 29500-1 17.4.50 (w:tblHeader), 17.4.56 (w:tblLook)")
def table_headers(doc: DocxFile) -> Verdict:
    """Every data table says where its headers are: its first row is a header row (w:tblHeader, which
    Word also repeats at the top of each page; further header rows only directly below it), or, for a
    table of row headings such as a key–value list, its first column is declared a header column
    (w:tblLook firstColumn) (WCAG 2.2 SC 1.3.1; ISO/IEC 29500-1 17.4.50, 17.4.56). A table of one row
    has no data for headers to describe: it is taken as a layout table and needs none."""
    problems: list[str] = []
    tables = list(doc.document.iter(w("tbl")))
    header_rows = column_tables = layout = 0
    for number, table in enumerate(tables, start=1):
        rows = table.findall(w("tr"))
        if len(rows) <= 1:
            layout += 1
            continue
        marked = [_on(row.find(f"{w('trPr')}/{w('tblHeader')}")) for row in rows]
        first_cell = "".join(rows[0].itertext()).strip()[:30] if rows else ""
        if marked and marked[0]:
            header_rows += 1
            top = next((i for i, on in enumerate(marked) if not on), len(marked))
            if any(marked[top:]):
                problems.append(f"table {number} ({first_cell!r}): a header row below a body row")
        elif _first_column(table):
            column_tables += 1
        else:
            problems.append(f"table {number} ({first_cell!r}): no header row (w:tblHeader) or header column")
    if problems:
        return False, listed(problems, 3)
    if not tables:
        return True, "no tables"
    return True, (
        f"{header_rows} table(s) with a repeated header row, {column_tables} with a header column, "
        f"{layout} layout table(s)"
    )


def _on(element: etree._Element | None) -> bool:
    """An ST_OnOff property: present and not switched off."""
    return element is not None and element.get(w("val"), "true") not in ("0", "false", "off")


def _first_column(table: etree._Element) -> bool:
    look = table.find(f"{w('tblPr')}/{w('tblLook')}")
    if look is None:
        return False
    explicit = look.get(w("firstColumn"))
    if explicit is not None:
        return explicit in ("1", "true", "on")
    try:
        return bool(int(look.get(w("val"), "0"), 16) & TBL_LOOK_FIRST_COLUMN)
    except ValueError:
        return False


@RULES.rule("empty-paragraphs", "WCAG 2.2 SC 1.3.1 (spacing by formatting, not empty paragraphs)")
def empty_paragraphs(doc: DocxFile) -> Verdict:
    """No empty paragraph is used for spacing: screen readers announce each one as "blank". A paragraph
    counts as empty with no text, tab, break, field, drawing or object; the one paragraph a table cell,
    header or footer must hold, the paragraph carrying a section break and the paragraph Word requires
    after a final table are allowed (WCAG 2.2 SC 1.3.1; Word's Accessibility Checker)."""
    problems: list[str] = []
    for part, root in doc.parts:
        body = root.find(w("body"))
        for paragraph in root.iter(w("p")):
            if not _empty(paragraph) or _required(paragraph, body):
                continue
            style = doc.paragraph_style(paragraph)
            problems.append(f"{part}: empty paragraph ({style or 'no style'}) after {_before(paragraph)!r}")
    if problems:
        return False, f"{len(problems)} empty paragraph(s): {listed(problems, 3)}"
    return True, "no empty paragraphs"


CONTENT = frozenset(
    w(name)
    for name in (
        "t",
        "tab",
        "br",
        "cr",
        "fldChar",
        "fldSimple",
        "instrText",
        "drawing",
        "pict",
        "object",
        "sym",
        "ptab",
        "footnoteReference",
        "endnoteReference",
    )
)


def _empty(paragraph: etree._Element) -> bool:
    for element in paragraph.iter():
        if element.tag in CONTENT:
            if element.tag == w("t") and not (element.text or "").strip():
                continue
            return False
        if isinstance(element.tag, str) and element.tag.startswith("{http://schemas.openxmlformats.org/math"):
            return False
    return True


def _required(paragraph: etree._Element, body: etree._Element | None) -> bool:
    if paragraph.find(f"{w('pPr')}/{w('sectPr')}") is not None:
        return True
    parent = paragraph.getparent()
    if parent is None:
        return True
    siblings = [child for child in parent if child.tag == w("p")]
    if parent.tag in (w("tc"), w("hdr"), w("ftr"), w("txbxContent")) and len(siblings) == 1:
        return True
    if body is not None and parent is body:
        blocks = [child for child in parent if child.tag in (w("p"), w("tbl"))]
        if blocks and blocks[-1] is paragraph and len(blocks) > 1 and blocks[-2].tag == w("tbl"):
            return True
    return False


def _before(paragraph: etree._Element) -> str:
    previous = paragraph.getprevious()
    while previous is not None:
        text = "".join(previous.itertext()).strip()
        if text:
            return text[-30:]
        previous = previous.getprevious()
    return ""
