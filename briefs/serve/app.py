"""The ASGI app: the v1 API over the core's public functions, health, readiness and metrics."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import time
import zipfile
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs

from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from briefs import __version__
from briefs.data.schema import schema as agreement_schema
from briefs.errors import InvalidInput, Problem
from briefs.render import FORMATS, builder_class
from briefs.serve import folder, jobs
from briefs.serve.auth import COOKIE, accepted, bearer
from briefs.serve.cache import Answer
from briefs.serve.http import (
    BodyTooLarge,
    UnsupportedType,
    body_kind,
    content_disposition,
    etag_matches,
    http_date,
    not_modified,
    read_body,
)
from briefs.serve.models import (
    FILE_TYPES,
    AgreementInfo,
    AgreementList,
    BuildResult,
    BuiltFileInfo,
    Health,
    LocatedProblem,
    ProblemDetails,
    Ready,
    Validated,
    agreement_body,
    problem,
)
from briefs.serve.pool import Busy, DeadlineExceeded, WorkerFailed
from briefs.serve.problems import MEDIA_TYPE, located, problem_response
from briefs.serve.service import Service
from briefs.serve.settings import ServeOptions
from briefs.targets import KINDS

log = logging.getLogger("briefs.serve")
access = logging.getLogger("briefs.serve.access")

PUBLIC = ("/health", "/ready", "/openapi.json")
RETRY_AFTER = "1"

# the choices the core knows, as types FastAPI checks and publishes
Kind = Literal[KINDS]  # type: ignore[valid-type]
Format = Literal[FORMATS]  # type: ignore[valid-type]
Ident = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$", description="An agreement's id")]
FileName = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$", description="A built file's name")]


def create_app(options: ServeOptions | None = None) -> FastAPI:
    """The app for ``options``; its workers start with the app and stop with it."""
    options = options or ServeOptions()
    options.check()
    service = Service.create(options)

    from briefs.serve import preview

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service.pool.start()
        try:
            async with preview.running(service):
                yield
        finally:
            await service.pool.close()

    app = FastAPI(
        title="briefs",
        version=__version__,
        description="Bilingual policy briefs (PDF, DOCX) from agreement data, with a live preview.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service
    _errors(app)
    _routes(app, service)
    preview.install(app, service)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.add_middleware(_Observe, service=service)
    return app


def _errors(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            Problem("request", 1, 1, ".".join(str(part) for part in error["loc"]), error["msg"])
            for error in exc.errors()
        ]
        return problem_response(400, "the request's parameters are invalid", problems, title="Bad request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return problem_response(exc.status_code, str(exc.detail), headers=exc.headers)


def _routes(app: FastAPI, service: Service) -> None:
    options = service.options

    @app.get("/health", response_model=Health, tags=["operations"])
    async def health() -> Health:
        """The process is alive and answering."""
        return Health(status="ok")

    @app.get(
        "/ready",
        response_model=Ready,
        tags=["operations"],
        responses={503: problem("Workers are starting or the fonts are missing")},
    )
    async def ready() -> Response:
        """Every worker is warm and the fonts are installed."""
        pool = service.pool
        fonts = await asyncio.to_thread(service.fonts_present)
        if pool.ready and fonts:
            return JSONResponse(Ready(status="ready", workers=pool.size, warm=pool.warm).model_dump())
        why = "fonts are missing" if not fonts else f"{pool.warm} of {pool.size} workers are warm"
        return problem_response(503, f"not ready: {why}", headers={"Retry-After": RETRY_AFTER})

    @app.get(
        "/metrics",
        tags=["operations"],
        response_class=Response,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Prometheus"}},
    )
    async def metrics() -> Response:
        """Metrics in the Prometheus text format."""
        service.metrics.queue_depth.set(service.pool.waiting)
        service.metrics.busy.set(service.pool.busy)
        return Response(generate_latest(service.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/v1/schema", tags=["data"], responses={200: {"description": "JSON Schema of an agreement"}})
    async def schema() -> dict[str, Any]:
        """The JSON Schema of an agreement file."""
        return agreement_schema(options.build.config)

    body_doc: dict[str, Any] = {
        "requestBody": agreement_body("An agreement, in YAML or JSON (by Content-Type), at most the --max-body limit")
    }
    body_errors: dict[int | str, dict[str, Any]] = {
        413: problem("The body is larger than the limit"),
        415: problem("The body is neither YAML nor JSON"),
        422: problem("The agreement is invalid; each problem located by line, column and field"),
    }

    @app.post(
        "/v1/validate",
        response_model=Validated,
        tags=["data"],
        openapi_extra=body_doc,
        responses={**body_errors, 400: problem("Bad request")},
    )
    async def validate(request: Request) -> Response:
        """Validate an agreement without rendering it."""
        read = await _read(request, service)
        if isinstance(read, Response):
            return read
        body, is_json = read
        try:
            agreement = await asyncio.to_thread(jobs.check, body, is_json, options.build.config)
        except InvalidInput as exc:
            return _invalid(exc.problems)
        return JSONResponse(Validated(valid=True, id=agreement.id).model_dump())

    render_errors: dict[int | str, dict[str, Any]] = {
        **body_errors,
        400: problem("Bad request"),
        429: problem("Every worker is busy and the queue is full; retry after Retry-After seconds"),
        503: problem("The deadline passed; the worker was replaced"),
        500: problem("A bug; the message says where"),
    }

    @app.post(
        "/v1/render",
        tags=["render"],
        response_class=Response,
        openapi_extra=body_doc,
        responses={200: {"description": "The brief, or a zip of several", "content": FILE_TYPES}, **render_errors},
    )
    async def render(
        request: Request,
        kind: Annotated[Kind | None, Query(description="one-page or full; absent: both")] = None,
        lang: Annotated[str | None, Query(description="A configured language; absent: all")] = None,
        format: Annotated[Format | None, Query(description="pdf or docx; absent: both")] = None,
    ) -> Response:
        """Render an agreement: one file when kind, lang and format are given, else a zip of every file asked."""
        if lang is not None and lang not in service.languages:
            detail = f"lang must be one of {', '.join(service.languages)}"
            return problem_response(400, detail, [Problem("request", 1, 1, "query.lang", detail)])
        read = await _read(request, service)
        if isinstance(read, Response):
            return read
        body, is_json = read
        wanted = service.targets(kind, lang, format)
        key = await asyncio.to_thread(service.render_key, body, is_json, wanted)
        etag = f'"{key}"'
        cached = service.cache.get(key)
        service.metrics.cache.labels("hit" if cached else "miss").inc()
        if cached is None:
            job = jobs.RenderJob(body, is_json, tuple(wanted), options.build.config, options.build.templates)
            answer = await _in_pool(service, jobs.render, job)
            if isinstance(answer, Response):
                return answer
            if answer.problems:
                return _invalid(answer.problems)
            if answer.error is not None:
                return problem_response(422, answer.error, title="The brief cannot be rendered as asked")
            for file in answer.files:
                service.metrics.render.labels(file.target.kind, file.target.format).observe(file.seconds)
            cached = _answer(answer, etag)
            service.cache.put(key, cached)
        # no 304 here: RFC 9110 allows it for GET and HEAD only; the ETag names the answer for caches
        headers = {"ETag": etag, "Content-Disposition": content_disposition(cached.filename, cached.download_name)}
        return Response(cached.data, media_type=cached.media_type, headers=headers)

    @app.get("/v1/agreements", response_model=AgreementList, tags=["folder"])
    async def agreements() -> AgreementList:
        """The served folder's agreements, each valid or with its problems, and its built files."""
        entries = await asyncio.to_thread(folder.scan, options.folder, options.build.config)
        listed = [await asyncio.to_thread(_info, service, entry) for entry in entries]
        return AgreementList(folder=str(options.folder), agreements=listed)

    # before /{ident}/{name}, which also matches .../build: a 405 then says Allow: POST, not GET
    @app.post(
        "/v1/agreements/{ident}/build",
        response_model=BuildResult,
        tags=["folder"],
        responses={
            404: problem("No agreement with this id in the folder"),
            **{status: render_errors[status] for status in (422, 429, 503, 500)},
        },
    )
    async def build(ident: Ident) -> Response:
        """Build the agreement's out-of-date briefs into the output folder, under the same lock as the CLI."""
        entry = await asyncio.to_thread(folder.find, options.folder, options.build.config, ident)
        if entry is None:
            return problem_response(404, f"{ident}: no agreement with this id in {options.folder}")
        if not entry.valid:
            return _invalid(entry.problems)
        answer = await _in_pool(service, jobs.build, jobs.BuildJob(entry.path, options.build))
        if isinstance(answer, Response):
            return answer
        if answer.problems:
            return _invalid(answer.problems)
        result = BuildResult(
            id=ident, built=answer.built, unchanged=answer.unchanged, failed=answer.failed, seconds=answer.seconds
        )
        return JSONResponse(result.model_dump(), status_code=200 if not answer.failed else 500)

    # HEAD as well (curl -I); one operation in the description, so that its id stays unique
    @app.head("/v1/agreements/{ident}/{name}", include_in_schema=False)
    @app.get(
        "/v1/agreements/{ident}/{name}",
        tags=["folder"],
        response_class=Response,
        responses={
            200: {"description": "A built file", "content": FILE_TYPES},
            304: {"description": "Not modified (If-None-Match)"},
            404: problem("No such agreement or built file"),
        },
    )
    async def built_file(request: Request, ident: Ident, name: FileName) -> Response:
        """A built file of the folder, with a strong ETag from its stamp."""
        entry = (await asyncio.to_thread(folder.built, options.build.output, ident)).get(name)
        if entry is None:
            return problem_response(404, f"{ident}/{name}: not built; POST /v1/agreements/{ident}/build first")
        etag = f'"{entry.stamp}"'
        modified = http_date(entry.path.stat().st_mtime)
        if etag_matches(request, etag):
            return not_modified(etag, {"Last-Modified": modified})
        data = await asyncio.to_thread(entry.path.read_bytes)
        headers = {
            "ETag": etag,
            "Last-Modified": modified,
            "Cache-Control": "no-cache",
            "Content-Disposition": content_disposition(name, name, "inline"),
        }
        return Response(data, media_type=builder_class(entry.format).media_type, headers=headers)


