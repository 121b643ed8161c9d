"""Send briefs by email: build them (incrementally), then mail them over SMTP or write them as .eml files.

One message per agreement and language, with the chosen kinds and formats
attached; with ``changed_only``, each recipient gets only the briefs whose
current version (by sha256) was not sent to them before, as ``output/<id>/sent.json``
records.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from briefs.config import Config
from briefs.data.files import AGREEMENT_SUFFIXES, DEFAULT_AGREEMENTS_DIR, agreement_files, load_agreement
from briefs.data.model import SLUG, Agreement
from briefs.deliver import body
from briefs.deliver.addresses import Recipients, collect, key, parse_addresses
from briefs.deliver.message import DEFAULT_MAX_SIZE, Attachment, MessageTooLarge, compose, megabytes
from briefs.deliver.sent import SENT, UNCONFIRMED, Sent, SentLog
from briefs.deliver.smtp import (
    DEFAULT_RETRIES,
    DEFAULT_RETRY_WAIT,
    DEFAULT_TIMEOUT,
    ENV_FROM,
    DeliveryError,
    Mailer,
    Unconfirmed,
    settings,
)
from briefs.errors import BriefsError, InvalidInput, Problem, UsageError
from briefs.localize.catalog import Catalog, load_catalog
from briefs.localize.localizer import KINDS, localize
from briefs.publish.build import DEFAULT_OUTPUT, BuildReport, build, output_path
from briefs.publish.fileio import atomic_write
from briefs.publish.lock import output_lock
from briefs.publish.manifest import read_manifest
from briefs.publish.workers import Result

log = logging.getLogger("briefs")
DEFAULT_FORMATS = ("pdf",)
"""PDF is the format for distribution; DOCX goes only when asked for (``--format docx``)."""


@dataclass
class Message:
    """One message: for one agreement and language, to the recipients who need the same briefs."""

    agreement: str
    lang: str
    recipients: list[str]
    """Bare addresses (To, Cc and Bcc)."""
    files: list[Sent]
    attachments: list[str]
    """The attachments' names, as the recipients see them."""
    message: EmailMessage
    data: bytes
    state: str = "planned"
    """planned, then sent, unconfirmed or written (--eml)."""
    refused: dict[str, str] = field(default_factory=dict)
    eml: Path | None = None

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


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
    to: Sequence[str] = (),
    cc: Sequence[str] = (),
    bcc: Sequence[str] = (),
    to_files: Sequence[Path] = (),
    cc_files: Sequence[Path] = (),
    bcc_files: Sequence[Path] = (),
    langs: Sequence[str] = (),
    kinds: Sequence[str] = (),
    formats: Sequence[str] = (),
    changed_only: bool = False,
    eml: Path | None = None,
    sender: str | None = None,
    host: str | None = None,
    port: int | None = None,
    user: str | None = None,
    tls: str | None = None,
    insecure: bool = False,
    cafile: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    retry_wait: float = DEFAULT_RETRY_WAIT,
    max_size: int = DEFAULT_MAX_SIZE,
    output: Path = DEFAULT_OUTPUT,
    templates: Sequence[Path] = (),
    config: Config | None = None,
    pdf_variant: str | None = None,
    jobs: int | None = None,
    wait: bool = False,
    env: Mapping[str, str] | None = None,
    on_result: Callable[[Result, int, int], None] | None = None,
) -> SendReport:
    """Build the briefs of ``agreements`` (ids or files; default: agreements/), then mail them, or write .eml files.

    SMTP settings not given come from the BRIEFS_SMTP_* variables of ``env`` (default: the environment);
    the password only ever comes from there. Raises BriefsError subclasses: UsageError for bad options or
    addresses, MessageTooLarge before connecting, DeliveryError when the server cannot take the messages.
    """
    started = time.perf_counter()
    env = os.environ if env is None else env
    config = config or Config()
    recipients = collect({"to": to, "cc": cc, "bcc": bcc}, {"to": to_files, "cc": cc_files, "bcc": bcc_files})
    if not recipients:
        raise UsageError("no recipients: give --to, --cc or --bcc (or a file with --to-file, --cc-file, --bcc-file)")
    from_address = _sender(sender or env.get(ENV_FROM))
    smtp = None if eml else settings(host, port, user, tls, insecure, cafile, timeout, retries, retry_wait, env)
    if max_size <= 0:
        raise UsageError("--max-size must be positive")
    formats = list(dict.fromkeys(formats)) or list(DEFAULT_FORMATS)
    kinds = list(dict.fromkeys(kinds)) or list(KINDS)
    loaded = _agreements(agreements, config)
    built = build(
        [path for path, _ in loaded],
        langs=langs,
        kinds=kinds,
        formats=formats,
        output=output,
        templates=templates,
        config=config,
        pdf_variant=pdf_variant,
        jobs=jobs,
        wait=wait,
        on_result=on_result,
    )
    if built.invalid:
        raise InvalidInput(built.invalid)
    if built.failed:
        raise BriefsError("\n".join([*built.failed, "nothing was sent: a brief failed to build"]))
    report = SendReport(built)
    catalogs = {lang: load_catalog(lang, tuple(t / "locale" for t in templates)) for lang in langs or config.languages}
    request = _Request(
        recipients, from_address, kinds, formats, output, tuple(templates), changed_only, eml is not None
    )
    with output_lock(output, wait=wait):
        for _, agreement in loaded:
            for catalog in catalogs.values():
                report.messages.extend(_plan(agreement, catalog, request, report))
        _check_sizes(report.messages, max_size)
        if eml is not None:
            _write(report.messages, eml)
        elif smtp is not None and report.messages:
            with Mailer(smtp) as mailer:
                for message in report.messages:
                    _deliver(mailer, message, from_address, output, report)
    report.seconds = time.perf_counter() - started
    return report


