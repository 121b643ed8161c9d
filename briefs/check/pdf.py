"""The PDF rules: PDF/UA-1 (ISO 14289-1, with the Matterhorn Protocol's failure conditions) and PDF/A
level A (ISO 19005-2/3) requirements, each a small function citing its clause.

A rule that reads inside a part the file lacks passes vacuously and leaves the failure to the rule that
checks the part (no structure tree: structure-tree fails, not headings), so one defect fails one rule;
the exception is the XMP packet, whose absence also fails each declaration it should hold (the PDF/A and
PDF/UA identification, dc:title, dc:language).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pikepdf

from briefs.check import content, fonts, lang, xmp
from briefs.check.report import FileReport, RuleSet, Verdict, heading_order, listed

RULES: RuleSet[PdfFile] = RuleSet()
SCOPES = frozenset({"/Row", "/Column", "/Both"})
HEADING = re.compile(r"^/H([1-9][0-9]*)$")
MAX_ROLE_DEPTH = 16


@dataclass(frozen=True)
class Element:
    """A structure element: its dictionary, its standard type (after the role map) and its depth."""

    obj: pikepdf.Dictionary
    type: str
    depth: int


class PdfFile:
    """An open PDF and what several rules read from it, each read once."""

    def __init__(self, path: Path, pdf: pikepdf.Pdf) -> None:
        self.path = path
        self.pdf = pdf
        self.root = pdf.Root

    @cached_property
    def metadata(self) -> tuple[xmp.Xmp | None, str]:
        """The XMP packet, or None and why not."""
        stream = self.root.get("/Metadata")
        if not isinstance(stream, pikepdf.Stream):
            return None, "the catalog has no /Metadata stream"
        try:
            return xmp.parse(stream.read_bytes()), ""
        except (xmp.XmpError, pikepdf.PdfError) as error:
            return None, f"the XMP packet cannot be read: {error}"

    @property
    def xmp(self) -> xmp.Xmp | None:
        return self.metadata[0]

    @cached_property
    def tree(self) -> pikepdf.Dictionary | None:
        found = self.root.get("/StructTreeRoot")
        return found if isinstance(found, pikepdf.Dictionary) else None

    @cached_property
    def role_map(self) -> dict[str, str]:
        roles = self.tree.get("/RoleMap") if self.tree is not None else None
        if not isinstance(roles, pikepdf.Dictionary):
            return {}
        return {str(key): str(value) for key, value in roles.items() if isinstance(value, pikepdf.Name)}

    def standard_type(self, name: str) -> str:
        for _ in range(MAX_ROLE_DEPTH):
            if name not in self.role_map or HEADING.match(name):
                break
            name = self.role_map[name]
        return name

    @cached_property
    def elements(self) -> list[Element]:
        """Every structure element, in document (depth-first) order."""
        found: list[Element] = []
        if self.tree is None:
            return found
        seen: set[tuple[int, int]] = set()
        stack: list[tuple[pikepdf.Object, int]] = [(kid, 0) for kid in reversed(_kids(self.tree))]
        while stack:
            obj, depth = stack.pop()
            if not isinstance(obj, pikepdf.Dictionary) or "/S" not in obj:
                continue  # a marked-content or object reference, or an MCID
            if obj.is_indirect:
                if obj.objgen in seen:
                    continue
                seen.add(obj.objgen)
            found.append(Element(obj, self.standard_type(str(obj.S)), depth))
            stack.extend((kid, depth + 1) for kid in reversed(_kids(obj)))
        return found

    @cached_property
    def walk(self) -> content.Walk:
        return content.walk(self.pdf)

    @cached_property
    def parent_tree(self) -> dict[int, pikepdf.Object]:
        tree = self.tree.get("/ParentTree") if self.tree is not None else None
        found: dict[int, pikepdf.Object] = {}
        _number_tree(tree, found, set())
        return found

    def claims(self) -> dict[str, object]:
        metadata = self.xmp
        pdfa = pdfa_claim(metadata)
        headings = Counter(e.type.lstrip("/") for e in self.elements if HEADING.match(e.type))
        return {
            "pdfa": pdfa,
            "pdfua": metadata.first(xmp.PDFUAID, "part") if metadata else None,
            "title": metadata.first(xmp.DC, "title") if metadata else None,
            "lang": _text(self.root.get("/Lang")),
            "dc_language": metadata.values(xmp.DC, "language") if metadata else [],
            "languages": sorted(self.languages()),
            "tagged": self.tree is not None,
            "pages": len(self.pdf.pages),
            "headings": dict(sorted(headings.items(), key=lambda item: int(item[0][1:]))),
            "tables": sum(1 for e in self.elements if e.type == "/Table"),
            "fonts": sorted({use.name for use in self.walk.fonts.values()}),
        }

    def languages(self) -> set[str]:
        """Every language the file declares: the catalog's, the structure elements' and the marked
        content's."""
        found = {tag for tag in (_text(self.root.get("/Lang")),) if tag}
        found.update(tag for tag in (_text(e.obj.get("/Lang")) for e in self.elements) if tag is not None)
        for page in self.walk.pages:
            found.update(page.languages)
        return found


