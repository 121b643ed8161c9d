"""DOCX builder: Word templates (templates/docx/) filled by docxtpl, finished with python-docx.

The template owns the look: named styles, page set-up, header and footer. A
designer edits it in Word or LibreOffice and the next build shows the change;
this builder never sets a font, a colour or a spacing itself.

The builder adds only what a template cannot hold or must not vary:

* the brief's language on the styles and on every run, so Word checks
  spelling and hyphenates in Bulgarian or English;
* the "Page X of Y" footer: the localized label split around PAGE and
  NUMPAGES fields;
* a first version of the table of contents (LibreOffice and previewers show
  it as it is; Word rebuilds it on opening, as settings.xml asks);
* the core properties, dated from the data, never from the clock;
* a zip with fixed timestamps and entry order, so the same view gives the
  same bytes.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from collections.abc import Iterable, Iterator
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined
from lxml import etree
from markupsafe import Markup, escape

from briefs.builders import Rendered, RenderOptions
from briefs.errors import BriefsError
from briefs.templating import find
from briefs.view import BriefView

EXTRA_VARIABLES = {
    "page_x_of_y": "the footer label with PAGE and NUMPAGES fields; use as {{r page_x_of_y }}",
    "links": "source URL -> a hyperlink; use as {{r links[source.url] }}",
}
"""Template variables besides the fields of BriefView."""

LAST_MODIFIED_BY = "briefs"
REVISION = 1
PAGE_FIELDS = {"page": "PAGE", "pages": "NUMPAGES"}
"""Placeholders of the footer.page label and the Word fields that stand for them."""

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TOC_LEVELS = re.compile(r'\\o\s+"(\d)-(\d)"')
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# Children that must follow an element we add, in the order the OOXML schema fixes
# (Word refuses a file whose children are out of order).
_AFTER_LANG = (
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
    *(f"w14:{tag}" for tag in ("glow", "shadow", "reflection", "textOutline", "textFill", "scene3d", "props3d")),
    *(f"w14:{tag}" for tag in ("ligatures", "numForm", "numSpacing", "stylisticSets", "cntxtAlts")),
    "w:rPrChange",
)
_AFTER_THEME_FONT_LANG = (
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)
_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    *_AFTER_THEME_FONT_LANG,
)


class RenderError(BriefsError):
    """A DOCX brief could not be rendered as it should be."""


# --- Template filling -----------------------------------------------------------------------------


def _xml_text(value: Any) -> Markup:
    """Every printed value, as XML text: escaped, with braces as character references.

    docxtpl turns "{_{" in its output back into "{{"; written as &#123;, a brace
    in the data stays the brace it is.
    """
    if value is None:
        raise RenderError("a template printed an empty value (None); guard optional fields with {% if %}")
    text = str(escape(value))
    if _XML_INVALID.search(text):
        raise RenderError(f"text with a character XML cannot hold: {text[:60]!r}")
    return Markup(text.replace("{", "&#123;").replace("}", "&#125;"))  # noqa: S704 (escaped just above)


def environment() -> Environment:
    """The Jinja environment of the DOCX templates: undefined names fail, every value is escaped."""
    return Environment(undefined=StrictUndefined, autoescape=True, finalize=_xml_text)


def template_variables() -> set[str]:
    """The names a DOCX template may use: the fields of BriefView and EXTRA_VARIABLES."""
    return {f.name for f in dataclasses.fields(BriefView)} | set(EXTRA_VARIABLES)


def page_x_of_y(label: str) -> Markup:
    """``Page {page} of {pages}`` as runs of text around PAGE and NUMPAGES fields, in the label's order."""
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(label):
        field = PAGE_FIELDS.get(match.group(1))
        if field is None:
            raise RenderError(f"footer.page label {label!r}: unknown placeholder {{{match.group(1)}}}")
        parts.append(_text_run(label[position : match.start()]))
        parts.append(f'<w:fldSimple w:instr=" {field} \\* MERGEFORMAT "><w:r><w:t>1</w:t></w:r></w:fldSimple>')
        position = match.end()
    parts.append(_text_run(label[position:]))
    return Markup("".join(parts))  # noqa: S704 (our own XML; the label's text is escaped in _text_run)


