"""The Python API behind the command line; each function takes the command's parameters."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from briefs.config import Config
from briefs.data import schema as _schema
from briefs.data.loader import load
from briefs.data.model import SLUG, Agreement
from briefs.errors import InvalidInput, Problem
from briefs.publish.fileio import create_new

AGREEMENT_SUFFIXES = (".yaml", ".yml", ".json")
DEFAULT_AGREEMENTS_DIR = Path("agreements")


def agreement_files(paths: Iterable[Path]) -> list[Path]:
    """The agreement files named by ``paths``; a folder stands for the files in it."""
    files: list[Path] = []
    missing: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in AGREEMENT_SUFFIXES and p.is_file()))
        elif path.exists():
            files.append(path)
        else:
            missing.append(Problem(str(path), 1, 1, "", "no such file or folder"))
    if missing:
        raise InvalidInput(missing)
    return files


def load_agreement(path: Path, config: Config) -> Agreement:
    """Load and validate one agreement file, or raise InvalidInput with every problem in it."""
    from briefs.data.validate import validate_document

    agreement, problems = validate_document(load(path), config)
    if agreement is None:
        raise InvalidInput(problems)
    return agreement


def validate(paths: Iterable[Path], config: Config | None = None) -> list[Agreement]:
    """Validate agreement files; raise InvalidInput listing the problems of all of them."""
    config = config or Config()
    agreements: list[Agreement] = []
    problems: list[Problem] = []
    for path in agreement_files(paths):
        try:
            agreements.append(load_agreement(path, config))
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInput(problems)
    return agreements


def schema(config: Config | None = None) -> dict[str, Any]:
    """The JSON Schema of an agreement file."""
    return _schema.json_schema(config or Config())


def new(ident: str, output: Path | None = None, config: Config | None = None) -> Path | str:
    """A skeleton agreement file for ``ident``: written to ``output`` unless it is None (then returned)."""
    if not re.match(SLUG, ident):
        raise InvalidInput(
            [Problem("<command line>", 1, 1, "ID", f"{ident!r} is not a slug (lowercase ascii, digits, hyphens)")]
        )
    text = _schema.skeleton(ident, config or Config())
    if output is None:
        return text
    try:
        create_new(output, text.encode("utf-8"))
    except FileExistsError:
        raise InvalidInput([Problem(str(output), 1, 1, "", "file exists already; not overwritten")]) from None
    return output
