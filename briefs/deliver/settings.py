"""Delivery settings and their defaults: light enough for the command line to import for its --help."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ENV_HOST = "BRIEFS_SMTP_HOST"
ENV_PORT = "BRIEFS_SMTP_PORT"
ENV_USER = "BRIEFS_SMTP_USER"
ENV_FROM = "BRIEFS_SMTP_FROM"
ENV_PASSWORD = "BRIEFS_SMTP_PASSWORD"  # noqa: S105 - the name of the variable, not a password
ENV_PASSWORD_FILE = "BRIEFS_SMTP_PASSWORD_FILE"  # noqa: S105
ENV_CAFILE = "BRIEFS_SMTP_CAFILE"
ENV_TLS = "BRIEFS_SMTP_TLS"

TLS_MODES = ("starttls", "implicit")
DEFAULT_PORTS = {"starttls": 587, "implicit": 465, "none": 25}
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
DEFAULT_RETRY_WAIT = 2.0
DEFAULT_MAX_SIZE = 10 * 1024 * 1024
"""Largest message, checked before connecting: many servers refuse more than 10 MiB."""


@dataclass(frozen=True)
class SmtpOptions:
    """Connection settings as given (options of ``briefs send``); None: from the environment, else a default."""

    host: str | None = None
    port: int | None = None
    user: str | None = None
    tls: str | None = None
    insecure: bool = False
    cafile: Path | None = None
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    retry_wait: float = DEFAULT_RETRY_WAIT


def megabytes(count: int) -> str:
    """A size as people read it: ``20 KB`` under a megabyte, ``10.0 MB`` from one up (1024s)."""
    if count < 1024 * 1024:
        return f"{max(1, round(count / 1024))} KB"
    return f"{count / 1024 / 1024:.1f} MB"
