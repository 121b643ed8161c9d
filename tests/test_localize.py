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
    # MINIMAL: said in Bulgarian, so the Bulgarian text is his words and the English a translation
    assert view(write(MINIMAL), "bg").quotes[0].translation is None
    assert view(write(MINIMAL), "en").quotes[0].translation == "translated from Bulgarian"
    charter = {lang: view(SAMPLES / "us-az-charter-2026.yaml", lang) for lang in ("bg", "en")}
    # Vance: the outlet's Bulgarian, our English back from it; Aliyev: his English, our Bulgarian
    assert [q.translation for q in charter["bg"].quotes] == ["превод от английски", "наш превод от английски"]
    assert [q.translation for q in charter["en"].quotes] == ["back-translated from Bulgarian", None]


RENDERINGS = {
    # (spoken_in, rendering of bg, rendering of en): (mark in bg, mark in en)
    ("bg", None, None): (None, "translated from Bulgarian"),
    ("en", None, None): ("превод от английски", None),
    ("en", "source-translation", "verbatim"): ("превод от английски", None),
    ("en", "our-translation", None): ("наш превод от английски", None),
    ("en", "source-translation", "back-translation"): ("превод от английски", "back-translated from Bulgarian"),
    (None, "verbatim", "our-translation"): (None, "our translation from Bulgarian"),
    (None, "source-translation", "verbatim"): ("превод от английски", None),
    ("fr", "source-translation", "our-translation"): ("превод от френски", "our translation from French"),
}


@pytest.mark.parametrize(("spoken", "bg", "en"), sorted(RENDERINGS, key=str))
def test_each_text_is_marked_as_it_reached_us(write, spoken, bg, en):
    lines = [f"    spoken_in: {spoken}"] if spoken else []
    given = {lang: kind for lang, kind in (("bg", bg), ("en", en)) if kind}
    if given:
        lines.append("    rendering: {" + ", ".join(f"{lang}: {kind}" for lang, kind in given.items()) + "}")
    path = write(MINIMAL.replace("    spoken_in: bg", "\n".join(lines)))
    marks = tuple(view(path, lang).quotes[0].translation for lang in ("bg", "en"))
    assert marks == RENDERINGS[(spoken, bg, en)]


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


# Bulgarian words agreeing with the type of document: (type label, its gender, "signed", "initialled", "suspended")
AGREEING = {
    "charter": ("Харта", "Подписана", "Парафирана", "Спряна"),
    "agreement": ("Споразумение", "Подписано", "Парафирано", "Спряно"),
    "treaty": ("Договор", "Подписан", "Парафиран", "Спрян"),
    "convention": ("Конвенция", "Подписана", "Парафирана", "Спряна"),
    "memorandum": ("Меморандум", "Подписан", "Парафиран", "Спрян"),
    "joint-statement": ("Съвместно изявление", "Подписано", "Парафирано", "Спряно"),
    "declaration": ("Декларация", "Подписана", "Парафирана", "Спряна"),
    "protocol": ("Протокол", "Подписан", "Парафиран", "Спрян"),
}
ENGLISH = {"signed": "Signed", "initialled": "Initialled", "suspended": "Suspended"}


def test_every_document_type_is_covered():
    from briefs.data.model import DOCUMENT_TYPES

    assert set(AGREEING) == set(DOCUMENT_TYPES)


@pytest.mark.parametrize("kind", sorted(AGREEING))
@pytest.mark.parametrize("status", ["signed", "initialled", "suspended"])
def test_status_agrees_with_the_type_of_document(write, kind, status):
    path = write(MINIMAL.replace("type: agreement", f"type: {kind}").replace("status: signed", f"status: {status}"))
    label, *forms = AGREEING[kind]
    bg, en = view(path, "bg"), view(path, "en")
    assert bg.type == label
    assert bg.status == dict(zip(("signed", "initialled", "suspended"), forms, strict=True))[status]
    assert en.status == ENGLISH[status]
    assert en.type == load_catalog("en").get(f"type.{kind}")


