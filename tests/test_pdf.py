"""PDF briefs, rendered for real and read back."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest

from briefs.config import Config
from briefs.data.files import load_agreement
from briefs.errors import BriefsError
from briefs.localize import localize
from briefs.localize.catalog import load_catalog
from briefs.render.base import RenderOptions
from briefs.targets import Target

from .conftest import MINIMAL, SAMPLES, build
from .pdfread import fonts, reader, squash, text

CHARTER = SAMPLES / "us-az-charter-2026.yaml"
NUCLEAR = SAMPLES / "am-us-nuclear-2026.yaml"
QUOTE_MARKS = {"bg": ("„", "“"), "en": ("“", "”")}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("output")
    with _no_weasyprint_warnings() as records:
        report = build([CHARTER, NUCLEAR], output=out, formats=["pdf"])
    assert report.ok, (report.invalid, report.failed)
    assert records == []
    return out


class _no_weasyprint_warnings:
    def __enter__(self):
        self.records: list[logging.LogRecord] = []
        self.handler = logging.Handler(logging.WARNING)
        self.handler.emit = self.records.append
        logging.getLogger("weasyprint").addHandler(self.handler)
        return self.records

    def __exit__(self, *exc):
        logging.getLogger("weasyprint").removeHandler(self.handler)


def pdf(out: Path, ident: str, kind: str, lang: str) -> Path:
    return Target(kind, lang, "pdf").path(out, ident)


@pytest.mark.parametrize("ident", ["us-az-charter-2026", "am-us-nuclear-2026"])
@pytest.mark.parametrize("lang", ["bg", "en"])
def test_one_page_brief_is_one_page(built, ident, lang):
    assert len(reader(pdf(built, ident, "one-page", lang)).pages) == 1


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_full_brief_has_title_quotes_tables_in_its_language(built, lang):
    agreement = load_agreement(CHARTER, Config())
    content = squash(text(pdf(built, agreement.id, "full", lang)))
    assert squash(agreement.title[lang]) in content
    opening, closing = QUOTE_MARKS[lang]
    for quote in agreement.quotes:
        first_words = " ".join(quote.text[lang].split()[:6])
        assert squash(opening + first_words) in content
        assert squash(quote.text[lang].split()[-1] + closing) in content
    for pillar in agreement.pillars:
        for row in pillar.commitments:
            assert squash(row.area[lang]) in content
            assert squash(row.commitment[lang]) in content
    other = "en" if lang == "bg" else "bg"
    assert squash(agreement.summary[other][:60]) not in content


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_one_page_brief_has_pull_quotes_and_translation_mark(built, lang):
    agreement = load_agreement(CHARTER, Config())
    content = squash(text(pdf(built, agreement.id, "one-page", lang)))
    catalog = load_catalog(lang)
    opening, _ = QUOTE_MARKS[lang]
    for quote in agreement.quotes:
        assert squash(opening + " ".join((quote.excerpt or quote.text)[lang].split()[:5])) in content
    # Vance spoke English: the Bulgarian is the outlet's translation, the English our back-translation from it
    if lang == "bg":
        mark = catalog.get("quote.source-translation-from", language=catalog.locale.languages["en"])
    else:
        mark = catalog.get("quote.back-translation", language=catalog.locale.languages["bg"])
    assert squash(mark).casefold() in content.casefold()
    for pillar in agreement.pillars:
        assert squash(pillar.title[lang]) in content


def test_bulgarian_dates(built):
    content = text(pdf(built, "us-az-charter-2026", "full", "bg"))
    assert "10 февруари 2026 г." in content.replace("\u00a0", " ")


@pytest.mark.parametrize("kind", ["one-page", "full"])
@pytest.mark.parametrize("lang", ["bg", "en"])
def test_fonts_are_embedded_subsets_and_nothing_else(built, kind, lang):
    found = fonts(pdf(built, "us-az-charter-2026", kind, lang))
    assert found
    for font in found:
        assert re.match(r"^/[A-Z]{6}\+(Vollkorn|Manrope)", font["name"]), font
        assert font["subtype"] != "/Type3", font
        assert font["embedded"], font


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_metadata_language_outline_and_tags(built, lang):
    doc = reader(pdf(built, "us-az-charter-2026", "full", lang))
    agreement = load_agreement(CHARTER, Config())
    root = doc.trailer["/Root"]
    assert root["/Lang"] == {"bg": "bg-BG", "en": "en-GB"}[lang]
    assert doc.metadata.title == " ".join(agreement.title[lang].split())
    assert doc.metadata.author == agreement.brief.organisation[lang]
    assert doc.metadata.subject
    assert load_catalog(lang).get("doc.keywords-base") in doc.metadata["/Keywords"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    titles = [item.title for item in doc.outline if not isinstance(item, list)]
    assert len(titles) >= 5
    assert load_catalog(lang).get("section.summary") in [t.strip() for t in _flatten(doc.outline)]


def _flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item.title


def test_full_brief_has_contents_with_page_numbers(built):
    first_pages = reader(pdf(built, "us-az-charter-2026", "full", "en")).pages[0].extract_text()
    labels = load_catalog("en")
    assert labels.get("section.contents") in first_pages
    assert re.search(re.escape(labels.get("section.summary")) + r"\s*\.*\s*\d", first_pages)


def test_footer_says_page_x_of_y(built):
    doc = reader(pdf(built, "us-az-charter-2026", "full", "bg"))
    pages = len(doc.pages)
    last = doc.pages[-1].extract_text()
    assert load_catalog("bg").get("footer.page", page=str(pages), pages=str(pages)) in last


def test_sparse_agreement_prints_no_empty_sections(built):
    for lang in ("en", "bg"):
        content = text(pdf(built, "am-us-nuclear-2026", "full", lang))
        for key in ("section.quotes", "section.outlook"):
            assert load_catalog(lang).get(key) not in content


def test_empty_means_shown_as_not_specified(built):
    content = text(pdf(built, "us-az-charter-2026", "full", "en"))
    assert load_catalog("en").get("table.means-none") in content


# Markup, Jinja-like text and entities in data come out as literal text.
HOSTILE = "<b>bold</b> & <script>alert(1)</script> {{ b.title }} &amp; </style>"


def _hostile(write):
    text_ = MINIMAL.replace("en: Summary.}", f"en: {HOSTILE!r}}}".replace("'", '"'))
    return write(text_)


def test_markup_in_data_is_literal_text(write, tmp_path):
    path = _hostile(write)
    report = build([path], output=tmp_path / "out", langs=["en"], formats=["pdf"])
    assert report.ok, report.failed
    for output in report.built:
        assert squash(HOSTILE) in squash(text(output.path))


def _render(agreement_path, lang="en", kind="full", **options):
    from briefs.render.pdf import PdfBuilder

    agreement = load_agreement(agreement_path, Config())
    builder = PdfBuilder(RenderOptions(fonts=Config().fonts, **options))
    return builder.render(localize(agreement, load_catalog(lang), kind))


def _override(tmp_path: Path, relative: str, content: str) -> Path:
    folder = tmp_path / "mine"
    target = folder / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")
    return folder


def test_one_partial_can_be_overridden(write, tmp_path):
    folder = _override(
        tmp_path, "html/partials/footer.html", '<footer data-block="footer"><p>OUR OWN FOOTER</p></footer>\n'
    )
    rendered = _render(write(MINIMAL), kind="one-page", templates=(folder,))
    out = tmp_path / "x.pdf"
    out.write_bytes(rendered.data)
    content = text(out)
    assert "OUR OWN FOOTER" in content
    assert "Test Agreement" in content.replace("\xa0", " ")


@pytest.mark.parametrize("url", ["file:///etc/hostname", "https://example.org/logo.png", "../../../../etc/hostname"])
def test_fetching_outside_the_template_folders_aborts(write, tmp_path, url):
    folder = _override(
        tmp_path, "html/partials/footer.html", f'<footer data-block="footer"><img src="{url}" alt=""></footer>\n'
    )
    with pytest.raises(BriefsError, match="refused to fetch"):
        _render(write(MINIMAL), kind="one-page", templates=(folder,))


def test_weasyprint_warnings_fail_the_build(write, tmp_path):
    folder = _override(tmp_path, "styles/one-page.css", "body { colour: red; }\n")
    with pytest.raises(BriefsError, match="WeasyPrint warned"):
        _render(write(MINIMAL), kind="one-page", templates=(folder,))


def test_a_font_not_installed_fails_clearly():
    from briefs.render.pdf import PdfBuilder

    builder = PdfBuilder(RenderOptions(fonts=("Vollkorn", "No Such Face")))
    view = localize(load_agreement(CHARTER, Config()), load_catalog("en"), "one-page")
    with pytest.raises(BriefsError, match="font No Such Face not installed; the briefs never fall back"):
        builder.render(view)


def test_text_set_in_another_font_fails(write, tmp_path):
    # DejaVu Sans is installed by the test set-up (system-packages-test.txt) to be the stray font
    folder = _override(tmp_path, "styles/one-page.css", 'h1 { font-family: "DejaVu Sans"; }\n')
    with pytest.raises(BriefsError, match="text was set in DejaVu Sans"):
        _render(write(MINIMAL), kind="one-page", templates=(folder,))


def _long(write, sentences: int, name: str = "long.yaml"):
    """MINIMAL with five key points of ``sentences`` sentences each (about 7 words a sentence)."""
    filler = " ".join(["Допълнителен текст за проверка на оформлението на страницата."] * sentences)
    filler_en = " ".join(["Additional text written to check the layout of the page."] * sentences)
    points = "\n".join(f'  - {{bg: "{filler}", en: "{filler_en}"}}' for _ in range(5))
    return write(MINIMAL.replace("pillars:\n", f"key_points:\n{points}\npillars:\n"), name=name)


def test_overflow_fails_naming_blocks_and_writes_nothing(write, tmp_path):
    path = _long(write, 50)
    out = tmp_path / "out"
    report = build([path], output=out, kinds=["one-page"], langs=["en"], formats=["pdf"])
    assert not report.built
    (failure,) = report.failed
    assert "does not fit on one page as PDF, even with body text at 8.5 pt" in failure
    assert "key points" in failure
    assert re.search(r"by about \d+ words", failure)
    assert not Target("one-page", "en", "pdf").path(out, "test-agreement").exists()


def test_small_overflow_is_fitted_and_reported(write):
    """The shortest text that does not fit at the base size, found by bisection, is fitted and says so."""

    def fits_at_base(sentences: int) -> bool:
        return not _render(_long(write, sentences), kind="one-page").notes

    short, long = 8, 22  # 8 sentences a key point fit at 10 pt; 22 do not fit at all
    assert fits_at_base(short)
    while long - short > 1:
        middle = (short + long) // 2
        try:
            short, long = (middle, long) if fits_at_base(middle) else (short, middle)
        except BriefsError:  # overflows even when fitted: longer than the first to need fitting
            long = middle
    rendered = _render(_long(write, long), kind="one-page")
    assert rendered.pages == 1
    (note,) = rendered.notes
    assert re.fullmatch(
        r"test-agreement: one-page brief \(en\): fitted on one page with body text at (9\.5|9|8\.5) pt \(from 10 pt\)",
        note,
    ), note


def test_failed_build_keeps_the_previous_file(write, tmp_path):
    out = tmp_path / "out"
    good = write(MINIMAL)
    assert build([good], output=out, kinds=["one-page"], langs=["en"], formats=["pdf"]).ok
    target = Target("one-page", "en", "pdf").path(out, "test-agreement")
    before = target.read_bytes()
    shutil.copy(_long(write, 50), good)
    report = build([good], output=out, kinds=["one-page"], langs=["en"], formats=["pdf"])
    assert report.failed
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["manifest.json", target.name]


def test_pdf_variant_is_passed_through(write, tmp_path):
    rendered = _render(write(MINIMAL), kind="one-page", pdf_variant="pdf/a-3u")
    out = tmp_path / "a.pdf"
    out.write_bytes(rendered.data)
    root = reader(out).trailer["/Root"]
    assert "/OutputIntents" in root
    assert b"pdfaid:part" in root["/Metadata"].get_object().get_data()


def _raster(lang: str, tmp_path: Path, family: str) -> bytes:
    import subprocess

    from weasyprint import HTML

    pdf_path = tmp_path / f"{lang}-{family}.pdf"
    body = f'<html lang="{lang}"><body style="font-family: {family}; font-size: 40pt">дл бж</body></html>'
    HTML(string=body).write_pdf(pdf_path)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", "-singlefile", str(pdf_path), str(pdf_path.with_suffix(""))], check=True
    )
    return pdf_path.with_suffix(".png").read_bytes()


@pytest.mark.parametrize("family", Config().fonts)
def test_bulgarian_briefs_get_bulgarian_letterforms(tmp_path, family):
    """The brief's language tag reaches HarfBuzz, so the fonts' Bulgarian (locl) forms are used."""
    bulgarian = _raster(load_catalog("bg").tag, tmp_path, family)
    assert bulgarian != _raster("ru", tmp_path, family)


def test_a_label_the_fonts_cannot_show_fails_naming_it(write, tmp_path):
    """The data is checked when it is validated (tests/test_hostile.py); labels, before rendering."""
    from briefs.resources import catalog_name, locale_dir

    po = tmp_path / "mine" / "locale" / catalog_name("en")
    po.parent.mkdir(parents=True)
    english = (locale_dir() / catalog_name("en")).read_text(encoding="utf-8")
    po.write_text(english.replace('msgstr "Summary"', 'msgstr "Summary 😀"', 1), encoding="utf-8")
    report = build(
        [write(MINIMAL)], output=tmp_path / "out", langs=["en"], formats=["pdf"], templates=[tmp_path / "mine"]
    )
    assert not report.built
    (first, second) = report.failed
    for failure in (first, second):
        assert (
            "labels['section.summary']: '😀' (U+1F600 GRINNING FACE) cannot be shown in Vollkorn, Manrope "
            "or the fallback Inter"
        ) in failure


def test_templates_are_strict_and_escape_whatever_their_extension(tmp_path):
    from jinja2 import UndefinedError

    from briefs.render.templating import html_environment

    folder = _override(tmp_path, "html/note.txt", "{{ value }}\n")
    (folder / "html/missing.html").write_text("{{ b.nothing }}\n", encoding="utf-8")
    env = html_environment((folder,))
    assert env.get_template("note.txt").render(value="<b>&</b>").strip() == "&lt;b&gt;&amp;&lt;/b&gt;"
    with pytest.raises(UndefinedError):
        env.get_template("missing.html").render(b=object())


def test_a_broken_override_is_reported_with_its_line(write, tmp_path):
    folder = _override(tmp_path, "html/partials/footer.html", "<footer>\n{{ b.no_such_field }}\n</footer>\n")
    report = build([write(MINIMAL)], output=tmp_path / "out", kinds=["one-page"], langs=["en"], formats=["pdf"])
    assert report.ok
    report = build(
        [write(MINIMAL)],
        output=tmp_path / "out2",
        kinds=["one-page"],
        langs=["en"],
        formats=["pdf"],
        templates=[folder],
    )
    (failure,) = report.failed
    assert f"template error: {folder / 'html/partials/footer.html'}:2:" in failure
    assert "no_such_field" in failure


def test_pdf_ua_variant(write, tmp_path):
    rendered = _render(write(MINIMAL), kind="one-page", pdf_variant="pdf/ua-1")
    out = tmp_path / "ua.pdf"
    out.write_bytes(rendered.data)
    xmp = reader(out).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp


def _line_positions(pdf_bytes: bytes) -> dict[str, float]:
    """The height above the foot of the page, in millimetres, of each text run on page 1."""
    import io

    from pypdf import PdfReader

    found: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.setdefault(text.strip(), (cm[5] + tm[5] * cm[3]) * 25.4 / 72)

    PdfReader(io.BytesIO(pdf_bytes)).pages[0].extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize("sample", ["sparse", "charter"])
def test_one_page_footer_sits_at_the_foot_of_the_page(write, sample):
    # the sparse brief fills a fifth of the page: its footer would sit high without the pinning
    path = write(MINIMAL) if sample == "sparse" else CHARTER
    rendered = _render(path, lang="en", kind="one-page")
    runs = _line_positions(rendered.data)
    label = load_catalog("en").get("footer.sources")
    # the page's bottom margin is 17 mm (the running foot lives below it); the last line of the
    # footer ends within 3 mm above it, and the footer starts with its label
    lowest = min(height for height in runs.values() if height > 17)
    assert lowest < 20
    assert [run for run, height in runs.items() if run.startswith(label) and height < 30]


def test_contents_leaders_are_drawn_as_one_run_each(built):
    # WeasyPrint draws each dot of a leader on its own; the engine joins them (render/pdf/leaders.py)
    page = reader(pdf(built, "us-az-charter-2026", "full", "en")).pages[0]
    content = page.get_contents().get_data()
    runs = len(re.findall(rb"\bT[jJ]\b", content))
    entries = len(re.findall(r"\.{5,}\s*\d", page.extract_text()))
    assert entries >= 5
    assert runs < 20 * entries
