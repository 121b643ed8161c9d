"""DOCX briefs, rendered for real from the sample agreements and read back.

LibreOffice (soffice) lays the files out as a word processor would; those tests
fail when soffice is not installed: `make test` installs it.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from lxml import etree
from pypdf import PdfReader

from briefs.config import Config
from briefs.data.files import load_agreement
from briefs.errors import RenderError
from briefs.localize import localize
from briefs.localize.catalog import load_catalog
from briefs.localize.view import BriefView
from briefs.render import FORMATS
from briefs.render.base import RenderOptions
from briefs.render.docx import DocxBuilder
from briefs.render.docx.fill import environment, page_x_of_y, template_variables
from briefs.render.docx.fit import FIT_LIMIT, estimate_blocks
from briefs.render.docx.typefaces import font_families
from briefs.resources import data_dir
from briefs.targets import KINDS, Target

from .conftest import MINIMAL, SAMPLES, build
from .pdfread import squash

LANGS = ("bg", "en")
AGREEMENTS = sorted(SAMPLES.glob("*.yaml"))
TEMPLATES = data_dir("templates") / "docx"
FONTS = Config().fonts
SOFFICE = shutil.which("soffice")


@pytest.fixture(scope="session")
def soffice_installed() -> None:
    """LibreOffice lays the DOCX out; `make test` installs it, so its absence fails the tests that need it."""
    assert SOFFICE is not None, "LibreOffice (soffice) is not installed: run `make test` (system-packages-test.txt)"


needs_soffice = pytest.mark.usefixtures("soffice_installed")
MAX_FILL = FIT_LIMIT
"""The one-page brief stays short of a full page in LibreOffice: Word lays out a little differently.
The estimate errs on the safe side, so a brief fitted to FIT_LIMIT of the estimate fills less."""


# --- Helpers ----------------------------------------------------------------------------------------


def view_of(path: Path, lang: str, kind: str) -> BriefView:
    return localize(load_agreement(path, Config()), load_catalog(lang), kind)


def render(view: BriefView, **options) -> bytes:
    return DocxBuilder(RenderOptions(fonts=FONTS, **options)).render(view).data


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def story_roots(doc):
    """Body, headers and footers."""
    yield doc.element
    for rel in doc.part.rels.values():
        if rel.reltype.endswith(("/header", "/footer")):
            yield rel.target_part.element


def para_text(p) -> str:
    return "".join((node.text or "") if node.tag == qn("w:t") else "\n" for node in p.iter(qn("w:t"), qn("w:br")))


def all_text(doc) -> str:
    return "\n".join(para_text(p) for root in story_roots(doc) for p in root.iter(qn("w:p")))


def style_names(doc) -> dict[str, str]:
    styles = doc.styles.element.iter(qn("w:style"))
    return {s.get(qn("w:styleId")): s.find(qn("w:name")).get(qn("w:val")) for s in styles}


def paragraphs_of(doc, style_name: str) -> list:
    names = style_names(doc)
    found = []
    for p in doc.element.body.iter(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is not None and names.get(style.get(qn("w:val")), "").lower() == style_name.lower():
            found.append(p)
    return found


def tables_of(doc, style_name: str) -> list:
    names = style_names(doc)
    return [t for t in doc.tables if names.get(t._tbl.tblPr.find(qn("w:tblStyle")).get(qn("w:val"))) == style_name]


def cell_text(cell) -> str:
    return "\n".join(para_text(p) for p in cell._tc.iter(qn("w:p")))


def soffice_pdf(docx_files: list[Path], out: Path) -> None:
    """Convert with LibreOffice in one run, with a profile of its own (no clash with a running one)."""
    profile = (out / "lo-profile").as_uri()
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(out)]
        + [str(f) for f in docx_files],
        check=True,
        capture_output=True,
        timeout=600,
    )


def body_fill(pdf: Path, top_mm: float, bottom_mm: float) -> float:
    """How much of the first page's body height the text takes: top margin to the lowest text line."""
    page = PdfReader(str(pdf)).pages[0]
    height = float(page.mediabox.height)
    top, bottom = height - top_mm * 72 / 25.4, bottom_mm * 72 / 25.4
    baselines: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            baselines.append(tm[5] * (cm[3] or 1) + cm[5])

    page.extract_text(visitor_text=visit)
    body = [y for y in baselines if bottom < y < top]
    return (top - min(body)) / (top - bottom)


def margins_mm(doc) -> tuple[float, float]:
    section = doc.sections[0]
    return section.top_margin.mm, section.bottom_margin.mm


# --- Fixtures ----------------------------------------------------------------------------------------


