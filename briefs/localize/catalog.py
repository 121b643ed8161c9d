"""Label catalogues: one gettext .po file per language, read with Babel.

Each catalogue's ``Language`` header names the locale whose conventions (dates,
numbers) the brief follows, so a new language needs a catalogue and data only.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po

from briefs.errors import BriefsError
from briefs.resources import CATALOG_DOMAIN, catalog_name, catalog_path, locale_dir


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


def load_catalog(language: str, search: Sequence[Path] = ()) -> Catalog:
    """The catalogue of ``language`` from the override folders, else ours; every label must be translated.

    Parsed catalogues are kept by content, so an edited .po file is read again.
    """
    try:
        path = catalog_path(language, search)
    except FileNotFoundError:
        raise BriefsError(
            f"no label catalogue for language {language!r}: add {locale_dir() / catalog_name(language)}"
        ) from None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BriefsError(f"{path}: cannot read the label catalogue: {exc.strerror or exc}") from None
    return _parse(language, path, data)


@functools.lru_cache(maxsize=32)
def _parse(language: str, path: Path, data: bytes) -> Catalog:
    po = read_po(BytesIO(data), domain=CATALOG_DOMAIN)
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
