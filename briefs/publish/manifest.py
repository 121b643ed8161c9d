"""What was built: output/<id>/manifest.json, and the index from agreement files to ids."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from briefs.publish.fileio import atomic_write

MANIFEST = "manifest.json"
INDEX = ".briefs-index.json"


@dataclass(frozen=True)
class Entry:
    """One output file as the manifest lists it."""

    kind: str
    lang: str
    format: str
    bytes: int
    pages: int | None
    sha256: str
    stamp: str


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _dump(value: object) -> bytes:
    # sorted and without times, so that the same outputs give the same manifest bytes
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def read_manifest(folder: Path) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for name, fields in _read_json(folder / MANIFEST).get("files", {}).items():
        try:
            entries[name] = Entry(**fields)
        except TypeError:
            continue
    return entries


def write_manifest(folder: Path, agreement: str, entries: dict[str, Entry]) -> None:
    """Written after the files it lists, in one step."""
    body = {"agreement": agreement, "files": {name: asdict(entry) for name, entry in sorted(entries.items())}}
    atomic_write(folder / MANIFEST, _dump(body))


def read_index(output: Path) -> dict[str, dict[str, str]]:
    """Agreement file -> {"sha256": ..., "id": ...}: finds an unchanged file's outputs without parsing it."""
    return {k: v for k, v in _read_json(output / INDEX).items() if isinstance(v, dict)}


def write_index(output: Path, index: dict[str, dict[str, str]]) -> None:
    atomic_write(output / INDEX, _dump(index))
