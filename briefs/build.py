"""Build: load, validate, localize, render and write every brief asked for."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from briefs.api import DEFAULT_AGREEMENTS_DIR, agreement_files, load_agreement
from briefs.builders import FORMATS, Builder, RenderOptions, get_builder
from briefs.catalog import load_catalog
from briefs.config import Config
from briefs.errors import BriefsError, InvalidInput, Problem, UsageError
from briefs.fileio import atomic_write
from briefs.localize import KINDS, localize

log = logging.getLogger("briefs")
DEFAULT_OUTPUT = Path("output")


@dataclass(frozen=True)
class Output:
    path: Path
    agreement: str
    kind: str
    lang: str
    format: str
    bytes: int
    pages: int | None


@dataclass
class BuildReport:
    built: list[Output] = field(default_factory=list)
    invalid: list[Problem] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.invalid or self.failed)


def output_path(output: Path, ident: str, kind: str, lang: str, fmt: str) -> Path:
    return output / ident / f"{ident}-{kind}-{lang}.{fmt}"


def build(
    paths: Sequence[Path] = (),
    langs: Sequence[str] = (),
    kinds: Sequence[str] = (),
    formats: Sequence[str] = (),
    output: Path = DEFAULT_OUTPUT,
    templates: Sequence[Path] = (),
    config: Config | None = None,
    pdf_variant: str | None = None,
) -> BuildReport:
    """Build the briefs of the agreements in ``paths`` (default: agreements/) into ``output``.

    An invalid agreement or a failed render is reported and the others are built.
    """
    config = config or Config()
    started = time.perf_counter()
    langs = _choose("--lang", langs, config.languages)
    kinds = _choose("--kind", kinds, KINDS)
    formats = _choose("--format", formats, FORMATS)
    for folder in templates:
        if not folder.is_dir():
            raise UsageError(f"--templates {folder}: no such folder")
    catalogs = {lang: load_catalog(lang, tuple(folder / "locale" for folder in templates)) for lang in langs}
    options = RenderOptions(templates=tuple(templates), fonts=config.fonts, pdf_variant=pdf_variant)
    builders: dict[str, Builder] = {}
    report = BuildReport()
    for path in agreement_files(paths or (DEFAULT_AGREEMENTS_DIR,)):
        try:
            agreement = load_agreement(path, config)
        except InvalidInput as exc:
            report.invalid.extend(exc.problems)
            continue
        for fmt in formats:
            if fmt not in builders:
                builders[fmt] = get_builder(fmt, options)
            for kind in kinds:
                for lang in langs:
                    target = output_path(output, agreement.id, kind, lang, fmt)
                    try:
                        rendered = builders[fmt].render(localize(agreement, catalogs[lang], kind))
                        atomic_write(target, rendered.data)
                    except BriefsError as exc:
                        report.failed.append(f"{path}: {exc}")
                        log.error("%s: %s", path, exc)
                        continue
                    except Exception as exc:  # a bug, but one brief must not stop the others
                        log.debug("rendering %s failed", target, exc_info=True)
                        report.failed.append(f"{path}: {kind} {lang} {fmt}: internal error: {exc!r}")
                        log.error("%s: internal error while building %s: %r", path, target.name, exc)
                        continue
                    report.notes.extend(rendered.notes)
                    for note in rendered.notes:
                        log.warning("%s", note)
                    report.built.append(
                        Output(target, agreement.id, kind, lang, fmt, len(rendered.data), rendered.pages)
                    )
                    log.info("wrote %s (%s pages, %s bytes)", target, rendered.pages, len(rendered.data))
    report.seconds = time.perf_counter() - started
    return report


def _choose(option: str, asked: Iterable[str], allowed: Sequence[str]) -> list[str]:
    asked = list(dict.fromkeys(asked))
    unknown = [value for value in asked if value not in allowed]
    if unknown:
        raise UsageError(f"{option} {', '.join(unknown)}: not one of {', '.join(allowed)}")
    return asked or list(allowed)
