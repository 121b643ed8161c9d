"""What a service worker does for one request: plain functions of picklable values, run in a warm process."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from briefs.config import Config
from briefs.data.loader import loads
from briefs.data.model import Agreement
from briefs.data.validate import validate_document
from briefs.deliver.body import attachment_name
from briefs.errors import BriefsError, InvalidInput, Problem
from briefs.glyphs import Coverage
from briefs.localize import load_catalog, localize
from briefs.options import BuildOptions
from briefs.publish.workers import Renderer
from briefs.targets import Target

REQUEST_NAME = "request"
"""How problems in a submitted body name their file."""


@dataclass(frozen=True)
class RenderJob:
    body: bytes
    is_json: bool
    targets: tuple[Target, ...]
    config: Config
    templates: tuple[Path, ...] = ()


@dataclass
class RenderedFile:
    target: Target
    data: bytes
    pages: int | None
    download_name: str
    """A readable, localized file name for Content-Disposition (Cyrillic in Bulgarian)."""
    seconds: float
    notes: list[str] = field(default_factory=list)


@dataclass
class RenderAnswer:
    agreement: str = ""
    files: list[RenderedFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None
    """A brief that could not be rendered as asked (it does not fit on one page, say)."""


def check(body: bytes, is_json: bool, config: Config, coverage: Coverage | None = None) -> Agreement:
    """The validated agreement of a request body, or InvalidInput with every located problem."""
    agreement, problems = validate_document(loads(body, REQUEST_NAME, is_json=is_json), config, coverage)
    if agreement is None:
        raise InvalidInput(problems)
    return agreement


def render(renderer: Renderer, job: RenderJob) -> RenderAnswer:
    try:
        agreement = check(job.body, job.is_json, job.config)
    except InvalidInput as exc:
        return RenderAnswer(problems=exc.problems)
    answer = RenderAnswer(agreement=agreement.id)
    for target in job.targets:
        catalog = load_catalog(target.lang, job.templates)
        view = localize(agreement, catalog, target.kind)
        started = time.perf_counter()
        try:
            rendered = renderer.builder(target.format).render(view)
        except BriefsError as exc:
            return RenderAnswer(agreement=agreement.id, error=str(exc))
        name = attachment_name(catalog, view, target.kind, target.format, target.filename(agreement.id))
        seconds = time.perf_counter() - started
        answer.files.append(RenderedFile(target, rendered.data, rendered.pages, name, seconds, rendered.notes))
    return answer


@dataclass(frozen=True)
class BuildJob:
    path: Path
    options: BuildOptions


@dataclass
class BuildAnswer:
    built: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0


def build(renderer: Renderer, job: BuildJob) -> BuildAnswer:
    """The agreement's out-of-date briefs, built in this worker under the output folder's lock."""
    from briefs.publish.build import build as build_briefs

    try:
        report = build_briefs([job.path], replace(job.options, jobs=1, wait=True))
    except InvalidInput as exc:
        return BuildAnswer(problems=exc.problems)
    except BriefsError as exc:
        return BuildAnswer(failed=[str(exc)])
    return BuildAnswer(
        [built.path.name for built in report.built], report.unchanged, report.invalid, report.failed, report.seconds
    )
