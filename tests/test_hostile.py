"""Hostile input and failing machines: never a traceback, never a lost file, always a located message."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from briefs.config import Config
from briefs.data.files import load_agreement
from briefs.errors import InvalidInput
from briefs.targets import Target

from .conftest import MINIMAL, build
from .pdfread import fonts, text

PDF_EN = Target("one-page", "en", "pdf")


def cli(*args: str, cwd: Path | None = None, preexec=None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "briefs", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        preexec_fn=preexec,
        check=False,
    )


def errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The error lines of a command's output, without the progress lines of the files it wrote."""
    return [line for line in result.stderr.splitlines() if not line.startswith("wrote ")]


def problems(path: Path) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        load_agreement(path, Config())
    return [str(p) for p in caught.value.problems]


# --- 1, 5, 11: one character policy, applied at load, located -------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("  date: 2026-02-10", '  date: "2026-02-1\\ud800"', "5:9: signed.date"),
        ("  - code: USA", '  - code: "US\\ud800"', "10:11: parties[0].code"),
        ("  - id: report", '  - id: report\n    publisher: "Ox\\x01u"', "32:16: sources[0].publisher"),
        ("  - id: report", '  - id: report\n    publisher: "Ox\\ufffeu"', "32:16: sources[0].publisher"),
    ],
)
def test_bad_characters_anywhere_are_located_errors(write, old, new, where):
    path = write(MINIMAL.replace(old, new))
    where = f"{path}:{where}"
    (found,) = problems(path)
    assert found.startswith(f"{where}: contains a "), found
    result = cli("build", str(path), "-o", str(path.parent / "out"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert where in result.stderr


def test_a_bad_character_in_a_folder_build_does_not_stop_the_others(write, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    (folder / "good.yaml").write_text(MINIMAL, encoding="utf-8")
    bad = MINIMAL.replace("id: test-agreement", "id: other").replace("  - code: USA", '  - code: "\\ud800"')
    (folder / "bad.yaml").write_text(bad, encoding="utf-8")
    report = build([folder], output=tmp_path / "out", formats=["pdf"], kinds=["one-page"], langs=["en"])
    assert [b.path.name for b in report.built] == [PDF_EN.filename("test-agreement")]
    (problem,) = report.invalid
    assert problem.path == str(folder / "bad.yaml")
    assert problem.field == "parties[0].code"


def test_invisible_characters_from_word_processors_are_removed(write, tmp_path):
    pasted = "Sum\u200bmary\u2060 with a\ufeff BOM"
    path = write(MINIMAL.replace("en: Summary.", f'en: "{pasted}"'))
    assert load_agreement(path, Config()).summary["en"] == "Summary with a BOM"
    report = build([path], output=tmp_path / "out", formats=["pdf", "docx"], kinds=["one-page"], langs=["en"])
    assert report.ok, report.failed
    assert "Summary with a BOM" in " ".join(text(PDF_EN.path(tmp_path / "out", "test-agreement")).split())


def test_soft_hyphens_and_no_break_spaces_are_kept(write):
    path = write(MINIMAL.replace("en: Summary.", 'en: "Sum\\u00admary\\u00a0here."'))
    assert load_agreement(path, Config()).summary["en"] == "Sum\u00admary\u00a0here."


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200f"])
def test_bidirectional_controls_are_refused(write, char):
    path = write(MINIMAL.replace("en: Summary.", f'en: "Sum{char}mary"'))
    assert problems(path) == [
        f"{path}:15:28: summary.en: contains a bidirectional control U+{ord(char):04X} at character 4"
    ]


def test_a_raw_line_separator_is_named_and_lines_are_counted_as_editors_do(write):
    path = write(MINIMAL.replace("en: Summary.", "en: Sum\u2028mary."), name="sep.yaml")
    assert problems(path) == [f"{path}:15:31: character U+2028 (a line separator) is not allowed; use a new line"]


def test_an_alias_bomb_is_refused_in_a_few_lines(write):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 10)]
    path = write("\n".join(lines) + "\n", name="bomb.yaml")
    refused = [f for f in problems(path) if "anchors" in f or "aliases" in f]
    assert refused == [  # in file order, and the count of the rest
        f"{path}:1:1: and 52 more anchors, aliases or tags",
        f"{path}:1:5: a0: anchors (&a0) are not allowed; write the value out",
        f"{path}:2:5: a1: anchors (&a1) are not allowed; write the value out",
        f"{path}:2:10: a1[0]: aliases (*a0) are not allowed; write the value out",
    ]


# --- 2: output folders that cannot be written ------------------------------------------------------------


@pytest.fixture
def read_only(tmp_path):
    """A real read-only file system: a tmpfs mounted ro (the tests run as root, as CI does)."""
    mount = tmp_path / "ro"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_read_only_file_system_is_a_clear_error(write, read_only):
    result = cli("build", str(write(MINIMAL)), "-o", str(read_only / "out"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"{read_only / 'out'}: cannot create the folder: Read-only file system"


def test_a_file_in_the_way_of_the_output_folder(write, tmp_path):
    (tmp_path / "out").write_text("not a folder")
    result = cli("build", str(write(MINIMAL)), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"{tmp_path / 'out'}: cannot create the folder: a file of that name is in the way"


def test_things_in_the_way_of_outputs_fail_those_outputs_only(write, tmp_path):
    out = tmp_path / "out"
    (out / "test-agreement").mkdir(parents=True)
    blocked = PDF_EN.path(out, "test-agreement")
    blocked.mkdir()  # a folder where the PDF goes
    result = cli("build", str(write(MINIMAL)), "-o", str(out), "--kind", "one-page", "--lang", "en", "-j", "1")
    assert result.returncode == 1
    assert errors(result) == [f"{tmp_path / 'x.yaml'}: {blocked}: cannot write: a folder of that name is in the way"]
    assert "built 1, unchanged 0, failed 1" in result.stdout
    assert Target("one-page", "en", "docx").path(out, "test-agreement").is_file()


def test_a_full_disk_keeps_the_previous_file(write, tmp_path):
    out = tmp_path / "out"
    path = write(MINIMAL)
    assert (
        cli("build", str(path), "-o", str(out), "--kind", "one-page", "--lang", "en", "--format", "pdf").returncode == 0
    )
    target = PDF_EN.path(out, "test-agreement")
    before = target.read_bytes()
    path.write_text(MINIMAL.replace("en: Summary.", "en: Changed."), encoding="utf-8")

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    result = cli(
        "build", str(path), "-o", str(out), "--kind", "one-page", "--lang", "en", "--format", "pdf", "-j", "1",
        preexec=small_files,
    )  # fmt: skip
    assert result.returncode == 1
    assert f"{target}: cannot write: File too large; the previous file is kept" in result.stderr
    assert "Traceback" not in result.stderr
    assert target.read_bytes() == before
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


# --- 3: long titles --------------------------------------------------------------------------------------


def test_a_title_longer_than_255_characters_builds_every_format(write, tmp_path):
    long = " ".join(["Agreement on cooperation in the fields of energy, trade and security"] * 6)
    path = write(MINIMAL.replace("en: Test Agreement}", f'en: "{long}"}}').replace("en: Test}", f'en: "{long}"}}'))
    report = build([path], output=tmp_path / "out", langs=["en"])
    assert report.ok, report.failed
    docx = Document(str(Target("full", "en", "docx").path(tmp_path / "out", "test-agreement")))
    assert 240 <= len(docx.core_properties.title) <= 255
    assert docx.core_properties.title.endswith("…")
    assert long.startswith(docx.core_properties.title[:-1])


# --- 9, 10: what counts as an agreement file -------------------------------------------------------------


def test_a_fifo_is_refused_not_read(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for command in ("validate", "build"):
        result = cli(command, str(fifo), "-o", str(tmp_path / "out")) if command == "build" else cli(command, str(fifo))
        assert result.returncode == 2
        assert result.stderr.strip() == f"{fifo}:1:1: not a regular file; agreements are read from files"


def test_a_symlink_loop_is_named_as_one(tmp_path):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    result = cli("validate", str(loop))
    assert result.returncode == 2
    assert result.stderr.strip() == f"{loop}:1:1: cannot open: Too many levels of symbolic links"


def test_a_folder_without_agreements_is_an_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not an agreement")
    for command in ("validate", "build"):
        result = cli(command, str(empty))
        assert result.returncode == 2
        assert result.stderr.strip() == f"{empty}:1:1: no agreement files (*.yaml, *.yml, *.json) in this folder"


def test_validate_and_build_agree_on_duplicate_ids(tmp_path):
    folder = tmp_path / "twins"
    folder.mkdir()
    (folder / "a.yaml").write_text(MINIMAL, encoding="utf-8")
    (folder / "b.yaml").write_text(MINIMAL, encoding="utf-8")
    expected = f"{folder / 'b.yaml'}:1:1: id: id 'test-agreement' is also used by {folder / 'a.yaml'}"
    validated = cli("validate", str(folder))
    built = cli("build", str(folder), "-o", str(tmp_path / "out"), "--kind", "one-page", "--format", "pdf")
    assert (validated.returncode, built.returncode) == (2, 2)
    assert validated.stderr.strip() == expected
    assert errors(built) == [expected]


# --- 11: each build error once ---------------------------------------------------------------------------


def test_a_build_error_is_printed_once(write, tmp_path):
    mine = tmp_path / "mine"
    (mine / "html").mkdir(parents=True)
    (mine / "html" / "one-page.html").write_text("{{ b.no_such_field }}\n", encoding="utf-8")
    result = cli("build", str(write(MINIMAL)), "-o", str(tmp_path / "out"), "--templates", str(mine),
                 "--kind", "one-page", "--lang", "en", "--format", "pdf")  # fmt: skip
    assert result.returncode == 1
    assert len(errors(result)) == 1, result.stderr


# --- 4, 7: every name and place renders; what cannot, is refused everywhere alike ---------------------------

NAMES = (
    "Əliyev Ağdam Şuşa İlham Gəncə Türkiye Iğdır Çanakkale Ünal Ștefan Țiriac Brașov Łódź Świętokrzyskie "
    "Gdańsk Żółć Řehoř Ůžasné Ťuk Ďábel Größe Ärger Élise Œuvre Noël Ïle façade Щъркел Юлия"
)


def _everywhere(write, names: str) -> Path:
    """MINIMAL with ``names`` in the title, short title, parties, pillar, table, quote, source and footer."""
    text = MINIMAL
    for old in (
        "en: Test Agreement}",
        "en: Test}",
        "en: United States}",
        "en: Trade}",
        "en: Customs}",
        "en: Lower tariffs.}",
        "en: Ivan Petrov}",
        "en: Good day.}",
        "en: Report}",
        "en: Unit}",
        "en: Summary.}",
    ):
        text = text.replace(old, f'en: "{old[4:-1]} {names}"}}')
    return write(text)


def test_names_in_many_languages_render_in_every_element(write, tmp_path):
    path = _everywhere(write, NAMES)
    load_agreement(path, Config())  # valid: every character can be shown
    out = tmp_path / "out"
    report = build([path], output=out, langs=["en"])
    assert report.ok, report.failed
    for kind in ("one-page", "full"):
        pdf = Target(kind, "en", "pdf").path(out, "test-agreement")
        content = " ".join(text(pdf).split())
        for word in ("Əliyev", "Ştefan".replace("Ş", "Ș"), "Łódź", "Řehoř", "Größe", "Œuvre", "Щъркел"):
            assert word in content, (kind, word)
        families = {f["name"].split("+", 1)[1].split("-")[0] for f in fonts(pdf)}
        assert families == {"Vollkorn", "Manrope", "Inter"}, families  # Inter only where Manrope lacks Ə
        docx = Document(str(Target(kind, "en", "docx").path(out, "test-agreement")))
        assert "Əliyev" in "\n".join(p.text for p in docx.paragraphs) + "".join(
            cell.text for table in docx.tables for row in table.rows for cell in row.cells
        )


@pytest.mark.parametrize(
    ("chars", "shown"),
    [
        ("😀", "'😀' (U+1F600 GRINNING FACE)"),
        ("سلام", "'ل' (U+0644 ARABIC LETTER LAM)"),
        ("שלום", "'ו' (U+05D5 HEBREW LETTER VAV)"),
    ],
)
def test_characters_no_font_has_are_refused_by_validate_and_both_formats(write, tmp_path, chars, shown):
    path = write(MINIMAL.replace("en: Summary.", f'en: "Summary {chars}"'))
    (problem,) = problems(path)
    assert problem.startswith(f"{path}:15:28: summary.en: "), problem
    assert shown in problem
    assert problem.endswith("cannot be shown in Vollkorn, Manrope or the fallback Inter")
    validated = cli("validate", str(path))
    assert (validated.returncode, validated.stderr.strip()) == (2, problem)
    report = build([path], output=tmp_path / "out", langs=["en"])
    assert [str(p) for p in report.invalid] == [problem]
    assert not report.built
    assert not (tmp_path / "out" / "test-agreement").exists()


def test_a_capital_the_heading_font_lacks_is_covered_by_the_fallback_and_named_without_it(write, tmp_path):
    path = write(MINIMAL.replace("en: Trade}", 'en: "Trade with Gəncə"}'))
    load_agreement(path, Config())
    config = tmp_path / "no-fallback.toml"
    config.write_text("fallback_fonts = []\n", encoding="utf-8")
    result = cli("--config", str(config), "validate", str(path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"{path}:18:31: pillars[0].title.en: 'Ə' (U+018F LATIN CAPITAL LETTER SCHWA, the capital of 'ə') "
        "cannot be shown in Manrope"
    )


# --- 8: long unbreakable tokens ----------------------------------------------------------------------------

LONG_URL = "https://example.org/" + "segment-" * 16 + "end"
LONG_WORD = "Donau" * 24


def test_long_tokens_wrap_inside_their_cells(write, tmp_path):
    path = write(MINIMAL.replace("en: Lower tariffs.}", f'en: "Lower tariffs, see {LONG_URL} and {LONG_WORD}."}}'))
    report = build([path], output=tmp_path / "out", langs=["en"], formats=["pdf"])
    assert report.ok, report.failed  # the layout check fails any brief with a box past the text area


def test_a_box_past_the_text_area_fails_the_build_naming_the_block(write, tmp_path):
    mine = tmp_path / "mine"
    (mine / "styles").mkdir(parents=True)
    base = (Path(__file__).resolve().parent.parent / "styles" / "full.css").read_text(encoding="utf-8")
    (mine / "styles" / "full.css").write_text(base + "\ntd, th { white-space: nowrap; overflow-wrap: normal }\n")
    path = write(MINIMAL.replace("en: Lower tariffs.}", f'en: "Lower tariffs {LONG_WORD}."}}'))
    report = build([path], output=tmp_path / "out", langs=["en"], kinds=["full"], formats=["pdf"], templates=[mine])
    (failure,) = report.failed
    assert "text runs off the page; break or shorten it" in failure
    assert re.search(r"pillar-trade on page 1 runs \d+ mm past the text area", failure), failure
    assert not Target("full", "en", "pdf").path(tmp_path / "out", "test-agreement").exists()


# --- found by fuzzing (tests/fuzz_corpus/ keeps the inputs) ------------------------------------------------


def test_an_escape_past_the_last_unicode_character_is_located(write):
    path = write(MINIMAL.replace("en: Summary.", 'en: "S\\U00110000"'))
    assert problems(path) == [f"{path}:15:30: invalid YAML: \\U00110000 is past the last Unicode character"]


def test_a_key_with_a_lone_surrogate_is_printed_escaped(write):
    path = write(MINIMAL.replace("summary: {", '"sum\\ud800mary": {'))
    found = problems(path)
    assert f"{path}:15:1: the key contains a lone surrogate U+D800 at character 4" in found
    for problem in found:
        problem.encode("utf-8")  # printable


def test_lines_end_with_cr_too(write):
    path = write(MINIMAL.replace("\n", "\r").encode("utf-8").replace(b"en: Summary.", b"en: Sum\xffmary."))
    assert problems(path) == [f"{path}:15:31: file is not valid UTF-8 (byte 0xff)"]


def test_thousands_of_duplicate_keys_are_counted_not_listed(write):
    path = write("a: b\n" * 5000, name="dup.yaml")
    found = problems(path)
    assert f"{path}:1:1: and 4899 more problems of the same kinds" in found
    assert len(found) < 150
