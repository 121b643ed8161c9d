"""Rebuild on every change to the agreements, templates, styles or catalogues."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from briefs.config import Config
from briefs.data.files import DEFAULT_AGREEMENTS_DIR
from briefs.errors import BriefsError
from briefs.publish.build import DEFAULT_OUTPUT, BuildReport, build
from briefs.render.templating import search_path
from briefs.resources import locale_dir

log = logging.getLogger("briefs")
DEBOUNCE_MS = 300
"""Changes closer together than this are one rebuild: editors save in several steps."""


def watched_paths(paths: Sequence[Path], templates: Sequence[Path], config: Config) -> list[Path]:
    candidates = [
        *(paths or (DEFAULT_AGREEMENTS_DIR,)),
        *(folder for kind in ("html", "docx", "styles") for folder in search_path(kind, templates)),
        *(folder / "locale" for folder in templates),
        locale_dir(),
    ]
    if config.source is not None:
        candidates.append(config.source)
    return [path for path in dict.fromkeys(candidates) if path.exists()]


def watch(  # the build's parameters, plus what to do with each report and when to stop
    paths: Sequence[Path] = (),
    langs: Sequence[str] = (),
    kinds: Sequence[str] = (),
    formats: Sequence[str] = (),
    output: Path = DEFAULT_OUTPUT,
    templates: Sequence[Path] = (),
    config: Config | None = None,
    pdf_variant: str | None = None,
    jobs: int | None = 1,
    on_report: Callable[[BuildReport | BriefsError], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Build now, then again after each change, until ``stop`` is set (or Ctrl-C)."""
    import watchfiles

    config = config or Config()
    output_root = output.resolve()

    def rebuild() -> None:
        try:
            report: BuildReport | BriefsError = build(
                paths, langs, kinds, formats, output, templates, config, pdf_variant, jobs=jobs, wait=True
            )
        except BriefsError as exc:
            log.error("%s", exc)
            report = exc
        if on_report:
            on_report(report)

    def relevant(change: watchfiles.Change, path: str) -> bool:
        resolved = Path(path).resolve()
        return not resolved.is_relative_to(output_root) and not resolved.name.startswith((".", "~"))

    rebuild()
    watched = watched_paths(paths, templates, config)
    log.info("watching %s", ", ".join(map(str, watched)))
    for _changes in watchfiles.watch(
        *watched, watch_filter=relevant, debounce=DEBOUNCE_MS, step=50, stop_event=stop, raise_interrupt=False
    ):
        rebuild()
