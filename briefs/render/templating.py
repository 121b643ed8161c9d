"""The strict Jinja environments every template is rendered in, and what templates share.

Templates are reloaded when their text changes or when another folder of the search
path starts to hold one of the same name, so a long-lived process never renders an
old version.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, Environment, StrictUndefined, TemplateError, TemplateNotFound, TemplateSyntaxError
from markupsafe import Markup

from briefs.resources import search_path

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class ContentLoader(BaseLoader):
    """Templates from the search path of one kind (html, email); up to date while their text is."""

    def __init__(self, kind: str, overrides: Sequence[Path] = ()) -> None:
        self.kind = kind
        self.overrides = tuple(overrides)

    def _find(self, name: str) -> Path | None:
        if any(part in ("", ".", "..") for part in name.split("/")):
            return None
        for folder in search_path(self.kind, self.overrides):
            if (folder / name).is_file():
                return folder / name
        return None

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self._find(template)
        if path is None:
            raise TemplateNotFound(template)
        source = path.read_text(encoding="utf-8")

        def uptodate() -> bool:
            try:
                return self._find(template) == path and path.read_text(encoding="utf-8") == source
            except OSError:
                return False

        return source, str(path), uptodate


TEXT_LAYOUT = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}
"""Block tags leave no blank lines behind in HTML and e-mail templates."""


def strict_environment(
    loader: BaseLoader | None = None, *, autoescape: bool | Callable[[str | None], bool], **settings: Any
) -> Environment:
    """Undefined names fail loudly; the caller says what is escaped."""
    # every caller names its escaping: HTML escapes all, e-mail only its HTML part, DOCX in finalize
    return Environment(loader=loader, undefined=StrictUndefined, autoescape=autoescape, **settings)  # noqa: S701


def placeholders(label: str) -> Iterator[tuple[str, str | None]]:
    """A label such as ``Page {page} of {pages}`` as (text, None) and (name, placeholder) pieces, in order."""
    position = 0
    for found in _PLACEHOLDER.finditer(label):
        if found.start() > position:
            yield label[position : found.start()], None
        yield found.group(0), found.group(1)
        position = found.end()
    if position < len(label):
        yield label[position:], None


def css_string(value: str) -> Markup:
    """A CSS string literal, safe inside a <style> element."""
    escaped = "".join(f"\\{ord(ch):X} " if ch in '"\\<>&\n\r' or ord(ch) < 0x20 else ch for ch in str(value))
    # every character that could end the string or the <style> element is escaped above
    return Markup(f'"{escaped}"')  # noqa: S704


def css_counters(label: str) -> Markup:
    """``Page {page} of {pages}`` as CSS content: strings around counter(page), counter(pages)."""
    parts = [f"counter({name})" if name else css_string(text) for text, name in placeholders(label)]
    return Markup(" ".join(parts))  # noqa: S704 - made of css_string parts and counter() calls


def html_environment(overrides: Sequence[Path] = ()) -> Environment:
    """Templates for HTML: undefined values fail, and every value is escaped."""
    env = strict_environment(ContentLoader("html", overrides), autoescape=True, **TEXT_LAYOUT)
    env.filters["css_string"] = css_string
    env.filters["css_counters"] = css_counters
    return env


def describe(error: TemplateError) -> str:
    """``template.html:12: message`` for a template error, wherever in the template it happened."""
    if isinstance(error, TemplateSyntaxError):
        return f"{error.filename or error.name}:{error.lineno}: {error.message}"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.endswith(".py")]
    where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
    return f"{where}{error.message or error}"
