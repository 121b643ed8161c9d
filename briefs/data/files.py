"""Agreement files: finding them, by path or by id, and loading each into a validated Agreement."""

from __future__ import annotations

import re
import stat
from collections.abc import Iterable
from pathlib import Path

from briefs.config import Config
from briefs.data.loader import load
from briefs.data.model import SLUG, Agreement
from briefs.data.validate import validate_document
from briefs.errors import InvalidInput, Problem, UsageError
from briefs.glyphs import Coverage
from briefs.options import DEFAULT_AGREEMENTS

AGREEMENT_SUFFIXES = (".yaml", ".yml", ".json")


def agreement_files(paths: Iterable[Path]) -> list[Path]:
    """The agreement files named by ``paths``; a folder stands for the regular files in it with an
    agreement suffix, and must hold at least one. Only regular files are ever read: a FIFO or a device
    would block or never end."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            reason = "no such file or folder" if isinstance(exc, FileNotFoundError) else f"cannot open: {exc.strerror}"
            problems.append(Problem(str(path), 1, 1, "", reason))
            continue
        if stat.S_ISDIR(mode):
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in AGREEMENT_SUFFIXES and _regular(p))
            if not found:
                suffixes = ", ".join(f"*{s}" for s in AGREEMENT_SUFFIXES)
                problems.append(Problem(str(path), 1, 1, "", f"no agreement files ({suffixes}) in this folder"))
            files.extend(found)
        elif stat.S_ISREG(mode):
            files.append(path)
        else:
            problems.append(Problem(str(path), 1, 1, "", "not a regular file; agreements are read from files"))
    if problems:
        raise InvalidInput(problems)
    return files


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def load_agreement(path: Path, config: Config, coverage: Coverage | None = None) -> Agreement:
    """Load and validate one agreement file, or raise InvalidInput with every problem in it."""
    agreement, problems = validate_document(load(path), config, coverage)
    if agreement is None:
        raise InvalidInput(problems)
    return agreement


def validate(paths: Iterable[Path] = (), config: Config | None = None) -> list[Agreement]:
    """Validate agreement files (default: agreements/); raise InvalidInput listing the problems of all of them."""
    config = config or Config()
    agreements: list[Agreement] = []
    problems: list[Problem] = []
    owners: dict[str, Path] = {}
    coverage = Coverage(config.fonts, config.fallback_fonts)
    for path in agreement_files(list(paths) or [DEFAULT_AGREEMENTS]):
        try:
            agreement = load_agreement(path, config, coverage)
        except InvalidInput as exc:
            problems.extend(exc.problems)
            continue
        if agreement.id in owners:
            problems.append(duplicate_id(path, agreement.id, owners[agreement.id]))
            continue
        owners[agreement.id] = path
        agreements.append(agreement)
    if problems:
        raise InvalidInput(problems)
    return agreements


def duplicate_id(path: Path, ident: str, owner: Path) -> Problem:
    """Two files with one id would write the same outputs: the later one is refused."""
    return Problem(str(path), 1, 1, "id", f"id {ident!r} is also used by {owner}")


def find_agreements(names: Iterable[str | Path], config: Config) -> list[tuple[Path, Agreement]]:
    """The agreements named by id or by file (a folder: every file in it); default: the agreements/ folder."""
    files: list[Path] = []
    found: list[tuple[Path, Agreement]] = []
    problems: list[Problem] = []
    for name in list(names) or [DEFAULT_AGREEMENTS]:
        path = Path(name)
        if path.exists() or not re.match(SLUG, str(name)):
            files.extend(agreement_files([path]))
        else:
            found.append(find_by_id(str(name), config))
    for path in files:
        try:
            found.append((path, load_agreement(path, config)))
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInput(problems)
    unique: dict[Path, tuple[Path, Agreement]] = {}
    for path, agreement in found:
        unique.setdefault(path.resolve(), (path, agreement))
    return list(unique.values())


def find_by_id(ident: str, config: Config, folder: Path = DEFAULT_AGREEMENTS) -> tuple[Path, Agreement]:
    """The file in ``folder`` whose id is ``ident``: ``ident.yaml`` (or .yml, .json) first, then the others."""
    named = [folder / f"{ident}{suffix}" for suffix in AGREEMENT_SUFFIXES if (folder / f"{ident}{suffix}").is_file()]
    for path in named:
        agreement = load_agreement(path, config)  # named after the id: its problems are the user's concern
        if agreement.id == ident:
            return path, agreement
    others = agreement_files([folder]) if folder.is_dir() else []
    for path in others:
        if path in named:
            continue
        try:
            agreement = load_agreement(path, config)
        except InvalidInput:
            continue
        if agreement.id == ident:
            return path, agreement
    raise UsageError(f"{ident}: no such file, and no agreement with this id in {folder}/")