CASES = [(path, lang, kind) for path in AGREEMENTS for lang in LANGS for kind in KINDS]
CASE_IDS = [f"{path.stem}-{kind}-{lang}" for path, lang, kind in CASES]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every sample agreement, both languages, both kinds: (view, bytes, path) by case id."""
    out = tmp_path_factory.mktemp("docx")
    results = {}
    for (path, lang, kind), ident in zip(CASES, CASE_IDS, strict=True):
        view = view_of(path, lang, kind)
        data = render(view)
        target = out / f"{ident}.docx"
        target.write_bytes(data)
        results[ident] = (view, data, target)
    return results


@pytest.fixture(scope="module")
def converted(built, tmp_path_factory, soffice_installed):
    """The same files as PDF, laid out by LibreOffice."""
    out = tmp_path_factory.mktemp("pdf")
    soffice_pdf([target for _, _, target in built.values()], out)
    return {ident: out / f"{ident}.pdf" for ident in built}


# --- Templates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["one-page.docx", "full.docx"])
def test_template_parses_and_uses_only_view_variables(name):
    template = DocxTemplate(TEMPLATES / name)
    used = template.get_undeclared_template_variables(jinja_env=environment())
    assert used, "the template uses no variable at all"
    assert used <= template_variables(), used - template_variables()
    xml = _template_xml(TEMPLATES / name)
    labels = set(re.findall(r"labels\[(?:'|&apos;)([\w.-]+)(?:'|&apos;)\]", xml))
    assert labels
    for lang in LANGS:
        missing = labels - set(load_catalog(lang).labels)
        assert not missing, f"{name} uses labels the {lang} catalogue lacks: {missing}"


def _template_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return "".join(
            package.read(n).decode("utf-8")
            for n in package.namelist()
            if re.match(r"word/(document|header\d*|footer\d*)\.xml$", n)
        )


@pytest.mark.parametrize("name", ["one-page.docx", "full.docx"])
def test_template_tags_sit_whole_in_single_runs(name):
    root = etree.fromstring(f"<x>{_strip_decl(_template_xml(TEMPLATES / name))}</x>".encode())
    texts = [t.text or "" for t in root.iter(qn("w:t"))]
    assert any("{{" in t for t in texts)
    for text in texts:
        assert text.count("{{") == text.count("}}"), text
        assert text.count("{%") == text.count("%}"), text


def _strip_decl(xml: str) -> str:
    return re.sub(r"<\?xml[^>]*\?>", "", xml)


@pytest.mark.parametrize("name", ["one-page.docx", "full.docx"])
def test_template_body_has_no_direct_formatting(name):
    """Paragraphs and runs only name styles, so a designer changes the look in one place."""
    doc = Document(TEMPLATES / name)
    allowed_ppr = {qn("w:pStyle"), qn("w:pageBreakBefore")}
    for root in story_roots(doc):
        for p in root.iter(qn("w:p")):
            ppr = p.find(qn("w:pPr"))
            assert ppr is not None, para_text(p)
            assert ppr.find(qn("w:pStyle")) is not None, para_text(p)
            assert {c.tag for c in ppr} <= allowed_ppr, (para_text(p), [c.tag for c in ppr])
        for r in root.iter(qn("w:r")):
            rpr = r.find(qn("w:rPr"))
            assert {c.tag for c in (rpr if rpr is not None else ())} <= {qn("w:rStyle")}, etree.tostring(r)
        for tc in root.iter(qn("w:tc")):
            assert {c.tag for c in tc.find(qn("w:tcPr"))} <= {qn("w:tcW")}


# --- Structure ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASE_IDS)
def test_named_styles_and_tables(built, case):
    view, data, _ = built[case]
    doc = open_docx(data)
    assert [para_text(p) for p in paragraphs_of(doc, "Title")] == [view.title]
    assert paragraphs_of(doc, "heading 1")
    if view.key_points:
        assert [para_text(p) for p in paragraphs_of(doc, "List Bullet")][: len(view.key_points)] == view.key_points
    if view.kind == "full":
        assert [para_text(p) for p in paragraphs_of(doc, "heading 2")] == [p.title for p in view.pillars]
    pillar_tables = tables_of(doc, "Brief Table")
    assert len(pillar_tables) == (1 if view.kind == "one-page" else len(view.pillars))
    for table in pillar_tables:
        rows = table._tbl.findall(qn("w:tr"))
        assert rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None, "header row not repeated"
        for row in rows:
            assert row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None, "a row may split across pages"
        for row in rows[1:]:
            assert row.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None


@pytest.mark.parametrize("case", CASE_IDS)
def test_quotes_match_the_view(built, case):
    view, data, _ = built[case]
    doc = open_docx(data)
    quotes = view.quotes if view.kind == "full" else view.featured_quotes
    shown = [para_text(p) for p in paragraphs_of(doc, "Quote")]
    assert shown == [q.text if view.kind == "full" else q.excerpt for q in quotes]
    attributions = [para_text(p) for p in paragraphs_of(doc, "Quote Attribution")]
    assert len(attributions) == len(quotes)
    for quote, line in zip(quotes, attributions, strict=True):
        assert line.startswith(f"{quote.speaker}, {quote.role}")
        if view.kind == "full":
            assert quote.source_line in line.split("\n")
            if quote.occasion_line:
                assert quote.occasion_line in line.split("\n")
        if quote.translation:
            assert quote.translation in line
    opening, closing = view.quote_marks
    assert all(text.startswith(opening) and text.endswith(closing) for text in shown)


@pytest.mark.parametrize("case", CASE_IDS)
def test_table_cells_match_the_view_in_order(built, case):
    view, data, _ = built[case]
    doc = open_docx(data)
    tables = tables_of(doc, "Brief Table")
    if view.kind == "full":
        for pillar, table in zip(view.pillars, tables, strict=True):
            cells = [[cell_text(c) for c in row.cells] for row in table.rows]
            assert cells[0] == [view.labels[k] for k in ("table.area", "table.commitment", "table.means")]
            assert cells[1:] == [
                [row.area, row.commitment, row.means or view.labels["table.means-none"]] for row in pillar.commitments
            ]
    else:
        (table,) = tables
        cells = [[cell_text(c) for c in row.cells] for row in table.rows]
        assert cells[0] == [view.labels["table.pillar"], view.labels["table.main-commitments"]]
        expected = []
        for pillar in view.pillars:
            lines = [f"{row.area} ({row.means_aside})" if row.means else row.area for row in pillar.main]
            if pillar.more:
                lines.append(pillar.more_label)
            expected.append([pillar.title, "\n".join(lines)])
        assert cells[1:] == expected


def _view_texts(view: BriefView) -> list[str]:
    """Every text of the view that the brief of its kind shows, as in the PDF twin."""
    texts = [view.title, view.short_title, view.organisation, view.kind_label, view.status]
    texts += [view.issued, view.distribution, *view.summary, *view.key_points]
    texts += [t for t in (view.signed_date, view.signed_place) if t]
    texts += [p.name for p in view.parties]
    for quote in view.featured_quotes if view.kind == "one-page" else view.quotes:
        texts += [quote.excerpt if view.kind == "one-page" else quote.text, quote.speaker, quote.role]
        texts += [t for t in (quote.translation,) if t]
        if view.kind == "full":
            texts += [quote.source_line, *([quote.occasion_line] if quote.occasion_line else [])]
    for pillar in view.pillars:
        texts.append(pillar.title)
        rows = pillar.main if view.kind == "one-page" else pillar.commitments
        means = [(row.means_aside if view.kind == "one-page" else row.means) for row in rows if row.means]
        texts += [row.area for row in rows] + [text for text in means if text]
        if view.kind == "full":
            texts += pillar.summary + [row.commitment for row in rows]
    for source in view.sources:
        texts += [t for t in (source.publisher or source.title, source.date) if t]
        if view.kind == "full":
            texts += [t for t in (source.title, source.url) if t]
    if view.kind == "full":
        texts += [view.type, *view.context, *view.outlook]
        texts += [p.signatory for p in view.parties if p.signatory]
        texts += [p.signatory_role for p in view.parties if p.signatory_role]
        for item in view.related:
            texts += [t for t in (item.title, item.date, item.note) if t]
    return texts


@pytest.mark.parametrize("case", CASE_IDS)
def test_every_text_of_the_view_appears(built, case):
    view, data, _ = built[case]
    content = all_text(open_docx(data))
    missing = [text for text in _view_texts(view) if text not in content]
    assert not missing


@pytest.mark.parametrize("case", CASE_IDS)
def test_language_on_defaults_styles_and_runs(built, case):
    view, data, _ = built[case]
    doc = open_docx(data)
    lang = f"{qn('w:rPr')}/{qn('w:lang')}"
    defaults = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{lang}")
    assert defaults.get(qn("w:val")) == view.lang
    for style in doc.styles.element.iter(qn("w:style")):
        if style.get(qn("w:type")) != "numbering":
            assert style.find(lang).get(qn("w:val")) == view.lang, style.get(qn("w:styleId"))
    runs = [r for root in story_roots(doc) for r in root.iter(qn("w:r"))]
    assert runs
    assert {r.find(lang).get(qn("w:val")) for r in runs} == {view.lang}
    assert doc.settings.element.find(qn("w:themeFontLang")).get(qn("w:val")) == view.lang


@pytest.mark.parametrize("case", CASE_IDS)
def test_header_short_title_and_footer_page_x_of_y(built, case):
    view, data, _ = built[case]
    doc = open_docx(data)
    section = doc.sections[0]
    header = [para_text(p) for p in section.header._element.iter(qn("w:p"))]
    assert header == [view.short_title + view.distribution]  # as the PDF's running head
    footer = section.footer._element
    fields = [f.get(qn("w:instr")).split()[0] for f in footer.iter(qn("w:fldSimple"))]
    assert fields == ["PAGE", "NUMPAGES"]
    # the label's words, in order, around the two fields
    label = view.labels["footer.page"]
    texts = [para_text(p) for p in footer.iter(qn("w:p"))]
    assert any(re.sub(r"\{\w+\}", "1", label) in t for t in texts), texts
    assert view.issued in texts[0]


def test_page_label_keeps_the_order_of_its_placeholders():
    xml = str(page_x_of_y("{pages} pages, this is {page} & <more>"))
    assert xml.index("NUMPAGES") < xml.index(" PAGE ")
    assert "&amp; &lt;more&gt;" in xml
    with pytest.raises(RenderError, match="unknown placeholder"):
        page_x_of_y("Page {page} of {total}")


def _field_instructions(paragraph) -> list[str]:
    return ["".join(t.text or "" for t in paragraph.iter(qn("w:instrText"))).strip()]


@pytest.mark.parametrize("case", [c for c in CASE_IDS if "-full-" in c])
def test_full_brief_contents_link_each_heading_with_a_page_field(built, case):
    view, data, _ = built[case]
    doc = open_docx(data)
    entries = paragraphs_of(doc, "toc 1") + paragraphs_of(doc, "toc 2")
    headings = paragraphs_of(doc, "heading 1") + paragraphs_of(doc, "heading 2")
    bookmarks = {b.get(qn("w:name")): p for p in headings for b in p.iter(qn("w:bookmarkStart"))}
    assert len(entries) == len(headings) == len(bookmarks)
    assert view.labels["section.summary"] in [next(p.iter(qn("w:t"))).text for p in entries]
    for entry in entries:
        (link,) = entry.iter(qn("w:hyperlink"))
        anchor = link.get(qn("w:anchor"))
        assert anchor in bookmarks
        (instruction,) = _field_instructions(entry)
        assert instruction == f"PAGEREF {anchor} \\h"
        texts = [t.text for t in entry.iter(qn("w:t"))]
        assert texts[0] == para_text(bookmarks[anchor])
        assert texts[-1].isdigit()  # the page number, as the builder estimates it
        assert entry.find(f".//{qn('w:tab')}") is not None  # to the style's dotted leader
    # the contents are plain paragraphs now: no TOC field that LibreOffice would show unnumbered
    instructions = "".join(t.text for t in doc.element.body.iter(qn("w:instrText")))
    assert "TOC" not in instructions


@pytest.mark.parametrize("case", CASE_IDS)
def test_word_is_not_asked_to_update_fields(built, case):
    _, data, _ = built[case]
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        settings = package.read("word/settings.xml").decode()
        parts = [package.read(n).decode() for n in package.namelist() if n.endswith(".xml")]
    assert "updateFields" not in settings
    assert not [part for part in parts if "w:dirty" in part]


@pytest.mark.parametrize("case", [c for c in CASE_IDS if "-one-page-" in c])
def test_one_page_brief_has_no_contents(built, case):
    _, data, _ = built[case]
    doc = open_docx(data)
    assert doc.settings.element.find(qn("w:updateFields")) is None
    assert not list(doc.element.body.iter(qn("w:instrText")))


@pytest.mark.parametrize("case", CASE_IDS)
def test_core_properties_from_the_data(built, case):
    view, data, _ = built[case]
    props = open_docx(data).core_properties
    assert props.title == view.info.title
    assert props.subject == view.info.subject
    assert props.author == view.info.author
    assert props.language == view.lang
    assert props.keywords == ", ".join(view.info.keywords)
    stamp = datetime.fromisoformat(view.info.created).replace(tzinfo=UTC)
    assert (props.created, props.modified) == (stamp, stamp)
    assert props.last_modified_by == "briefs"
    assert props.revision == 1


@pytest.mark.parametrize("case", CASE_IDS)
def test_only_the_brief_fonts(built, case):
    _, data, _ = built[case]
    assert font_families(open_docx(data)) == set(FONTS)


# --- Escaping ----------------------------------------------------------------------------------------------

HOSTILE = {
    "markup": "<b>bold</b> & <w:t>x</w:t> ]]> <!-- c -->",
    "jinja": "{{ title }} {% if x %}y{% endif %} {_{ z }_} {%p endfor %} {# n #}",
    "entities": "&amp; &lt; &#123; 'single' \\ back",
}


def _hostile_agreement(write):
    text = MINIMAL
    text = text.replace("en: Summary.}", f'en: "{HOSTILE["markup"]}"}}')
    text = text.replace("en: Test Agreement}", f'en: "{HOSTILE["jinja"]}"}}')
    text = text.replace("en: Lower tariffs.}", f'en: "{HOSTILE["entities"]}"}}')
    text = text.replace("en: Good day.}", f'en: "{HOSTILE["jinja"]} {HOSTILE["markup"]}"}}')
    text = text.replace("en: Customs}", 'en: "A & B <c> {{ d }}"}')
    text = text.replace(
        "    date: 2026-02-11\n", '    date: 2026-02-11\n    url: "https://example.org/a?b=1&c=<2>&d={{e}}"\n'
    )
    return write(text)


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_text_comes_out_literally_and_the_xml_stays_valid(write, kind):
    view = localize(load_agreement(_hostile_agreement(write), Config()), load_catalog("en"), kind)
    data = render(view)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(package.read(name))  # strict parser: raises on invalid XML
    content = all_text(open_docx(data))
    for text in _view_texts(view):
        assert text in content, text
    # the view's texts went through typography (non-breaking spaces), not through any escaping
    assert view.title.startswith("{{ title }} {% if x %}y{% endif %} {_{ z }_}")
    assert view.title in content
    assert view.summary == [HOSTILE["markup"]]
    assert HOSTILE["markup"] in content
    if kind == "full":
        commitment = view.pillars[0].commitments[0].commitment
        assert commitment.startswith("&amp; &lt; &#123; 'single'")
        assert commitment in content
        rels = zipfile.ZipFile(io.BytesIO(data)).read("word/_rels/document.xml.rels").decode()
        assert "https://example.org/a?b=1&amp;c=&lt;2&gt;&amp;d={{e}}" in rels


def test_a_template_printing_an_undefined_name_fails(tmp_path):
    folder = _override_template(tmp_path, "one-page.docx", lambda xml: xml.replace("{{ title }}", "{{ titel }}"))
    view = view_of(AGREEMENTS[0], "en", "one-page")
    with pytest.raises(RenderError, match="titel"):
        render(view, templates=(folder,))


# --- Overrides, designers, fonts ------------------------------------------------------------------------


def _override_template(tmp_path: Path, name: str, edit_document=None, edit_styles=None) -> Path:
    """A copy of our template ``name`` in tmp_path/mine/docx/, with its XML edited."""
    folder = tmp_path / "mine"
    (folder / "docx").mkdir(parents=True, exist_ok=True)
    source = zipfile.ZipFile(TEMPLATES / name)
    with zipfile.ZipFile(folder / "docx" / name, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml" and edit_document:
                data = edit_document(data.decode()).encode()
            if item.filename == "word/styles.xml" and edit_styles:
                data = edit_styles(data.decode()).encode()
            target.writestr(item, data)
    return folder


def _recolour_title(xml: str, colour: str) -> str:
    start = xml.index('w:styleId="Title"')
    end = xml.index("</w:style>", start)
    style = re.sub(r'<w:color w:val="\w+"/>', f'<w:color w:val="{colour}"/>', xml[start:end])
    return xml[:start] + style + xml[end:]


def _title_colour(doc) -> str:
    style = next(s for s in doc.styles.element.iter(qn("w:style")) if s.get(qn("w:styleId")) == "Title")
    return style.find(f"{qn('w:rPr')}/{qn('w:color')}").get(qn("w:val"))


def test_templates_option_overrides_one_docx_template(tmp_path):
    folder = _override_template(
        tmp_path,
        "one-page.docx",
        edit_document=lambda xml: xml.replace("{{ title }}", "OUR OWN {{ title }}"),
        edit_styles=lambda xml: _recolour_title(xml, "7A1F5C"),
    )
    one_page = open_docx(render(view_of(AGREEMENTS[0], "en", "one-page"), templates=(folder,)))
    assert "OUR OWN " in all_text(one_page)
    assert _title_colour(one_page) == "7A1F5C"
    full = open_docx(render(view_of(AGREEMENTS[0], "en", "full"), templates=(folder,)))
    assert "OUR OWN " not in all_text(full)
    assert _title_colour(full) == "0D3557"  # --navy of styles/tokens.css


def test_a_template_in_another_font_fails(tmp_path):
    folder = _override_template(tmp_path, "full.docx", edit_styles=lambda xml: xml.replace('"Manrope"', '"Arial"'))
    with pytest.raises(RenderError, match="text was set in Arial, not in Vollkorn, Manrope"):
        render(view_of(AGREEMENTS[0], "en", "full"), templates=(folder,))


@needs_soffice
def test_a_template_saved_by_libreoffice_still_builds_with_its_new_title_colour(tmp_path):
    """A designer's round trip: change the Title style, save in LibreOffice, rebuild."""
    edited = _override_template(tmp_path, "full.docx", edit_styles=lambda xml: _recolour_title(xml, "7A1F5C"))
    saved = tmp_path / "saved"
    (saved / "docx").mkdir(parents=True)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx:MS Word 2007 XML",
         "--outdir", str(saved / "docx"), str(edited / "docx" / "full.docx")],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    view = view_of(AGREEMENTS[0], "bg", "full")
    doc = open_docx(render(view, templates=(saved,)))
    assert _title_colour(doc).upper() == "7A1F5C"
    content = all_text(doc)
    assert not [text for text in _view_texts(view) if text not in content]


