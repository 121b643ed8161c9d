"""What a build must do: the targets asked for, which outputs are out of date, and recording what was built."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from briefs.data.files import duplicate_id, load_agreement
from briefs.errors import InvalidInput, Problem, UsageError
from briefs.glyphs import Coverage
from briefs.localize import Catalog, localize
from briefs.options import BuildOptions
from briefs.publish.manifest import BuiltFile, read_index, read_manifest, write_index, write_manifest
from briefs.publish.stamps import Stamper
from briefs.publish.workers import Result, Task
from briefs.render import FORMATS
from briefs.targets import KINDS, Target


def targets(options: BuildOptions) -> list[Target]:
    """Every (kind, language, format) asked for, in build order; unknown values are a usage error."""
    langs = _choose("--lang", options.langs, options.config.languages)
    kinds = _choose("--kind", options.kinds, KINDS)
    formats = _choose("--format", options.formats, FORMATS)
    return [Target(kind, lang, fmt) for fmt in formats for kind in kinds for lang in langs]


def _choose(option: str, asked: Iterable[str], allowed: Sequence[str]) -> list[str]:
    asked = list(dict.fromkeys(asked))
    unknown = [value for value in asked if value not in allowed]
    if unknown:
        raise UsageError(f"{option} {', '.join(unknown)}: not one of {', '.join(allowed)}")
    return asked or list(allowed)


class Plan:
    """Decides what is out of date, and records what was built."""

    def __init__(self, options: BuildOptions, catalogs: Mapping[str, Catalog], stamper: Stamper) -> None:
        self.options = options
        self.output = options.output
        self.catalogs = catalogs
        self.stamper = stamper
        self.index = read_index(self.output)
        self.manifests: dict[str, dict[str, BuiltFile]] = {}
        self.ids: dict[str, Path] = {}
        self.invalid: list[Problem] = []
        self._coverage: Coverage | None = None
        self.unchanged = 0

    @property
    def coverage(self) -> Coverage:
        """What the fonts can show: asked of fontconfig once per build, and only if a file is read."""
        if self._coverage is None:
            self._coverage = Coverage(self.options.config.fonts, self.options.config.fallback_fonts)
        return self._coverage

    def manifest(self, ident: str) -> dict[str, BuiltFile]:
        if ident not in self.manifests:
            self.manifests[ident] = read_manifest(self.output / ident)
        return self.manifests[ident]

    def _stale(self, ident: str, data_sha: str, wanted: list[Target]) -> list[tuple[Target, str]]:
        stale = []
        entries = self.manifest(ident)
        for target in wanted:
            stamp = self.stamper.stamp(data_sha, target)
            path = target.path(self.output, ident)
            entry = entries.get(path.name)
            fresh = entry is not None and entry.stamp == stamp and _size(path) == entry.bytes
            if self.options.force or not fresh:
                stale.append((target, stamp))
        return stale

    def tasks(self, files: Iterable[Path], wanted: list[Target]) -> Iterator[Task]:
        for path in files:
            key = str(path.resolve())
            try:
                data_sha = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError as exc:
                self.invalid.append(Problem(str(path), 1, 1, "", f"cannot read file: {exc.strerror or exc}"))
                continue
            known = self.index.get(key)
            if known and known.get("sha256") == data_sha and known.get("id") not in self.ids:
                ident = known["id"]
                if not self._stale(ident, data_sha, wanted):
                    self.ids[ident] = path
                    self.unchanged += len(wanted)
                    continue
            try:
                agreement = load_agreement(path, self.options.config, self.coverage)
            except InvalidInput as exc:
                self.invalid.extend(exc.problems)
                continue
            if agreement.id in self.ids:
                self.invalid.append(duplicate_id(path, agreement.id, self.ids[agreement.id]))
                continue
            self.ids[agreement.id] = path
            self.index[key] = {"sha256": data_sha, "id": agreement.id}
            stale = self._stale(agreement.id, data_sha, wanted)
            self.unchanged += len(wanted) - len(stale)
            for target, stamp in stale:
                view = localize(agreement, self.catalogs[target.lang], target.kind)
                yield Task(path, view, target, target.path(self.output, agreement.id), stamp)

    def record(self, results: list[Result]) -> None:
        """Manifests of the agreements that changed, then the index: each written after the files it lists."""
        touched: set[str] = set()
        for result in results:
            if result.built is not None:
                self.manifest(result.built.agreement)[result.built.path.name] = result.built
                touched.add(result.built.agreement)
        for ident in sorted(touched):
            write_manifest(self.output / ident, ident, self.manifests[ident])
        if touched or self.index != read_index(self.output):
            write_index(self.output, self.index)


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None
