"""What one output file is: a kind of brief, in a language, in a format."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

KINDS = ("one-page", "full")
"""The kinds of brief, in the order they are built."""


class Target(NamedTuple):
    kind: str
    lang: str
    format: str

    def filename(self, ident: str) -> str:
        return f"{ident}-{self.kind}-{self.lang}.{self.format}"

    def path(self, output: Path, ident: str) -> Path:
        """Where the file of agreement ``ident`` is written: ``output/<id>/<id>-<kind>-<lang>.<format>``."""
        return output / ident / self.filename(ident)
