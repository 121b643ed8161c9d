"""Delivery over SMTP: verified TLS, timeouts, retries on temporary failures, and no message sent twice.

A message counts as delivered when the server answers 250 to its data. If the
connection is lost before the whole message reached the server, nothing was
delivered and it is tried again; if it is lost after the message was sent and
before the answer, the server may have it, so it is *not* sent again (``Unconfirmed``).
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from briefs.deliver.settings import (
    DEFAULT_PORTS,
    DEFAULT_RETRIES,
    DEFAULT_RETRY_WAIT,
    DEFAULT_TIMEOUT,
    ENV_CAFILE,
    ENV_HOST,
    ENV_PASSWORD,
    ENV_PASSWORD_FILE,
    ENV_PORT,
    ENV_TLS,
    ENV_USER,
    TLS_MODES,
    SmtpOptions,
)
from briefs.errors import BriefsError, UsageError

log = logging.getLogger("briefs")

MAX_RETRY_WAIT = 60.0

T = TypeVar("T")


class DeliveryError(BriefsError):
    """A message could not be delivered (exit 1): the server refused it, or could not be reached."""


class Unconfirmed(DeliveryError):
    """The connection was lost after the message was sent and before the server confirmed it."""


class _Temporary(Exception):
    """Worth another try: a 4xx answer, a lost connection, a timeout."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    """starttls, implicit (TLS from the first byte) or none (plain text: --insecure)."""
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: Path | None = None
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    retry_wait: float = DEFAULT_RETRY_WAIT
    """Seconds before the first retry; doubled for each next one, at most MAX_RETRY_WAIT."""

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def settings(options: SmtpOptions, env: Mapping[str, str] | None = None) -> SmtpSettings:
    """The connection settings: each option, else its BRIEFS_SMTP_* variable; the password only from ``env``."""
    env = env if env is not None else {}
    host, port, tls, cafile = options.host, options.port, options.tls, options.cafile
    insecure, timeout, retries, retry_wait = options.insecure, options.timeout, options.retries, options.retry_wait
    host = host or env.get(ENV_HOST)
    if not host:
        raise UsageError(f"no SMTP server: give --host or set {ENV_HOST} (or use --eml DIR to write the messages)")
    if insecure and tls:
        raise UsageError("--insecure (plain text) and --tls cannot be used together")
    tls = tls or env.get(ENV_TLS) or "starttls"
    if tls not in TLS_MODES:
        raise UsageError(f"{ENV_TLS}={tls!r}: not one of {', '.join(TLS_MODES)}")
    security = "none" if insecure else tls
    if port is None and env.get(ENV_PORT):
        try:
            port = int(env[ENV_PORT])
        except ValueError:
            raise UsageError(f"{ENV_PORT}={env[ENV_PORT]!r}: not a port number") from None
    port = DEFAULT_PORTS[security] if port is None else port
    if not 0 < port < 65536:
        raise UsageError(f"SMTP port {port}: not between 1 and 65535")
    cafile = cafile or (Path(env[ENV_CAFILE]) if env.get(ENV_CAFILE) else None)
    if cafile is not None and not cafile.is_file():
        raise UsageError(f"CA file {cafile}: no such file (--cafile or {ENV_CAFILE})")
    if timeout <= 0 or retries < 0 or retry_wait < 0:
        raise UsageError("--timeout must be positive, --retries and --retry-wait at least 0")
    user = options.user or env.get(ENV_USER) or None
    password = _password(env) if user else None
    return SmtpSettings(host, port, security, user, password, cafile, timeout, retries, retry_wait)


def _password(env: Mapping[str, str]) -> str:
    given, path = env.get(ENV_PASSWORD), env.get(ENV_PASSWORD_FILE)
    if given and path:
        raise UsageError(f"both {ENV_PASSWORD} and {ENV_PASSWORD_FILE} are set; set only one")
    if path:
        try:
            given = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise UsageError(f"{ENV_PASSWORD_FILE}: cannot read {path}: {reason}") from None
    if not given:
        raise UsageError(f"an SMTP user is set but no password: set {ENV_PASSWORD} or {ENV_PASSWORD_FILE}")
    return given


class Journal(Protocol):
    """Told when a message is handed over, so that an interrupted run never sends it twice."""

    def handing_over(self, recipients: list[str]) -> None:
        """The server accepted these recipients and is about to receive the message."""

    def not_delivered(self, recipients: list[str]) -> None:
        """The message did not reach the server whole, or the server refused it: nothing was delivered."""


@dataclass
class Outcome:
    accepted: list[str]
    refused: dict[str, str]
    """Recipients the server refused while it accepted others: address -> its answer."""


class Mailer:
    """One connection, opened when first needed and reopened after a failure; close() says QUIT."""

    def __init__(self, settings: SmtpSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self._sleep = sleep
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, data: bytes, sender: str, recipients: Sequence[str], journal: Journal) -> Outcome:
        """Deliver ``data`` (the message as bytes), retrying temporary failures with growing waits."""
        s = self.settings
        attempts = s.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._transaction(data, sender, list(recipients), journal)
            except _Temporary as exc:
                self.close()
                reason = self._redact(str(exc))
                if attempt == attempts:
                    raise DeliveryError(f"{s.where}: {reason}; gave up after {attempts} attempt(s)") from None
                wait = min(s.retry_wait * 2 ** (attempt - 1), MAX_RETRY_WAIT)
                log.warning(
                    "%s: %s; trying again in %.1f s (attempt %d of %d)", s.where, reason, wait, attempt + 1, attempts
                )
                self._sleep(wait)
            except DeliveryError as exc:
                self.close()
                raise type(exc)(self._redact(str(exc))) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            smtp.close()

    def _redact(self, text: str) -> str:
        password = self.settings.password
        return text.replace(password, "***") if password else text

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = _checked(self.settings, lambda: _open(self.settings))
        return self._smtp

    def _transaction(self, data: bytes, sender: str, recipients: list[str], journal: Journal) -> Outcome:
        smtp = self._connection()

        def step() -> Outcome:
            options = [f"SIZE={len(data)}"] if smtp.has_extn("size") else []
            code, reply = smtp.mail(sender, options)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            accepted: list[str] = []
            refused: dict[str, tuple[int, bytes]] = {}
            for recipient in recipients:
                code, reply = smtp.rcpt(recipient)
                if code in (250, 251):
                    accepted.append(recipient)
                else:
                    refused[recipient] = (code, reply)
            if not accepted:
                raise smtplib.SMTPRecipientsRefused(refused)
            code, reply = smtp.docmd("DATA")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            journal.handing_over(accepted)
            try:
                smtp.send(_wire(data))
            except BaseException:
                journal.not_delivered(accepted)
                raise
            try:
                code, reply = smtp.getreply()
            except smtplib.SMTPServerDisconnected as exc:
                raise Unconfirmed(
                    f"{self.settings.where}: the connection was lost after the message was sent and before the "
                    f"server confirmed it ({exc}); it may have been delivered, so it is not sent again"
                ) from None
            if code != 250:
                journal.not_delivered(accepted)
                raise smtplib.SMTPDataError(code, reply)
            return Outcome(accepted, {r: f"{c} {_text(answer)}" for r, (c, answer) in refused.items()})

        return _checked(self.settings, step)


def _open(s: SmtpSettings) -> smtplib.SMTP:
    context = _tls_context(s) if s.security != "none" else None
    log.info("connecting to %s (%s)", s.where, {"none": "plain text"}.get(s.security, s.security.upper()))
    smtp: smtplib.SMTP
    if s.security == "implicit":
        smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
    else:
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
    try:
        smtp.ehlo_or_helo_if_needed()
        if s.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise DeliveryError(
                    f"{s.where}: the server does not offer STARTTLS; use --tls implicit for a TLS port, or "
                    "--insecure for a local relay without TLS"
                )
            smtp.starttls(context=context)
            smtp.ehlo()
        if s.user:
            if s.security == "none":
                log.warning("%s: logging in without TLS (--insecure)", s.where)
            smtp.login(s.user, s.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _tls_context(s: SmtpSettings) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=str(s.cafile) if s.cafile else None)
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(f"CA file {s.cafile}: cannot be used: {exc}") from None


def _checked(s: SmtpSettings, action: Callable[[], T]) -> T:
    """Run ``action``; turn what goes wrong into _Temporary (try again) or DeliveryError (give up)."""
    try:
        return action()
    except (BriefsError, _Temporary):
        raise
    except smtplib.SMTPServerDisconnected as exc:
        raise _Temporary(f"connection lost ({exc})") from None
    except UnicodeEncodeError:
        # smtplib sends the user name and password as ASCII; the error would quote them
        raise DeliveryError(f"{s.where}: the SMTP user name and password must be ASCII text") from None
    except smtplib.SMTPAuthenticationError as exc:
        if 400 <= exc.smtp_code < 500:
            raise _Temporary(f"authentication failed for now: {exc.smtp_code} {_text(exc.smtp_error)}") from None
        raise DeliveryError(
            f"{s.where}: authentication failed: {exc.smtp_code} {_text(exc.smtp_error)}; check {ENV_USER} (or "
            f"--user) and the password in {ENV_PASSWORD} or {ENV_PASSWORD_FILE}"
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        answers = "; ".join(f"{r}: {code} {_text(reply)}" for r, (code, reply) in exc.recipients.items())
        if all(400 <= code < 500 for code, _ in exc.recipients.values()):
            raise _Temporary(f"recipients refused for now: {answers}") from None
        raise DeliveryError(f"{s.where}: every recipient was refused: {answers}") from None
    except smtplib.SMTPResponseException as exc:
        answer = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        if 400 <= exc.smtp_code < 500:
            raise _Temporary(f"the server answered {answer}") from None
        raise DeliveryError(f"{s.where}: the server refused the message: {answer}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"{s.where}: {exc}") from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"{s.where}: {exc}") from None
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(
            f"{s.where}: the server's certificate could not be verified ({exc.verify_message}); if it is issued "
            f"by a private CA, give its certificate with --cafile or {ENV_CAFILE}"
        ) from None
    except ssl.SSLError as exc:
        raise DeliveryError(
            f"{s.where}: TLS failed ({exc.reason or exc}); is the port right for --tls {s.security}?"
        ) from None
    except (TimeoutError, OSError) as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise _Temporary(f"cannot reach the server: {reason}") from None


def _wire(data: bytes) -> bytes:
    """The message as DATA sends it: CRLF lines, a leading dot doubled, ended by a line with one dot."""
    data = re.sub(rb"\r\n|\r|\n", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
