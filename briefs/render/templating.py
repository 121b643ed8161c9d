"""The strict Jinja environments that templates are rendered in."""

from __future__ import annotations

import re
import traceback
from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from markupsafe import Markup

from briefs.resources import data_dir

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def search_path(kind: str, overrides: Sequence[Path] = ()) -> list[Path]:
    """Folders searched for ``kind`` (html, docx, email, styles): the user's first, then ours."""
    builtin = data_dir("styles") if kind == "styles" else data_dir("templates") / kind
    user = [folder / kind for folder in overrides if (folder / kind).is_dir()]
    return [*user, builtin]


def find(kind: str, name: str, overrides: Sequence[Path] = ()) -> Path:
    """The file ``name`` from the first folder of the search path that has it."""
    for folder in search_path(kind, overrides):
        path = folder / name
        if path.is_file():
            return path
    raise FileNotFoundError(f"no {kind} file {name!r} in {', '.join(map(str, search_path(kind, overrides)))}")


def css_string(value: str) -> Markup:
    """A CSS string literal, safe inside a <style> element."""
    escaped = "".join(f"\\{ord(ch):X} " if ch in '"\\<>&\n\r' or ord(ch) < 0x20 else ch for ch in str(value))
    # every character that could end the string or the <style> element is escaped above
    return Markup(f'"{escaped}"')  # noqa: S704


def css_counters(label: str) -> Markup:
    """``Page {page} of {pages}`` as CSS content: strings around counter(page), counter(pages)."""
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(label):
        if match.start() > position:
            parts.append(css_string(label[position : match.start()]))
        parts.append(f"counter({match.group(1)})")
        position = match.end()
    if position < len(label):
        parts.append(css_string(label[position:]))
    return Markup(" ".join(parts))  # noqa: S704 - made of css_string parts and counter() calls


def html_environment(overrides: Sequence[Path] = ()) -> Environment:
    """Templates for HTML: undefined values fail, and every value is escaped."""
    env = Environment(
        loader=FileSystemLoader([str(p) for p in search_path("html", overrides)]),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
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