def check_pdf(path: Path) -> FileReport:
    """Open ``path`` and apply every rule; an unreadable file gives a report with ``error`` set."""
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return FileReport(str(path), "pdf", error=f"{path}: the PDF is encrypted with a password")
    except (pikepdf.PdfError, OSError, ValueError) as error:
        return FileReport(str(path), "pdf", error=f"{path}: not a readable PDF: {error}")
    with pdf:
        document = PdfFile(path, pdf)
        rules = RULES.apply(document)
        try:
            claims = document.claims()
        except Exception as error:  # claims are a summary; a malformed part must not hide the rules
            claims = {"error": f"{type(error).__name__}: {error}"}
        return FileReport(str(path), "pdf", claims, rules)


def pdfa_claim(metadata: xmp.Xmp | None) -> str | None:
    """``2A`` for PDF/A-2 level A, and so on; None when no part is declared."""
    if metadata is None:
        return None
    part = metadata.first(xmp.PDFAID, "part")
    if part is None:
        return None
    return f"{part}{metadata.first(xmp.PDFAID, 'conformance') or ''}"


def _true(value: object) -> bool:
    """A PDF boolean that is true (pikepdf gives Python's bool)."""
    return value is True


def _text(value: pikepdf.Object | None) -> str | None:
    return str(value) if isinstance(value, pikepdf.String) else None


def _kids(obj: pikepdf.Object) -> list[pikepdf.Object]:
    kids = obj.get("/K") if isinstance(obj, pikepdf.Dictionary) else None
    if kids is None:
        return []
    if isinstance(kids, pikepdf.Array):
        return list(kids)
    return [kids]


def _number_tree(node: pikepdf.Object | None, found: dict[int, pikepdf.Object], seen: set[tuple[int, int]]) -> None:
    if not isinstance(node, pikepdf.Dictionary):
        return
    if node.is_indirect:
        if node.objgen in seen:
            return
        seen.add(node.objgen)
    nums = node.get("/Nums")
    if isinstance(nums, pikepdf.Array):
        for i in range(0, len(nums) - 1, 2):
            found[int(nums[i])] = nums[i + 1]
    kids = node.get("/Kids")
    if isinstance(kids, pikepdf.Array):
        for kid in kids:
            _number_tree(kid, found, seen)


def _attributes(element: pikepdf.Dictionary, class_map: pikepdf.Object | None) -> Iterator[pikepdf.Dictionary]:
    """The attribute dictionaries of an element: its /A (a dictionary, or an array with revision
    numbers) and those of its classes (/C, through the ClassMap)."""
    for key, source in (("/A", None), ("/C", class_map)):
        value = element.get(key)
        items = list(value) if isinstance(value, pikepdf.Array) else [value]
        for item in items:
            if source is not None and isinstance(item, pikepdf.Name) and isinstance(source, pikepdf.Dictionary):
                item = source.get(str(item))
                if isinstance(item, pikepdf.Array):
                    yield from (sub for sub in item if isinstance(sub, pikepdf.Dictionary))
                    continue
            if isinstance(item, pikepdf.Dictionary):
                yield item


# --- identification and metadata ------------------------------------------------------------------


