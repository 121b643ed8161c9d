"""API keys: ``Authorization: Bearer KEY``, compared in constant time with every key."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

COOKIE = "briefs_key"
"""A browser on the preview pages sends the key in this cookie (set by visiting ``/?key=KEY``)."""


def _digest(value: str) -> bytes:
    # equal lengths for compare_digest, whatever the length of what was sent
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


def accepted(keys: Sequence[str], presented: str | None) -> bool:
    """Whether ``presented`` is one of ``keys``; every key is compared, so timing says nothing."""
    if presented is None:
        return False
    sent = _digest(presented)
    found = False
    for key in keys:
        found |= hmac.compare_digest(_digest(key), sent)
    return found


def bearer(header: str | None) -> str | None:
    """The key of an ``Authorization: Bearer KEY`` header."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None
