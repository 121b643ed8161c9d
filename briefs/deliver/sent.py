"""What was sent to whom: ``output/<id>/sent.json``, keyed by each output's sha256.

A changed brief has a new hash, so ``--changed-only`` sends it again; an unchanged
rebuild has the same hash and sends nothing. Each delivery is listed with its
Message-ID, time and state: ``unconfirmed`` is written just before a message is
handed to the server and becomes ``sent`` when the server accepts it; it stays
``unconfirmed`` if the answer never came (the server may have the message), and is
removed if the message certainly did not arrive. The file is replaced atomically.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from briefs.errors import BriefsError
from briefs.fileio import atomic_write

SENT_LOG = "sent.json"
SENT, UNCONFIRMED = "sent", "unconfirmed"


@dataclass(frozen=True)
class Sent:
    """One output in a message: its file name in output/ and its hash."""

    file: str
    sha256: str


@dataclass
class SentLog:
    path: Path
    agreement: str
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def read(cls, folder: Path, agreement: str) -> SentLog:
        path = folder / SENT_LOG
        if not path.exists():
            return cls(path, agreement)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            outputs = data["outputs"]
            if not isinstance(outputs, dict):
                raise TypeError
        except (OSError, ValueError, KeyError, TypeError):
            # guessing would risk mailing every brief to every recipient again
            raise BriefsError(
                f"{path}: not a valid sent-log; repair it, or remove it to forget what was sent"
            ) from None
        return cls(path, agreement, outputs)

    def state(self, sha256: str, recipient: str) -> str | None:
        """``sent`` or ``unconfirmed`` if this output went (or may have gone) to ``recipient``; else None."""
        deliveries = self.outputs.get(sha256, {}).get("recipients", {}).get(recipient, [])
        states = {d.get("state") for d in deliveries if isinstance(d, dict)}
        return SENT if SENT in states else UNCONFIRMED if UNCONFIRMED in states else None

    def record(self, files: Sequence[Sent], recipients: Sequence[str], state: str, message_id: str) -> None:
        """Note (or update) the delivery ``message_id`` of ``files`` to ``recipients``, and save."""
        at = datetime.now(UTC).isoformat(timespec="seconds")
        for item in files:
            entry = self.outputs.setdefault(item.sha256, {"file": item.file, "recipients": {}})
            for recipient in recipients:
                deliveries = entry["recipients"].setdefault(recipient, [])
                deliveries[:] = [d for d in deliveries if d.get("message_id") != message_id]
                deliveries.append({"at": at, "message_id": message_id, "state": state})
        self.save()

    def forget(self, files: Sequence[Sent], recipients: Sequence[str], message_id: str) -> None:
        """Remove the delivery ``message_id``: the message certainly did not arrive. Saves."""
        for item in files:
            entry = self.outputs.get(item.sha256)
            if not entry:
                continue
            for recipient in recipients:
                deliveries = entry["recipients"].get(recipient, [])
                kept = [d for d in deliveries if d.get("message_id") != message_id]
                if kept:
                    entry["recipients"][recipient] = kept
                else:
                    entry["recipients"].pop(recipient, None)
            if not entry["recipients"]:
                del self.outputs[item.sha256]
        self.save()

    def save(self) -> None:
        body = {"agreement": self.agreement, "outputs": self.outputs}
        try:
            atomic_write(self.path, (json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode())
        except OSError as exc:
            # a BriefsError, so that the mailer never takes it for a network failure and tries again
            raise BriefsError(f"{self.path}: cannot write the sent-log: {exc.strerror or exc}") from None