# --- Bytes -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASE_IDS)
def test_the_same_view_gives_the_same_bytes(built, case):
    view, data, _ = built[case]
    assert render(view) == data
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        infos = package.infolist()
        assert infos[0].filename == "[Content_Types].xml"
        assert {i.date_time[:3] for i in infos} == {tuple(int(x) for x in view.info.created.split("-"))}


def test_builds_through_the_build_command(tmp_path):
    assert "docx" in FORMATS

    report = build([AGREEMENTS[0]], output=tmp_path, formats=["docx"])
    assert report.ok, report.failed
    for kind in KINDS:
        for lang in LANGS:
            path = Target(kind, lang, "docx").path(tmp_path, AGREEMENTS[0].stem)
            assert path.name == f"{AGREEMENTS[0].stem}-{kind}-{lang}.docx"
            assert zipfile.is_zipfile(path)


# --- Layout in LibreOffice -------------------------------------------------------------------------------


@needs_soffice
@pytest.mark.parametrize("case", [c for c in CASE_IDS if "-one-page-" in c])
def test_one_page_brief_is_one_page_with_room_to_spare(built, converted, case):
    _, data, _ = built[case]
    pdf = converted[case]
    assert len(PdfReader(str(pdf)).pages) == 1
    fill = body_fill(pdf, *margins_mm(open_docx(data)))
    assert fill <= MAX_FILL, f"{case} fills {fill:.0%} of the page in LibreOffice; keep it under {MAX_FILL:.0%}"


