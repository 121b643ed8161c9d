"""Options that `build`, `watch` and `send` share, defined once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


def output_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "-o",
        "--output",
        type=click.Path(file_okay=False, path_type=Path),
        default="output",
        show_default=True,
        help=help_text,
    )


templates_option = click.option(
    "--templates",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder with html/, docx/, email/, styles/ or locale/ files that override the built-in ones of the same name.",
)
pdf_variant_option = click.option(
    "--pdf-variant", metavar="VARIANT", help="WeasyPrint PDF variant, e.g. pdf/a-3u or pdf/ua-1."
)
jobs_option = click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: one per CPU)."
)
wait_option = click.option("--wait", is_flag=True, help="If another run holds the output folder, wait for it.")
