"""HTTP details shared by the routes: reading a bounded body, file answers, conditional requests."""

from __future__ import annotations

from email.utils import formatdate
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
JSON_TYPES = ("application/json",)


class BodyTooLarge(Exception):
    pass


class UnsupportedType(Exception):
    pass


def body_kind(request: Request) -> bool:
    """Whether the body is JSON (else YAML), by its Content-Type."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media in JSON_TYPES or media.endswith("+json"):
        return True
    if media in YAML_TYPES:
        return False
    raise UnsupportedType(media or "none")


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused as soon as it passes ``limit`` bytes (whatever Content-Length says)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def content_disposition(filename: str, download_name: str, disposition: str = "attachment") -> str:
    """RFC 6266: an ASCII ``filename`` for old clients and a UTF-8 ``filename*`` (Cyrillic names work)."""
    fallback = filename.replace("\\", "_").replace('"', "_")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(download_name, safe='')}"


def etag_matches(request: Request, etag: str) -> bool:
    """Whether If-None-Match names ``etag`` (or is ``*``)."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags


def http_date(timestamp: float) -> str:
    return formatdate(timestamp, usegmt=True)


def not_modified(etag: str, extra: dict[str, str] | None = None) -> Response:
    return Response(status_code=304, headers={"ETag": etag, **(extra or {})})
