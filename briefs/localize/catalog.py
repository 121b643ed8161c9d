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

CONTEXT_SEPARATOR = "\x04"
"""Between a message's context and its id, as gettext keeps them."""
GENDERS = ("masculine", "feminine", "neuter", "plural")


@dataclass(frozen=True)
class Catalog:
    """The labels of one language and the locale that formats its dates and numbers."""

    language: str
    locale: Locale
    labels: dict[str, str]
    path: Path

    def get(self, key: str, *, context: str | None = None, **values: str) -> str:
        """The label ``key``; with a ``context`` (a grammatical gender such as ``feminine``), the form the
        catalogue gives for it (``msgctxt``), else the label without one."""
        text = self.labels.get(f"{context}{CONTEXT_SEPARATOR}{key}") if context else None
        if text is None:
            try:
                text = self.labels[key]
            except KeyError:
                raise BriefsError(f"{self.path}: no label {key!r}") from None
        return text.format(**values) if values else text

    def gender(self, word: str) -> str | None:
        """The grammatical gender (and number) of ``word`` in this language, as the catalogue's
        ``gender.WORD`` label says (masculine, feminine, neuter or plural); None where it says none."""
        return self.labels.get(f"gender.{word}") or None

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
        key = str(message.id) if not message.context else f"{message.context}{CONTEXT_SEPARATOR}{message.id}"
        if not message.string:
            untranslated.append(key.replace(CONTEXT_SEPARATOR, ": "))
        labels[key] = str(message.string)
    if untranslated:
        raise BriefsError(f"{path}: labels without a translation: {', '.join(untranslated)}")
    wrong = sorted(
        {message.context for message in po if message.context and message.context not in GENDERS}
        | {key for key, value in labels.items() if key.startswith("gender.") and value not in GENDERS}
    )
    if wrong:
        raise BriefsError(f"{path}: genders must be one of {', '.join(GENDERS)}: {', '.join(map(str, wrong))}")
    return Catalog(language, locale, labels, path)
