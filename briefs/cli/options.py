"""Options shared by several commands, defined once; the global ones are accepted after the command too."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from briefs.options import DEFAULT_OUTPUT
from briefs.render import FORMATS
from briefs.targets import KINDS

if TYPE_CHECKING:
    from briefs.config import Config
    from briefs.options import BuildOptions

F = TypeVar("F", bound=Callable[..., Any])


class CliState:
    """What the global options set, for every command: verbosity and the configuration file."""

    def __init__(self) -> None:
        self.verbosity = 0
        self.config_path: Path | None = None
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        """The configuration, read on first use."""
        if self._config is None:
            from briefs.config import load_config

            self._config = load_config(self.config_path)
        return self._config

    def set_verbosity(self, verbosity: int) -> None:
        self.verbosity = verbosity
        level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        logging.getLogger().setLevel(level)


def _state(ctx: click.Context) -> CliState:
    return ctx.ensure_object(CliState)


def _verbose(ctx: click.Context, param: click.Parameter, value: int) -> None:
    if value:
        _state(ctx).set_verbosity(value)


def _quiet(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        _state(ctx).set_verbosity(-1)


def _config(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        _state(ctx).config_path = value


def global_options(command: F) -> F:
    """-v, -q and --config: on the group, and on every command so they may follow its name."""
    for option in reversed(
        [
            click.option(
                "-v",
                "--verbose",
                count=True,
                expose_value=False,
                callback=_verbose,
                help="Say more; repeat for debugging output.",
            ),
            click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_quiet, help="Print errors only."),
            click.option(
                "--config",
                type=click.Path(dir_okay=False, path_type=Path),
                expose_value=False,
                callback=_config,
                help="Configuration file (default: briefs.toml in the working directory, if any).",
            ),
        ]
    ):
        command = option(command)
    return command


def output_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path),  # a file in the way is reported when the folder is made
        default=DEFAULT_OUTPUT,
        show_default=True,
        help=help_text,
    )


paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
langs_option = click.option(
    "--lang", "langs", multiple=True, metavar="L", help="Language (repeatable; default: every configured one)."
)
kinds_option = click.option(
    "--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Kind of brief (repeatable; default: all)."
)


def formats_option(default_help: str) -> Callable[[F], F]:
    return click.option(
        "--format", "formats", multiple=True, type=click.Choice(FORMATS), help=f"Format (repeatable; {default_help})."
    )


templates_option = click.option(
    "--templates",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder with html/, docx/, email/, styles/ or locale/ files that override the built-in ones of the same name.",
)
pdf_variant_option = click.option(
    "--pdf-variant",
    metavar="VARIANT",
    help="PDF standard (default: pdf/a-2a+ua-1, PDF/A-2 level A and PDF/UA-1 in one file); also pdf/a-3a+ua-1, "
    "any WeasyPrint variant (pdf/a-3u, pdf/ua-1, ...), or none.",
)
jobs_option = click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: one per CPU)."
)
wait_option = click.option("--wait", is_flag=True, help="If another run holds the output folder, wait for it.")
force_option = click.option("--force", is_flag=True, help="Rebuild every brief, changed or not.")


def build_options(command: F) -> F:
    """What to build and where: shared by build, watch and send."""
    for option in reversed([langs_option, kinds_option, templates_option, pdf_variant_option, jobs_option]):
        command = option(command)
    return command


def make_build_options(state: CliState, params: dict[str, Any]) -> BuildOptions:
    """briefs.options.BuildOptions from the command's parameters of the same names."""
    from dataclasses import fields

    from briefs.options import BuildOptions

    names = {f.name for f in fields(BuildOptions)} - {"config"}
    chosen = {name: params.pop(name) for name in list(params) if name in names}
    for name in ("langs", "kinds", "formats", "templates"):
        if name in chosen:
            chosen[name] = tuple(chosen[name])
    return BuildOptions(**chosen, config=state.config)
