"""PDF/A-2a and PDF/UA-1 by default: what the PDF declares and what its structure holds, read back with pikepdf."""

from __future__ import annotations

import io
import itertools
from collections import Counter
from pathlib import Path

import pikepdf
import pytest

from briefs.config import Config
from briefs.data.files import load_agreement
from briefs.localize import localize
from briefs.localize.catalog import load_catalog
from briefs.render.base import RenderOptions

from .conftest import MINIMAL, SAMPLES
from .pdfread import structure_elements

CHARTER = SAMPLES / "us-az-charter-2026.yaml"


def _render(path, lang="bg", kind="full", **options) -> pikepdf.Pdf:
    from briefs.render.pdf import PdfBuilder

    config = Config()
    builder = PdfBuilder(RenderOptions(fonts=config.fonts, fallback_fonts=config.fallback_fonts, **options))
    rendered = builder.render(localize(load_agreement(path, config), load_catalog(lang), kind))
    return pikepdf.open(io.BytesIO(rendered.data))


@pytest.fixture(scope="module")
def charter() -> pikepdf.Pdf:
    return _render(CHARTER)


def test_the_default_declares_pdf_a_2a_and_pdf_ua_1_with_the_language(charter):
    meta = charter.open_metadata()
    assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance"), meta.get("pdfuaid:part")) == ("2", "A", "1")
    assert meta.get("dc:language") == {"bg-BG"}
    assert meta.get("dc:title").startswith("Харта за стратегическо партньорство")
    assert str(charter.Root.Lang) == "bg-BG"
    assert bool(charter.Root.ViewerPreferences.DisplayDocTitle) is True
    assert bool(charter.Root.MarkInfo.Marked) is True
    assert "/OutputIntents" in charter.Root


def test_table_header_cells_have_a_scope(charter):
    scopes = Counter(str(element.A.Scope) for element in structure_elements(charter) if element.S == "/TH")
    # the metadata table's row headers, the pillar tables' column headers (repeated on each page)
    assert set(scopes) == {"/Row", "/Column"}
    assert scopes["/Column"] >= 2 * 3


def test_headings_come_in_order_without_skipping_a_level(charter):
    levels = [
        int(str(element.S)[2:])
        for element in structure_elements(charter)
        if str(element.S) in {f"/H{n}" for n in range(1, 7)}
    ]
    assert levels[0] == 1
    assert all(later <= earlier + 1 for earlier, later in itertools.pairwise(levels))


def test_running_heads_and_page_numbers_are_artifacts(charter):
    for page in charter.pages:
        open_tags: list[str] = []
        shown = Counter()
        for operands, operator in pikepdf.parse_content_stream(page):
            name = str(operator)
            if name in ("BDC", "BMC"):
                open_tags.append(str(operands[0]))
            elif name == "EMC":
                open_tags.pop()
            elif name in ("Tj", "TJ", "'", '"'):
                shown["artifact" if "/Artifact" in open_tags else "tagged" if open_tags else "untagged"] += 1
        assert shown["untagged"] == 0
        assert shown["artifact"] >= 2  # the running head and the page number at least
        assert shown["tagged"] > 0
    # and none of it is in the structure: the page number label is not read as text of the brief
    page_label = load_catalog("bg").get("footer.page", page="1", pages=str(len(charter.pages))).split()[0]
    assert page_label not in "".join(str(element.get("/ActualText", "")) for element in structure_elements(charter))


def test_an_inline_change_of_language_is_marked(write, tmp_path):
    folder = tmp_path / "mine" / "html" / "partials"
    folder.mkdir(parents=True)
    (folder / "footer.html").write_text(
        '<footer data-pin="foot"><p>Източник: <span lang="en">Joint press statement</span></p></footer>\n',
        encoding="utf-8",
    )
    pdf = _render(write(MINIMAL), kind="one-page", templates=(tmp_path / "mine",))
    languages = [str(element.Lang) for element in structure_elements(pdf) if "/Lang" in element]
    assert languages == ["en"]


@pytest.mark.parametrize(("variant", "declared"), [("none", None), ("pdf/a-3u", ("3", "U", None))])
def test_other_variants_declare_what_they_are(write, variant, declared):
    meta = _render(write(MINIMAL), kind="one-page", pdf_variant=variant).open_metadata()
    found = (meta.get("pdfaid:part"), meta.get("pdfaid:conformance"), meta.get("pdfuaid:part"))
    assert found == (declared or (None, None, None))


THREE_PARTIES = MINIMAL.replace(
    """  - code: EU
    kind: organisation
    name: {bg: Европейски съюз, en: European Union}
""",
    """  - code: EU
    kind: organisation
    name: {bg: Европейски съюз, en: European Union}
  - code: AZE
    name: {bg: Азербайджан, en: Azerbaijan}
""",
)
SPARSE = MINIMAL[: MINIMAL.index("quotes:")] + MINIMAL[MINIMAL.index("sources:") :]


@pytest.mark.parametrize("data", [THREE_PARTIES, SPARSE], ids=["three-parties-with-an-organisation", "sparse"])
def test_default_builds_of_other_agreements_pass_briefs_check_and_the_second_opinion(write, tmp_path, data):
    from briefs.check import check

    from .conftest import build

    assert "AZE" in THREE_PARTIES
    assert "quotes" not in SPARSE
    report = build([write(data)], output=tmp_path / "out")
    assert report.ok, (report.invalid, report.failed)
    reports = check([tmp_path / "out"])
    assert len(reports) == 8
    for found in reports:
        assert found.failed == (), (found.file, [(rule.id, rule.detail) for rule in found.failed])
    page = pytest.importorskip("page", reason="page-validation is not installed")
    for path in sorted((tmp_path / "out").rglob("*.pdf")):
        assert page.validate_pdf(str(path), profile="ua1").failures == [], path
        for failure in page.validate_pdf(str(path), profile="2a").failures:
            # its one disagreement: a compressed stream whose data happens to end in CR, before the LF that
            # ends the line; ISO 32000-1 7.3.8.1 leaves that LF out of /Length, page-validation takes CR LF
            assert failure.rule_id == "PDFA2A-STREAM-LENGTH-001", (path, failure)
            with pikepdf.open(path) as pdf:
                stream = pdf.get_object(failure.object_id.object_number, failure.object_id.generation)
                assert stream.read_raw_bytes().endswith(b"\r"), (path, failure)


def test_an_image_in_the_page_margins_is_an_artifact_too(write, tmp_path):
    from PIL import Image

    styles = tmp_path / "mine" / "styles"
    styles.mkdir(parents=True)
    Image.new("RGB", (8, 8), "navy").save(styles / "mark.png")
    builtin = (Path(__file__).resolve().parent.parent / "styles" / "one-page.css").read_text(encoding="utf-8")
    (styles / "one-page.css").write_text(builtin + '\n@page { @top-center { content: url("mark.png"); } }\n', "utf-8")
    pdf = _render(write(MINIMAL), kind="one-page", templates=(tmp_path / "mine",))
    drawn: list[list[str]] = []
    open_tags: list[str] = []
    for operands, operator in pikepdf.parse_content_stream(pdf.pages[0]):
        if str(operator) in ("BDC", "BMC"):
            open_tags.append(str(operands[0]))
        elif str(operator) == "EMC":
            open_tags.pop()
        elif str(operator) == "Do":
            drawn.append(list(open_tags))
    assert drawn
    assert all("/Artifact" in tags for tags in drawn)
    assert not [element for element in structure_elements(pdf) if element.S == "/Figure"]
