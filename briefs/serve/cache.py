"""Rendered answers kept by content: the same data, options, templates and fonts give the same bytes."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    data: bytes
    media_type: str
    filename: str
    """ASCII file name, for ``filename=``."""
    download_name: str
    """Readable file name, for ``filename*=``."""
    etag: str


class AnswerCache:
    """Least recently used answers up to ``limit`` bytes in all."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._answers: OrderedDict[str, Answer] = OrderedDict()

    def get(self, key: str) -> Answer | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: str, answer: Answer) -> None:
        if len(answer.data) > self.limit:
            return
        old = self._answers.pop(key, None)
        if old is not None:
            self.size -= len(old.data)
        self._answers[key] = answer
        self.size += len(answer.data)
        while self.size > self.limit:
            _, dropped = self._answers.popitem(last=False)
            self.size -= len(dropped.data)


def content_key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
