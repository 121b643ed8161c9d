"""The agreement format as JSON Schema, and a commented skeleton of a new agreement file."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path
from typing import Any

from annotated_types import MinLen
from pydantic import BaseModel

from briefs.config import Config
from briefs.data.model import LANGUAGE, LOCALIZED_MARK, SLUG, Agreement, unwrap
from briefs.errors import InvalidInput, Problem
from briefs.fileio import create_new

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema(config: Config | None = None) -> dict[str, Any]:
    """The JSON Schema of an agreement file."""
    return json_schema(config or Config())


def new(ident: str, output: Path | None = None, config: Config | None = None) -> Path | str:
    """A skeleton agreement file for ``ident``: written to ``output`` unless it is None (then returned)."""
    if not re.match(SLUG, ident):
        raise InvalidInput(
            [Problem("<command line>", 1, 1, "ID", f"{ident!r} is not a slug (lowercase ascii, digits, hyphens)")]
        )
    text = skeleton(ident, config or Config())
    if output is None:
        return text
    try:
        create_new(output, text.encode("utf-8"))
    except FileExistsError:
        raise InvalidInput([Problem(str(output), 1, 1, "", "file exists already; not overwritten")]) from None
    return output


def json_schema(config: Config) -> dict[str, Any]:
    """JSON Schema of an agreement file, requiring a text in each configured language."""
    schema = Agreement.model_json_schema(mode="validation")
    _fill_localized(schema, config.languages)
    return {"$schema": SCHEMA_DIALECT, **schema}


def _fill_localized(node: Any, languages: tuple[str, ...]) -> None:
    if isinstance(node, dict):
        if node.pop(LOCALIZED_MARK, False):
            node.update(
                {
                    "properties": {lang: {"type": "string", "minLength": 1} for lang in languages},
                    "required": list(languages),
                    "propertyNames": {"pattern": LANGUAGE},
                    "additionalProperties": {"type": "string", "minLength": 1},
                }
            )
        for value in node.values():
            _fill_localized(value, languages)
    elif isinstance(node, list):
        for value in node:
            _fill_localized(value, languages)


def skeleton(ident: str, config: Config) -> str:
    """A commented YAML file for a new agreement: every field, to be filled in."""
    lines = [
        '# Agreement data for briefs. Fill in every "" (or delete optional fields);',
        "# `briefs validate` names each field still to do.  Dates are YYYY-MM-DD.",
        "# Texts are given in each language: " + ", ".join(config.languages) + ".",
    ]
    _emit_model(Agreement, lines, 0, config.languages, {"id": json.dumps(ident)})
    return "\n".join(lines) + "\n"


def _emit_model(
    model: type[BaseModel], lines: list[str], indent: int, languages: tuple[str, ...], given: dict[str, str]
) -> None:
    pad = " " * indent
    for name, field in model.model_fields.items():
        required = field.is_required()
        note = "" if required else " (optional)"
        lines.append(f"{pad}# {field.description}{note}")
        if name in given:
            lines.append(f"{pad}{name}: {given[name]}")
            continue
        min_items = next((m.min_length for m in field.metadata if isinstance(m, MinLen)), 0)
        _emit_value(name, unwrap(field.annotation), field.default, min_items, lines, indent, languages)


def _emit_value(
    name: str,
    kind: Any,
    default: Any,
    min_items: int,
    lines: list[str],
    indent: int,
    languages: tuple[str, ...],
) -> None:
    pad = " " * indent
    origin = typing.get_origin(kind)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        lines.append(f"{pad}{name}:")
        _emit_model(kind, lines, indent + 2, languages, {})
    elif origin is dict and typing.get_origin(unwrap(typing.get_args(kind)[1])) is typing.Literal:
        listed = ", ".join(typing.get_args(unwrap(typing.get_args(kind)[1])))
        lines.append(f"{pad}{name}: {{}}  # per language, one of: {listed}")
    elif origin is dict:
        lines.append(f"{pad}{name}:")
        lines.extend(f'{pad}  {lang}: ""' for lang in languages)
    elif origin is list:
        item = unwrap(typing.get_args(kind)[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            lines.append(f"{pad}{name}:")
            for _ in range(max(1, min_items)):
                body: list[str] = []
                _emit_model(item, body, indent + 4, languages, {})
                first = next(i for i, line in enumerate(body) if not line.lstrip().startswith("#"))
                body[first] = f"{pad}  - " + body[first].lstrip()
                lines.extend(body)
        elif typing.get_origin(item) is dict:
            lines.append(f"{pad}{name}:")
            lines.append(f'{pad}  - {languages[0]}: ""')
            lines.extend(f'{pad}    {lang}: ""' for lang in languages[1:])
        else:
            lines.append(f"{pad}{name}: []")
    elif origin is typing.Literal:
        choices = typing.get_args(kind)
        value = default if isinstance(default, str) else choices[0]
        lines.append(f"{pad}{name}: {value}  # one of: {', '.join(choices)}")
    elif kind is bool:
        lines.append(f"{pad}{name}: {'true' if default is True else 'false'}")
    else:
        value = default if isinstance(default, str) else ""
        lines.append(f"{pad}{name}: {json.dumps(value)}")
