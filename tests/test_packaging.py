"""The wheel carries templates and styles, and an installed briefs finds them from anywhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from .conftest import ROOT, SAMPLES


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the tracked files, so nothing is written into the working tree
    and no stale build/ folder can ship a deleted module."""
    source = tmp_path_factory.mktemp("source")
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("briefs-*.whl")
    return path


def test_wheel_contains_templates_styles_and_catalogues(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for folder in ("templates", "styles"):
        shipped = {n for n in names if n.startswith(f"briefs/{folder}/")}
        expected = {
            f"briefs/{folder}/{p.relative_to(ROOT / folder).as_posix()}"
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        assert expected, f"{folder}/ is empty"
        assert expected <= shipped
    catalogues = {p.relative_to(ROOT).as_posix() for p in (ROOT / "briefs" / "locale").rglob("*.po")}
    assert catalogues, "briefs/locale has no catalogue"
    assert catalogues <= set(names)
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "briefs").rglob("*.py")}
    assert modules - set(names) == set()


def test_installed_wheel_works_from_any_folder(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # The fresh environment sees the test environment's dependencies, not its source tree.
    site = next(venv.glob("lib/python*/site-packages"))
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin/python"), "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = subprocess.run(
        [str(venv / "bin/python"), "-c", "import briefs.resources as r; print(r.data_dir('templates'))"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    templates = Path(probe.stdout.strip())
    assert templates.is_relative_to(site), templates
    assert sorted(p.name for p in templates.glob("html/*.html")) == ["base.html", "full.html", "one-page.html"]
    result = subprocess.run(
        [str(venv / "bin/briefs"), "validate", str(SAMPLES)], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    agreement = SAMPLES / "us-az-charter-2026.yaml"
    built = subprocess.run(
        [str(venv / "bin/briefs"), "-q", "build", str(agreement), "--lang", "en", "--kind", "one-page", "-j", "1"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    folder = elsewhere / "output" / "us-az-charter-2026"
    pdf = folder / "us-az-charter-2026-one-page-en.pdf"
    assert len(PdfReader(pdf).pages) == 1
    assert "Strategic Partnership" in " ".join(PdfReader(pdf).pages[0].extract_text().split())
    docx = Document(str(folder / "us-az-charter-2026-one-page-en.docx"))
    assert docx.core_properties.title.startswith("Charter on Strategic Partnership between")
    assert docx.core_properties.language == "en-GB"
