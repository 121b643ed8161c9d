"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1, an ephemeral port) and test certificates."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOOPBACK = "127.0.0.1"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Handler:
    """Stores what arrives; can refuse recipients, and drop the connection at a chosen point a number of times.

    drop_at: "rcpt" (before the message), "after-data" (after answering 250 to it) or
    "before-reply" (the message arrived, the connection is lost before the answer).
    """

    refuse: set[str] = field(default_factory=set)
    answer_mail: list[str] = field(default_factory=list)
    """Answers to MAIL FROM, one per transaction, before the usual 250 (e.g. a 451 to try later)."""
    answer_data: str | None = None
    """An answer to the message instead of 250 (e.g. 554): then it is not stored."""
    drop_at: str | None = None
    drops: int = 1
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _dropping(self, point: str) -> bool:
        with self.lock:
            if self.drop_at == point and self.drops > 0:
                self.drops -= 1
                return True
        return False

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            answer = self.answer_mail.pop(0) if self.answer_mail else None
        if answer:
            return answer
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        if self._dropping("rcpt"):
            server.transport.close()
            return "250 OK"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.answer_data:
            return self.answer_data
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        if self._dropping("before-reply"):
            server.transport.close()
        elif self._dropping("after-data"):
            # after the 250 below is written: the client has its answer, then loses the connection
            asyncio.get_running_loop().call_soon(server.transport.close)
        return "250 2.0.0 Message accepted"


class _Controller(Controller):
    """aiosmtpd's controller on an ephemeral port: the port is read back once the server listens."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class Authenticator:
    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()
        self.calls = 0

    def __call__(self, server, session, envelope, mechanism, auth_data):
        self.calls += 1
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            self.user,
            self.password,
        )
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


class SmtpServer:
    """``with SmtpServer(handler, ...) as server:`` listens on 127.0.0.1:server.port until the block ends."""

    def __init__(
        self,
        handler: Handler,
        *,
        starttls: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
        authenticator: Authenticator | None = None,
    ) -> None:
        kwargs: dict = {"ready_timeout": 5.0, "server_hostname": "localhost", "timeout": 10}
        if starttls is not None:
            kwargs.update(tls_context=starttls, require_starttls=True)
        if implicit_tls is not None:
            kwargs.update(ssl_context=implicit_tls)
        if authenticator is not None:
            kwargs.update(
                authenticator=authenticator, auth_require_tls=starttls is not None or implicit_tls is not None
            )
        self.handler = handler
        self.controller = _Controller(handler, hostname=LOOPBACK, port=0, **kwargs)

    @property
    def port(self) -> int:
        return self.controller.port

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@dataclass(frozen=True)
class Certificates:
    ca: Path
    """The CA certificate the client trusts."""
    cert: Path
    key: Path
    """The server's certificate (issued by the CA, for 127.0.0.1 and localhost) and key."""
    self_signed_cert: Path
    self_signed_key: Path
    """A certificate nobody trusts, for the same names."""

    def server_context(self, *, trusted: bool = True) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        if trusted:
            context.load_cert_chain(self.cert, self.key)
        else:
            context.load_cert_chain(self.self_signed_cert, self.self_signed_key)
        return context


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write(folder: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> tuple[Path, Path]:
    cert_path, key_path = folder / f"{stem}.crt", folder / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _leaf(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name, issuer_key: ec.EllipticCurvePrivateKey
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK)), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


def make_certificates(folder: Path) -> Certificates:
    """A test CA, a server certificate it issued, and a self-signed one, written as PEM files in ``folder``."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("briefs test CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, _ = _write(folder, "ca", ca, ca_key)
    server_key = ec.generate_private_key(ec.SECP256R1())
    cert, key = _write(folder, "server", _leaf("localhost", server_key, ca_name, ca_key), server_key)
    lone_key = ec.generate_private_key(ec.SECP256R1())
    lone = _leaf("localhost", lone_key, _name("localhost"), lone_key)
    lone_cert, lone_key_path = _write(folder, "self-signed", lone, lone_key)
    return Certificates(ca_path, cert, key, lone_cert, lone_key_path)
