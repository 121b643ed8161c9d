"""Label catalogues: one gettext .po file per language, read with Babel.

Each catalogue's ``Language`` header names the locale whose conventions (dates,
numbers) the brief follows, so a new language needs a catalogue and data only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po

from briefs.errors import BriefsError
from briefs.resources import locale_dir

DOMAIN = "briefs"


@dataclass(frozen=True)
class Catalog:
    """The labels of one language and the locale that formats its dates and numbers."""

    language: str
    locale: Locale
    labels: dict[str, str]
    path: Path

    def get(self, key: str, **values: str) -> str:
        try:
            text = self.labels[key]
        except KeyError:
            raise BriefsError(f"{self.path}: no label {key!r}") from None
        return text.format(**values) if values else text

    @property
    def tag(self) -> str:
        """BCP 47 tag of the locale: bg-BG, en-GB."""
        return "-".join(part for part in (self.locale.language, self.locale.territory) if part)


def catalog_path(language: str, search: tuple[Path, ...] = ()) -> Path:
    for folder in (*search, locale_dir()):
        path = folder / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            return path
    raise BriefsError(
        f"no label catalogue for language {language!r}: add {locale_dir() / language / 'LC_MESSAGES' / DOMAIN}.po"
    )


@functools.cache
def load_catalog(language: str, search: tuple[Path, ...] = ()) -> Catalog:
    """The catalogue of ``language``; every label must be translated."""
    path = catalog_path(language, search)
    with path.open("rb") as handle:
        po = read_po(handle, domain=DOMAIN)
    locale = po.locale or Locale.parse(language)
    labels: dict[str, str] = {}
    untranslated: list[str] = []
    for message in po:
        if not message.id:
            continue
        if not message.string:
            untranslated.append(str(message.id))
        labels[str(message.id)] = str(message.string)
    if untranslated:
        raise BriefsError(f"{path}: labels without a translation: {', '.join(untranslated)}")
    return Catalog(language, locale, labels, path)
