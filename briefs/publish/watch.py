"""Rebuild on every change to the agreements, templates, styles or catalogues."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from briefs.errors import BriefsError
from briefs.options import DEFAULT_AGREEMENTS, BuildOptions
from briefs.publish.build import BuildReport, build, render_options
from briefs.publish.plan import targets
from briefs.render import make_builder

log = logging.getLogger("briefs")
DEBOUNCE_MS = 300
"""Changes closer together than this are one rebuild: editors save in several steps."""


def watched_paths(paths: Sequence[Path], options: BuildOptions) -> list[Path]:
    """The agreement files or folders, every folder a builder reads from, the override folders and the
    configuration file."""
    rendering = render_options(options)
    formats = dict.fromkeys(target.format for target in targets(options))
    roots = [root for fmt in formats for root in make_builder(fmt, rendering).roots()]
    candidates = [*(paths or (DEFAULT_AGREEMENTS,)), *roots, *options.templates]
    if options.config.source is not None:
        candidates.append(options.config.source)
    return [path for path in dict.fromkeys(candidates) if path.exists()]


def watch(
    paths: Sequence[Path] = (),
    options: BuildOptions | None = None,
    on_report: Callable[[BuildReport | BriefsError], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Build now, then again after each change, until ``stop`` is set (or Ctrl-C)."""
    import watchfiles

    options = dataclasses.replace(options or BuildOptions(), wait=True)
    output_root = options.output.resolve()

    def rebuild() -> None:
        try:
            report: BuildReport | BriefsError = build(paths, options)
        except BriefsError as exc:
            log.debug("%s", exc)
            report = exc
        if on_report:
            on_report(report)

    def relevant(change: watchfiles.Change, path: str) -> bool:
        resolved = Path(path).resolve()
        return not resolved.is_relative_to(output_root) and not resolved.name.startswith((".", "~"))

    rebuild()
    watched = watched_paths(paths, options)
    log.info("watching %s", ", ".join(map(str, watched)))
    for _changes in watchfiles.watch(
        *watched, watch_filter=relevant, debounce=DEBOUNCE_MS, step=50, stop_event=stop, raise_interrupt=False
    ):
        rebuild()
