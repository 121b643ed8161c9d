"""Rendering and writing one output, in this process or in a pool worker that keeps its builders warm."""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import resource
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event
from pathlib import Path

from briefs.errors import BriefsError
from briefs.fileio import atomic_write
from briefs.localize.view import BriefView
from briefs.publish.manifest import BuiltFile
from briefs.render import make_builder
from briefs.render.base import Builder, RenderOptions
from briefs.targets import Target

log = logging.getLogger("briefs")


@dataclass(frozen=True)
class Task:
    source: Path
    """The agreement file the view was made from."""
    view: BriefView
    target: Target
    path: Path
    stamp: str


@dataclass
class Result:
    task: Task
    built: BuiltFile | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    peak_rss_kb: int = 0
    """The rendering process's peak memory after this task, for benchmarks."""
    pid: int = 0


class Renderer:
    """Builders by format, created on first use and kept: fonts and templates load once."""

    def __init__(self, options: RenderOptions, builders: dict[str, Builder] | None = None) -> None:
        self.options = options
        self.builders: dict[str, Builder] = dict(builders or {})

    def builder(self, fmt: str) -> Builder:
        if fmt not in self.builders:
            self.builders[fmt] = make_builder(fmt, self.options)
        return self.builders[fmt]

    def run(self, task: Task) -> Result:
        result = Result(task)
        fmt = task.target.format
        try:
            rendered = self.builder(fmt).render(task.view)
            atomic_write(task.path, rendered.data)
        except BriefsError as exc:
            result.error = str(exc)
        except Exception as exc:  # a bug, but one brief must not stop the others
            log.debug("rendering %s failed", task.path, exc_info=True)
            result.error = f"internal error while building {task.path.name}: {exc!r}"
        else:
            sha = hashlib.sha256(rendered.data).hexdigest()
            result.built = BuiltFile(
                task.view.id, task.target, task.path, len(rendered.data), rendered.pages, sha, task.stamp
            )
            result.notes = rendered.notes
        result.peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result.pid = os.getpid()
        return result


TASKS_PER_WORKER = 30
"""Renders a worker does before it is replaced: WeasyPrint's layout keeps about 0.3-0.5 MiB of
native memory per document that no collection returns, so a worker that lived for the whole
batch would grow without bound."""

_worker: Renderer | None = None


def init_worker(options: RenderOptions, formats: tuple[str, ...], ready: Event) -> None:
    """Pool initializer: one Renderer per worker process for its whole life, warmed up (builders made,
    fonts loaded, a first page laid out) before its first task; then ``ready`` is set."""
    global _worker
    _worker = Renderer(options)
    for fmt in formats:
        _worker.builder(fmt).warm()
    # Fonts, templates and modules now live as long as the worker: freeze them out of the
    # collector's sight, and collect between renders only (a full collection otherwise pauses
    # a render for 70-140 ms).
    gc.collect()
    gc.freeze()
    gc.disable()
    ready.set()


def run_in_worker(task: Task) -> Result:
    if _worker is None:
        raise RuntimeError("init_worker was not called in this worker")
    result = _worker.run(task)
    gc.collect()  # between renders, rather than at random inside them (the collector is off)
    return result
