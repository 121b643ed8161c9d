"""``briefs validate``, ``briefs schema`` and ``briefs new``: the agreement files themselves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

import click

from briefs.cli.options import CliState, global_options, paths_argument
from briefs.options import DEFAULT_AGREEMENTS


@click.command()
@paths_argument
@global_options
@click.pass_obj
def validate(state: CliState, paths: tuple[Path, ...]) -> None:
    """Check agreement files (default: the agreements/ folder) and report every problem."""
    from briefs.data.files import validate as run_validate

    agreements = run_validate(paths, state.config)
    if state.verbosity >= 0:
        click.echo(f"{len(agreements)} agreement file(s) valid")


@click.command()
@click.option(
    "-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Write here (default: standard output)."
)
@global_options
@click.pass_obj
def schema(state: CliState, output: IO[str]) -> None:
    """Print the JSON Schema of agreement files, for editors and other tools."""
    from briefs.data.schema import schema as make_schema

    json.dump(make_schema(state.config), output, ensure_ascii=False, indent=2)
    output.write("\n")


@click.command()
@click.argument("ident", metavar="ID")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to create (default: agreements/ID.yaml; '-' prints it).",
)
@global_options
@click.pass_obj
def new(state: CliState, ident: str, output: Path | None) -> None:
    """Start a new agreement file: a commented skeleton with every field."""
    from briefs.data.schema import new as make_new

    if output is not None and str(output) == "-":
        click.echo(make_new(ident, None, state.config), nl=False)
        return
    target = output or DEFAULT_AGREEMENTS / f"{ident}.yaml"
    make_new(ident, target, state.config)
    if state.verbosity >= 0:
        click.echo(f"created {target}; fill it in, then run: briefs validate {target}")
