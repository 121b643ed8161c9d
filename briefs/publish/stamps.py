"""Input stamps: a hash of everything one output depends on, so unchanged outputs are skipped."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from jinja2 import Environment, meta

from briefs import __version__
from briefs.render.templating import search_path

LIBRARIES = ("weasyprint", "docxtpl", "python-docx", "jinja2", "babel")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _hash_files(paths: Iterable[Path], roots: Sequence[Path] = ()) -> list[tuple[str, str]]:
    """Name and content hash of each file. Names are relative to the folder in ``roots`` that
    holds the file (else the bare file name), so another checkout gives the same stamps."""

    def name(path: Path) -> str:
        for root in roots:
            if path.is_relative_to(root):
                return f"{root.name}/{path.relative_to(root).as_posix()}"
        return path.name

    return sorted((name(path), sha256_file(path)) for path in set(paths))


def _tree(folders: Sequence[Path]) -> list[Path]:
    return [p for folder in folders if folder.is_dir() for p in folder.rglob("*") if p.is_file()]


@functools.cache
def library_versions() -> dict[str, str]:
    versions = {"briefs": __version__}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


@functools.cache
def font_files(families: tuple[str, ...]) -> tuple[Path, ...]:
    """The files fontconfig serves for ``families``, all styles."""
    files: set[Path] = set()
    for family in families:
        listing = subprocess.run(["fc-list", "--format", "%{file}\n", family], capture_output=True, text=True)
        files.update(Path(line) for line in listing.stdout.splitlines() if line)
    return tuple(sorted(files))


def html_templates_used(env: Environment, name: str) -> list[Path] | None:
    """Files of the template ``name`` and of every template it extends, includes or imports.

    None when a reference is computed at render time and so cannot be known.
    """
    assert env.loader is not None
    seen: dict[str, Path] = {}
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        source, filename, _ = env.loader.get_source(env, current)
        seen[current] = Path(filename or current)
        for reference in meta.find_referenced_templates(env.parse(source)):
            if reference is None:
                return None
            pending.append(reference)
    return list(seen.values())


class Stamper:
    """Computes output stamps; each input file is hashed once per run."""

    def __init__(self, templates: Sequence[Path], fonts: tuple[str, ...], options: dict[str, object]) -> None:
        self.templates = tuple(templates)
        self.fonts = fonts
        self.options = options
        self._inputs: dict[tuple[str, str], str] = {}

    def inputs(self, fmt: str, kind: str, catalog: Path) -> str:
        """Hash of the templates, styles, catalogue, fonts and libraries an output uses."""
        key = (fmt, kind, str(catalog))
        if key not in self._inputs:
            roots = [catalog.parents[2]]  # <locale>/<lang>/LC_MESSAGES/briefs.po
            files: list[Path] = [catalog]
            if fmt == "pdf":
                from briefs.render.templating import html_environment

                html_roots = search_path("html", self.templates)
                used = html_templates_used(html_environment(self.templates), f"{kind}.html")
                files += used if used is not None else _tree(html_roots)
                files += _tree(search_path("styles", self.templates))
                files += font_files(self.fonts)
                roots += [*html_roots, *search_path("styles", self.templates)]
            else:
                roots += search_path(fmt, self.templates)
                files += _tree(search_path(fmt, self.templates))
            resolved = [root.resolve() for root in roots]
            payload = {
                "files": _hash_files((f.resolve() for f in files), resolved),
                "libraries": library_versions(),
                "fonts": self.fonts,
            }
            self._inputs[key] = _digest(payload)
        return self._inputs[key]

    def stamp(self, data_sha256: str, fmt: str, kind: str, lang: str, catalog: Path) -> str:
        return _digest(
            {
                "data": data_sha256,
                "inputs": self.inputs(fmt, kind, catalog),
                "output": [fmt, kind, lang],
                "options": self.options,
            }
        )


def _digest(payload: object) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
