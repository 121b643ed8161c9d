"""The localize stage: one plain view per language, typography already applied."""

from __future__ import annotations

import re

import pytest

from briefs.config import Config
from briefs.data.files import load_agreement
from briefs.localize import localize
from briefs.localize.catalog import load_catalog
from briefs.localize.typography import NBSP, refine

from .conftest import MINIMAL, SAMPLES, build
from .pdfread import text


def view(path, lang: str, kind: str = "full", config: Config | None = None):
    return localize(load_agreement(path, config or Config()), load_catalog(lang), kind)


@pytest.mark.parametrize(
    ("lang", "source", "expected"),
    [
        ("bg", "Дж. Д. Ванс каза", f"Дж. Д.{NBSP}Ванс каза"),
        ("en", "J. D. Vance said", f"J.{NBSP}D.{NBSP}Vance said"),
        ("bg", "през 2026 г. в Баку", f"през 2026{NBSP}г. в{NBSP}Баку"),
        ("bg", "отбрана - и сигурност", f"отбрана{NBSP}– и{NBSP}сигурност"),
        ("en", "defence - and security", f"defence{NBSP}– and security"),
        ("en", "about 5 km away", f"about 5{NBSP}km away"),
        ("bg", 'наречена "Харта"', "наречена „Харта“"),
        ("en", 'called "Charter"', "called “Charter”"),
    ],
)
def test_refine(lang, source, expected):
    catalog = load_catalog(lang)
    marks = (catalog.get("quote.open"), catalog.get("quote.close"))
    assert refine(source, lang, marks) == expected


def test_dates_follow_the_language(write):
    bg, en = view(write(MINIMAL), "bg"), view(write(MINIMAL), "en")
    assert bg.signed_date == f"10{NBSP}февруари 2026{NBSP}г."
    assert en.signed_date == f"10{NBSP}February 2026"
    assert (bg.lang, en.lang) == ("bg-BG", "en-GB")


def test_quotes_get_the_language_marks_and_nested_marks(write):
    path = write(
        MINIMAL.replace("text: {bg: Добър ден., en: Good day.}", 'text: {bg: "Казах „да“.", en: "I said “yes”."}')
    )
    assert view(path, "bg").quotes[0].text == "„Казах «да».“"
    assert view(path, "en").quotes[0].text == "“I said ‘yes’.”"


def test_translation_mark(write):
    verbatim_bg = view(write(MINIMAL), "bg").quotes[0]
    assert verbatim_bg.translation is None
    assert view(write(MINIMAL), "en").quotes[0].translation == "translation"
    spoken = write(MINIMAL.replace("    verbatim: [bg]", "    spoken_in: bg\n    verbatim: [bg]"))
    assert view(spoken, "en").quotes[0].translation == "translated from Bulgarian"
    charter = view(SAMPLES / "us-az-charter-2026.yaml", "bg")
    assert [q.translation for q in charter.quotes] == ["превод от английски", "превод"]


def test_one_page_view_limits_key_points_and_commitments():
    charter = view(SAMPLES / "us-az-charter-2026.yaml", "en", "one-page")
    assert 3 <= len(charter.key_points) <= 5
    for pillar in charter.pillars:
        assert 2 <= len(pillar.main) <= 4
        assert pillar.more == len(pillar.commitments) - len(pillar.main)
        assert (pillar.more_label is None) == (pillar.more == 0)


def test_main_commitments_without_highlights_are_the_first_three(write):
    rows = "\n".join(f"      - {{area: {{bg: О{i}, en: A{i}}}, commitment: {{bg: Б{i}, en: C{i}}}}}" for i in range(6))
    text_ = re.sub(r"    commitments:\n(      .*\n)+", f"    commitments:\n{rows}\n", MINIMAL)
    pillar = view(write(text_), "en", "one-page").pillars[0]
    assert [row.area for row in pillar.main] == ["A0", "A1", "A2"]
    assert pillar.more_label == "and 3 more in the full brief"


def test_views_hold_no_other_language():
    en = view(SAMPLES / "us-az-charter-2026.yaml", "en")
    flat = repr(en)
    assert not re.search(r"[а-яА-Я]", flat.replace(repr(en.labels), ""))


def test_a_third_language_needs_a_catalogue_and_data_only(write, tmp_path):
    templates = tmp_path / "mine"
    catalogue = templates / "locale" / "de" / "LC_MESSAGES" / "briefs.po"
    catalogue.parent.mkdir(parents=True)
    english = load_catalog("en").path.read_text(encoding="utf-8")
    german = english.replace("Language: en_GB", "Language: de_DE")
    german = german.replace('msgstr "Page {page} of {pages}"', 'msgstr "Seite {page} von {pages}"')
    german = german.replace('msgstr "Summary"', 'msgstr "Zusammenfassung"')
    german = german.replace('msgstr "“"', 'msgstr "„"').replace('msgstr "”"', 'msgstr "“"')
    catalogue.write_text(german, encoding="utf-8")
    data = re.sub(r"en: ([^,}\n]+)([,}])", r"en: \1, de: \1\2", MINIMAL)
    data = data.replace("en: Baku, de: Baku", "en: Baku, de: Baku")
    config = Config(languages=("bg", "en", "de"))
    path = write(data)
    report = build([path], langs=["de"], kinds=["full"], output=tmp_path / "out", templates=[templates], config=config)
    assert report.ok, (report.invalid, report.failed)
    content = text(report.built[0].path)
    assert "Zusammenfassung" in content
    assert "10. Februar 2026" in content.replace(NBSP, " ")
    assert re.search(r"Seite 1 von \d", content)
    assert "„Good day.“" in content