@RULES.rule("xmp-metadata", "ISO 19005-2 6.6.2.1; ISO 14289-1 7.1 (Matterhorn 06-001)")
def xmp_metadata(doc: PdfFile) -> Verdict:
    """The catalog's /Metadata is a stream with /Type /Metadata and /Subtype /XML holding a well-formed
    XMP packet (ISO 19005-2 6.6.2.1; ISO 14289-1 7.1, Matterhorn 06-001)."""
    stream = doc.root.get("/Metadata")
    if not isinstance(stream, pikepdf.Stream):
        return False, "the catalog has no /Metadata stream"
    if stream.get("/Type") != "/Metadata" or stream.get("/Subtype") != "/XML":
        return False, "the /Metadata stream lacks /Type /Metadata or /Subtype /XML"
    if doc.xmp is None:
        return False, doc.metadata[1]
    filtered = " (compressed)" if "/Filter" in stream else ""
    return True, f"XMP packet present{filtered}"


@RULES.rule("pdfa-identification", "ISO 19005-2/3 6.6.4 (ISO 19005-1 6.7.11)")
def pdfa_identification(doc: PdfFile) -> Verdict:
    """The XMP packet declares the PDF/A part and conformance level: pdfaid:part and pdfaid:conformance
    (ISO 19005-2 and 19005-3, 6.6.4 Version and conformance level identification)."""
    if doc.xmp is None:
        return False, "no XMP packet, so no PDF/A declaration"
    part = doc.xmp.first(xmp.PDFAID, "part")
    conformance = doc.xmp.first(xmp.PDFAID, "conformance")
    if part is None:
        return False, "no pdfaid:part in the XMP packet"
    if part not in {"1", "2", "3", "4"}:
        return False, f"pdfaid:part is {part!r}, not 1, 2, 3 or 4"
    levels = {"E", "F", None} if part == "4" else {"A", "B", "U"}
    if conformance not in levels:
        return False, f"pdfaid:conformance {conformance!r} is not a level of PDF/A-{part}"
    return True, f"PDF/A-{part}{conformance or ''} declared"


@RULES.rule("pdfua-identification", "ISO 14289-1 5 (Matterhorn 06-002)")
def pdfua_identification(doc: PdfFile) -> Verdict:
    """The XMP packet declares PDF/UA-1: pdfuaid:part is 1 (ISO 14289-1 clause 5; Matterhorn 06-002)."""
    if doc.xmp is None:
        return False, "no XMP packet, so no PDF/UA declaration"
    part = doc.xmp.first(xmp.PDFUAID, "part")
    if part is None:
        return False, "no pdfuaid:part in the XMP packet"
    if part != "1":
        return False, f"pdfuaid:part is {part!r}, not 1"
    return True, "PDF/UA-1 declared"


@RULES.rule("xmp-extension-schemas", "ISO 19005-2 6.6.2.3.1, 6.6.2.3.2")
def xmp_extension_schemas(doc: PdfFile) -> Verdict:
    """In a PDF/A file, every XMP property belongs to a predefined schema or to an extension schema the
    packet declares in pdfaExtension:schemas (ISO 19005-2 6.6.2.3.1 and 6.6.2.3.2) — pdfuaid:part is not
    predefined, so a PDF/A file that declares PDF/UA must declare its schema."""
    if doc.xmp is None or doc.xmp.first(xmp.PDFAID, "part") is None:
        return True, "no PDF/A declaration, so no schema requirement"
    undeclared = doc.xmp.undeclared()
    if undeclared:
        return False, f"properties of no predefined or declared schema: {listed(undeclared)}"
    declared = sorted(doc.xmp.extension_properties)
    return True, f"extension schemas declared: {listed(declared)}" if declared else "predefined schemas only"


@RULES.rule("title", "ISO 14289-1 7.1 (Matterhorn 06-003)")
def title(doc: PdfFile) -> Verdict:
    """The XMP packet has a non-empty dc:title (ISO 14289-1 7.1; Matterhorn 06-003)."""
    if doc.xmp is None:
        return False, "no XMP packet, so no dc:title"
    found = [value for value in doc.xmp.values(xmp.DC, "title") if value]
    if not found:
        return False, "no dc:title, or an empty one, in the XMP packet"
    return True, found[0]


@RULES.rule("display-doc-title", "ISO 14289-1 7.1 (Matterhorn 07-001, 07-002)")
def display_doc_title(doc: PdfFile) -> Verdict:
    """The catalog's /ViewerPreferences has /DisplayDocTitle true, so viewers show the title rather than
    the file name (ISO 14289-1 7.1; Matterhorn 07-001, 07-002)."""
    preferences = doc.root.get("/ViewerPreferences")
    if not isinstance(preferences, pikepdf.Dictionary) or "/DisplayDocTitle" not in preferences:
        return False, "no /ViewerPreferences /DisplayDocTitle"
    if not _true(preferences.DisplayDocTitle):
        return False, "/DisplayDocTitle is false"
    return True, "/DisplayDocTitle true"