@needs_soffice
@pytest.mark.parametrize("case", [c for c in CASE_IDS if "-full-" in c])
def test_full_brief_converts(built, converted, case):
    view, _, _ = built[case]
    reader = PdfReader(str(converted[case]))
    assert len(reader.pages) >= 2
    last = reader.pages[-1].extract_text()
    pages = len(reader.pages)
    expected = view.labels["footer.page"].format(page=pages, pages=pages)
    assert re.sub(r"\s+", " ", expected) in re.sub(r"\s+", " ", last)


@needs_soffice
@pytest.mark.parametrize("case", [c for c in CASE_IDS if "-one-page-" in c])
def test_fit_estimate_is_close_to_libreoffice_and_errs_on_the_safe_side(built, converted, case):
    _, data, _ = built[case]
    doc = open_docx(data)
    blocks, available = estimate_blocks(doc)
    estimate = sum(b.height for b in blocks) / available
    measured = body_fill(converted[case], *margins_mm(doc))
    assert measured - 0.01 <= estimate <= measured + 0.05, (estimate, measured)


def _long(write, sentences: int):
    """MINIMAL with five key points of ``sentences`` sentences each."""
    filler = " ".join(["Допълнителен текст за проверка на оформлението на страницата."] * sentences)
    filler_en = " ".join(["Additional text written to check the layout of the page."] * sentences)
    points = "\n".join(f'  - {{bg: "{filler}", en: "{filler_en}"}}' for _ in range(5))
    return write(MINIMAL.replace("pillars:\n", f"key_points:\n{points}\npillars:\n"))


