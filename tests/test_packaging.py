"""The wheel carries templates and styles, and an installed briefs finds them from anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLES


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
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
    if (ROOT / "briefs/locale").exists():
        assert any(n.startswith("briefs/locale/") and n.endswith(".po") for n in names)
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
    assert any(templates.rglob("*.html")) or any(templates.rglob("*"))
    result = subprocess.run(
        [str(venv / "bin/briefs"), "validate", str(SAMPLES)], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
