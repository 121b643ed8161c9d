"""Send briefs by email: build them (incrementally), then mail them over SMTP or write them as .eml files.

One message per agreement and language, with the chosen kinds and formats
attached; with ``changed_only``, each recipient gets only the briefs whose
current version (by sha256) was not sent to them before, as ``output/<id>/sent.json``
records.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address
from pathlib import Path

from briefs.data.files import find_agreements
from briefs.deliver.addresses import collect, parse_addresses
from briefs.deliver.plan import Message, Planned, Request, check_sizes, plan
from briefs.deliver.sent import SENT, UNCONFIRMED, SentLog
from briefs.deliver.settings import DEFAULT_MAX_SIZE, ENV_FROM, SmtpOptions
from briefs.deliver.smtp import DeliveryError, Mailer, Unconfirmed, settings
from briefs.errors import BriefsError, InvalidInput, UsageError
from briefs.fileio import atomic_write
from briefs.localize import load_catalog
from briefs.options import BuildOptions
from briefs.publish.build import BuildReport, OnResult, build
from briefs.publish.lock import output_lock
from briefs.targets import KINDS

log = logging.getLogger("briefs")
DEFAULT_FORMATS = ("pdf",)
"""PDF is the format for distribution; DOCX goes only when asked for (``--format docx``)."""


@dataclass(frozen=True)
class SendOptions:
    """Who gets the briefs, from whom, and how; what is built comes from BuildOptions."""

    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    to_files: tuple[Path, ...] = ()
    cc_files: tuple[Path, ...] = ()
    bcc_files: tuple[Path, ...] = ()
    changed_only: bool = False
    eml: Path | None = None
    """Write the messages as .eml files in this folder instead of sending them."""
    sender: str | None = None
    max_size: int = DEFAULT_MAX_SIZE
    smtp: SmtpOptions = field(default_factory=SmtpOptions)


@dataclass
class SendReport:
    build: BuildReport
    messages: list[Message] = field(default_factory=list)
    already_sent: int = 0
    """Briefs not sent again to a recipient because --changed-only found them in the sent-log."""
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Refused recipients and unconfirmed deliveries: the run did not fully succeed."""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def send(
    agreements: Sequence[str | Path] = (),
    delivery: SendOptions | None = None,
    options: BuildOptions | None = None,
    env: Mapping[str, str] | None = None,
    on_result: OnResult | None = None,
) -> SendReport:
    """Build the briefs of ``agreements`` (ids or files; default: agreements/), then mail them, or write .eml files.

    SMTP settings not given come from the BRIEFS_SMTP_* variables of ``env`` (default: the environment);
    the password only ever comes from there. Raises BriefsError subclasses: UsageError for bad options or
    addresses, MessageTooLarge before connecting, DeliveryError when the server cannot take the messages.
    """
    started = time.perf_counter()
    delivery = delivery or SendOptions()
    env = os.environ if env is None else env
    options = options or BuildOptions()
    options = dataclasses.replace(options, formats=options.formats or DEFAULT_FORMATS, kinds=options.kinds or KINDS)
    recipients = collect(
        {"to": delivery.to, "cc": delivery.cc, "bcc": delivery.bcc},
        {"to": delivery.to_files, "cc": delivery.cc_files, "bcc": delivery.bcc_files},
    )
    if not recipients:
        raise UsageError("no recipients: give --to, --cc or --bcc (or a file with --to-file, --cc-file, --bcc-file)")
    from_address = _sender(delivery.sender or env.get(ENV_FROM))
    smtp = None if delivery.eml else settings(delivery.smtp, env)
    if delivery.max_size <= 0:
        raise UsageError("--max-size must be positive")
    loaded = find_agreements(agreements, options.config)
    built = build([path for path, _ in loaded], options, on_result)
    if built.invalid:
        raise InvalidInput(built.invalid)
    if built.failed:
        raise BriefsError("\n".join([*built.failed, "nothing was sent: a brief failed to build"]))
    report = SendReport(built)
    catalogs = [load_catalog(lang, options.templates) for lang in options.langs or options.config.languages]
    request = Request(
        recipients,
        from_address,
        options.kinds,
        options.formats,
        options.output,
        options.templates,
        delivery.changed_only,
        delivery.eml is not None,
    )
    planned = Planned()
    with output_lock(options.output, wait=options.wait):
        for _, agreement in loaded:
            for catalog in catalogs:
                plan(agreement, catalog, request, planned)
        report.messages, report.already_sent, report.notes = planned.messages, planned.already_sent, planned.notes
        check_sizes(report.messages, delivery.max_size)
        if delivery.eml is not None:
            _write(report.messages, delivery.eml)
        elif smtp is not None and report.messages:
            with Mailer(smtp) as mailer:
                for message in report.messages:
                    _deliver(mailer, message, from_address, options.output, report)
    report.seconds = time.perf_counter() - started
    return report


def _sender(text: str | None) -> Address:
    if not text:
        raise UsageError(f"no sender: give --from or set {ENV_FROM}")
    found = parse_addresses(text, "--from")
    if len(found) != 1:
        raise UsageError(f"--from {text!r}: give one address")
    return found[0]


def _write(messages: Sequence[Message], folder: Path) -> None:
    used: set[str] = set()
    for message in messages:
        stem = f"{message.agreement}-{message.lang}"
        name, number = f"{stem}.eml", 1
        while name in used:
            number += 1
            name = f"{stem}-{number}.eml"
        used.add(name)
        message.eml = folder / name
        atomic_write(message.eml, message.data)
        message.state = "written"


class _Journal:
    """Keeps the sent-log in step with one message's delivery (see briefs.deliver.smtp.Journal)."""

    def __init__(self, sent_log: SentLog, message: Message) -> None:
        self.sent_log = sent_log
        self.message = message

    def handing_over(self, recipients: list[str]) -> None:
        self.sent_log.record(self.message.files, [r.lower() for r in recipients], UNCONFIRMED, self.message.message_id)

    def not_delivered(self, recipients: list[str]) -> None:
        self.sent_log.forget(self.message.files, [r.lower() for r in recipients], self.message.message_id)


def _deliver(mailer: Mailer, message: Message, sender: Address, output: Path, report: SendReport) -> None:
    sent_log = SentLog.read(output / message.agreement, message.agreement)
    try:
        outcome = mailer.send(message.data, sender.addr_spec, message.recipients, _Journal(sent_log, message))
    except Unconfirmed as exc:
        message.state = UNCONFIRMED
        report.problems.append(f"{message.agreement} ({message.lang}): {exc}")
        return
    except DeliveryError as exc:
        done = sum(m.state == SENT for m in report.messages)
        if done:
            raise DeliveryError(f"{exc}\n{done} message(s) had been sent before this (see sent.json)") from None
        raise
    sent_log.record(message.files, [r.lower() for r in outcome.accepted], SENT, message.message_id)
    message.state = SENT
    message.refused = outcome.refused
    for recipient, answer in outcome.refused.items():
        report.problems.append(
            f"{message.agreement} ({message.lang}): {recipient} was refused ({answer}); the other recipients "
            "got the message"
        )
    log.info("sent %s to %d recipient(s)", ", ".join(message.attachments), len(outcome.accepted))