def test_one_page_overflow_fails_naming_the_largest_blocks(write):
    view = localize(load_agreement(_long(write, 30), Config()), load_catalog("en"), "one-page")
    with pytest.raises(RenderError) as caught:
        render(view)
    message = str(caught.value)
    assert "does not fit on one page as DOCX, even with body text at 8.5 pt" in message
    assert re.search(r"runs over by about \d+ mm", message)
    assert re.search(r"Shorten the largest blocks: key points \(\d+ mm\), ", message)
    assert re.search(r"by about \d+ words in all", message)
    assert "No one-page DOCX was written" in message


def _style_sizes(doc) -> dict[tuple[str, str], int]:
    """The font sizes (half points) of the styles and the document defaults."""
    found = {}
    for style in doc.styles.element.iter(qn("w:style"), qn("w:docDefaults")):
        for node in style.iter(qn("w:sz")):
            found[(style.get(qn("w:styleId")) or "defaults", "sz")] = int(node.get(qn("w:val")))
    return found


def test_a_fitted_one_page_is_saved_with_every_size_scaled(write):
    """Fitting scales every style's size by the body size over 10 pt, as the PDF's rem-based sizes;
    the running header and footer keep theirs (7 pt in the PDF, fitted or not)."""
    view = localize(load_agreement(_long(write, 16), Config()), load_catalog("en"), "one-page")
    rendered = DocxBuilder(RenderOptions(fonts=FONTS)).render(view)
    (note,) = rendered.notes
    found = re.fullmatch(
        r"test-agreement: one-page brief \(en\): fitted on one page with body text at ([\d.]+) pt \(from 10 pt\)", note
    )
    assert found, note
    factor = float(found.group(1)) / 10
    assert factor < 1
    template = _style_sizes(Document(TEMPLATES / "one-page.docx"))
    saved = _style_sizes(open_docx(rendered.data))
    running = {("Header", "sz"), ("Footer", "sz")}
    assert {k: v for k, v in saved.items() if k not in running} == {
        k: round(v * factor) for k, v in template.items() if k not in running
    }
    assert {k: saved[k] for k in running if k in saved} == {k: template[k] for k in running if k in template}
    assert saved[("Normal", "sz")] == round(2 * float(found.group(1)))  # the body text, in half points


