"""One email as MIME: headers, a plain-text and an HTML body, and the briefs attached.

Every header is made by the standard library's email package (``EmailMessage``,
``policy.SMTP``): addresses are ``Address`` objects, the subject is encoded by the
policy, and attachment names are given as RFC 2231 ``filename*`` parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.charset import Charset
from email.headerregistry import Address, Group
from email.message import EmailMessage
from email.utils import localtime, make_msgid

from briefs.deliver.addresses import Recipients, refuse_line_breaks
from briefs.errors import EXIT_INVALID_INPUT, BriefsError

MIME_TYPES = {
    "pdf": ("application", "pdf"),
    "docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
_WORD_BYTES = 42
"""UTF-8 bytes per RFC 2047 encoded word, so that each folded header line stays within 78 characters."""


class MessageTooLarge(BriefsError):
    """A message is over the size limit; found before connecting to any server."""

    exit_code = EXIT_INVALID_INPUT


@dataclass(frozen=True)
class Attachment:
    filename: str
    """The name the recipient sees (may be Cyrillic); never a path."""
    data: bytes
    format: str
    """A key of MIME_TYPES: pdf, docx."""


def compose(
    sender: Address,
    recipients: Recipients,
    subject: str,
    text: str,
    html: str,
    attachments: Sequence[Attachment],
    *,
    language: str | None = None,
    show_bcc: bool = False,
    date: datetime | None = None,
) -> EmailMessage:
    """The message: multipart/mixed with a text/plain + text/html alternative, then the attachments.

    ``show_bcc`` adds a Bcc header, for an .eml written for review; a message that is sent never has one.
    """
    refuse_line_breaks("subject", subject)
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = tuple(recipients.to) if recipients.to else Group("undisclosed-recipients")
    if recipients.cc:
        message["Cc"] = tuple(recipients.cc)
    if show_bcc and recipients.bcc:
        message["Bcc"] = tuple(recipients.bcc)
    message["Subject"] = subject
    message["Date"] = date or localtime()
    message["Message-ID"] = make_msgid(domain=sender.domain)
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    for attachment in attachments:
        _attach(message, attachment)
    if language:  # after the parts: set_content and add_* move or drop Content-* headers
        message["Content-Language"] = language
    return message


def _attach(message: EmailMessage, attachment: Attachment) -> None:
    maintype, subtype = MIME_TYPES[attachment.format]
    message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    part = list(message.iter_attachments())[-1]
    if not isinstance(part, EmailMessage):
        raise TypeError("add_attachment made no MIME part")
    if attachment.filename.isascii():
        part.set_param("name", attachment.filename)
        return
    # Clients that ignore RFC 2231 (older Outlook among them) read Content-Type's name=, written as RFC 2047
    # encoded words. The email package decodes and re-encodes any parameter it builds as RFC 2231, so this
    # one header is stored as generated: fixed text and base64 words from email.charset, folded within 78
    # characters so the SMTP policy keeps it as it is.
    words = [Charset("utf-8").header_encode(chunk) for chunk in _chunks(attachment.filename, _WORD_BYTES)]
    del part["Content-Type"]
    part.set_raw("Content-Type", f'{maintype}/{subtype};\n name="' + "\n ".join(words) + '"')


def _chunks(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` UTF-8 bytes, never splitting a character."""
    pieces: list[str] = []
    piece = ""
    for char in text:
        if piece and len((piece + char).encode("utf-8")) > limit:
            pieces.append(piece)
            piece = ""
        piece += char
    if piece:
        pieces.append(piece)
    return pieces