def _sender(text: str | None) -> Address:
    if not text:
        raise UsageError(f"no sender: give --from or set {ENV_FROM}")
    found = parse_addresses(text, "--from")
    if len(found) != 1:
        raise UsageError(f"--from {text!r}: give one address")
    return found[0]


def _agreements(names: Sequence[str | Path], config: Config) -> list[tuple[Path, Agreement]]:
    """The agreements named by id or by file (a folder: every file in it); default: the agreements/ folder."""
    files: list[Path] = []
    found: list[tuple[Path, Agreement]] = []
    problems: list[Problem] = []
    for name in names or [DEFAULT_AGREEMENTS_DIR]:
        path = Path(name)
        if path.exists() or not re.match(SLUG, str(name)):
            files.extend(agreement_files([path]))
        else:
            found.append(_by_id(str(name), config))
    for path in files:
        try:
            found.append((path, load_agreement(path, config)))
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInput(problems)
    unique: dict[Path, tuple[Path, Agreement]] = {}
    for path, agreement in found:
        unique.setdefault(path.resolve(), (path, agreement))
    return list(unique.values())


def _by_id(ident: str, config: Config) -> tuple[Path, Agreement]:
    """The file in agreements/ whose id is ``ident``: ``ident.yaml`` (or .yml, .json) first, then the others."""
    folder = DEFAULT_AGREEMENTS_DIR
    named = [folder / f"{ident}{suffix}" for suffix in AGREEMENT_SUFFIXES if (folder / f"{ident}{suffix}").is_file()]
    for path in named:
        agreement = load_agreement(path, config)  # named after the id: its problems are the user's concern
        if agreement.id == ident:
            return path, agreement
    others = agreement_files([folder]) if folder.is_dir() else []
    for path in others:
        if path in named:
            continue
        try:
            agreement = load_agreement(path, config)
        except InvalidInput:
            continue
        if agreement.id == ident:
            return path, agreement
    raise UsageError(f"{ident}: no such file, and no agreement with this id in {folder}/")


