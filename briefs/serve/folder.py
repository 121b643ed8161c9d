"""The served folder: its agreement files, each valid or with its problems, and what was built of it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from briefs.config import Config
from briefs.data.files import AGREEMENT_SUFFIXES, duplicate_id, load_agreement
from briefs.data.model import Agreement
from briefs.errors import InvalidInput, Problem
from briefs.glyphs import Coverage
from briefs.publish.manifest import BuiltFile, read_manifest

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class Entry:
    id: str
    """The agreement's id, or the file's stem while the file is invalid."""
    path: Path
    agreement: Agreement | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.agreement is not None


def scan(folder: Path, config: Config) -> list[Entry]:
    """Every agreement file in ``folder``, read and validated now (the listing is never stale)."""
    if not folder.is_dir():
        return []
    coverage = Coverage(config.fonts, config.fallback_fonts)
    entries: list[Entry] = []
    owners: dict[str, Path] = {}
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in AGREEMENT_SUFFIXES and p.is_file()):
        try:
            agreement = load_agreement(path, config, coverage)
        except InvalidInput as exc:
            entries.append(Entry(path.stem, path, problems=exc.problems))
            continue
        if agreement.id in owners:
            entries.append(Entry(path.stem, path, problems=[duplicate_id(path, agreement.id, owners[agreement.id])]))
            continue
        owners[agreement.id] = path
        entries.append(Entry(agreement.id, path, agreement))
    return entries


def find(folder: Path, config: Config, ident: str) -> Entry | None:
    """The entry whose id (or, while invalid, whose file stem) is ``ident``."""
    if not _ID.match(ident):
        return None
    entries = scan(folder, config)
    return next((entry for entry in entries if entry.id == ident), None)


def built(output: Path, ident: str) -> dict[str, BuiltFile]:
    """The files the manifest lists for ``ident`` that are still on disk."""
    if not _ID.match(ident):
        return {}
    return {name: entry for name, entry in read_manifest(output / ident).items() if entry.path.is_file()}
