"""briefs serve against its own OpenAPI description: every published operation, generated requests.

schemathesis reads the description the app publishes (/openapi.json) and, for each operation, sends
the request body example (a small valid agreement), boundary cases of every parameter, and
generated requests, positive and negative. Every answer must be no 5xx, with a documented status
code, content type, headers and body schema; invalid requests must be refused with a 4xx; a request
without the API key must be refused.

The app runs in process with its lifespan and one real worker, with an API key, over a copy of the
sample folder and the example; every render is real, and the module takes about 20 s on 2 cores.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from starlette.types import ASGIApp, Receive, Scope, Send

from briefs.options import BuildOptions
from briefs.serve import ServeOptions, create_app, jobs
from briefs.serve.models import EXAMPLE_AGREEMENT

from .conftest import SAMPLES

KEY = "schemathesis-key-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}
EXAMPLES = 50
"""Generated requests per operation and generation mode, besides the examples and boundary cases."""


class Served:
    """The app, its lifespan run once for the whole module.

    schemathesis ends an ASGI app's lifespan after every test (one per operation), and the app's
    lifespan starts and stops its render workers once: this wrapper answers schemathesis' lifespan
    messages itself, starts the app's own lifespan (on the same event loop as the requests) with the
    first of them, waits until the workers are warm, and ends it in ``stop``.
    """

    def __init__(self, app: ASGIApp, ready: Any) -> None:
        self.app = app
        self.ready = ready
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task[None] | None = None
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while (await receive())["type"] == "lifespan.startup":
            if self.task is None:
                await self._start()
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})

    async def _start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.inbox.put_nowait({"type": "lifespan.startup"})
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self.task = asyncio.create_task(self.app(scope, self.inbox.get, self.outbox.put))  # type: ignore[arg-type]
        started = await self.outbox.get()
        assert started["type"] == "lifespan.startup.complete", started
        until = time.monotonic() + 60
        while not self.ready():
            assert time.monotonic() < until, "the render workers never became ready"
            await asyncio.sleep(0.1)

    def stop(self) -> None:
        if self.task is None or self.loop is None:
            return

        async def shutdown() -> None:
            await self.inbox.put({"type": "lifespan.shutdown"})
            stopped = await self.outbox.get()
            assert stopped["type"] == "lifespan.shutdown.complete", stopped
            await self.task  # type: ignore[misc]

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(timeout=60)


# At module level: schemathesis parametrizes at collection (its from_fixture fails on pytest 9, which has
# no Node._nodeid). Making the app starts nothing; its lifespan, and the worker, start with the first request.
WORK = Path(tempfile.mkdtemp(prefix="briefs-schemathesis-"))
atexit.register(shutil.rmtree, WORK, ignore_errors=True)  # also when no test of the module runs
(WORK / "agreements").mkdir()
for sample in sorted(SAMPLES.glob("*.yaml")):
    shutil.copy(sample, WORK / "agreements")
(WORK / "agreements" / "example-agreement.yaml").write_text(EXAMPLE_AGREEMENT, encoding="utf-8")

app = create_app(
    ServeOptions(
        folder=WORK / "agreements", build=BuildOptions(output=WORK / "output"), workers=1, keys=(KEY,), watch=False
    )
)
served = Served(app, lambda: app.state.service.pool.ready)
schema = schemathesis.openapi.from_dict(app.openapi())
schema.app = served
schema.config.generation.update(max_examples=EXAMPLES)


@pytest.fixture(scope="module", autouse=True)
def _lifespan():
    yield
    served.stop()


@schema.parametrize()
@settings(deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_published(case):
    # Excluded: the body is published as an agreement, any object (its rules, with cross-references and
    # font coverage, are GET /v1/schema's and the validator's), so most schema-valid bodies are invalid
    # agreements, rightly answered 422.
    case.call_and_validate(headers=AUTH, excluded_checks=[positive_data_acceptance])


def test_the_published_description_is_the_one_tested():
    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://briefs") as client:
            return await client.get("/openapi.json")  # no key: the description is public

    published = asyncio.run(fetch())
    assert published.status_code == 200
    assert published.json() == app.openapi()
    operations = {(method.upper(), path) for path, item in published.json()["paths"].items() for method in item}
    assert {("GET", "/health"), ("POST", "/v1/render"), ("POST", "/v1/agreements/{ident}/build")} <= operations
    loaded = [result.ok() for result in schema.get_all_operations()]
    assert {(operation.method.upper(), operation.path) for operation in loaded} == operations


def test_the_body_example_is_a_valid_agreement():
    """The example is what schemathesis sends first; were it invalid, no render would be tested."""
    body = app.openapi()["paths"]["/v1/render"]["post"]["requestBody"]["content"]
    example = body["application/yaml"]["example"]
    assert example == body["application/json"]["example"] == yaml.load(EXAMPLE_AGREEMENT, Loader=yaml.BaseLoader)
    config = app.state.service.options.build.config
    assert jobs.check(yaml.safe_dump(example).encode(), False, config).id == "example-agreement"
    assert jobs.check(json.dumps(example).encode(), True, config).id == "example-agreement"


def test_a_built_file_as_published_and_not_modified_with_its_etag():
    """Generated names are never built; this builds one and checks the 200 and the 304 against the description."""
    ident, name = "example-agreement", "example-agreement-one-page-bg.pdf"
    build = schema["/v1/agreements/{ident}/build"]["POST"].Case(path_parameters={"ident": ident})
    assert build.call_and_validate(headers=AUTH).status_code == 200
    fetch = schema["/v1/agreements/{ident}/{name}"]["GET"]
    first = fetch.Case(path_parameters={"ident": ident, "name": name}).call_and_validate(headers=AUTH)
    assert first.status_code == 200
    assert first.content.startswith(b"%PDF-")
    etag = first.headers["etag"][0]
    again = fetch.Case(path_parameters={"ident": ident, "name": name}, headers={"If-None-Match": etag})
    second = again.call_and_validate(headers=AUTH)
    assert second.status_code == 304
    assert second.headers["etag"] == [etag]
