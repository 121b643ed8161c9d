"""Serve: the generator as an HTTP service (``briefs serve``), over the same core as the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefs.serve.settings import ServeOptions

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["ServeOptions", "create_app", "serve"]


def create_app(options: ServeOptions | None = None) -> FastAPI:
    from briefs.serve.app import create_app as make

    return make(options)


def serve(options: ServeOptions) -> None:
    """Run the service until SIGTERM or Ctrl-C; in-flight requests get ``shutdown_grace`` seconds."""
    import logging

    import uvicorn

    options.check()
    if options.access_log:
        logging.getLogger("briefs.serve.access").setLevel(logging.INFO)
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        access = logging.getLogger("briefs.serve.access")
        access.addHandler(handler)
        access.propagate = False
    uvicorn.run(
        create_app(options),
        host=options.host,
        port=options.port,
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=int(options.shutdown_grace),
        limit_concurrency=None,
        server_header=False,
    )
