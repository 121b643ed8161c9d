"""Build: the out-of-date briefs of some agreement files, rendered and written under the output folder's lock."""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from briefs.data.files import agreement_files
from briefs.errors import Problem, UsageError
from briefs.fileio import TEMP_PATTERN
from briefs.localize import load_catalog
from briefs.options import DEFAULT_AGREEMENTS, BuildOptions
from briefs.publish.lock import output_lock
from briefs.publish.manifest import BuiltFile
from briefs.publish.plan import Plan, targets
from briefs.publish.stamps import Stamper
from briefs.publish.workers import TASKS_PER_WORKER, Renderer, Result, Task, init_worker, run_in_worker
from briefs.render import FORMATS, builder_class, make_builder
from briefs.render.base import RenderOptions

log = logging.getLogger("briefs")
TASK_TIMEOUT = 600
"""Seconds a worker may take for one brief (a one-page PDF takes about half a second)."""

OnResult = Callable[[Result, int, int], None]
"""Called after each brief with its result, how many are done, and how many there are."""


@dataclass
class BuildReport:
    built: list[BuiltFile] = field(default_factory=list)
    unchanged: int = 0
    invalid: list[Problem] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.invalid or self.failed)


def render_options(options: BuildOptions) -> RenderOptions:
    return RenderOptions(
        templates=options.templates,
        fonts=options.config.fonts,
        fallback_fonts=options.config.fallback_fonts,
        pdf_variant=options.pdf_variant,
    )


def build(
    paths: Sequence[Path] = (), options: BuildOptions | None = None, on_result: OnResult | None = None
) -> BuildReport:
    """Build the out-of-date briefs of the agreements in ``paths`` (default: agreements/).

    An invalid agreement or a failed render is reported and the others are built.
    """
    options = options or BuildOptions()
    started = time.perf_counter()
    wanted = targets(options)
    for folder in options.templates:
        if not folder.is_dir():
            raise UsageError(f"--templates {folder}: no such folder")
    catalogs = {lang: load_catalog(lang, options.templates) for lang in dict.fromkeys(t.lang for t in wanted)}
    rendering = render_options(options)
    builders = {fmt: make_builder(fmt, rendering) for fmt in dict.fromkeys(t.format for t in wanted)}
    stamper = Stamper(builders, {"languages": options.config.languages})
    files = agreement_files(paths or (DEFAULT_AGREEMENTS,))
    report = BuildReport()
    with output_lock(options.output, wait=options.wait):
        remove_stale_temporaries(options.output)
        plan = Plan(options, catalogs, stamper)
        tasks: list[Task] = []
        for task in plan.tasks(files, wanted):
            if not tasks:
                _start_worker_server(options.jobs)  # it imports the renderers while the rest is planned
            tasks.append(task)
        results = _run(tasks, Renderer(rendering, builders), options.jobs, on_result)
        plan.record(results)
    report.invalid, report.unchanged = plan.invalid, plan.unchanged
    for result in results:
        if result.built is not None:
            report.built.append(result.built)
            report.notes.extend(result.notes)
        else:
            report.failed.append(f"{result.task.source}: {result.error}")
    report.seconds = time.perf_counter() - started
    return report


def _run(tasks: list[Task], renderer: Renderer, jobs: int | None, on_result: OnResult | None) -> list[Result]:
    """Render ``tasks``: here with ``renderer`` (its builders made the stamps), or in worker processes."""
    options = renderer.options
    jobs = jobs or os.cpu_count() or 1
    results: list[Result] = []

    def done(result: Result) -> None:
        results.append(result)
        if result.error:
            log.debug("%s: %s", result.task.source, result.error)
        for note in result.notes:
            log.warning("%s", note)
        if on_result:
            on_result(result, len(results), len(tasks))

    if jobs == 1 or len(tasks) <= 1:
        for task in tasks:
            done(renderer.run(task))
        return results
    context = worker_context()
    ready = context.Event()
    formats = tuple(dict.fromkeys(task.target.format for task in tasks))
    # A worker is replaced after TASKS_PER_WORKER renders, by itself, without stopping the others
    # (multiprocessing.Pool: ProcessPoolExecutor's max_tasks_per_child deadlocks on Python 3.11).
    with context.Pool(
        processes=min(jobs, len(tasks)),
        initializer=init_worker,
        initargs=(options, formats, ready),
        maxtasksperchild=TASKS_PER_WORKER,
    ) as pool:
        # Workers start, import and warm up for about a second: this process renders meanwhile.
        queue = deque(tasks)
        while queue and not ready.is_set():
            done(renderer.run(queue.popleft()))
        pending = [(task, pool.apply_async(run_in_worker, (task,))) for task in queue]
        for task, future in pending:
            try:
                done(future.get(timeout=TASK_TIMEOUT))
            except multiprocessing.TimeoutError:
                # a worker that died mid-render never answers: fail its brief, keep the rest
                done(Result(task, error=f"no result after {TASK_TIMEOUT} s; the worker process may have died"))
    return results


def _start_worker_server(jobs: int | None) -> None:
    """Start the fork server in the background, if workers will be wanted: a second of imports."""
    if (jobs or os.cpu_count() or 1) > 1:
        worker_context()
        threading.Thread(target=multiprocessing.forkserver.ensure_running, daemon=True).start()


def worker_context() -> multiprocessing.context.BaseContext:
    """Workers fork from a server that has the renderers imported: a fresh worker is ready at once."""
    context = multiprocessing.get_context("forkserver")
    modules = [module for fmt in FORMATS for module in builder_class(fmt).preload]
    context.set_forkserver_preload(["briefs.publish.workers", *modules])
    return context


def remove_stale_temporaries(output: Path) -> None:
    """Temporary files a killed run left behind; never under an output's own name."""
    for temp in output.glob(f"*/{TEMP_PATTERN}"):
        try:
            temp.unlink(missing_ok=True)
        except OSError:  # a read-only output folder: writing will fail and say so
            log.debug("cannot remove %s", temp)
