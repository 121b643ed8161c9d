"""The localized texts of a message: subject, plain-text and HTML bodies, and the attachments' names.

They come from templates/email/ (``subject.txt``, ``body.txt``, ``body.html``; a
``--templates DIR`` with ``email/`` overrides single files) and receive the brief's
localized view ``b``, the ``attachments`` as listed, and ``label(key, **values)``
for the catalogue's labels. Only the HTML body is autoescaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.numbers import format_decimal
from jinja2 import Environment, TemplateError, select_autoescape

from briefs.errors import BriefsError
from briefs.localize.catalog import Catalog
from briefs.localize.typography import NBSP
from briefs.localize.view import BriefView
from briefs.render.templating import TEXT_LAYOUT, ContentLoader, describe, strict_environment

SUBJECT, TEXT, HTML = "subject.txt", "body.txt", "body.html"
_UNSAFE_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_SPACES = re.compile(r"[ \t]+")
MAX_NAME = 120


@dataclass(frozen=True)
class Listed:
    """An attachment as the body lists it."""

    filename: str
    kind: str
    format: str
    format_label: str
    size: str
    """Localized: ``212 KB``, ``212 КБ``."""


@dataclass(frozen=True)
class Texts:
    subject: str
    text: str
    html: str


def environment(overrides: Sequence[Path] = ()) -> Environment:
    """Strict templates: an undefined value fails; HTML (and only HTML) is autoescaped."""
    autoescape = select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False)
    return strict_environment(ContentLoader("email", overrides), autoescape=autoescape, **TEXT_LAYOUT)


def plain(text: str) -> str:
    """Without no-break spaces or runs of spaces: for a subject or a file name, where they only get in the way.

    Line breaks stay, so that a subject with one is refused rather than silently joined.
    """
    return _SPACES.sub(" ", text.replace(NBSP, " ")).strip()


def attachment_name(catalog: Catalog, view: BriefView, kind: str, fmt: str, fallback: str) -> str:
    """A readable, localized file name (``Харта … – кратък анализ.pdf``), safe on every common system."""
    name = catalog.get("email.attachment-name", title=plain(view.short_title), kind=catalog.get(f"email.kind.{kind}"))
    name = " ".join(_UNSAFE_IN_NAMES.sub(" ", name).split()).strip(" .")
    if len(name) > MAX_NAME:
        name = name[:MAX_NAME].rsplit(" ", 1)[0].rstrip(" .–-")
    return f"{name}.{fmt}" if name else fallback


def listed(catalog: Catalog, filename: str, kind: str, fmt: str, size: int) -> Listed:
    kilobytes = format_decimal(max(1, round(size / 1024)), locale=catalog.locale)
    return Listed(filename, kind, fmt, catalog.get(f"email.format.{fmt}"), catalog.get("email.size", size=kilobytes))


def render(view: BriefView, catalog: Catalog, attachments: Sequence[Listed], overrides: Sequence[Path] = ()) -> Texts:
    env = environment(overrides)
    values = {"b": view, "attachments": list(attachments), "label": catalog.get}
    try:
        subject = plain(env.get_template(SUBJECT).render(values))
        values["subject"] = subject
        return Texts(subject, env.get_template(TEXT).render(values), env.get_template(HTML).render(values))
    except TemplateError as error:
        raise BriefsError(f"email template: {describe(error)}") from None
