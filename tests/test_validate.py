"""Validation: every problem in a file is reported at once, each at its place."""

from __future__ import annotations

import unicodedata

import pytest

from briefs.config import Config
from briefs.data.files import load_agreement, validate
from briefs.errors import InvalidInput

from .conftest import MINIMAL, SAMPLES


def problems(path, config: Config | None = None) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        load_agreement(path, config or Config())
    return [str(p).replace(str(path), "x.yaml") for p in caught.value.problems]


def edit(old: str, new: str, text: str = MINIMAL) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_minimal_is_valid(write):
    agreement = load_agreement(write(MINIMAL), Config())
    assert agreement.id == "test-agreement"
    assert agreement.parties[1].kind == "organisation"
    assert agreement.signed is not None
    assert agreement.signed.date.isoformat() == "2026-02-10"


def test_samples_are_valid():
    agreements = validate([SAMPLES])
    assert {a.id for a in agreements} >= {"us-az-charter-2026", "am-us-nuclear-2026"}


def test_four_kinds_of_error_in_one_run(write):
    text = edit("title: {bg: Споразумение за проба, en: Test Agreement}", "title: {bg: Споразумение за проба}")
    text = edit("type: agreement", "type: agreement\ntype: charter", text)
    text = edit("  date: 2026-02-10", "  date: 2026-02-30", text)
    text = edit("summary:", "sumary: {bg: а, en: b}\nsummary:", text)
    assert problems(write(text)) == [
        "x.yaml:3:1: type: duplicate key 'type' (first defined at line 2)",
        "x.yaml:6:9: signed.date: 2026-02-30 is not a real date",
        "x.yaml:8:1: title.en: the en text is missing",
        "x.yaml:16:1: sumary: unknown field 'sumary'; did you mean 'summary'?",
    ]


def test_missing_required_field_points_at_its_parent(write):
    assert problems(write(edit("short_title:", "short_titel:"))) == [
        "x.yaml:1:1: short_title: required field is missing",
        "x.yaml:8:1: short_titel: unknown field 'short_titel'; did you mean 'short_title'?",
    ]


def test_missing_language_follows_configuration(write):
    assert problems(write(MINIMAL), Config(languages=("bg", "en", "de")))[:2] == [
        "x.yaml:6:3: signed.place.de: the de text is missing",
        "x.yaml:7:1: title.de: the de text is missing",
    ]


def test_unknown_key_deep_with_suggestion(write):
    text = edit("        commitment: {bg", "        comitment: {bg")
    assert problems(write(text)) == [
        "x.yaml:20:9: pillars[0].commitments[0].commitment: required field is missing",
        "x.yaml:21:9: pillars[0].commitments[0].comitment: unknown field 'comitment'; did you mean 'commitment'?",
    ]


def test_unknown_key_without_close_match_lists_fields(write):
    text = edit("  prepared: 2026-02-12", "  prepared: 2026-02-12\n  zzz: 1")
    assert problems(write(text)) == [
        "x.yaml:37:3: brief.zzz: unknown field 'zzz'; expected one of: organisation, prepared, distribution, "
        "version, keywords"
    ]


def test_quote_source_must_exist(write):
    assert problems(write(edit("    source: report", "    source: reprot"))) == [
        "x.yaml:28:13: quotes[0].source: no source has id 'reprot' (sources: report)"
    ]


def test_slug_ids(write):
    assert problems(write(edit("  - id: trade", "  - id: Trade_Deal"))) == [
        "x.yaml:17:9: pillars[0].id: 'Trade_Deal' must be a slug: lowercase ascii letters, digits and single hyphens"
    ]


@pytest.mark.parametrize("code", ["NO", "XYZ", "usa"])
def test_state_codes_are_iso_alpha3(write, code):
    assert problems(write(edit("  - code: USA", f"  - code: {code}"))) == [
        f"x.yaml:10:11: parties[0].code: '{code}' is not an ISO 3166-1 alpha-3 country code; "
        "for an international organisation set kind: organisation"
    ]


def test_organisation_codes(write):
    assert problems(write(edit("  - code: EU", "  - code: E.U."))) == [
        "x.yaml:12:11: parties[1].code: 'E.U.' is not an organisation code: 2-16 upper-case letters or digits "
        "(EU, NATO, UN)"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "2026-02-30 is not a real date"),
        ("10.02.2026", "expected a date written YYYY-MM-DD, got '10.02.2026'"),
        ("20260210", "expected a date written YYYY-MM-DD, got '20260210'"),
    ],
)
def test_dates_are_real_dates(write, value, message):
    assert problems(write(edit("  prepared: 2026-02-12", f"  prepared: {value}"))) == [
        f"x.yaml:36:13: brief.prepared: {message}"
    ]


def test_yaml_11_surprises_are_checked_as_strings(write):
    text = edit("  prepared: 2026-02-12", "  prepared: 2026-02-12\n  version: 3.10")
    assert load_agreement(write(text), Config()).brief.version == "3.10"
    text = edit("  prepared: 2026-02-12", "  prepared: 2026-02-12\n  version: 1:30")
    assert problems(write(text)) == [
        "x.yaml:37:12: brief.version: '1:30' must be numbers separated by dots, such as 1 or 1.2"
    ]