def _text_run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""


def _hyperlink(template: DocxTemplate, url: str) -> Markup:
    rid = template.build_url_id(url)
    return Markup(  # noqa: S704 (our own XML; the URL is escaped)
        f'<w:hyperlink xmlns:r="{_R}" r:id="{rid}" w:history="1"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/>'
        f'</w:rPr><w:t xml:space="preserve">{escape(url)}</w:t></w:r></w:hyperlink>'
    )


def context(view: BriefView, template: DocxTemplate) -> dict[str, Any]:
    """The view's fields as template variables (shallow: attribute access stays), and the extras."""
    values = {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}
    values["page_x_of_y"] = page_x_of_y(view.labels["footer.page"])
    values["links"] = {s.url: _hyperlink(template, s.url) for s in view.sources if s.url}
    return values


# --- Finishing the document -----------------------------------------------------------------------


def _parts(doc: DocxDocument) -> Iterator[Any]:
    """The root elements of the story parts: body, headers, footers."""
    yield doc.element
    for rel in doc.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external:
            yield rel.target_part.element


def _insert(parent: Any, child: Any, successors: Iterable[str]) -> None:
    """Insert ``child`` before the first of ``successors`` present in ``parent``, else at the end."""
    tags = {qn(tag) for tag in successors}
    for existing in parent:
        if existing.tag in tags:
            existing.addprevious(child)
            return
    parent.append(child)


def _remove_empty_runs(doc: DocxDocument) -> None:
    """docxtpl leaves an empty run where a {% %} tag was; they would only clutter the file."""
    for root in _parts(doc):
        for run in root.iter(qn("w:r")):
            children = [c for c in run if c.tag != qn("w:rPr")]
            if all(c.tag == qn("w:t") and not c.text for c in children):
                run.getparent().remove(run)


def _set_lang(rpr: Any, tag: str) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = parse_xml(f"<w:lang {nsdecls('w')}/>")
        _insert(rpr, lang, _AFTER_LANG)
    lang.set(qn("w:val"), tag)


