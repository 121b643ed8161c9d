"""Email addresses from the command line and from recipient files, checked before anything is sent."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from pathlib import Path

from briefs.errors import UsageError

ROLES = ("to", "cc", "bcc")
_COMMENT = re.compile(r"(^|\s)#.*$")


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def refuse_line_breaks(what: str, text: str) -> None:
    """A CR, LF or other control character would let a value start a header of its own: refuse it."""
    if "\r" in text or "\n" in text:
        raise UsageError(f"{what} {text!r}: contains a line break (CR/LF); refused")
    if _has_control(text):
        raise UsageError(f"{what} {text!r}: contains a control character; refused")


def parse_addresses(text: str, origin: str) -> list[Address]:
    """The addresses in ``text`` (one, or several separated by commas), with optional display names.

    ``origin`` says where the text came from (``--to``, ``list.txt:3``) for the error message.
    """
    refuse_line_breaks(origin, text)
    try:
        header = policy.default.header_factory("To", text)
        defects, found = header.defects, list(header.addresses)
    except Exception:  # the header parser raises a variety of errors on some malformed input
        defects, found = ["unparsable"], []
    if defects or not found:
        raise UsageError(f"{origin}: {text!r} is not an email address (expected name@example.org)")
    return [_checked(address, text, origin) for address in found]


def _checked(address: Address, text: str, origin: str) -> Address:
    if not address.username or not address.domain:
        raise UsageError(f"{origin}: {text!r} is not an email address (expected name@example.org)")
    if not address.username.isascii():
        raise UsageError(f"{origin}: {address.addr_spec!r}: addresses with non-ASCII names are not supported")
    domain = address.domain
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise UsageError(f"{origin}: {address.addr_spec!r}: the domain is not a valid name") from None
    return Address(address.display_name, address.username, domain)


def read_address_file(path: Path) -> list[Address]:
    """One address per line; blank lines and comments (``#`` at the start or after a space) are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise UsageError(f"{path}: cannot read the recipient file: {reason}") from None
    found: list[Address] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = _COMMENT.sub("", line).strip()
        if entry:
            found.extend(parse_addresses(entry, f"{path}:{number}"))
    return found


def key(address: Address) -> str:
    """How the sent-log names a recipient: the bare address, lower case."""
    return address.addr_spec.lower()


@dataclass(frozen=True)
class Recipients:
    """Who a message goes to: To and Cc are shown in the message, Bcc only given to the server."""

    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    bcc: list[Address] = field(default_factory=list)

    def all(self) -> list[Address]:
        return [*self.to, *self.cc, *self.bcc]

    def only(self, keys: set[str]) -> Recipients:
        """The recipients whose key is in ``keys``, each in the role it had."""
        return Recipients(*([a for a in group if key(a) in keys] for group in (self.to, self.cc, self.bcc)))

    def __bool__(self) -> bool:
        return bool(self.to or self.cc or self.bcc)


def collect(
    given: dict[str, Sequence[str]], files: dict[str, Sequence[Path]], options: dict[str, str] | None = None
) -> Recipients:
    """Recipients by role (to, cc, bcc) from option values and files; each address once, in its first role."""
    options = options or {role: f"--{role}" for role in ROLES}
    seen: set[str] = set()
    roles: dict[str, list[Address]] = {role: [] for role in ROLES}
    for role in ROLES:
        found: Iterable[Address] = [
            *(a for value in given.get(role, ()) for a in parse_addresses(value, options[role])),
            *(a for path in files.get(role, ()) for a in read_address_file(Path(path))),
        ]
        for address in found:
            if key(address) not in seen:
                seen.add(key(address))
                roles[role].append(address)
    return Recipients(roles["to"], roles["cc"], roles["bcc"])
