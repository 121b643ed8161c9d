"""``briefs send``: build, then e-mail the briefs; a thin layer over ``briefs.deliver.send``."""

from __future__ import annotations

import re
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any, ClassVar

import click

from briefs.cli.build import Progress
from briefs.cli.options import (
    CliState,
    build_options,
    formats_option,
    global_options,
    make_build_options,
    output_option,
    wait_option,
)
from briefs.deliver.settings import (
    DEFAULT_MAX_SIZE,
    DEFAULT_RETRIES,
    DEFAULT_RETRY_WAIT,
    DEFAULT_TIMEOUT,
    TLS_MODES,
    SmtpOptions,
    megabytes,
)
from briefs.errors import EXIT_FAILED, EXIT_INVALID_INPUT, EXIT_LOCKED

EPILOG = f"""\b
Settings not given as options come from the environment:
BRIEFS_SMTP_HOST, BRIEFS_SMTP_PORT, BRIEFS_SMTP_USER, BRIEFS_SMTP_FROM,
BRIEFS_SMTP_TLS (starttls or implicit), BRIEFS_SMTP_CAFILE. The password
is read only from BRIEFS_SMTP_PASSWORD or BRIEFS_SMTP_PASSWORD_FILE,
never from an option.

\b
Exit codes: 0 success; {EXIT_FAILED} a build or a delivery failed, or a recipient
was refused; {EXIT_INVALID_INPUT} invalid input or usage (a message over --max-size too);
{EXIT_LOCKED} another run holds the output folder; 130 interrupted."""


class _Size(click.ParamType):  # type: ignore[type-arg]  # click 8.2 made it generic, 8.1 is not
    """``10MB``, ``512k``, ``1.5 M`` or a number of bytes; K and M count in 1024s."""

    name = "size"
    _UNITS: ClassVar[dict[str, int]] = {
        "": 1,
        "b": 1,
        "k": 1024,
        "kb": 1024,
        "m": 1024**2,
        "mb": 1024**2,
        "g": 1024**3,
        "gb": 1024**3,
    }

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(value))
        unit = match.group(2).lower() if match else ""
        if not match or unit not in self._UNITS or float(match.group(1)) <= 0:
            self.fail(f"{value!r} is not a size such as 10MB, 512KB or 1048576", param, ctx)
        return int(float(match.group(1)) * self._UNITS[unit])


@click.command(epilog=EPILOG)
@click.argument("agreements", nargs=-1, metavar="[AGREEMENT]...")
@click.option("--to", "to", multiple=True, metavar="ADDR", help="Recipient (repeatable; 'a@x.org, b@y.org' too).")
@click.option("--cc", "cc", multiple=True, metavar="ADDR", help="Copy to (repeatable).")
@click.option(
    "--bcc", "bcc", multiple=True, metavar="ADDR", help="Blind copy to: not shown to the others (repeatable)."
)
@click.option(
    "--to-file",
    "to_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Recipients from a file: one address per line, # comments (repeatable).",
)
@click.option(
    "--cc-file", "cc_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path), help="Cc from a file."
)
@click.option(
    "--bcc-file", "bcc_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path), help="Bcc from a file."
)
@build_options
@formats_option("default: pdf")
@click.option("--changed-only", is_flag=True, help="Send each recipient only the briefs changed since they got them.")
@click.option(
    "--eml",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write the messages as .eml files in DIR for review, instead of sending them.",
)
@click.option("--from", "sender", metavar="ADDR", help="Sender, e.g. 'Press office <press@example.org>'.")
@click.option("--host", metavar="HOST", help="SMTP server.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    help="SMTP port (default: 587; 465 with --tls implicit; 25 with --insecure).",
)
@click.option("--user", metavar="NAME", help="SMTP user name (the password comes from the environment).")
@click.option("--tls", type=click.Choice(TLS_MODES), help="STARTTLS (the default) or implicit TLS.")
@click.option("--insecure", is_flag=True, help="Plain text without TLS: only for a local relay.")
@click.option(
    "--cafile",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CA certificates (PEM) to trust, for a server with a private CA.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds to wait for the server to connect or answer.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=DEFAULT_RETRIES,
    show_default=True,
    help="How often to try again after a temporary failure (4xx, lost connection).",
)
@click.option(
    "--retry-wait",
    type=click.FloatRange(min=0),
    default=DEFAULT_RETRY_WAIT,
    show_default=True,
    help="Seconds before the first retry; doubled for each next one.",
)
@click.option(
    "--max-size",
    type=_Size(),
    default=DEFAULT_MAX_SIZE,
    help=f"Largest message, checked before sending (default: {megabytes(DEFAULT_MAX_SIZE)}).",
)
@output_option("Folder of the built briefs (and of each agreement's sent.json).")
@wait_option
@global_options
@click.pass_obj
def send(state: CliState, /, agreements: tuple[str, ...], **params: Any) -> None:
    """Build the briefs of AGREEMENT (an id or a file; default: every agreement), then email them.

    One message per agreement and language, with the briefs attached. --eml DIR writes the messages as
    files instead; --changed-only sends each brief once per change (output/<id>/sent.json remembers).
    """
    from briefs.deliver.send import SendOptions
    from briefs.deliver.send import send as run_send

    options = make_build_options(state, params)
    smtp = SmtpOptions(**{f.name: params.pop(f.name) for f in fields(SmtpOptions)})
    for name in ("to", "cc", "bcc", "to_files", "cc_files", "bcc_files"):
        params[name] = tuple(params[name])
    delivery = SendOptions(**params, smtp=smtp)
    report = run_send(agreements, delivery, options, on_result=Progress(state.verbosity, min_verbosity=1))
    for note in report.notes:
        click.echo(f"warning: {note}", err=True)
    if state.verbosity >= 1 and (report.build.built or report.build.unchanged):
        click.echo(
            f"built {len(report.build.built)} brief(s), {report.build.unchanged} up to date "
            f"({report.build.seconds:.1f} s)",
            err=True,
        )
    if state.verbosity >= 0:
        for message in report.messages:
            attached = ", ".join(message.attachments)
            if message.eml is not None:
                click.echo(f"wrote {message.eml}: {attached}")
            elif message.state == "sent":
                accepted = [r for r in message.recipients if r not in message.refused]
                click.echo(f"sent {message.agreement} ({message.lang}) to {', '.join(accepted)}: {attached}")
        if not report.messages:
            click.echo(f"nothing to send: {report.already_sent} brief(s) already sent to these recipients")
    for problem in report.problems:
        click.echo(problem, err=True)
    if not report.ok:
        sys.exit(EXIT_FAILED)
