"""Input stamps: a hash of everything one output depends on, so unchanged outputs are skipped.

What an output depends on is what its builder declares (``Builder.inputs``,
``Builder.stamp_options``); nothing here knows a format. A Stamper lives for one
build: each input file is hashed once per build, never remembered across builds.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
from collections.abc import Mapping
from pathlib import Path

from briefs import __version__
from briefs.render.base import Builder
from briefs.targets import Target

LIBRARIES = ("weasyprint", "docxtpl", "python-docx", "jinja2", "babel")


def sha256_file(path: Path) -> str:
    """The file's hash, read again whenever its size or modification time changes."""
    stat = path.stat()
    return _sha256(path, stat.st_size, stat.st_mtime_ns, stat.st_ino)


@functools.lru_cache(maxsize=4096)
def _sha256(path: Path, size: int, mtime_ns: int, inode: int) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@functools.cache
def library_versions() -> dict[str, str]:
    """The versions this process runs: they cannot change under it, so they are read once."""
    versions = {"briefs": __version__}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


class Stamper:
    """Computes the stamps of one build's outputs."""

    def __init__(self, builders: Mapping[str, Builder], options: Mapping[str, object]) -> None:
        self.builders = builders
        self.options = dict(options)
        self._inputs: dict[tuple[str, str, str], str] = {}
        self._files: dict[Path, str] = {}

    def _hash(self, path: Path) -> str:
        if path not in self._files:
            self._files[path] = sha256_file(path)
        return self._files[path]

    def inputs(self, target: Target) -> str:
        """Hash of the files, options and libraries the builder of ``target`` declares."""
        key = (target.format, target.kind, target.lang)
        if key not in self._inputs:
            builder = self.builders[target.format]
            roots = [root.resolve() for root in builder.roots()]
            files = sorted({(_name(path.resolve(), roots), self._hash(path)) for path in builder.inputs(*key[1:])})
            payload = {"files": files, "libraries": library_versions(), "builder": builder.stamp_options()}
            self._inputs[key] = _digest(payload)
        return self._inputs[key]

    def stamp(self, data_sha256: str, target: Target) -> str:
        return _digest(
            {"data": data_sha256, "inputs": self.inputs(target), "output": list(target), "options": self.options}
        )


def _name(path: Path, roots: list[Path]) -> str:
    """A file's name relative to the folder of ``roots`` that holds it (else its bare name): the
    same in every checkout."""
    for root in roots:
        if path.is_relative_to(root):
            return f"{root.name}/{path.relative_to(root).as_posix()}"
    return path.name


def _digest(payload: object) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
