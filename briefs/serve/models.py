"""The JSON the service answers, as published in its OpenAPI description."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel, Field


class LocatedProblem(BaseModel):
    file: str
    line: int
    column: int
    field: str = Field(description="The field's path, such as quotes[0].text.bg; empty for the whole file")
    message: str
    text: str = Field(description="The problem as the command line prints it: file:line:column: field: message")


class ProblemDetails(BaseModel):
    """RFC 9457 problem details; ``problems`` locates each problem in the submitted data."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    problems: list[LocatedProblem] = []


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    workers: int
    warm: int


class Validated(BaseModel):
    valid: bool
    id: str


class BuiltFileInfo(BaseModel):
    name: str
    kind: str
    lang: str
    format: str
    bytes: int
    pages: int | None
    sha256: str
    url: str


class AgreementInfo(BaseModel):
    id: str
    file: str
    valid: bool
    title: dict[str, str] = {}
    problems: list[LocatedProblem] = []
    files: list[BuiltFileInfo] = []
    preview: str


class AgreementList(BaseModel):
    folder: str
    agreements: list[AgreementInfo]


class BuildResult(BaseModel):
    id: str
    built: list[str]
    unchanged: int
    failed: list[str]
    seconds: float


JsonSchema = dict[str, Any]

FILE_TYPES = {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
        "schema": {"type": "string", "format": "binary"}
    },
    "application/zip": {"schema": {"type": "string", "format": "binary"}},
}


EXAMPLE_AGREEMENT = """\
id: example-agreement
type: agreement
status: signed
signed:
  date: 2026-02-10
  place: {bg: Баку, en: Baku}
title: {bg: Примерно споразумение, en: Example Agreement}
short_title: {bg: Пример, en: Example}
parties:
  - code: USA
    name: {bg: САЩ, en: United States}
  - code: EU
    kind: organisation
    name: {bg: Европейски съюз, en: European Union}
summary: {bg: Резюме., en: Summary.}
pillars:
  - id: trade
    title: {bg: Търговия, en: Trade}
    commitments:
      - area: {bg: Мита, en: Customs}
        commitment: {bg: По-ниски мита., en: Lower tariffs.}
sources:
  - id: report
    title: {bg: Репортаж, en: Report}
    date: 2026-02-11
brief:
  organisation: {bg: Отдел, en: Unit}
  prepared: 2026-02-12
"""
"""A small valid agreement: the request body's example in the OpenAPI description."""


def agreement_body(description: str) -> dict[str, Any]:
    """The OpenAPI request body of an agreement: the same data in YAML or in JSON, with the example."""
    example = yaml.load(EXAMPLE_AGREEMENT, Loader=yaml.BaseLoader)  # noqa: S506  # BaseLoader: only strings, lists, dicts
    media = {"schema": {"$ref": "#/components/schemas/Agreement"}, "example": example}
    return {
        "required": True,
        "description": description,
        "content": {"application/yaml": media, "application/json": dict(media)},
    }


def problem(description: str) -> dict[str, Any]:
    """An OpenAPI response entry for a problem+json answer."""
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
    }