def test_statuses_without_gender_read_the_same_for_every_type(write):
    for kind in AGREEING:
        path = write(MINIMAL.replace("type: agreement", f"type: {kind}").replace("status: signed", "status: in-force"))
        assert view(path, "bg").status == "В сила"


def test_a_catalogue_without_genders_falls_back_to_the_neutral_label(write, tmp_path):
    from briefs.resources import catalog_name, locale_dir

    mine = tmp_path / "mine" / "locale"
    mine.mkdir(parents=True)
    source = (locale_dir() / catalog_name("bg")).read_text(encoding="utf-8")
    without = re.sub(r'msgid "gender\.charter"\nmsgstr "feminine"\n', "", source)
    assert without != source
    (mine / catalog_name("bg")).parent.mkdir(parents=True)
    (mine / catalog_name("bg")).write_text(without, encoding="utf-8")
    path = write(MINIMAL.replace("type: agreement", "type: charter"))
    agreement = load_agreement(path, Config())
    assert localize(agreement, load_catalog("bg", (tmp_path / "mine",)), "full").status == "Подписан текст"


def test_a_gender_the_catalogue_does_not_know_is_refused(tmp_path):
    from briefs.errors import BriefsError
    from briefs.resources import catalog_name, locale_dir

    mine = tmp_path / "mine" / "locale"
    mine.mkdir(parents=True)
    source = (locale_dir() / catalog_name("bg")).read_text(encoding="utf-8")
    (mine / catalog_name("bg")).parent.mkdir(parents=True)
    (mine / catalog_name("bg")).write_text(source.replace('msgstr "feminine"', 'msgstr "female"', 1), encoding="utf-8")
    with pytest.raises(
        BriefsError, match=r"genders must be one of masculine, feminine, neuter, plural: gender\.charter"
    ):
        load_catalog("bg", (tmp_path / "mine",))


def test_the_quote_source_line_shows_the_source_date_and_the_occasion_the_quote_date():
    charter = view(SAMPLES / "us-az-charter-2026.yaml", "en")
    aliyev = next(q for q in charter.quotes if q.speaker == "Ilham Aliyev")
    source_date = next(s.date for s in charter.sources if s.name in aliyev.source)
    assert aliyev.source_line.endswith(source_date)
    assert aliyev.occasion_line.endswith(f"10{NBSP}February 2026")


def test_a_publisher_may_be_written_per_language(write):
    path = write(
        MINIMAL.replace(
            "    title: {bg: Репортаж, en: Report}",
            "    publisher: {bg: ТАСС, en: TASS}\n    title: {bg: Репортаж, en: Report}",
        )
    )
    assert [s.name for s in view(path, "bg").sources] == ["ТАСС"]
    assert [s.name for s in view(path, "en").sources] == ["TASS"]


@pytest.mark.parametrize(
    ("means", "aside"),
    [
        ("Investment promotion", "investment promotion"),
        ("AI data centres", "AI data centres"),
        ("ЕС фондове", "ЕС фондове"),
    ],
)
def test_means_in_brackets_start_in_lower_case_unless_an_abbreviation(write, means, aside):
    path = write(
        MINIMAL.replace(
            "commitment: {bg: По-ниски мита., en: Lower tariffs.}",
            f"commitment: {{bg: По-ниски мита., en: Lower tariffs.}}\n        means: {{bg: {means}, en: {means}}}",
        )
    )
    row = view(path, "en", "one-page").pillars[0].main[0]
    assert (row.means, row.means_aside) == (means, aside)


def test_the_footer_names_each_source_and_date_once_in_the_order_first_cited():
    charter = view(SAMPLES / "us-az-charter-2026.yaml", "en", "one-page")
    cited = [(s.name, s.date) for s in charter.sources]
    assert len(set(cited)) < len(cited)  # Report.az is cited for several reports of one day
    assert [(s.name, s.date) for s in charter.footer_sources] == list(dict.fromkeys(cited))