def set_language(doc: DocxDocument, tag: str) -> None:
    """``tag`` (bg-BG, en-GB) on the document defaults, every style and every run."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = parse_xml(f"<w:docDefaults {nsdecls('w')}/>")
        styles.insert(0, defaults)
    r_default = defaults.find(qn("w:rPrDefault"))
    if r_default is None:
        r_default = parse_xml(f"<w:rPrDefault {nsdecls('w')}/>")
        defaults.insert(0, r_default)
    if r_default.find(qn("w:rPr")) is None:
        r_default.append(parse_xml(f"<w:rPr {nsdecls('w')}/>"))
    _set_lang(r_default.find(qn("w:rPr")), tag)
    for style in styles.iter(qn("w:style")):
        if style.get(qn("w:type")) != "numbering":
            _set_lang(style.get_or_add_rPr(), tag)
    for root in _parts(doc):
        for run in root.iter(qn("w:r")):
            _set_lang(run.get_or_add_rPr(), tag)
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is None:
        theme_lang = parse_xml(f"<w:themeFontLang {nsdecls('w')}/>")
        _insert(settings, theme_lang, _AFTER_THEME_FONT_LANG)
    theme_lang.set(qn("w:val"), tag)


def update_fields_on_open(doc: DocxDocument) -> None:
    """Word asks to update the fields (the table of contents) when the file opens."""
    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is None:
        _insert(settings, parse_xml(f'<w:updateFields {nsdecls("w")} w:val="true"/>'), _AFTER_UPDATE_FIELDS)


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
        if (style.find(qn("w:name")) is not None) and style.find(qn("w:name")).get(qn("w:val")).lower() == name:
            return style.get(qn("w:styleId"))
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
        if level is not None and low <= level + 1 <= high and _text(p).strip():
            found.append((level + 1, p))
    return found


def _text(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


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
        entries = [_toc_entry(doc, level, _text(p), _bookmark(doc, p)) for level, p in headings]
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
            return start.get(qn("w:name"))
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


def set_properties(doc: DocxDocument, view: BriefView) -> None:
    """Core properties from the view; dates from the data, fixed revision and editor."""
    props = doc.core_properties
    info = view.info
    props.title = info.title
    props.subject = info.subject
    props.author = info.author
    props.keywords = ", ".join(info.keywords)
    props.language = info.language
    props.identifier = view.id
    props.version = view.version
    props.category = view.kind_label
    props.comments = props.content_status = ""
    props.last_modified_by = LAST_MODIFIED_BY
    props.revision = REVISION
    props.created = props.modified = _stamp(info.created)


def _stamp(created: str) -> datetime:
    return datetime.combine(date.fromisoformat(created[:10]), datetime.min.time(), UTC)


# --- Checks -----------------------------------------------------------------------------------------


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
        *_parts(doc),
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
    for root in _parts(doc):
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
    numbering = _numbering_root(doc)
    if numbering is None:
        return []
    holders = [s for s in doc.styles.element.iter(qn("w:style")) if s.get(qn("w:styleId")) in used]
    numbers = {n.get(qn("w:val")) for root in (*holders, *_parts(doc)) for n in root.iter(qn("w:numId"))}
    abstract = {
        num.find(qn("w:abstractNumId")).get(qn("w:val"))
        for num in numbering.iter(qn("w:num"))
        if num.get(qn("w:numId")) in numbers and num.find(qn("w:abstractNumId")) is not None
    }
    return [a for a in numbering.iter(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) in abstract]


def _numbering_root(doc: DocxDocument) -> Any:
    try:
        return doc.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return None


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


# --- Fit of the one-page brief -----------------------------------------------------------------------

FIT_LIMIT = 0.95
"""A one-page DOCX estimated to fill more of the page body than this fails: Word and LibreOffice
lay out a little differently from the estimate and from each other."""
FIT_NOTE = 0.90
"""Above this the build notes that the one-page DOCX is close to a second page."""


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
        import shutil
        import subprocess

        from fontTools.ttLib import TTFont

        pattern = family + (":bold" if bold else "") + (":italic" if italic else "")
        fc_match = shutil.which("fc-match")
        if fc_match is None:
            raise RenderError("fontconfig's fc-match is not installed; it finds the fonts to estimate the fit")
        found = subprocess.run(
            [fc_match, "-f", "%{file}\n%{family}", pattern], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        if len(found) < 2 or family not in found[1].split(","):
            raise RenderError(f"font {family} is not installed; the fit of the one-page brief cannot be estimated")
        font = TTFont(found[0], lazy=True)
        em = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        advances = {code: metrics[name][0] / em for code, name in font.getBestCmap().items()}
        hhea = font["hhea"]
        average = sum(advances.values()) / max(len(advances), 1)
        return advances, average, (hhea.ascent - hhea.descent + hhea.lineGap) / em

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
        self.numbering = _numbering_root(doc)

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
        width = (section.page_width - section.left_margin - section.right_margin) / 12700
        blocks: list[Block] = [Block("title block", 0.0)]
        after_table = False
        for child in self.doc.element.body:
            if child.tag == qn("w:p"):
                style = self._style_name(child)
                if style.startswith("heading"):
                    blocks.append(Block(_text(child).strip() or style, 0.0))
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
        return (section.page_height - section.top_margin - section.bottom_margin) / 12700


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


def estimate_blocks(doc: DocxDocument) -> tuple[list[Block], float]:
    """The estimated heights of the body's blocks and the height of the page body, in points."""
    layout = _Layout(doc)
    return layout.blocks(), layout.body_height()


