"""The messages of one send: which built files each recipient needs, and how each message is made."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from briefs.data.model import Agreement
from briefs.deliver import body
from briefs.deliver.addresses import Recipients, key
from briefs.deliver.message import Attachment, MessageTooLarge, compose
from briefs.deliver.sent import UNCONFIRMED, Sent, SentLog
from briefs.deliver.settings import megabytes
from briefs.errors import BriefsError
from briefs.localize import Catalog, localize
from briefs.publish.manifest import BuiltFile, read_manifest
from briefs.targets import Target


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


@dataclass(frozen=True)
class Request:
    """What every message of one send shares."""

    recipients: Recipients
    sender: Address
    kinds: Sequence[str]
    formats: Sequence[str]
    output: Path
    templates: tuple[Path, ...]
    changed_only: bool
    review: bool
    """Written as .eml for review: the Bcc header is kept."""


@dataclass
class Planned:
    messages: list[Message] = field(default_factory=list)
    already_sent: int = 0
    notes: list[str] = field(default_factory=list)


def built_files(agreement: str, lang: str, request: Request) -> list[tuple[BuiltFile, bytes]]:
    """The built files to attach, with their bytes, each checked against the manifest the build wrote."""
    folder = request.output / agreement
    manifest = read_manifest(folder)
    found: list[tuple[BuiltFile, bytes]] = []
    for kind in request.kinds:
        for fmt in request.formats:
            path = Target(kind, lang, fmt).path(request.output, agreement)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise BriefsError(f"{path}: cannot read the built brief: {exc.strerror or exc}") from None
            entry = manifest.get(path.name)
            if entry is None or entry.sha256 != hashlib.sha256(data).hexdigest():
                raise BriefsError(
                    f"{path}: does not match {folder / 'manifest.json'} (changed after the build?); "
                    "rebuild it with: briefs build --force"
                )
            found.append((entry, data))
    return found


def plan(agreement: Agreement, catalog: Catalog, request: Request, planned: Planned) -> None:
    """The messages for one agreement in one language: one per group of recipients who need the same briefs."""
    outputs = built_files(agreement.id, catalog.language, request)
    sent_log = SentLog.read(request.output / agreement.id, agreement.id)
    groups: dict[tuple[int, ...], set[str]] = {}
    for address in request.recipients.all():
        needed: list[int] = []
        for index, (built, _) in enumerate(outputs):
            state = sent_log.state(built.sha256, key(address)) if request.changed_only else None
            if state is None:
                needed.append(index)
                continue
            planned.already_sent += 1
            if state == UNCONFIRMED:
                planned.notes.append(
                    f"{built.path.name} may already have reached {address.addr_spec} (the server never confirmed "
                    f"it; see {sent_log.path}); not sent again: send without --changed-only to send it anyway"
                )
        if needed:
            groups.setdefault(tuple(needed), set()).add(key(address))
    view = localize(agreement, catalog, "one-page")
    for indices, keys in groups.items():
        chosen = [outputs[i] for i in indices]
        names: list[str] = []
        for built, _ in chosen:
            name = body.attachment_name(catalog, view, built.kind, built.format, built.path.name)
            names.append(built.path.name if name in names else name)
        listed = [
            body.listed(catalog, name, built.kind, built.format, len(data))
            for name, (built, data) in zip(names, chosen, strict=True)
        ]
        texts = body.render(view, catalog, listed, request.templates)
        group = request.recipients.only(keys)
        attachments = [Attachment(name, data, built.format) for name, (built, data) in zip(names, chosen, strict=True)]
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
        planned.messages.append(
            Message(
                agreement.id,
                catalog.language,
                [a.addr_spec for a in group.all()],
                [Sent(built.path.name, built.sha256) for built, _ in chosen],
                names,
                message,
                message.as_bytes(),
            )
        )


def check_sizes(messages: Sequence[Message], limit: int) -> None:
    over = [m for m in messages if len(m.data) > limit]
    if over:
        lines = [
            f"{m.agreement} ({m.lang}, {', '.join(m.attachments)}): the message is {megabytes(len(m.data))}, "
            f"over the limit of {megabytes(limit)}"
            for m in over
        ]
        lines.append("nothing was sent: attach fewer briefs per message (--kind, --format, --lang) or raise --max-size")
        raise MessageTooLarge("\n".join(lines))
