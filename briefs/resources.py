"""Where the built-in templates, styles and catalogues are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The ``templates`` or ``styles`` folder: inside the installed package, else beside it."""
    installed = _PACKAGE / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def locale_dir() -> Path:
    return _PACKAGE / "locale"