# --- Contents, hyphenation, sources ------------------------------------------------------------------------

FULL_CASES = [c for c in CASE_IDS if "-full-" in c]
HEADING_STYLES = ("title", "heading 1", "heading 2", "toc heading", "kicker", "dateline", "toc 1", "toc 2")
"""Styles whose text the PDF never hyphenates (hyphens: manual): titles, headings, the contents."""
UNHYPHENATED_STYLES = (*HEADING_STYLES, "list number")
"""And the sources, whose addresses must not gain a hyphen."""


def pdf_lines(pdf: Path) -> list[tuple[int, float, float, str, str]]:
    """(page, baseline, size, font, text) of each run of text LibreOffice wrote, in the order it wrote them."""
    found: list[tuple[int, float, float, str, str]] = []
    for number, page in enumerate(PdfReader(str(pdf)).pages, start=1):

        def visit(text, cm, tm, font, size, number=number):
            if text:
                name = str((font or {}).get("/BaseFont", ""))
                found.append((number, round(tm[5] * (cm[3] or 1) + cm[5], 1), size * (tm[3] or 1), name, text))

        page.extract_text(visitor_text=visit)
    return found


def heading_lines(pdf: Path) -> list[tuple[int, str]]:
    """(page, text) of each line set in the headings' face (Manrope Bold, 10 pt or more), runs joined."""
    lines: list[tuple[int, float, str]] = []
    for page, baseline, size, font, text in pdf_lines(pdf):
        if lines and lines[-1][:2] == (page, baseline) and not text.strip():  # a space of its own, e.g. no-break
            lines[-1] = (page, baseline, lines[-1][2] + " ")
        elif font.endswith("Manrope-Bold") and size >= 10:
            if lines and lines[-1][:2] == (page, baseline):
                lines[-1] = (page, baseline, lines[-1][2] + text)
            else:
                lines.append((page, baseline, text))
    return [(page, " ".join(text.split())) for page, _, text in lines]


