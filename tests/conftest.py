from __future__ import annotations

from pathlib import Path

import pytest

import briefs
from briefs.options import BuildOptions

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "agreements"

# A small valid agreement; tests change one line at a time, so line numbers are stable.
MINIMAL = """\
id: test-agreement
type: agreement
status: signed
signed:
  date: 2026-02-10
  place: {bg: Баку, en: Baku}
title: {bg: Споразумение за проба, en: Test Agreement}
short_title: {bg: Проба, en: Test}
parties:
  - code: USA
    name: {bg: САЩ, en: United States}
  - code: EU
    kind: organisation
    name: {bg: Европейски съюз, en: European Union}
summary: {bg: Резюме., en: Summary.}
pillars:
  - id: trade
    title: {bg: Търговия, en: Trade}
    commitments:
      - area: {bg: Мита, en: Customs}
        commitment: {bg: По-ниски мита., en: Lower tariffs.}
quotes:
  - speaker:
      name: {bg: Иван Петров, en: Ivan Petrov}
      role: {bg: министър, en: minister}
    text: {bg: Добър ден., en: Good day.}
    spoken_in: bg
    source: report
    featured: true
sources:
  - id: report
    title: {bg: Репортаж, en: Report}
    date: 2026-02-11
brief:
  organisation: {bg: Отдел, en: Unit}
  prepared: 2026-02-12
"""


@pytest.fixture
def write(tmp_path: Path):
    """Write an agreement file and return its path."""

    def _write(text: str | bytes, name: str = "x.yaml") -> Path:
        path = tmp_path / name
        if isinstance(text, str):
            path.write_text(text, encoding="utf-8")
        else:
            path.write_bytes(text)
        return path

    return _write


def build(paths, *, config=None, on_result=None, jobs=1, **options) -> briefs.BuildReport:
    """briefs.build with the options as keywords, lists allowed; one process unless ``jobs`` says otherwise."""
    chosen = {key: tuple(value) if isinstance(value, list) else value for key, value in options.items()}
    if config is not None:
        chosen["config"] = config
    return briefs.build(paths, BuildOptions(jobs=jobs, **chosen), on_result=on_result)
