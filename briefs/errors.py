"""Errors meant for the user, and the exit code each one gives.

The command line prints them without a traceback; the API raises them.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_FAILED = 1
EXIT_INVALID_INPUT = 2
EXIT_LOCKED = 3
EXIT_INTERRUPTED = 130


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

    exit_code = EXIT_FAILED


class InvalidInput(BriefsError):
    """One or more input files are invalid; carries every problem found."""

    exit_code = EXIT_INVALID_INPUT

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(BriefsError):
    """The command was called with options that cannot work together."""

    exit_code = EXIT_INVALID_INPUT


class Locked(BriefsError):
    """Another run holds the output folder."""

    exit_code = EXIT_LOCKED


class RenderError(BriefsError):
    """A brief could not be rendered as it should be, in any format."""