@dataclass(frozen=True)
class _Output:
    sent: Sent
    kind: str
    format: str
    data: bytes


def _outputs(
    agreement: Agreement, lang: str, kinds: Sequence[str], formats: Sequence[str], output: Path
) -> list[_Output]:
    """The built files to attach, each checked against the manifest the build wrote."""
    manifest = read_manifest(output / agreement.id)
    found: list[_Output] = []
    for kind in kinds:
        for fmt in formats:
            path = output_path(output, agreement.id, kind, lang, fmt)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise BriefsError(f"{path}: cannot read the built brief: {exc.strerror or exc}") from None
            sha = hashlib.sha256(data).hexdigest()
            entry = manifest.get(path.name)
            if entry is None or entry.sha256 != sha:
                raise BriefsError(
                    f"{path}: does not match {output / agreement.id / 'manifest.json'} (changed after the build?); "
                    "rebuild it with: briefs build --force"
                )
            found.append(_Output(Sent(path.name, sha), kind, fmt, data))
    return found


@dataclass(frozen=True)
class _Request:
    """What every message of one run shares."""

    recipients: Recipients
    sender: Address
    kinds: Sequence[str]
    formats: Sequence[str]
    output: Path
    templates: tuple[Path, ...]
    changed_only: bool
    review: bool
    """Written as .eml for review: the Bcc header is kept."""


def _plan(agreement: Agreement, catalog: Catalog, request: _Request, report: SendReport) -> list[Message]:
    """The messages for one agreement in one language: one per group of recipients who need the same briefs."""
    outputs = _outputs(agreement, catalog.language, request.kinds, request.formats, request.output)
    sent_log = SentLog.read(request.output / agreement.id, agreement.id)
    groups: dict[tuple[int, ...], set[str]] = {}
    for address in request.recipients.all():
        needed: list[int] = []
        for index, item in enumerate(outputs):
            state = sent_log.state(item.sent.sha256, key(address)) if request.changed_only else None
            if state is None:
                needed.append(index)
                continue
            report.already_sent += 1
            if state == UNCONFIRMED:
                report.notes.append(
                    f"{item.sent.file} may already have reached {address.addr_spec} (the server never confirmed "
                    f"it; see {sent_log.path}); not sent again: send without --changed-only to send it anyway"
                )
        if needed:
            groups.setdefault(tuple(needed), set()).add(key(address))
    view = localize(agreement, catalog, "one-page")
    messages: list[Message] = []
    for indices, keys in groups.items():
        chosen = [outputs[i] for i in indices]
        names: list[str] = []
        for item in chosen:
            name = body.attachment_name(catalog, view, item.kind, item.format, item.sent.file)
            names.append(item.sent.file if name in names else name)
        listed = [body.listed(catalog, n, o.kind, o.format, len(o.data)) for n, o in zip(names, chosen, strict=True)]
        texts = body.render(view, catalog, listed, request.templates)
        group = request.recipients.only(keys)
        attachments = [Attachment(n, o.data, o.format) for n, o in zip(names, chosen, strict=True)]
        message = compose(
            request.sender,
            group,
            texts.subject,
            texts.text,
            texts.html,
            attachments,
            language=view.lang,
            show_bcc=request.review,
        )
        messages.append(
            Message(
                agreement.id,
                catalog.language,
                [a.addr_spec for a in group.all()],
                [o.sent for o in chosen],
                names,
                message,
                message.as_bytes(),
            )
        )
    return messages


def _check_sizes(messages: Sequence[Message], limit: int) -> None:
    over = [m for m in messages if len(m.data) > limit]
    if over:
        lines = [
            f"{m.agreement} ({m.lang}, {', '.join(m.attachments)}): the message is {megabytes(len(m.data))}, "
            f"over the limit of {megabytes(limit)}"
            for m in over
        ]
        lines.append("nothing was sent: attach fewer briefs per message (--kind, --format, --lang) or raise --max-size")
        raise MessageTooLarge("\n".join(lines))


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
