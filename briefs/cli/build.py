"""``briefs build`` and ``briefs watch``: what to build from the options, then a progress line per file and a
summary."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from briefs.cli.options import (
    CliState,
    build_options,
    force_option,
    formats_option,
    global_options,
    make_build_options,
    output_option,
    paths_argument,
    wait_option,
)
from briefs.errors import EXIT_FAILED, EXIT_INVALID_INPUT, BriefsError

if TYPE_CHECKING:
    from briefs.publish.build import BuildReport
    from briefs.publish.workers import Result

OUTPUT_HELP = "Folder the briefs are written to, as DIR/<id>/<id>-<kind>-<lang>.<format>."


@click.command()
@paths_argument
@build_options
@formats_option("default: all")
@output_option(OUTPUT_HELP)
@force_option
@wait_option
@global_options
@click.pass_obj
def build(state: CliState, /, paths: tuple[Path, ...], **params: Any) -> None:
    """Build the briefs whose inputs changed, from agreement files (default: the agreements/ folder).

    Only outputs whose data, templates, styles, labels, fonts, library versions or
    options changed are rebuilt; a run with nothing to do writes nothing.
    """
    from briefs.publish.build import build as run_build

    options = make_build_options(state, params)
    with Progress(state.verbosity) as progress:
        report = run_build(paths, options, on_result=progress)
    code = summarize(report, state.verbosity)
    if code:
        sys.exit(code)


@click.command()
@paths_argument
@build_options
@formats_option("default: all")
@output_option(OUTPUT_HELP)
@global_options
@click.pass_obj
def watch(state: CliState, /, paths: tuple[Path, ...], **params: Any) -> None:
    """Build, then rebuild whenever an agreement, template, style or catalogue changes (Ctrl-C stops)."""
    from briefs.publish.watch import watch as run_watch

    def show(report: BuildReport | BriefsError) -> None:
        if isinstance(report, BriefsError):
            click.echo(str(report), err=True)
        else:
            summarize(report, state.verbosity)

    run_watch(paths, make_build_options(state, params), on_report=show)


def summarize(report: BuildReport, verbosity: int) -> int:
    """Print the problems and the summary line; return the exit code the run deserves."""
    for problem in report.invalid:
        click.echo(str(problem), err=True)
    for failure in report.failed:
        click.echo(failure, err=True)
    if verbosity >= 0:
        if not report.built and not report.failed and not report.invalid:
            click.echo(f"nothing to do: {report.unchanged} brief(s) up to date ({report.seconds:.1f} s)")
        else:
            invalid = len({p.path for p in report.invalid})
            click.echo(
                f"built {len(report.built)}, unchanged {report.unchanged}, failed {len(report.failed)}, "
                f"invalid files {invalid}, in {report.seconds:.1f} s"
            )
    if report.invalid:
        return EXIT_INVALID_INPUT
    return EXIT_FAILED if report.failed else 0


class Progress:
    """A progress bar on a terminal; elsewhere (cron, CI) one plain line per file written.

    ``min_verbosity`` is the verbosity from which anything is shown.
    """

    def __init__(self, verbosity: int, min_verbosity: int = 0) -> None:
        self.show = verbosity >= min_verbosity
        self.bar: Any = None
        self.tty = sys.stderr.isatty()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.render_finish()

    def __call__(self, result: Result, done: int, total: int) -> None:
        if not self.show:
            return
        if self.tty:
            if self.bar is None:
                self.bar = click.progressbar(length=total, label="building", file=sys.stderr)
            self.bar.update(1)
        elif result.built is not None:
            built = result.built
            pages = f"{built.pages} page{'s' if built.pages != 1 else ''}, " if built.pages else ""
            click.echo(f"wrote {built.path} ({pages}{built.bytes:,} bytes)", err=True)
