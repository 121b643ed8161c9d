"""No state outlives a change: in one process, and under ``watch``, an edit to a catalogue, a template,
a partial, a stylesheet or an agreement changes the next output and its stamp."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import briefs
from briefs.options import BuildOptions
from briefs.publish.manifest import read_manifest
from briefs.resources import catalog_name, find, locale_dir
from briefs.targets import Target

from .conftest import MINIMAL, build
from .pdfread import text

TARGET = Target("one-page", "en", "pdf")
NAME = TARGET.filename("test-agreement")


def _copy_builtin(mine: Path, kind: str, name: str) -> Path:
    """An override of a built-in file, copied unchanged; the test then edits it."""
    source = locale_dir() / name if kind == "locale" else find(kind, name)
    target = mine / kind / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert old in content, f"{old!r} not in {path}"
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


# Each edit: (what to copy into the override folder, then how to change it, and the text the PDF then shows)
EDITS: dict[str, Callable[[Path, Path], str]] = {}


def edit(name: str) -> Callable[[Callable[[Path, Path], str]], Callable[[Path, Path], str]]:
    def register(func: Callable[[Path, Path], str]) -> Callable[[Path, Path], str]:
        EDITS[name] = func
        return func

    return register


@edit("catalogue")
def _catalogue(mine: Path, agreement: Path) -> str:
    po = _copy_builtin(mine, "locale", catalog_name("en"))
    _replace(po, 'msgid "section.summary"\nmsgstr "Summary"', 'msgid "section.summary"\nmsgstr "Gist of it"')
    return "Gist of it"


@edit("template")
def _template(mine: Path, agreement: Path) -> str:
    page = _copy_builtin(mine, "html", "one-page.html")
    _replace(page, "{% block body %}", "{% block body %}<p>Template edited</p>")
    return "Template edited"


@edit("partial")
def _partial(mine: Path, agreement: Path) -> str:
    partial = _copy_builtin(mine, "html", "partials/pull_quote.html")
    partial.write_text(partial.read_text(encoding="utf-8") + "<p>Partial edited</p>\n", encoding="utf-8")
    return "Partial edited"


@edit("stylesheet")
def _stylesheet(mine: Path, agreement: Path) -> str:
    css = _copy_builtin(mine, "styles", "one-page.css")
    css.write_text(css.read_text(encoding="utf-8") + '\nbody::after { content: "Style edited"; }\n', encoding="utf-8")
    return "Style edited"


@edit("data")
def _data(mine: Path, agreement: Path) -> str:
    _replace(agreement, "en: Summary.", "en: Data edited.")
    return "Data edited."


def _setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    folder, mine, out = tmp_path / "agreements", tmp_path / "mine", tmp_path / "out"
    folder.mkdir()
    mine.mkdir()
    (folder / "a.yaml").write_text(MINIMAL, encoding="utf-8")
    return folder, mine, out


def _shows(out: Path, words: str) -> bool:
    """Whether the PDF shows ``words`` (headings may be set in capitals)."""
    return words.casefold() in " ".join(text(out / "test-agreement" / NAME).split()).casefold()


def _stamp(out: Path) -> str:
    return read_manifest(out / "test-agreement")[NAME].stamp


@pytest.mark.parametrize("change", sorted(EDITS))
def test_an_edit_changes_the_next_build_in_the_same_process(tmp_path, change):
    folder, mine, out = _setup(tmp_path)
    options = {"output": out, "templates": [mine], "formats": ["pdf"], "kinds": ["one-page"], "langs": ["en"]}
    first = build([folder], **options)
    assert [b.path.name for b in first.built] == [NAME]
    stamp = _stamp(out)
    shown = EDITS[change](mine, folder / "a.yaml")
    assert not _shows(out, shown)
    second = build([folder], **options)
    assert [b.path.name for b in second.built] == [NAME]
    assert _shows(out, shown)
    assert _stamp(out) != stamp
    third = build([folder], **options)
    assert (third.built, third.unchanged) == ([], 1)


@pytest.mark.parametrize("change", sorted(EDITS))
def test_an_edit_changes_the_next_build_under_watch(tmp_path, change):
    folder, mine, out = _setup(tmp_path)
    options = BuildOptions(output=out, templates=(mine,), formats=("pdf",), kinds=("one-page",), langs=("en",), jobs=1)
    reports: list[object] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=briefs.watch,
        kwargs={"paths": [folder], "options": options, "on_report": reports.append, "stop": stop},
        daemon=True,
    )
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while not reports and time.monotonic() < deadline:
            time.sleep(0.05)
        assert isinstance(reports[0], briefs.BuildReport), reports[0]
        assert [b.path.name for b in reports[0].built] == [NAME]
        stamp = _stamp(out)
        time.sleep(0.5)  # the watcher is listening once the first build has been reported
        shown = EDITS[change](mine, folder / "a.yaml")
        while len(reports) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        second = reports[1]
        assert isinstance(second, briefs.BuildReport), second
        assert [b.path.name for b in second.built] == [NAME]
        assert _shows(out, shown)
        assert _stamp(out) != stamp
    finally:
        stop.set()
        thread.join(timeout=30)


def test_the_service_never_answers_from_before_an_edit(tmp_path):
    """One running service, every kind of edit in turn: each next answer has a new ETag and shows the edit."""
    from starlette.testclient import TestClient

    from briefs.serve import ServeOptions, create_app

    folder, mine, out = _setup(tmp_path)
    agreement = folder / "a.yaml"
    options = ServeOptions(folder=folder, build=BuildOptions(output=out, templates=(mine,)), workers=1, watch=False)
    params = {"kind": "one-page", "lang": "en", "format": "pdf"}
    with TestClient(create_app(options)) as client:

        def ask() -> tuple[str, str]:
            response = client.post(
                "/v1/render",
                params=params,
                content=agreement.read_bytes(),
                headers={"Content-Type": "application/yaml"},
            )
            assert response.status_code == 200, response.text
            path = tmp_path / "answer.pdf"
            path.write_bytes(response.content)
            return response.headers["etag"], " ".join(text(path).split()).casefold()

        etags = [ask()[0]]
        for change in sorted(EDITS):
            shown = EDITS[change](mine, agreement)
            etag, shows = ask()
            assert etag not in etags, change
            assert shown.casefold() in shows, change
            etags.append(etag)