def _check_fit(doc: DocxDocument, where: str) -> list[str]:
    blocks, available = estimate_blocks(doc)
    used = sum(block.height for block in blocks)
    fill = used / available
    if fill > FIT_LIMIT:
        over = (used - FIT_LIMIT * available) * 25.4 / 72
        largest = ", ".join(
            f"{b.name} ({b.height * 25.4 / 72:.0f} mm)" for b in sorted(blocks, key=lambda b: -b.height)[:4]
        )
        raise RenderError(
            f"{where} does not fit on one page as DOCX: it is estimated to fill {fill:.0%} of the page and "
            f"runs over the {FIT_LIMIT:.0%} allowed by about {over:.0f} mm. Shorten the largest blocks: "
            f"{largest}. No one-page DOCX was written."
        )
    if fill > FIT_NOTE:
        return [f"{where}: the one-page DOCX is estimated to fill {fill:.0%} of the page; Word may need a second"]
    return []


# --- Bytes ------------------------------------------------------------------------------------------


def reproducible_zip(data: bytes, created: str) -> bytes:
    """The package rewritten with fixed entry order, timestamps and attributes."""
    day = date.fromisoformat(created[:10])
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    with zipfile.ZipFile(BytesIO(data)) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    first = [name for name in ("[Content_Types].xml", "_rels/.rels") if name in entries]
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in first + sorted(set(entries) - set(first)):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, entries[name], compresslevel=6)
    return out.getvalue()


# --- The builder ------------------------------------------------------------------------------------


class DocxBuilder:
    format = "docx"

    def __init__(self, options: RenderOptions) -> None:
        self.options = options
        self.env = environment()

    def template_path(self, kind: str) -> Path:
        """The template of ``kind``: the user's (--templates DIR/docx/KIND.docx) first, then ours."""
        try:
            return find("docx", f"{kind}.docx", self.options.templates)
        except FileNotFoundError as exc:
            raise RenderError(str(exc)) from None

    def document(self, view: BriefView) -> DocxDocument:
        """The finished document, before it is written; for inspection and tests."""
        where = f"{view.id}: {view.kind} brief ({view.language})"
        path = self.template_path(view.kind)
        template = DocxTemplate(BytesIO(path.read_bytes()))
        try:
            template.render(context(view, template), jinja_env=self.env)
        except RenderError as exc:
            raise RenderError(f"{where}: {path}: {exc}") from None
        except Exception as exc:  # Jinja's errors: syntax, undefined names
            raise RenderError(f"{where}: template {path}: {type(exc).__name__}: {exc}") from None
        # Saved and read again, so python-docx works on its own element classes.
        buffer = BytesIO()
        template.save(buffer)
        doc = Document(BytesIO(buffer.getvalue()))
        _remove_empty_runs(doc)
        if view.kind == "full":
            fill_table_of_contents(doc)
            update_fields_on_open(doc)
        set_language(doc, view.lang)
        set_properties(doc, view)
        self._check_fonts(doc, where, path)
        return doc

    def _check_fonts(self, doc: DocxDocument, where: str, path: Path) -> None:
        if not self.options.fonts:
            return
        strays = sorted(font_families(doc) - set(self.options.fonts))
        if strays:
            raise RenderError(
                f"{where}: template {path} sets text in {', '.join(strays)}, not in {', '.join(self.options.fonts)}"
            )

    def render(self, view: BriefView) -> Rendered:
        doc = self.document(view)
        notes: list[str] = []
        if view.kind == "one-page":
            notes = _check_fit(doc, f"{view.id}: {view.kind} brief ({view.language})")
        buffer = BytesIO()
        doc.save(buffer)
        data = reproducible_zip(buffer.getvalue(), view.info.created)
        # A word processor paginates a DOCX; only the one-page brief's page count is known (checked above).
        return Rendered(data, 1 if view.kind == "one-page" else None, notes)
