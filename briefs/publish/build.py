"""Build: load, validate, localize, render and write the briefs that are out of date."""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import multiprocessing.context
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from briefs.config import Config
from briefs.data.files import DEFAULT_AGREEMENTS_DIR, agreement_files, load_agreement
from briefs.errors import InvalidInput, Problem, UsageError
from briefs.localize.catalog import Catalog, load_catalog
from briefs.localize.localizer import KINDS, localize
from briefs.publish.fileio import TEMP_PATTERN
from briefs.publish.lock import output_lock
from briefs.publish.manifest import Entry, read_index, read_manifest, write_index, write_manifest
from briefs.publish.stamps import Stamper
from briefs.publish.workers import TASKS_PER_WORKER, Renderer, Result, Task, init_worker, run_in_worker
from briefs.render.base import FORMATS, RenderOptions

log = logging.getLogger("briefs")
DEFAULT_OUTPUT = Path("output")
TASK_TIMEOUT = 600
"""Seconds a worker may take for one brief (a one-page PDF takes about half a second)."""


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
    unchanged: int = 0
    invalid: list[Problem] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_kb: list[tuple[int, int]] = field(default_factory=list)
    """(worker pid, its peak RSS in KiB) after each render, in order: shows whether memory grows."""

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
    force: bool = False,
    jobs: int | None = 1,
    wait: bool = False,
    on_result: Callable[[Result, int, int], None] | None = None,
) -> BuildReport:
    """Build the out-of-date briefs of the agreements in ``paths`` (default: agreements/) into ``output``.

    An invalid agreement or a failed render is reported and the others are built.
    ``jobs`` is the number of worker processes: 1 (the default here) renders in this
    process, None one worker per CPU (the command's default).
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
    stamper = Stamper(
        templates, config.fonts, {"languages": config.languages, "pdf_variant": pdf_variant, "pdf_tags": True}
    )
    report = BuildReport()
    files = agreement_files(paths or (DEFAULT_AGREEMENTS_DIR,))
    with output_lock(output, wait=wait):
        remove_stale_temporaries(output)
        plan = _Plan(output, config, catalogs, stamper, force)
        tasks = list(plan.tasks(files, [(f, k, lang) for f in formats for k in kinds for lang in langs], report))
        results = _run(tasks, options, jobs, on_result)
        plan.record(results, report)
    report.seconds = time.perf_counter() - started
    return report


class _Plan:
    """Decides what is out of date, and records what was built."""

    def __init__(
        self, output: Path, config: Config, catalogs: dict[str, Catalog], stamper: Stamper, force: bool
    ) -> None:
        self.output = output
        self.config = config
        self.catalogs = catalogs
        self.stamper = stamper
        self.force = force
        self.index = read_index(output)
        self.manifests: dict[str, dict[str, Entry]] = {}
        self.ids: dict[str, Path] = {}

    def manifest(self, ident: str) -> dict[str, Entry]:
        if ident not in self.manifests:
            self.manifests[ident] = read_manifest(self.output / ident)
        return self.manifests[ident]

    def _stale(self, ident: str, data_sha: str, targets: list[tuple[str, str, str]]) -> list[tuple[str, str, str, str]]:
        stale = []
        entries = self.manifest(ident)
        for fmt, kind, lang in targets:
            stamp = self.stamper.stamp(data_sha, fmt, kind, lang, self.catalogs[lang].path)
            path = output_path(self.output, ident, kind, lang, fmt)
            entry = entries.get(path.name)
            fresh = entry is not None and entry.stamp == stamp and _size(path) == entry.bytes
            if self.force or not fresh:
                stale.append((fmt, kind, lang, stamp))
        return stale

    def tasks(self, files: Iterable[Path], targets: list[tuple[str, str, str]], report: BuildReport) -> Iterator[Task]:
        for path in files:
            key = str(path.resolve())
            try:
                data_sha = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError as exc:
                report.invalid.append(Problem(str(path), 1, 1, "", f"cannot read file: {exc.strerror or exc}"))
                continue
            known = self.index.get(key)
            if known and known.get("sha256") == data_sha and known.get("id") not in self.ids:
                ident = known["id"]
                if not self._stale(ident, data_sha, targets):
                    self.ids[ident] = path
                    report.unchanged += len(targets)
                    continue
            try:
                agreement = load_agreement(path, self.config)
            except InvalidInput as exc:
                report.invalid.extend(exc.problems)
                continue
            if agreement.id in self.ids:
                report.invalid.append(
                    Problem(str(path), 1, 1, "id", f"id {agreement.id!r} is also used by {self.ids[agreement.id]}")
                )
                continue
            self.ids[agreement.id] = path
            self.index[key] = {"sha256": data_sha, "id": agreement.id}
            stale = self._stale(agreement.id, data_sha, targets)
            report.unchanged += len(targets) - len(stale)
            for fmt, kind, lang, stamp in stale:
                view = localize(agreement, self.catalogs[lang], kind)
                yield Task(path, fmt, view, output_path(self.output, agreement.id, kind, lang, fmt), stamp)

    def record(self, results: list[Result], report: BuildReport) -> None:
        touched: set[str] = set()
        for result in results:
            task = result.task
            report.peak_rss_kb.append((result.pid, result.peak_rss_kb))
            if result.error:
                report.failed.append(f"{task.source}: {result.error}")
                continue
            report.notes.extend(result.notes)
            view = task.view
            self.manifest(view.id)[task.target.name] = Entry(
                view.kind, view.language, task.fmt, result.bytes, result.pages, result.sha256, task.stamp
            )
            touched.add(view.id)
            report.built.append(
                Output(task.target, view.id, view.kind, view.language, task.fmt, result.bytes, result.pages)
            )
        for ident in sorted(touched):
            write_manifest(self.output / ident, ident, self.manifests[ident])
        if touched or self.index != read_index(self.output):
            write_index(self.output, self.index)


def _run(
    tasks: list[Task], options: RenderOptions, jobs: int | None, on_result: Callable[[Result, int, int], None] | None
) -> list[Result]:
    jobs = jobs or os.cpu_count() or 1
    results: list[Result] = []

    def done(result: Result) -> None:
        results.append(result)
        if result.error:
            log.error("%s: %s", result.task.source, result.error)
        for note in result.notes:
            log.warning("%s", note)
        if on_result:
            on_result(result, len(results), len(tasks))

    if jobs == 1 or len(tasks) <= 1:
        renderer = Renderer(options)
        for task in tasks:
            done(renderer.run(task))
        return results
    # A worker is replaced after TASKS_PER_WORKER renders, by itself, without stopping the others
    # (multiprocessing.Pool: ProcessPoolExecutor's max_tasks_per_child deadlocks on Python 3.11).
    with _worker_context().Pool(
        processes=min(jobs, len(tasks)),
        initializer=init_worker,
        initargs=(options,),
        maxtasksperchild=TASKS_PER_WORKER,
    ) as pool:
        pending = [(task, pool.apply_async(run_in_worker, (task,))) for task in tasks]
        for task, future in pending:
            try:
                done(future.get(timeout=TASK_TIMEOUT))
            except multiprocessing.TimeoutError:
                # a worker that died mid-render never answers: fail its brief, keep the rest
                done(Result(task, error=f"no result after {TASK_TIMEOUT} s; the worker process may have died"))
    return results


def _worker_context() -> multiprocessing.context.BaseContext:
    """Workers fork from a server that has the renderers imported: a fresh worker is ready at once."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["briefs.publish.workers", "briefs.render.pdf", "briefs.render.docx"])
    return context


def remove_stale_temporaries(output: Path) -> None:
    """Temporary files a killed run left behind; never under an output's own name."""
    for temp in output.glob(f"*/{TEMP_PATTERN}"):
        temp.unlink(missing_ok=True)


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _choose(option: str, asked: Iterable[str], allowed: Sequence[str]) -> list[str]:
    asked = list(dict.fromkeys(asked))
    unknown = [value for value in asked if value not in allowed]
    if unknown:
        raise UsageError(f"{option} {', '.join(unknown)}: not one of {', '.join(allowed)}")
    return asked or list(allowed)