# --- tagging ---------------------------------------------------------------------------------------


@RULES.rule("marked", "ISO 14289-1 7.1 (Matterhorn 01-007); ISO 19005-2 6.7.2.2")
def marked(doc: PdfFile) -> Verdict:
    """The catalog's /MarkInfo has /Marked true and not /Suspects true (ISO 14289-1 7.1, Matterhorn
    01-007; ISO 19005-2 6.7.2.2 Mark information dictionary)."""
    info = doc.root.get("/MarkInfo")
    if not isinstance(info, pikepdf.Dictionary) or not _true(info.get("/Marked")):
        return False, "no /MarkInfo /Marked true"
    if _true(info.get("/Suspects")):
        return False, "/MarkInfo /Suspects is true"
    return True, "/Marked true"


@RULES.rule("structure-tree", "ISO 14289-1 7.1; ISO 19005-2 6.7.2")
def structure_tree(doc: PdfFile) -> Verdict:
    """The catalog has a /StructTreeRoot with structure elements: the document is tagged (ISO 14289-1
    7.1; ISO 19005-2 6.7.2 Tagged PDF)."""
    if doc.tree is None:
        return False, "no /StructTreeRoot"
    if not doc.elements:
        return False, "the structure tree is empty"
    return True, f"{len(doc.elements)} structure elements"


@RULES.rule("artifacts", "ISO 14289-1 7.1 (Matterhorn 01-003, 01-004, 01-005); ISO 19005-2 6.7.3")
def artifacts(doc: PdfFile) -> Verdict:
    """All page content is either tagged (in a marked-content sequence with an MCID that the structure
    tree reaches) or an artifact: no text, path or image outside both (Matterhorn 01-005), no artifact
    inside tagged content (01-003) or tagged content inside an artifact (01-004) (ISO 14289-1 7.1;
    ISO 19005-2 6.7.3)."""
    problems: list[str] = []
    for page in doc.walk.pages:
        where = f"page {page.number}"
        if page.untagged_text:
            problems.append(f"{where}: {page.untagged_text} text operator(s) neither tagged nor artifact")
        if page.untagged_paint:
            problems.append(f"{where}: {page.untagged_paint} path/image operator(s) neither tagged nor artifact")
        if page.artifact_in_tagged:
            problems.append(f"{where}: {page.artifact_in_tagged} artifact(s) inside tagged content")
        if page.tagged_in_artifact:
            problems.append(f"{where}: {page.tagged_in_artifact} tagged sequence(s) inside an artifact")
    if doc.tree is not None:
        problems.extend(_unreached_mcids(doc))
    if problems:
        return False, "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
    tagged = sum(len(page.mcids) for page in doc.walk.pages)
    return True, f"{tagged} tagged sequences, the rest artifacts"


def _unreached_mcids(doc: PdfFile) -> Iterator[str]:
    """Marked content whose MCID the structure tree does not reach through the page's /StructParents."""
    for page, walked in zip(doc.pdf.pages, doc.walk.pages, strict=True):
        if not walked.mcids:
            continue
        key = page.obj.get("/StructParents")
        parents = doc.parent_tree.get(int(key)) if key is not None else None
        if not isinstance(parents, pikepdf.Array):
            yield f"page {walked.number}: tagged content but no /StructParents entry in the parent tree"
            continue
        missing = sorted(
            mcid for mcid in walked.mcids if mcid >= len(parents) or not isinstance(parents[mcid], pikepdf.Dictionary)
        )
        if missing:
            shown = listed([str(m) for m in missing])
            yield f"page {walked.number}: MCID {shown} not in the structure tree"


# --- language --------------------------------------------------------------------------------------


@RULES.rule("language", "ISO 14289-1 7.2 (Matterhorn 11-001); ISO 19005-2 6.7.4")
def language(doc: PdfFile) -> Verdict:
    """The catalog's /Lang declares the document's natural language as a valid BCP 47 tag (ISO 14289-1
    7.2, Matterhorn 11-001; ISO 19005-2 6.7.4)."""
    value = doc.root.get("/Lang")
    if value is None:
        return False, "no /Lang in the catalog"
    tag = _text(value)
    if tag is None:
        return False, "/Lang is not a text string"
    problem = lang.problem(tag)
    return (False, problem) if problem else (True, tag)


