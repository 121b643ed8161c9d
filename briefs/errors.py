"""Errors the command line reports without a traceback, and their exit codes."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_BUILD_FAILED = 1
EXIT_INVALID_INPUT = 2


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in an input file: ``path:line:col: field: message``."""

    path: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class BriefsError(Exception):
    """An error meant for the user; the CLI prints it and exits with ``exit_code``."""

    exit_code = EXIT_BUILD_FAILED


class InvalidInput(BriefsError):
    """One or more input files are invalid; carries every problem found."""

    exit_code = EXIT_INVALID_INPUT

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(BriefsError):
    """The command was called with options that cannot work together."""

    exit_code = EXIT_INVALID_INPUT
