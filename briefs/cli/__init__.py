"""The ``briefs`` command: a thin layer over briefs.data.files."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import click

from briefs import __version__
from briefs.cli.options import jobs_option, output_option, pdf_variant_option, templates_option, wait_option
from briefs.cli.send import send as send_command
from briefs.config import Config, load_config
from briefs.data import files as api
from briefs.errors import EXIT_BUILD_FAILED, EXIT_INVALID_INPUT, BriefsError
from briefs.publish.lock import EXIT_LOCKED

EXIT_CODES = f"""Exit codes: 0 success; {EXIT_BUILD_FAILED} a build failed;
{EXIT_INVALID_INPUT} invalid input or usage; {EXIT_LOCKED} another build holds the output folder."""


class _Context:
    def __init__(self, config_path: Path | None, verbosity: int) -> None:
        self.config_path = config_path
        self.verbosity = verbosity
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config


def _report(error: BriefsError) -> None:
    click.echo(str(error), err=True)


class _Group(click.Group):
    """Turns BriefsError into a message and its exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BriefsError as error:
            _report(error)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_Group, epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="briefs")
@click.option("-v", "--verbose", count=True, help="Say more; repeat for debugging output.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file (default: briefs.toml in the working directory, if any).",
)
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool, config_path: Path | None) -> None:
    """Bilingual policy briefs (PDF, DOCX) from structured agreement data."""
    verbosity = -1 if quiet else verbose
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr)
    ctx.obj = _Context(config_path, verbosity)


def _build_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options `build` and `watch` share."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option(
            "--lang", "langs", multiple=True, metavar="L", help="Language to build (repeatable; default: all)."
        ),
        click.option(
            "--kind",
            "kinds",
            multiple=True,
            type=click.Choice(["one-page", "full"]),
            help="Kind of brief (repeatable).",
        ),
        click.option(
            "--format", "formats", multiple=True, type=click.Choice(["pdf", "docx"]), help="Output format (repeatable)."
        ),
        output_option("Folder the briefs are written to, as DIR/<id>/<id>-<kind>-<lang>.<format>."),
        templates_option,
        pdf_variant_option,
        jobs_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command(epilog=EXIT_CODES)
@_build_options
@click.option("--force", is_flag=True, help="Rebuild every brief, changed or not.")
@wait_option
@click.pass_obj
def build(obj: _Context, **options: Any) -> None:
    """Build the briefs whose inputs changed, from agreement files (default: the agreements/ folder).

    Only outputs whose data, templates, styles, labels, fonts, library versions or
    options changed are rebuilt; a run with nothing to do writes nothing.
    """
    from briefs.publish import build as building

    with _Progress(obj.verbosity) as progress:
        report = building.build(**options, config=obj.config, on_result=progress)
    code = _summarize(report, obj.verbosity)
    if code:
        raise SystemExit(code)


@main.command(epilog=EXIT_CODES)
@_build_options
@click.pass_obj
def watch(obj: _Context, **options: Any) -> None:
    """Build, then rebuild whenever an agreement, template, style or catalogue changes (Ctrl-C stops)."""
    from briefs.publish import watch as watching

    def show(report: Any) -> None:
        if isinstance(report, BriefsError):
            _report(report)
        else:
            _summarize(report, obj.verbosity)

    watching.watch(**options, config=obj.config, on_report=show)


def _summarize(report: Any, verbosity: int) -> int:
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
    return EXIT_BUILD_FAILED if report.failed else 0


class _Progress:
    """A progress bar on a terminal; elsewhere (cron, CI) one plain line per file."""

    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity
        self.bar: Any = None
        self.tty = sys.stderr.isatty()

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.render_finish()

    def __call__(self, result: Any, done: int, total: int) -> None:
        if self.verbosity < 0:
            return
        if self.tty:
            if self.bar is None:
                self.bar = click.progressbar(length=total, label="building", file=sys.stderr)
            self.bar.update(1)
        elif not result.error:
            pages = f"{result.pages} page{'s' if result.pages != 1 else ''}, " if result.pages else ""
            click.echo(f"wrote {result.task.target} ({pages}{result.bytes:,} bytes)", err=True)


@main.command(epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_obj
def validate(obj: _Context, paths: tuple[Path, ...]) -> None:
    """Check agreement files (default: the agreements/ folder) and report every problem."""
    agreements = api.validate(paths or (api.DEFAULT_AGREEMENTS_DIR,), obj.config)
    if obj.verbosity >= 0:
        click.echo(f"{len(agreements)} agreement file(s) valid")


@main.command(epilog=EXIT_CODES)
@click.option(
    "-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Write here (default: standard output)."
)
@click.pass_obj
def schema(obj: _Context, output: IO[str]) -> None:
    """Print the JSON Schema of agreement files, for editors and other tools."""
    json.dump(api.schema(obj.config), output, ensure_ascii=False, indent=2)
    output.write("\n")


@main.command(epilog=EXIT_CODES)
@click.argument("ident", metavar="ID")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to create (default: agreements/ID.yaml; '-' prints it).",
)
@click.pass_obj
def new(obj: _Context, ident: str, output: Path | None) -> None:
    """Start a new agreement file: a commented skeleton with every field."""
    if output is not None and str(output) == "-":
        click.echo(api.new(ident, None, obj.config), nl=False)
        return
    target = output or api.DEFAULT_AGREEMENTS_DIR / f"{ident}.yaml"
    api.new(ident, target, obj.config)
    if obj.verbosity >= 0:
        click.echo(f"created {target}; fill it in, then run: briefs validate {target}")


main.add_command(send_command)
