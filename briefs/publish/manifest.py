"""What was built: the record of one built file, ``output/<id>/manifest.json``, and the index of agreement files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefs.fileio import atomic_write
from briefs.targets import Target

MANIFEST = "manifest.json"
INDEX = ".briefs-index.json"


@dataclass(frozen=True)
class BuiltFile:
    """One built output file: the manifest lists it, a build reports it, delivery attaches it."""

    agreement: str
    target: Target
    path: Path
    bytes: int
    pages: int | None
    """Counted in the file (PDF); None where a word processor paginates (DOCX)."""
    sha256: str
    stamp: str
    """Hash of every input the file was made from."""

    @property
    def kind(self) -> str:
        return self.target.kind

    @property
    def lang(self) -> str:
        return self.target.lang

    @property
    def format(self) -> str:
        return self.target.format


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _dump(value: object) -> bytes:
    # sorted and without times, so that the same outputs give the same manifest bytes
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def read_manifest(folder: Path) -> dict[str, BuiltFile]:
    """The files listed in ``folder``'s manifest, by file name; an unreadable entry is left out."""
    manifest = _read_json(folder / MANIFEST)
    agreement = str(manifest.get("agreement", folder.name))
    entries: dict[str, BuiltFile] = {}
    files = manifest.get("files", {})
    for name, fields in files.items() if isinstance(files, dict) else ():
        try:
            target = Target(fields["kind"], fields["lang"], fields["format"])
            entries[name] = BuiltFile(
                agreement, target, folder / name, fields["bytes"], fields["pages"], fields["sha256"], fields["stamp"]
            )
        except (KeyError, TypeError):
            continue
    return entries


def write_manifest(folder: Path, agreement: str, entries: dict[str, BuiltFile]) -> None:
    """Written after the files it lists, in one step."""
    files = {
        name: {
            "kind": entry.kind,
            "lang": entry.lang,
            "format": entry.format,
            "bytes": entry.bytes,
            "pages": entry.pages,
            "sha256": entry.sha256,
            "stamp": entry.stamp,
        }
        for name, entry in sorted(entries.items())
    }
    atomic_write(folder / MANIFEST, _dump({"agreement": agreement, "files": files}))


def read_index(output: Path) -> dict[str, dict[str, str]]:
    """Agreement file -> {"sha256": ..., "id": ...}: finds an unchanged file's outputs without parsing it."""
    return {k: v for k, v in _read_json(output / INDEX).items() if isinstance(v, dict)}


def write_index(output: Path, index: dict[str, dict[str, str]]) -> None:
    atomic_write(output / INDEX, _dump(index))