def test_at_least_one_pillar(write):
    start, end = MINIMAL.index("pillars:"), MINIMAL.index("quotes:")
    text = MINIMAL[:start] + "pillars: []\n" + MINIMAL[end:]
    assert problems(write(text)) == ["x.yaml:16:1: pillars: needs at least 1 item"]


def test_every_pillar_has_a_commitment(write):
    start, end = MINIMAL.index("    commitments:"), MINIMAL.index("quotes:")
    text = MINIMAL[:start] + "    commitments: []\n" + MINIMAL[end:]
    assert problems(write(text)) == ["x.yaml:19:5: pillars[0].commitments: needs at least 1 item"]


def test_at_most_two_featured_quotes(write):
    start, end = MINIMAL.index("quotes:\n") + len("quotes:\n"), MINIMAL.index("sources:")
    quote = MINIMAL[start:end]
    text = MINIMAL[:end] + quote * 2 + MINIMAL[end:]
    assert problems(write(text)) == ["x.yaml:43:15: quotes[2].featured: at most 2 quotes can be featured"]


@pytest.mark.parametrize(
    ("escape", "message"),
    [
        ("\\x01", "contains a control character U+0001 at character 2"),
        ("\\x85", "contains a control character U+0085 at character 2"),
        ("\\ud800", "contains a lone surrogate U+D800 at character 2"),
        ("\\ufdd0", "contains a non-character U+FDD0 at character 2"),
        ("\\uffff", "contains a non-character U+FFFF at character 2"),
        ("\\U0001FFFE", "contains a non-character U+1FFFE at character 2"),
    ],
)
def test_invisible_characters_are_rejected(write, escape, message):
    text = edit("summary: {bg: Резюме., en: Summary.}", f'summary: {{bg: Резюме., en: "S{escape}ummary"}}')
    assert problems(write(text)) == [f"x.yaml:15:28: summary.en: {message}"]


def test_newlines_and_tabs_are_fine_and_text_is_nfc(write):
    decomposed = unicodedata.normalize("NFD", "й")
    text = edit("summary: {bg: Резюме., en: Summary.}", f'summary: {{bg: "{decomposed}\\tа\\nб", en: Summary.}}')
    summary = load_agreement(write(text), Config()).summary["bg"]
    assert summary == "й\tа\nб"
    assert len(summary) == 5


def test_a_rendering_needs_its_text(write):
    assert problems(write(edit("    spoken_in: bg", "    spoken_in: bg\n    rendering: {de: our-translation}"))) == [
        "x.yaml:28:21: quotes[0].rendering.de: the quote has no de text"
    ]


UNTRUE = {
    "    spoken_in: en\n    rendering: {bg: verbatim}": (
        "quotes[0].rendering.bg: the words were said in en (spoken_in): a bg text is a translation"
    ),
    "    spoken_in: bg\n    rendering: {bg: source-translation}": (
        "quotes[0].rendering.bg: the words were said in bg: its text is verbatim or a back-translation"
    ),
    "    spoken_in: en\n    rendering: {en: back-translation}": (
        "quotes[0].rendering.en: a back-translation needs the translation it was made from: mark another text "
        "source-translation or our-translation"
    ),
    "    rendering: {bg: verbatim, en: verbatim}": (
        "quotes[0].rendering: the words were said in one language, not bg and en"
    ),
    "    rendering: {en: our-translation}": (
        "quotes[0]: say how the bg text reached us: spoken_in (the language the words were said in) or rendering.bg"
    ),
}


@pytest.mark.parametrize("lines", sorted(UNTRUE))
def test_a_text_cannot_be_marked_untruly(write, lines):
    found = problems(write(edit("    spoken_in: bg", lines)))
    assert [p.split(": ", 1)[1] for p in found] == [UNTRUE[lines]]


def test_blank_text(write):
    assert problems(write(edit("en: Summary.}", "en: ' '}"))) == ["x.yaml:15:28: summary.en: text is empty"]


def test_wrong_shape_for_localized_text(write):
    assert problems(write(edit("summary: {bg: Резюме., en: Summary.}", "summary: Just English"))) == [
        "x.yaml:15:10: summary: expected a mapping of fields (one text per language)"
    ]


def test_errors_of_several_files_are_all_reported(write):
    a = write(edit("type: agreement", "type: accord"), name="a.yaml")
    b = write(edit("status: signed", "status: done"), name="b.yaml")
    with pytest.raises(InvalidInput) as caught:
        validate([a, b])
    assert [(p.path, p.field) for p in caught.value.problems] == [(str(a), "type"), (str(b), "status")]
    assert caught.value.problems[0].message == (
        "'accord' is not one of: 'charter', 'agreement', 'treaty', 'convention', 'memorandum', 'joint-statement', "
        "'declaration' or 'protocol'"
    )


@pytest.mark.parametrize("spelling", ["y", "t", "yes", "on", "1", "True", "TRUE"])
def test_featured_limit_counts_every_spelling_of_true(write, spelling):
    """Whatever the model reads as true counts towards the limit: the rule uses pydantic's own parsing."""
    start, end = MINIMAL.index("quotes:\n") + len("quotes:\n"), MINIMAL.index("sources:")
    quote = MINIMAL[start:end].replace("featured: true", f"featured: {spelling}")
    text = MINIMAL[:start] + quote * 3 + MINIMAL[end:]
    assert problems(write(text)) == ["x.yaml:43:15: quotes[2].featured: at most 2 quotes can be featured"]
