"""Where templates, styles and label catalogues are: the user's override folders first, then ours."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
CATALOG_DOMAIN = "briefs"


def data_dir(name: str) -> Path:
    """The ``templates`` or ``styles`` folder: inside the installed package, else beside it."""
    installed = _PACKAGE / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def locale_dir() -> Path:
    return _PACKAGE / "locale"


def search_path(kind: str, overrides: Sequence[Path] = ()) -> list[Path]:
    """Folders searched for ``kind`` (html, docx, email, styles, locale): the user's first, then ours."""
    if kind == "locale":
        builtin = locale_dir()
    elif kind == "styles":
        builtin = data_dir("styles")
    else:
        builtin = data_dir("templates") / kind
    user = [folder / kind for folder in overrides if (folder / kind).is_dir()]
    return [*user, builtin]


def find(kind: str, name: str, overrides: Sequence[Path] = ()) -> Path:
    """The file ``name`` from the first folder of the search path that has it."""
    folders = search_path(kind, overrides)
    for folder in folders:
        path = folder / name
        if path.is_file():
            return path
    raise FileNotFoundError(f"no {kind} file {name!r} in {', '.join(map(str, folders))}")


def catalog_name(language: str) -> str:
    return f"{language}/LC_MESSAGES/{CATALOG_DOMAIN}.po"


def catalog_path(language: str, overrides: Sequence[Path] = ()) -> Path:
    """The label catalogue of ``language``: ``<folder>/locale/<lang>/LC_MESSAGES/briefs.po``."""
    return find("locale", catalog_name(language), overrides)
