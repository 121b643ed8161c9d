"""The one-page DOCX and its PDF twin fitted alike: the same sizes, the same notes, the same diagnostics.

Both builders step the body text down from 10 pt to 9.5, 9 and 8.5 pt until the brief fits its
page; the DOCX by its estimate of the layout, which LibreOffice (soffice) checks here. Those
tests fail when soffice is not installed: `make test` installs it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefs.config import Config
from briefs.data.files import load_agreement
from briefs.errors import RenderError
from briefs.localize import localize
from briefs.localize.catalog import load_catalog
from briefs.render.base import FIT_SIZES_PT, Rendered, RenderOptions
from briefs.render.docx import DocxBuilder
from briefs.render.pdf import PdfBuilder

from .conftest import MINIMAL, SAMPLES

FONTS = Config().fonts
SOFFICE = shutil.which("soffice")
LANGS = ("bg", "en")


@pytest.fixture(scope="module")
def builders() -> dict[str, DocxBuilder | PdfBuilder]:
    options = RenderOptions(fonts=FONTS)
    return {"pdf": PdfBuilder(options), "docx": DocxBuilder(options)}


def _long(write, sentences: int):
    """MINIMAL with five key points of ``sentences`` sentences each (as tests/test_pdf.py's)."""
    filler = " ".join(["Допълнителен текст за проверка на оформлението на страницата."] * sentences)
    filler_en = " ".join(["Additional text written to check the layout of the page."] * sentences)
    points = "\n".join(f'  - {{bg: "{filler}", en: "{filler_en}"}}' for _ in range(5))
    return write(MINIMAL.replace("pillars:\n", f"key_points:\n{points}\npillars:\n"), name=f"long-{sentences}.yaml")


def _view(path: Path, lang: str):
    return localize(load_agreement(path, Config()), load_catalog(lang), "one-page")


def _outcome(builder, view) -> Rendered | RenderError:
    try:
        return builder.render(view)
    except RenderError as exc:
        return exc


NOTE = re.compile(r"fitted on one page with body text at ([\d.]+) pt \(from 10 pt\)")


def _size(rendered: Rendered) -> float:
    """The body size a brief was fitted at; 10 pt when it was not fitted."""
    sizes = [float(found.group(1)) for note in rendered.notes if (found := NOTE.search(note))]
    return sizes[0] if sizes else 10.0


def _libreoffice_pages(data: bytes, tmp_path: Path) -> int:
    source = tmp_path / "brief.docx"
    source.write_bytes(data)
    profile = (tmp_path / "lo-profile").as_uri()
    command = [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
    subprocess.run([*command, "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=300)
    return len(PdfReader(str(tmp_path / "brief.pdf")).pages)


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", LANGS)
def test_the_sample_twins_are_fitted_alike(builders, path, lang):
    view = _view(path, lang)
    pdf, docx = builders["pdf"].render(view), builders["docx"].render(view)
    assert docx.notes == pdf.notes


def test_a_brief_the_pdf_fits_at_a_smaller_size_fits_the_docx_at_the_same(builders, write, tmp_path):
    """Key points of growing length: of those the PDF fits at one smaller size, the middle one gives
    the DOCX the same size and note, and LibreOffice lays the DOCX out on one page."""
    assert SOFFICE is not None, "LibreOffice (soffice) is not installed: run `make test` (system-packages-test.txt)"
    sizes = {}
    for sentences in range(12, 24):
        outcome = _outcome(builders["pdf"], _view(_long(write, sentences), "en"))
        if isinstance(outcome, RenderError):
            break
        sizes[sentences] = _size(outcome)
    fitted = [s for s, size in sizes.items() if size < 10]
    assert fitted, f"no key points of 12 to 23 sentences made the PDF step its text down: {sizes}"
    runs: dict[float, list[int]] = {}
    for sentences in fitted:
        runs.setdefault(sizes[sentences], []).append(sentences)
    longest = max(runs.values(), key=len)
    middle = longest[len(longest) // 2]
    view = _view(_long(write, middle), "en")
    pdf, docx = builders["pdf"].render(view), builders["docx"].render(view)
    assert pdf.pages == 1
    assert _size(pdf) in FIT_SIZES_PT
    assert docx.notes == pdf.notes
    assert _libreoffice_pages(docx.data, tmp_path) == 1


BLOCKS = re.compile(r"Shorten the largest blocks: (.+) - by about (\d+) words in all")
OVER = re.compile(r"it runs over by about (\d+) mm")


def _diagnostic(error: RenderError) -> tuple[list[str], int]:
    message = str(error)
    found = BLOCKS.search(message)
    assert found, message
    names = [re.sub(r" \(\d+ mm\)$", "", block) for block in found.group(1).split(", ")]
    over = OVER.search(message)
    assert over, message
    return names, int(over.group(1))


@pytest.mark.parametrize("lang", LANGS)
def test_a_brief_too_long_for_both_fails_both_with_the_same_diagnostic(builders, write, lang):
    view = _view(_long(write, 30), lang)
    pdf, docx = (_outcome(builders[f], view) for f in ("pdf", "docx"))
    assert isinstance(pdf, RenderError)
    assert isinstance(docx, RenderError)
    for error, fmt in ((pdf, "PDF"), (docx, "DOCX")):
        assert f"does not fit on one page as {fmt}, even with body text at 8.5 pt" in str(error)
        assert f"No one-page {fmt} was written." in str(error)
    (pdf_names, pdf_over), (docx_names, docx_over) = _diagnostic(pdf), _diagnostic(docx)
    assert docx_names == pdf_names
    assert abs(docx_over - pdf_over) <= max(5, 0.15 * pdf_over), (pdf_over, docx_over)
