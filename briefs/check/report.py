"""What ``briefs check`` finds: one report per file, one result per rule, and how rules are declared."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

Verdict = tuple[bool, str]
"""What a rule says: whether it holds, and a short detail (what was found, or what is wrong)."""


@dataclass(frozen=True)
class RuleResult:
    """One rule applied to one file."""

    id: str
    clause: str
    ok: bool
    detail: str

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "clause": self.clause, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class FileReport:
    """What one file claims (conformance, language, title, ...) and which rules hold.

    ``error`` is set, and ``rules`` empty, when the file could not be read at all.
    """

    file: str
    kind: str
    claims: dict[str, object] = field(default_factory=dict)
    rules: tuple[RuleResult, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(rule.ok for rule in self.rules)

    @property
    def failed(self) -> tuple[RuleResult, ...]:
        return tuple(rule for rule in self.rules if not rule.ok)

    def to_dict(self) -> dict[str, object]:
        result: dict[str, object] = {
            "file": self.file,
            "kind": self.kind,
            "claims": self.claims,
            "rules": [rule.to_dict() for rule in self.rules],
        }
        if self.error is not None:
            result["error"] = self.error
        return result


@dataclass(frozen=True)
class Rule(Generic[T]):
    """A named test of one document, with the clause of the standard it checks."""

    id: str
    clause: str
    test: Callable[[T], Verdict]

    def apply(self, document: T) -> RuleResult:
        try:
            ok, detail = self.test(document)
        except Exception as error:  # a malformed object must fail its rule, not stop the other rules
            ok, detail = False, f"could not be checked: {type(error).__name__}: {error}"
        return RuleResult(self.id, self.clause, ok, detail)


class RuleSet(Generic[T]):
    """The rules of one kind of file, in the order they are reported."""

    def __init__(self) -> None:
        self.rules: list[Rule[T]] = []

    def rule(self, rule_id: str, clause: str) -> Callable[[Callable[[T], Verdict]], Callable[[T], Verdict]]:
        """Declare a rule: ``@RULES.rule("title", "ISO 14289-1 7.1 (Matterhorn 06-003)")``."""

        def register(test: Callable[[T], Verdict]) -> Callable[[T], Verdict]:
            self.rules.append(Rule(rule_id, clause, test))
            return test

        return register

    def apply(self, document: T) -> tuple[RuleResult, ...]:
        return tuple(rule.apply(document) for rule in self.rules)


def listed(items: list[str], limit: int = 5) -> str:
    """``a, b, c`` — at most ``limit`` items, then how many more."""
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown


def heading_order(levels: list[int], name: str) -> Verdict:
    """Headings (their levels, in reading order; at least one) start at level 1 and never skip a level going down;
    a level may repeat and may go up by any number. ``name`` words a level: "H{}", "Heading {}"."""
    if levels[0] != 1:
        return False, f"the first heading is {name.format(levels[0])}, not {name.format(1)}"
    for previous, level in itertools.pairwise(levels):
        if level > previous + 1:
            return False, f"{name.format(level)} follows {name.format(previous)}, skipping {name.format(previous + 1)}"
    counts = Counter(levels)
    return True, ", ".join(f"{name.format(level)} ×{counts[level]}" for level in sorted(counts))
