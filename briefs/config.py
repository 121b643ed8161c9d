"""Project configuration: which languages every text must have, and where things live.

Read from ``briefs.toml`` in the working directory (or a file given with
``--config``); every key is optional.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from briefs.errors import InvalidInput, Problem

DEFAULT_CONFIG_FILE = "briefs.toml"
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$")


@dataclass(frozen=True)
class Config:
    """Settings shared by every command."""

    languages: tuple[str, ...] = ("bg", "en")
    fonts: tuple[str, ...] = ("Vollkorn", "Manrope")
    """Font families the built-in styles use: Vollkorn for text, Manrope for headings and tables."""
    fallback_fonts: tuple[str, ...] = ("Inter",)
    """Families the styles fall back to, in order, for characters a font above lacks (Manrope has no Ə).
    Every character of every text must be in each font or a fallback; a brief set in any other family fails."""
    source: Path | None = field(default=None, compare=False)

    @property
    def all_fonts(self) -> tuple[str, ...]:
        """Every family a brief may be set in."""
        return (*self.fonts, *self.fallback_fonts)


def load_config(path: Path | None = None) -> Config:
    """Read the configuration file; a missing default file means defaults."""
    if path is None:
        path = Path(DEFAULT_CONFIG_FILE)
        if not path.is_file():
            return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput([Problem(str(path), 1, 1, "", f"cannot read configuration: {exc}")]) from None
    except tomllib.TOMLDecodeError as exc:
        line, col = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        raise InvalidInput([Problem(str(path), line, col, "", f"invalid TOML: {getattr(exc, 'msg', exc)}")]) from None
    problems: list[Problem] = []
    unknown = sorted(set(data) - {"languages", "fonts", "fallback_fonts"})
    for key in unknown:
        problems.append(Problem(str(path), 1, 1, key, "unknown setting"))
    languages = data.get("languages", list(Config.languages))
    if (
        not isinstance(languages, list)
        or not languages
        or not all(isinstance(lang, str) and LANGUAGE_TAG.match(lang) for lang in languages)
    ):
        problems.append(Problem(str(path), 1, 1, "languages", 'must be a non-empty list of language tags such as "bg"'))
    fonts = data.get("fonts", list(Config.fonts))
    fallback = data.get("fallback_fonts", list(Config.fallback_fonts))
    for key, value in (("fonts", fonts), ("fallback_fonts", fallback)):
        if not isinstance(value, list) or not all(isinstance(f, str) and f.strip() for f in value):
            problems.append(Problem(str(path), 1, 1, key, "must be a list of font family names"))
    if problems:
        raise InvalidInput(problems)
    return Config(languages=tuple(languages), fonts=tuple(fonts), fallback_fonts=tuple(fallback), source=path)