def headings_in_order(doc) -> list:
    names = style_names(doc)
    found = []
    for p in doc.element.body.iter(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is not None and names.get(style.get(qn("w:val")), "").lower() in ("heading 1", "heading 2"):
            found.append(p)
    return found


def laid_out(lines: list[tuple[int, str]], texts: list[str]) -> list[tuple[int, str]]:
    """Where each of ``texts``, in order, was laid out: its first line's page, and its lines joined by spaces."""
    result, index = [], 0
    for text in texts:
        target = squash(text)
        while index < len(lines) and not (squash(lines[index][1]) and target.startswith(squash(lines[index][1]))):
            index += 1
        assert index < len(lines), f"{text!r} was not found among the headings LibreOffice laid out"
        page, joined = lines[index][0], []
        while index < len(lines) and len(squash(" ".join(joined))) < len(target):
            joined.append(lines[index][1])
            index += 1
        result.append((page, " ".join(joined)))
    return result


def contents_numbers(pdf: Path) -> dict[str, str]:
    """Entry text -> the page number LibreOffice printed after its dotted leader."""
    numbers = {}
    text = "\n".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    for line in text.splitlines():
        found = re.fullmatch(r"(.+?)\.{5,}\s*(\d+)\s*", line)
        if found:
            numbers[" ".join(found.group(1).split())] = found.group(2)
    return numbers


@needs_soffice
@pytest.mark.parametrize("case", FULL_CASES)
def test_contents_page_numbers_match_libreoffices_layout(built, converted, case):
    """Each entry's number, as LibreOffice prints it and as the builder saved it for Word, is the page
    LibreOffice lays its heading out on."""
    _, data, _ = built[case]
    doc = open_docx(data)
    headings = [para_text(p) for p in headings_in_order(doc)]
    pages = [page for page, _ in laid_out(heading_lines(converted[case]), headings)]
    entries = paragraphs_of(doc, "toc 1") + paragraphs_of(doc, "toc 2")
    entries.sort(key=lambda p: list(doc.element.body).index(p))
    saved = {next(p.iter(qn("w:t"))).text: [t.text for t in p.iter(qn("w:t"))][-1] for p in entries}
    printed = contents_numbers(converted[case])
    assert max(pages) > 1
    assert [(text, printed.get(" ".join(text.split())), saved[text]) for text in headings] == [
        (text, str(page), str(page)) for text, page in zip(headings, pages, strict=True)
    ]


@needs_soffice
@pytest.mark.parametrize("case", FULL_CASES)
def test_contents_and_summary_share_the_first_page(built, converted, case):
    """As in the PDF: the contents, then the summary on page 1; no page break after the contents."""
    view, data, _ = built[case]
    doc = open_docx(data)
    assert not [p for p in doc.element.body.iter(qn("w:pageBreakBefore"))]
    lines = heading_lines(converted[case])
    (contents,) = [page for page, text in lines if text == view.labels["section.contents"]]
    (summary,) = laid_out(lines, [view.labels["section.summary"]])
    assert (contents, summary[0]) == (1, 1)


def _chain(doc, ident):
    styles = {s.get(qn("w:styleId")): s for s in doc.styles.element.iter(qn("w:style"))}
    while ident in styles:
        yield styles[ident]
        based = styles[ident].find(qn("w:basedOn"))
        ident = based.get(qn("w:val")) if based is not None else None


def _hyphenates(doc, style_name: str) -> bool:
    """Whether Word and LibreOffice may hyphenate a paragraph of the style (the nearest setting wins)."""
    ident = next(i for i, n in style_names(doc).items() if n.lower() == style_name)
    for style in _chain(doc, ident):
        node = style.find(f"{qn('w:pPr')}/{qn('w:suppressAutoHyphens')}")
        if node is not None:
            return node.get(qn("w:val"), "true") in ("0", "false", "off")
    return True


@pytest.mark.parametrize("case", CASE_IDS)
def test_titles_and_headings_are_never_hyphenated_running_text_is(built, case):
    _, data, _ = built[case]
    doc = open_docx(data)
    assert doc.settings.element.find(qn("w:autoHyphenation")) is not None
    names = style_names(doc)
    used = {names[node.get(qn("w:val"))].lower() for node in doc.element.body.iter(qn("w:pStyle"))}
    assert {"title", "heading 1"} <= used
    assert {name: _hyphenates(doc, name) for name in UNHYPHENATED_STYLES if name in used} == {
        name: False for name in UNHYPHENATED_STYLES if name in used
    }
    assert _hyphenates(doc, "normal")


@needs_soffice
@pytest.mark.parametrize("case", CASE_IDS)
def test_libreoffice_breaks_titles_and_headings_only_between_words(built, converted, case):
    view, data, _ = built[case]
    doc = open_docx(data)
    texts = [view.title]
    if view.kind == "full":  # the one-page brief's headings are small capitals, below 10 pt
        texts += [para_text(p) for p in headings_in_order(doc)]
    shown = [text for _, text in laid_out(heading_lines(converted[case]), texts)]
    assert shown == [" ".join(text.split()) for text in texts]


@needs_soffice
@pytest.mark.parametrize("case", FULL_CASES)
def test_libreoffice_shows_source_addresses_as_they_are(built, converted, case):
    """Broken across lines where they must be, but never with a hyphen LibreOffice added."""
    view, _, _ = built[case]
    text = re.sub(r"\s", "", "".join(page.extract_text() for page in PdfReader(str(converted[case])).pages))
    urls = [source.url for source in view.sources if source.url]
    assert urls
    assert [url for url in urls if url not in text] == []


def _source_line(source) -> str:
    """A source as the PDF lists it: no full stop added at the end, none doubled after the publisher."""
    text = ""
    if source.publisher:
        text = source.publisher + ("" if source.publisher.endswith(".") else ".") + " "
    text += source.title + (f", {source.date}" if source.date else "")
    return text + (f"\n{source.url}" if source.url else "")


@pytest.mark.parametrize("case", FULL_CASES)
def test_sources_are_listed_as_in_the_pdf(built, case):
    view, data, _ = built[case]
    doc = open_docx(data)
    assert [para_text(p) for p in paragraphs_of(doc, "List Number")] == [_source_line(s) for s in view.sources]


@pytest.mark.parametrize("case", CASE_IDS)
def test_no_doubled_full_stop(built, case):
    _, data, _ = built[case]
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = {n: package.read(n).decode() for n in package.namelist() if n.endswith(".xml")}
    assert not [name for name, part in xml.items() if "г.." in part]
    assert ".." not in all_text(open_docx(data))


def test_no_doubled_full_stop_after_a_publisher_or_title_that_ends_with_one(write):
    text = MINIMAL.replace(
        "  - id: report\n", "  - id: report\n    publisher: {bg: Издател ООД., en: Example Ltd.}\n"
    ).replace(
        "brief:\n",
        'related:\n  - title: {bg: Друг договор от 2025 г., en: "Another agreement, 2025 rev."}\n'
        "    note: {bg: Предшественик., en: Its predecessor.}\nbrief:\n",
    )
    view = localize(load_agreement(write(text), Config()), load_catalog("en"), "full")
    (source,), (related,) = view.sources, view.related
    assert (source.publisher, related.title) == ("Example Ltd.", "Another agreement, 2025 rev.")
    lines = all_text(open_docx(render(view))).split("\n")
    assert ".." not in "\n".join(lines)
    assert f"{source.publisher} {source.title}, {source.date}" in lines
    assert f"{related.title} {related.note}" in lines