async def _read(request: Request, service: Service) -> tuple[bytes, bool] | Response:
    try:
        is_json = body_kind(request)
    except UnsupportedType as exc:
        detail = f"Content-Type {exc}: send the agreement as application/yaml or application/json"
        return problem_response(415, detail)
    try:
        body = await read_body(request, service.options.max_body)
    except BodyTooLarge:
        service.metrics.refused.labels("too-large").inc()
        return problem_response(413, f"the body is larger than {service.options.max_body:,} bytes")
    return body, is_json


async def _in_pool(service: Service, function: Callable[[Any, Any], Any], job: object) -> Any:
    """The job's answer from a worker, or the problem response that says why there is none."""
    try:
        return await service.pool.run(function, job, service.deadline())
    except Busy:
        service.metrics.refused.labels("busy").inc()
        return problem_response(429, "every worker is busy and the queue is full", headers={"Retry-After": RETRY_AFTER})
    except DeadlineExceeded:
        service.metrics.refused.labels("deadline").inc()
        detail = f"no answer within the deadline of {service.options.deadline:g} s"
        return problem_response(503, detail, headers={"Retry-After": RETRY_AFTER})
    except WorkerFailed as exc:
        log.error("render worker failed: %s", exc)
        return problem_response(500, f"internal error: {exc}")


