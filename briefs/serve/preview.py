"""The live preview for writers: the folder's agreements at ``/``, and at ``/preview/{id}`` the one-page
and full briefs in every language side by side, redrawn when the agreement file is saved.

Plain HTML from Jinja2 templates, one script and one stylesheet, all served by the app itself: no
address outside it appears anywhere, so the preview works offline (and the Content-Security-Policy
says so to the browser).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import re
import signal
import threading
import weakref
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Path as PathParam
from fastapi import Query, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from briefs.errors import BriefsError
from briefs.publish.plan import targets
from briefs.serve import folder
from briefs.serve.auth import COOKIE, accepted
from briefs.serve.http import etag_matches, not_modified
from briefs.serve.live import Event, Live
from briefs.serve.pages import DPI, DPIS, PageError
from briefs.serve.problems import problem_response
from briefs.targets import KINDS

if TYPE_CHECKING:
    from fastapi import FastAPI

    from briefs.serve.service import Service

STATIC = Path(__file__).parent / "static"
ASSETS = {"preview.js": "text/javascript; charset=utf-8", "preview.css": "text/css; charset=utf-8"}
KEEPALIVE = 15.0
"""Seconds between comments on an idle event stream, so that proxies and browsers keep it open."""
RETRY_MS = 1000
"""How soon a browser reconnects a broken event stream (after a restart of the service, say)."""
SECURITY = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
PAGE_LABELS = {"bg": "Страница {n} от {total}", "en": "Page {n} of {total}"}
"""An image's alt text, in the language of its page; other languages get the English one, marked so."""
COOKIE_SAFE = re.compile(r"[A-Za-z0-9!#$%&'*+\-.^_`|~:]+")
"""What a cookie value may hold without quotes (http.cookies' legal characters)."""
IDENT = r"^[a-z0-9][a-z0-9-]{0,99}$"
NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}\.pdf$"

# one Live per service: install() makes it, running() runs it (app.py hands both only the service)
_lives: dict[int, Live] = {}


def _live(service: Service) -> Live:
    return _lives[id(service)]


def install(app: FastAPI, service: Service) -> None:
    """Adds the preview's routes to ``app``."""
    live = Live(service)
    _lives[id(service)] = live
    weakref.finalize(service, _lives.pop, id(service), None)
    options = service.options

    @app.get("/", include_in_schema=False)
    async def index(request: Request, key: Annotated[str | None, Query()] = None) -> Response:
        if key is not None:
            return _sign_in(service, key, secure=request.url.scheme == "https")
        entries = await live.scan()
        rows = [await asyncio.to_thread(_row, service, entry) for entry in entries]
        html = _render("index.html", folder=str(options.folder), rows=rows)
        return HTMLResponse(html, headers=SECURITY)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        # browsers ask for it on every page; an empty answer keeps a 404 out of the console
        return Response(status_code=204, headers={"Cache-Control": "max-age=86400"})

    @app.get("/preview/static/{name}", include_in_schema=False)
    async def asset(request: Request, name: str) -> Response:
        if name not in ASSETS:
            return problem_response(404, f"{name}: no such file")
        data = (STATIC / name).read_bytes()
        etag = f'"{hashlib.sha256(data).hexdigest()[:32]}"'
        if etag_matches(request, etag):
            return not_modified(etag)
        return Response(data, media_type=ASSETS[name], headers={**SECURITY, "ETag": etag})

    @app.get("/preview/{ident}", include_in_schema=False)
    async def page(ident: Annotated[str, PathParam(pattern=IDENT)]) -> Response:
        entries = await live.scan()
        state = await live.state(ident, entries)
        html = _render("preview.html", **_view(service, state))
        return HTMLResponse(html, status_code=404 if state["state"] == "missing" else 200, headers=SECURITY)

    @app.get("/preview/{ident}/events", include_in_schema=False)
    async def events(ident: Annotated[str, PathParam(pattern=IDENT)]) -> Response:
        entries = await live.scan()
        if live.entry(ident, entries) is None:
            return problem_response(404, f"{ident}: no agreement with this id in {options.folder}")
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(_stream(live, ident), media_type="text/event-stream", headers=headers)

    @app.get("/preview/{ident}/pages/{name}/{number}.png", include_in_schema=False)
    async def page_image(
        request: Request,
        ident: Annotated[str, PathParam(pattern=IDENT)],
        name: Annotated[str, PathParam(pattern=NAME)],
        number: Annotated[int, PathParam(ge=1, le=9999)],
        v: Annotated[str | None, Query(pattern=r"^[0-9a-f]{64}$")] = None,
        dpi: Annotated[int, Query()] = DPI,
    ) -> Response:
        if dpi not in DPIS:
            return problem_response(400, f"dpi must be one of {', '.join(map(str, DPIS))}")
        built = (await asyncio.to_thread(folder.built, options.build.output, ident)).get(name)
        if built is None or built.format != "pdf":
            return problem_response(404, f"{ident}/{name}: no such PDF built")
        if built.pages is None or number > built.pages:
            return problem_response(404, f"{ident}/{name} has {built.pages or 0} pages, not {number}")
        try:
            data = await asyncio.to_thread(built.path.read_bytes)
        except OSError:
            data = b""
        sha = hashlib.sha256(data).hexdigest()
        if sha != built.sha256:
            # written but not yet in the manifest: the build is still running
            return problem_response(503, f"{name} is being rebuilt", headers={"Retry-After": "1"})
        if v is not None and v != sha:
            return problem_response(404, f"{name}: that version was replaced by a newer build")
        etag = f'"{sha[:40]}-{number}-{dpi}"'
        # an address with the content's hash never changes what it shows; one without it can
        caching = "private, max-age=31536000, immutable" if v == sha else "no-cache"
        if etag_matches(request, etag):
            return not_modified(etag, {"Cache-Control": caching})
        try:
            image = await live.images.png(data, sha, number, dpi)
        except PageError as exc:
            return problem_response(500, str(exc))
        return Response(image, media_type="image/png", headers={"ETag": etag, "Cache-Control": caching})


