"""Scheduled regeneration: incremental, reproducible, atomic, locked, parallel, resilient."""

from __future__ import annotations

import hashlib
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from briefs.errors import EXIT_LOCKED
from briefs.options import BuildOptions
from briefs.publish.lock import output_lock
from briefs.publish.manifest import MANIFEST, read_manifest
from briefs.targets import Target

from .conftest import MINIMAL, SAMPLES, build

NUCLEAR = SAMPLES / "am-us-nuclear-2026.yaml"
FAST = {"formats": ["pdf"], "kinds": ["one-page"]}


def second(text: str = MINIMAL) -> str:
    return text.replace("id: test-agreement", "id: second-agreement")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    agreements = tmp_path / "agreements"
    agreements.mkdir()
    (agreements / "first.yaml").write_text(MINIMAL, encoding="utf-8")
    (agreements / "second.yaml").write_text(second(), encoding="utf-8")
    return agreements


def snapshot(output: Path) -> dict[str, tuple[int, str]]:
    """Every file under output: its mtime and content hash."""
    return {
        str(p.relative_to(output)): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(output.rglob("*"))
        if p.is_file()
    }


def cli(*args: str, cwd: Path | None = None, **popen) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "briefs", *args], capture_output=True, text=True, cwd=cwd, env=env, **popen
    )


def test_a_second_run_writes_nothing(folder, tmp_path):
    out = tmp_path / "out"
    first = build([folder], output=out, formats=["pdf", "docx"])
    assert first.ok
    assert len(first.built) == 16
    before = snapshot(out)
    again = build([folder], output=out, formats=["pdf", "docx"])
    assert (again.built, again.unchanged, again.failed) == ([], 16, [])
    assert snapshot(out) == before


def test_the_cli_says_there_is_nothing_to_do(folder, tmp_path):
    out = tmp_path / "out"
    assert cli("build", str(folder), "-o", str(out), "--format", "pdf", "--kind", "one-page").returncode == 0
    again = cli("build", str(folder), "-o", str(out), "--format", "pdf", "--kind", "one-page")
    assert again.returncode == 0
    assert re.fullmatch(r"nothing to do: 4 brief\(s\) up to date \(\d+\.\d s\)", again.stdout.strip())


def test_changing_one_summary_rebuilds_only_that_agreement(folder, tmp_path):
    out = tmp_path / "out"
    build([folder], output=out, **FAST)
    before = snapshot(out)
    (folder / "second.yaml").write_text(second().replace("en: Summary.", "en: A new summary."), encoding="utf-8")
    report = build([folder], output=out, **FAST)
    assert sorted(o.path.name for o in report.built) == [
        "second-agreement-one-page-bg.pdf",
        "second-agreement-one-page-en.pdf",
    ]
    after = snapshot(out)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {
        "second-agreement/second-agreement-one-page-bg.pdf",
        "second-agreement/second-agreement-one-page-en.pdf",
        "second-agreement/manifest.json",
        ".briefs-index.json",
    }


