"""``briefs serve``: the HTTP service and the live preview (see README, "Service")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from briefs.cli.options import (
    CliState,
    global_options,
    langs_option,
    make_build_options,
    output_option,
    pdf_variant_option,
    templates_option,
)
from briefs.options import DEFAULT_AGREEMENTS


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_AGREEMENTS)
@output_option("Where the folder's briefs are built and served from.")
@click.option("--host", envvar="BRIEFS_HOST", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", envvar="BRIEFS_PORT", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    envvar="BRIEFS_WORKERS",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Warm render processes.",
)
@click.option(
    "--queue",
    envvar="BRIEFS_QUEUE",
    type=click.IntRange(min=0),
    default=8,
    show_default=True,
    help="Requests that may wait for a worker; more are answered 429.",
)
@click.option(
    "--deadline",
    envvar="BRIEFS_DEADLINE",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds a request may take; then 503, and its worker is replaced.",
)
@click.option(
    "--max-body",
    envvar="BRIEFS_MAX_BODY",
    type=click.IntRange(min=1),
    default=1024 * 1024,
    show_default=True,
    help="Largest request body in bytes; larger ones are answered 413.",
)
@click.option(
    "--keys-file",
    envvar="BRIEFS_API_KEYS_FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="API keys, one per line (also: BRIEFS_API_KEYS, separated by commas).",
)
@click.option("--allow-no-keys", is_flag=True, help="Serve beyond loopback without API keys (not advised).")
@click.option("--access-log/--no-access-log", envvar="BRIEFS_ACCESS_LOG", default=False, help="JSON lines on stderr.")
@click.option("--watch/--no-watch", default=True, show_default=True, help="Rebuild the folder's briefs on change.")
@langs_option
@templates_option
@pdf_variant_option
@global_options
@click.pass_obj
def serve(state: CliState, /, folder: Path, **params: Any) -> None:
    """Serve briefs over HTTP, with a live bilingual preview of FOLDER (default: agreements/)."""
    from briefs.serve import serve as run_serve
    from briefs.serve.settings import ServeOptions, env_keys, keys_from

    keys = keys_from(env_keys(), params.pop("keys_file"))
    build_options = make_build_options(state, params)
    options = ServeOptions(folder=folder, build=build_options, keys=keys, **params)
    options.check()
    if state.verbosity >= 0:
        where = f"http://{options.host}:{options.port}/"
        click.echo(f"serving {folder} on {where} ({options.workers} workers; Ctrl-C stops)", err=True)
    run_serve(options)