def _invalid(problems: list[Problem]) -> Response:
    count = len(problems)
    return problem_response(422, f"the agreement has {count} problem{'s' if count != 1 else ''}", problems)


def _answer(answer: jobs.RenderAnswer, etag: str) -> Answer:
    if len(answer.files) == 1:
        file = answer.files[0]
        media = builder_class(file.target.format).media_type
        return Answer(file.data, media, file.target.filename(answer.agreement), file.download_name, etag)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in answer.files:
            # a fixed date: the same request gives the same bytes
            info = zipfile.ZipInfo(file.target.filename(answer.agreement), date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file.data)
    name = f"{answer.agreement}.zip"
    return Answer(buffer.getvalue(), "application/zip", name, name, etag)


def _info(service: Service, entry: folder.Entry) -> AgreementInfo:
    built = folder.built(service.options.build.output, entry.id) if entry.valid else {}
    files = [
        BuiltFileInfo(
            name=name,
            kind=item.kind,
            lang=item.lang,
            format=item.format,
            bytes=item.bytes,
            pages=item.pages,
            sha256=item.sha256,
            url=f"/v1/agreements/{entry.id}/{name}",
        )
        for name, item in sorted(built.items())
    ]
    title = dict(entry.agreement.title) if entry.agreement is not None else {}
    return AgreementInfo(
        id=entry.id,
        file=str(entry.path),
        valid=entry.valid,
        title=title,
        problems=[LocatedProblem(**located(problem)) for problem in entry.problems],  # type: ignore[arg-type]
        files=files,
        preview=f"/preview/{entry.id}",
    )


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = spec.setdefault("components", {}).setdefault("schemas", {})
        components["ProblemDetails"] = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
        defs = components["ProblemDetails"].pop("$defs", {})
        components.update(defs)
        components["Agreement"] = {"type": "object", "description": "See GET /v1/schema"}
        service: Service = app.state.service
        if service.options.keys:
            spec["components"]["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer", "description": "One of the service's API keys"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": COOKIE, "description": "Set by /?key=KEY"},
            }
        for route, path in spec["paths"].items():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                # FastAPI documents invalid parameters as 422; _errors answers them 400, as problem details
                if responses.get("422", {}).get("description") == "Validation Error":
                    del responses["422"]
                if operation.get("parameters"):
                    responses.setdefault("400", problem("Bad request: a parameter is invalid"))
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "query" and parameter["name"] == "lang":
                        schema = {"type": "string", "enum": list(service.languages)}
                        parameter["schema"] = {**schema, "description": parameter.get("description", "")}
                if service.options.keys and route not in PUBLIC:
                    operation["security"] = [{"bearer": []}, {"cookie": []}]
                    responses.setdefault("401", problem("No API key, or not one of the service's keys"))
                for status, response in responses.items():
                    content = response.get("content", {})
                    if status.startswith(("4", "5")) and "application/json" in content:
                        response["content"] = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}
        for unused in ("HTTPValidationError", "ValidationError"):  # only the 422s above named them
            components.pop(unused, None)
        app.openapi_schema = spec
    return app.openapi_schema


