"""Errors as RFC 9457 ``application/problem+json``, carrying the same located problems as the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from starlette.responses import Response

from briefs.errors import Problem

MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid agreement",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def located(problem: Problem) -> dict[str, object]:
    return {
        "file": problem.path,
        "line": problem.line,
        "column": problem.column,
        "field": problem.field,
        "message": problem.message,
        "text": str(problem),
    }


def problem_response(
    status: int,
    detail: str,
    problems: Iterable[Problem] = (),
    *,
    headers: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Response:
    body: dict[str, object] = {
        "type": "about:blank",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    listed = [located(problem) for problem in problems]
    if listed:
        body["problems"] = listed
    return Response(
        json.dumps(body, ensure_ascii=False), status_code=status, media_type=MEDIA_TYPE, headers=dict(headers or {})
    )