@RULES.rule("metadata-language", "briefs policy: Dublin Core dc:language (ISO 15836-1) agrees with /Lang")
def metadata_language(doc: PdfFile) -> Verdict:
    """The XMP packet has dc:language, valid BCP 47 tags that include the catalog's /Lang (when that is
    valid: the language rule reports it otherwise), so that catalogues and archives read the language
    from the metadata too. No clause of PDF/A or PDF/UA
    requires it: it is this project's policy (Dublin Core, ISO 15836-1)."""
    if doc.xmp is None:
        return False, "no XMP packet, so no dc:language"
    tags = [tag for tag in doc.xmp.values(xmp.DC, "language") if tag]
    if not tags:
        return False, "no dc:language in the XMP packet"
    problems = [problem for problem in map(lang.problem, tags) if problem]
    if problems:
        return False, "; ".join(problems)
    catalog = _text(doc.root.get("/Lang"))
    if catalog and not lang.problem(catalog) and catalog.lower() not in {tag.lower() for tag in tags}:
        return False, f"dc:language {', '.join(tags)} does not include the catalog's /Lang {catalog}"
    return True, ", ".join(tags)


@RULES.rule("language-spans", "ISO 14289-1 7.2 (Matterhorn 11-001); ISO 32000-1 14.9.2")
def language_spans(doc: PdfFile) -> Verdict:
    """Every /Lang on a structure element or a marked-content sequence (a change of language inside the
    text) is a valid BCP 47 tag (ISO 14289-1 7.2, Matterhorn 11-001; ISO 32000-1 14.9.2)."""
    problems: list[str] = []
    tags: Counter[str] = Counter()
    for element in doc.elements:
        if "/Lang" not in element.obj:
            continue
        tag = _text(element.obj.Lang)
        problem = lang.problem(tag) if tag is not None else "/Lang is not a text string"
        if problem:
            problems.append(f"{element.type.lstrip('/')}: {problem}")
        elif tag is not None:
            tags[tag] += 1
    for page in doc.walk.pages:
        for tag in sorted(page.languages):
            problem = lang.problem(tag)
            if problem:
                problems.append(f"page {page.number} marked content: {problem}")
            else:
                tags[tag] += 1
    if problems:
        return False, listed(sorted(set(problems)))
    if not tags:
        return True, "no language changes inside the document"
    return True, "language changes: " + ", ".join(f"{tag} ×{count}" for tag, count in sorted(tags.items()))


# --- structure ---------------------------------------------------------------------------------------


@RULES.rule("headings", "ISO 14289-1 7.4.2 (Matterhorn 14-002, 14-003)")
def headings(doc: PdfFile) -> Verdict:
    """Numbered headings start with H1 and never skip a level going down (H1 then H3 fails); a level
    may repeat and may go up by any number (ISO 14289-1 7.4.2; Matterhorn 14-002, 14-003). PDF/UA does
    not require exactly one H1, so neither does this rule."""
    levels = [int(match.group(1)) for e in doc.elements if (match := HEADING.match(e.type))]
    if not levels:
        return True, "no numbered headings"
    return heading_order(levels, "H{}")


@RULES.rule("table-headers", "ISO 14289-1 7.5 (Matterhorn 15-003); ISO 32000-1 14.8.5.7")
def table_headers(doc: PdfFile) -> Verdict:
    """Every Table has header cells (TH), and every TH has a /Scope of /Row, /Column or /Both in a
    Table attribute dictionary (/O /Table). Stricter than ISO 14289-1 7.5 (Matterhorn 15-003), which
    accepts a table whose cells name their headers with /Headers and /ID instead of /Scope; ISO 32000-1
    14.8.5.7 defines /Scope."""
    class_map = doc.tree.get("/ClassMap") if doc.tree is not None else None
    tables = [e for e in doc.elements if e.type == "/Table"]
    if not tables:
        return True, "no tables"
    problems: list[str] = []
    cells = 0
    for number, table in enumerate(tables, start=1):
        headers = list(_cells(doc, table.obj, "/TH", set()))
        if not headers:
            problems.append(f"table {number} has no TH cells")
            continue
        for cell in headers:
            cells += 1
            scopes = [
                str(attributes.Scope)
                for attributes in _attributes(cell, class_map)
                if attributes.get("/O") == "/Table" and "/Scope" in attributes
            ]
            if not scopes:
                problems.append(f"table {number}: TH {_label(cell)} has no /Scope")
            elif scopes[0] not in SCOPES:
                problems.append(f"table {number}: TH {_label(cell)} has /Scope {scopes[0]}")
    if problems:
        return False, f"{len(problems)} problem(s): {listed(problems, 3)}"
    return True, f"{len(tables)} table(s), {cells} TH cells with /Scope"