@contextlib.asynccontextmanager
async def running(service: Service) -> AsyncIterator[None]:
    """What the preview runs while the app does: the folder's watcher and builder, if asked for."""
    live = _live(service)
    live.restart()
    task = asyncio.get_running_loop().create_task(live.run()) if service.options.watch else None
    restore = _close_on_signal(live)
    try:
        yield
    finally:
        restore()
        live.close()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _close_on_signal(live: Live) -> Callable[[], None]:
    """Ends the event streams as soon as the server is told to stop.

    The server waits for open responses before it stops the app, and an event stream never ends by
    itself: without this every open preview would hold a Ctrl-C for the whole shutdown grace.
    Signals are handled in the main thread only (an app under a test client runs in another).
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    installed: dict[int, Any] = {}

    def handler(signum: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(live.close)
        before = installed.get(signum)
        if callable(before):
            before(signum, frame)
        elif before == signal.SIG_DFL:
            signal.signal(signum, before)
            signal.raise_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        installed[signum] = signal.getsignal(signum)
        signal.signal(signum, handler)

    def restore() -> None:
        for signum, before in installed.items():
            if signal.getsignal(signum) is handler:
                signal.signal(signum, before)

    return restore


async def _stream(live: Live, ident: str) -> AsyncIterator[str]:
    async with live.subscribe(ident) as queue:
        # subscribed before the first state is read, so that no change falls between the two
        entries = await live.scan()
        first = await live.state(ident, entries)
        yield f"retry: {RETRY_MS}\n\n" + _event(first)
        while not live.closing.is_set():
            try:
                event = await asyncio.wait_for(queue.get(), KEEPALIVE)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if event is None:
                return
            yield _event(event)


def _event(event: Event) -> str:
    # json.dumps writes no line breaks, so the data is one line of the stream
    return f"data: {json.dumps(event, ensure_ascii=False)}\n\n"


def _sign_in(service: Service, key: str, *, secure: bool) -> Response:
    """``/?key=KEY``: the key as a cookie, so that a browser can open the preview where keys are needed."""
    keys = service.options.keys
    if keys and not accepted(keys, key):
        return problem_response(401, "the key is not accepted", headers={"WWW-Authenticate": "Bearer"})
    if keys and not COOKIE_SAFE.fullmatch(key):
        # such a key would be quoted in the cookie and not recognised when it comes back
        detail = "this key has characters a cookie cannot carry; use a key of letters, digits and - _ . ~"
        return problem_response(400, detail)
    # the address holds the key: it must be neither kept nor sent on as a Referer
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    response = RedirectResponse("/", status_code=303, headers=headers)
    if keys:
        response.set_cookie(COOKIE, key, httponly=True, samesite="strict", path="/", secure=secure)
    return response


# views


@functools.cache
def _templates() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(STATIC),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _render(template: str, **context: Any) -> str:
    context["assets"] = {name: _asset_version(name) for name in ASSETS}
    return str(_templates().get_template(template).render(**context))


def _asset_version(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def _row(service: Service, entry: folder.Entry) -> dict[str, Any]:
    built = folder.built(service.options.build.output, entry.id) if entry.valid else {}
    title = dict(entry.agreement.title) if entry.agreement is not None else {}
    return {
        "id": entry.id,
        "file": str(entry.path),
        "valid": entry.valid,
        "titles": [(lang, title[lang]) for lang in service.languages if lang in title],
        "problems": [str(problem) for problem in entry.problems],
        "built": len(built),
    }


def _view(service: Service, state: Event) -> dict[str, Any]:
    """What preview.html shows: the same state the event stream sends, laid out as cells."""
    wanted = targets(service.options.build)
    kinds = [kind for kind in KINDS if any(target.kind == kind for target in wanted)]
    langs = list(dict.fromkeys(target.lang for target in wanted))
    files = state.get("files", [])
    cells = []
    for kind in kinds:
        for lang in langs:
            mine = [file for file in files if file["kind"] == kind and file["lang"] == lang]
            pdf = next((file for file in mine if file["format"] == "pdf"), None)
            label_lang = lang if lang in PAGE_LABELS else "en"
            cells.append(
                {
                    "kind": kind,
                    "lang": lang,
                    "title": _kind_label(service, kind, lang),
                    "language": _language_name(lang),
                    "page_label": PAGE_LABELS.get(lang, PAGE_LABELS["en"]),
                    "label_lang": label_lang,
                    "pdf": pdf,
                    "downloads": mine,
                }
            )
    short = state.get("short_title", {})
    heading = next((short[lang] for lang in langs if lang in short), state["id"])
    return {"ident": state["id"], "state": state, "cells": cells, "heading": heading, "columns": len(langs)}


def _kind_label(service: Service, kind: str, lang: str) -> str:
    from briefs.localize import load_catalog

    try:
        return load_catalog(lang, service.options.build.templates).get(f"brief.{kind}")
    except BriefsError:
        return kind


@functools.cache
def _language_name(lang: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(lang).get_display_name(lang) or lang
    except (ValueError, UnknownLocaleError):
        return lang
    return name[:1].upper() + name[1:]