def test_a_template_change_rebuilds_what_uses_it(folder, tmp_path):
    out = tmp_path / "out"
    mine = tmp_path / "mine"
    build([folder], output=out, formats=["pdf", "docx"])
    partial = mine / "html" / "partials" / "pull_quote.html"
    partial.parent.mkdir(parents=True)
    from briefs.resources import find

    partial.write_text(find("html", "partials/pull_quote.html").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    report = build([folder], output=out, formats=["pdf", "docx"], templates=[mine])
    assert {(o.format, o.kind) for o in report.built} == {("pdf", "one-page")}
    assert report.unchanged == 12


def test_force_rebuilds_everything(folder, tmp_path):
    out = tmp_path / "out"
    build([folder], output=out, **FAST)
    report = build([folder], output=out, force=True, **FAST)
    assert (len(report.built), report.unchanged) == (4, 0)


def test_manifest_lists_every_file(folder, tmp_path):
    out = tmp_path / "out"
    build([folder], output=out, formats=["pdf", "docx"], langs=["bg"])
    entries = read_manifest(out / "test-agreement")
    assert sorted(entries) == sorted(p.name for p in (out / "test-agreement").iterdir() if p.name != MANIFEST)
    for name, entry in entries.items():
        data = (out / "test-agreement" / name).read_bytes()
        assert entry.sha256 == hashlib.sha256(data).hexdigest()
        assert entry.bytes == len(data)
        assert (entry.kind, entry.lang) == (name.split("-agreement-")[1].rsplit("-", 1)[0], "bg")
        assert entry.format == name.rsplit(".", 1)[1]
        assert len(entry.stamp) == 64
    assert entries["test-agreement-one-page-bg.pdf"].pages == 1


def test_builds_in_separate_processes_and_times_are_byte_identical(folder, tmp_path):
    hashes = []
    for run, epoch in enumerate(("1700000000", "1800000000")):
        out = tmp_path / f"out{run}"
        env = {**os.environ, "SOURCE_DATE_EPOCH": epoch, "PYTHONHASHSEED": str(run + 1)}
        done = subprocess.run(
            [sys.executable, "-m", "briefs", "-q", "build", str(folder), "-o", str(out), "-j", "1"],
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        hashes.append({name: digest for name, (_, digest) in snapshot(out).items() if not name.startswith(".")})
        time.sleep(1.1)
    assert hashes[0] == hashes[1]
    assert len(hashes[0]) == 18


def test_parallel_build_gives_the_same_files(folder, tmp_path):
    one = build([folder], output=tmp_path / "one", jobs=1)
    two = build([folder], output=tmp_path / "two", jobs=2)
    assert one.ok
    assert two.ok
    strip = lambda out: {k: v[1] for k, v in snapshot(out).items()}  # noqa: E731
    assert strip(tmp_path / "one") == strip(tmp_path / "two")


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def test_a_write_failing_part_way_leaves_every_previous_output_intact(folder, tmp_path):
    out = tmp_path / "out"
    assert build([folder], output=out, formats=["pdf"]).ok
    before = snapshot(out)
    for name in ("first.yaml", "second.yaml"):
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").replace("en: Summary.", "en: Changed."), encoding="utf-8")
    done = cli("build", str(folder), "-o", str(out), "--format", "pdf", "-j", "1", preexec_fn=_limit_file_size)
    assert done.returncode == 1, done.stderr
    assert "File too large" in done.stderr
    after = snapshot(out)
    pdfs = {name: value for name, value in after.items() if name.endswith(".pdf")}
    assert pdfs == {name: value for name, value in before.items() if name.endswith(".pdf")}
    assert not list(out.rglob("*.tmp"))
    for name, entry in read_manifest(out / "test-agreement").items():
        assert entry.sha256 == hashlib.sha256((out / "test-agreement" / name).read_bytes()).hexdigest()


def test_a_killed_build_leaves_previous_outputs_and_the_next_run_cleans_up(folder, tmp_path):
    out = tmp_path / "out"
    assert build([folder], output=out, **FAST).ok
    before = snapshot(out)
    for number in range(6):
        (folder / f"more-{number}.yaml").write_text(
            MINIMAL.replace("id: test-agreement", f"id: more-{number}"), encoding="utf-8"
        )
    process = subprocess.Popen(
        [sys.executable, "-m", "briefs", "-q", "build", str(folder), "-o", str(out), "-j", "1", "--format", "pdf"],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not (out / "more-0").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    process.kill()
    process.wait()
    for name, value in before.items():
        if name.endswith(".pdf"):
            assert snapshot(out)[name] == value
    for pdf in out.rglob("*.pdf"):
        assert pdf.read_bytes().rstrip().endswith(b"%%EOF")
    assert build([folder], output=out, **FAST).ok
    assert not list(out.rglob("*.tmp"))


def test_a_second_concurrent_run_is_refused_or_waits(folder, tmp_path):
    out = tmp_path / "out"
    with output_lock(out):
        refused = cli("build", str(folder), "-o", str(out), "--format", "pdf", "--kind", "one-page")
        assert refused.returncode == EXIT_LOCKED
        assert refused.stderr.strip() == f"{out} is locked by another build; wait for it, or run with --wait"
        waiting = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "briefs",
                "-q",
                "build",
                str(folder),
                "-o",
                str(out),
                "--wait",
                "--kind",
                "one-page",
            ],
        )
        time.sleep(1.0)
        assert waiting.poll() is None
    assert waiting.wait(timeout=120) == 0
    assert Target("one-page", "bg", "pdf").path(out, "test-agreement").exists()


def test_an_invalid_agreement_does_not_stop_the_others(folder, tmp_path):
    (folder / "broken.yaml").write_text(MINIMAL.replace("id: test-agreement", "id: Broken Id"), encoding="utf-8")
    (folder / "third.yaml").write_text(MINIMAL.replace("id: test-agreement", "id: third"), encoding="utf-8")
    out = tmp_path / "out"
    done = cli("build", str(folder), "-o", str(out), "--format", "pdf", "--kind", "one-page")
    assert done.returncode == 2
    assert f"{folder / 'broken.yaml'}:1:5: id: 'Broken Id' must be a slug" in done.stderr
    assert "built 6, unchanged 0, failed 0, invalid files 1" in done.stdout
    for ident in ("test-agreement", "second-agreement", "third"):
        assert Target("one-page", "en", "pdf").path(out, ident).exists()


def test_two_files_with_one_id_are_refused(folder, tmp_path):
    (folder / "copy.yaml").write_text(MINIMAL, encoding="utf-8")
    report = build([folder], output=tmp_path / "out", **FAST)
    (problem,) = report.invalid
    # files are read in name order: copy.yaml claims the id first
    assert problem.path == str(folder / "first.yaml")
    assert problem.message == f"id 'test-agreement' is also used by {folder / 'copy.yaml'}"


def test_watch_rebuilds_after_a_change(folder, tmp_path):
    from briefs.publish.watch import watch

    out = tmp_path / "out"
    reports = []
    stop = threading.Event()
    thread = threading.Thread(
        target=watch,
        kwargs={
            "paths": [folder],
            "options": BuildOptions(output=out, formats=("pdf",), kinds=("one-page",), langs=("en",), jobs=1),
            "on_report": reports.append,
            "stop": stop,
        },
        daemon=True,
    )
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not reports and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(reports[0].built) == 2
        time.sleep(0.5)
        (folder / "first.yaml").write_text(MINIMAL.replace("en: Summary.", "en: Edited."), encoding="utf-8")
        while len(reports) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [o.path.name for o in reports[1].built] == ["test-agreement-one-page-en.pdf"]
    finally:
        stop.set()
        thread.join(timeout=10)


def test_stamps_do_not_depend_on_where_the_checkout_is(tmp_path):
    """Two copies of the same templates, styles and catalogues in different folders: the same manifest."""
    import shutil

    root = Path(__file__).resolve().parent.parent
    manifests = []
    for name in ("one", "two"):
        mine = tmp_path / name
        shutil.copytree(root / "templates", mine)
        shutil.copytree(root / "styles", mine / "styles")
        shutil.copytree(root / "briefs" / "locale", mine / "locale")
        out = tmp_path / f"out-{name}"
        done = cli("-q", "build", str(NUCLEAR), "-o", str(out), "--templates", str(mine))
        assert done.returncode == 0, done.stderr
        manifests.append((out / "am-us-nuclear-2026" / MANIFEST).read_bytes())
    assert manifests[0] == manifests[1]