def _cells(
    doc: PdfFile, element: pikepdf.Dictionary, kind: str, seen: set[tuple[int, int]]
) -> Iterator[pikepdf.Dictionary]:
    """The cells of type ``kind`` in a table, not those of a table nested in it."""
    for kid in _kids(element):
        if not isinstance(kid, pikepdf.Dictionary) or "/S" not in kid:
            continue
        if kid.is_indirect:
            if kid.objgen in seen:
                continue
            seen.add(kid.objgen)
        kid_type = doc.standard_type(str(kid.S))
        if kid_type == kind:
            yield kid
        elif kid_type != "/Table":
            yield from _cells(doc, kid, kind, seen)


def _label(cell: pikepdf.Dictionary) -> str:
    ident = cell.get("/ID")
    return str(ident) if ident is not None else f"object {cell.objgen[0]}"


@RULES.rule("tab-order", "ISO 14289-1 7.18.3 (Matterhorn 28-008, 28-009)")
def tab_order(doc: PdfFile) -> Verdict:
    """Every page with annotations has /Tabs /S: the tab order follows the structure (ISO 14289-1
    7.18.3; Matterhorn 28-008, 28-009)."""
    problems: list[str] = []
    with_annotations = 0
    for number, page in enumerate(doc.pdf.pages, start=1):
        annotations = page.obj.get("/Annots")
        if not isinstance(annotations, pikepdf.Array) or len(annotations) == 0:
            continue
        with_annotations += 1
        tabs = page.obj.get("/Tabs")
        if tabs is None:
            problems.append(f"page {number} has no /Tabs")
        elif tabs != "/S":
            problems.append(f"page {number} has /Tabs {tabs}")
    if problems:
        return False, listed(problems)
    return True, f"{with_annotations} page(s) with annotations, all /Tabs /S" if with_annotations else "no annotations"


# --- fonts -------------------------------------------------------------------------------------------


@RULES.rule("fonts-embedded", "ISO 14289-1 7.21.4.1 (Matterhorn 31); ISO 19005-2 6.2.11.4.1")
def fonts_embedded(doc: PdfFile) -> Verdict:
    """Every font used to show text has its font program embedded (/FontFile, /FontFile2 or /FontFile3;
    ISO 14289-1 7.21.4.1, Matterhorn checkpoint 31; ISO 19005-2 6.2.11.4.1)."""
    uses = list(doc.walk.fonts.values())
    missing = sorted(use.name for use in uses if not fonts.embedded(use.font))
    if missing:
        return False, f"not embedded: {listed(missing)}"
    return True, f"{len(uses)} font(s), all embedded" if uses else "no text"


@RULES.rule("fonts-unicode", "ISO 14289-1 7.21.7 (Matterhorn 31); ISO 19005-2 6.2.11.7.2")
def fonts_unicode(doc: PdfFile) -> Verdict:
    """Every character code shown maps to Unicode, through the font's /ToUnicode CMap (or a standard
    encoding), and never to U+0000, U+FEFF or U+FFFE (ISO 14289-1 7.21.7, Matterhorn checkpoint 31;
    ISO 19005-2 6.2.11.7.2)."""
    problems: list[str] = []
    for use in sorted(doc.walk.fonts.values(), key=lambda use: use.name):
        bad, how = fonts.unmapped(use)
        if bad:
            shown = listed([code.hex().upper() for code in bad], 4)
            problems.append(f"{use.name} ({how}): {len(bad)} code(s) unmapped: {shown}")
    if problems:
        return False, "; ".join(problems)
    count = len(doc.walk.fonts)
    return True, f"{count} font(s), every code shown maps to Unicode" if count else "no text"
