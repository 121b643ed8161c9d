"""The service's options: where it listens, what it serves, its limits and its keys."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

from briefs.errors import UsageError
from briefs.options import DEFAULT_AGREEMENTS, BuildOptions

MIB = 1024 * 1024


@dataclass(frozen=True)
class ServeOptions:
    """Everything ``briefs serve`` takes; the command builds one from its options of the same names."""

    folder: Path = DEFAULT_AGREEMENTS
    """The agreements it lists, builds and previews."""
    build: BuildOptions = field(default_factory=BuildOptions)
    """Where the folder's briefs are built, with which templates and variant."""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    """Render processes, each warm and replaced after a few dozen renders."""
    queue: int = 8
    """Requests that may wait for a free worker; one more is answered 429."""
    deadline: float = 60.0
    """Seconds a request may spend waiting and rendering before it is answered 503."""
    max_body: int = MIB
    """Largest request body, in bytes; a larger one is answered 413."""
    keys: tuple[str, ...] = ()
    """API keys accepted as ``Authorization: Bearer``; several, so they can be rotated."""
    allow_no_keys: bool = False
    """Serve on an address other than loopback without keys (refused unless asked for)."""
    access_log: bool = False
    """One JSON line per request on standard error."""
    cache_bytes: int = 64 * MIB
    """Rendered files kept by content, for repeated requests."""
    shutdown_grace: float = 30.0
    """Seconds in-flight requests get to finish after SIGTERM."""
    watch: bool = True
    """Rebuild the folder's briefs when a file changes, for the live preview."""

    def check(self) -> None:
        """Refuse options that cannot work, or that would expose the service without keys."""
        if self.workers < 1:
            raise UsageError("--workers must be at least 1")
        if self.queue < 0 or self.deadline <= 0 or self.max_body < 1:
            raise UsageError("--queue must be 0 or more, --deadline and --max-body more than 0")
        if not self.keys and not self.allow_no_keys and not is_loopback(self.host):
            raise UsageError(
                f"--host {self.host}: refusing to serve beyond this machine without API keys; "
                "set BRIEFS_API_KEYS or --keys-file, or pass --allow-no-keys"
            )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_keys(text: str) -> tuple[str, ...]:
    """Keys separated by commas, spaces or lines; ``#`` starts a comment in a keys file."""
    keys: list[str] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        keys.extend(part for part in line.replace(",", " ").split() if part)
    return tuple(dict.fromkeys(keys))


def keys_from(env_value: str | None, keys_file: Path | None) -> tuple[str, ...]:
    """The keys of the environment variable and of the keys file together."""
    keys = list(read_keys(env_value or ""))
    if keys_file is not None:
        try:
            keys.extend(read_keys(keys_file.read_text(encoding="utf-8")))
        except OSError as exc:
            raise UsageError(f"--keys-file {keys_file}: cannot read: {exc.strerror or exc}") from None
        if not keys:
            raise UsageError(f"--keys-file {keys_file}: no keys in the file")
    short = [key for key in keys if len(key) < 16]
    if short:
        raise UsageError("API keys must be at least 16 characters long")
    return tuple(dict.fromkeys(keys))


def env_keys() -> str | None:
    return os.environ.get("BRIEFS_API_KEYS")
