"""The ``briefs`` command: a thin layer over the API in ``briefs`` (see ``briefs/__init__.py``).

Modules here import the stages they call only inside the commands, so ``--help``
loads click and little else.
"""

from __future__ import annotations

import logging
import sys

import click

from briefs import __version__
from briefs.cli.build import build, watch
from briefs.cli.check import check
from briefs.cli.data import new, schema, validate
from briefs.cli.options import CliState, global_options
from briefs.cli.send import send
from briefs.cli.serve import serve
from briefs.errors import EXIT_INTERRUPTED, BriefsError

EXIT_CODES = """Exit codes: 0 success; 1 a build or delivery failed; 2 invalid input or usage;
3 another run holds the output folder; 130 interrupted."""


class _Group(click.Group):
    """Turns BriefsError into its message and exit code, never a traceback.

    The API raises BriefsError, which knows nothing of click, so that the service and other
    callers can use it too; this is the one place where it becomes a command's exit.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BriefsError as error:
            click.echo(str(error), err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)


@click.group(cls=_Group, epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="briefs")
@global_options
@click.pass_context
def main(ctx: click.Context) -> None:
    """Bilingual policy briefs (PDF, DOCX) from structured agreement data."""
    state = ctx.ensure_object(CliState)
    logging.basicConfig(format="%(message)s", stream=sys.stderr)
    state.set_verbosity(state.verbosity)


for command in (build, watch, validate, schema, new, send, serve, check):
    command.epilog = command.epilog or EXIT_CODES
    main.add_command(command)