class _Observe:
    """Keys, metrics and the access log, for every request (plain ASGI: nothing is buffered)."""

    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        sent = 0

        async def observe(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            if self._allowed(scope):
                await self.app(scope, receive, observe)
            else:
                await self._unauthorized(scope, receive, observe)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"]
            elapsed = time.perf_counter() - started
            metrics = self.service.metrics
            metrics.requests.labels(route, method, str(status)).inc()
            metrics.latency.labels(route, method).observe(elapsed)
            if self.service.options.access_log:
                client = scope.get("client") or ("", 0)
                access.info(
                    json.dumps(
                        {
                            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                            "client": client[0],
                            "method": method,
                            "path": scope["path"],
                            "route": route,
                            "status": status,
                            "bytes": sent,
                            "ms": round(elapsed * 1000, 1),
                        },
                        ensure_ascii=False,
                    )
                )

    def _allowed(self, scope: Scope) -> bool:
        keys = self.service.options.keys
        if not keys or scope["path"] in PUBLIC:
            return True
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        if accepted(keys, bearer(headers.get("authorization"))):
            return True
        if scope["method"] == "GET" and scope["path"] == "/":
            # the preview's sign-in, /?key=KEY, which answers with the cookie a browser sends from then on
            given = parse_qs(scope["query_string"].decode("latin-1")).get("key")
            if given and accepted(keys, given[0]):
                return True
        return accepted(keys, _cookie(headers.get("cookie", ""), COOKIE))

    async def _unauthorized(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            401, "an API key is needed: Authorization: Bearer KEY", headers={"WWW-Authenticate": "Bearer"}
        )
        await response(scope, receive, send)


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
