"""briefs serve: the app in process (httpx through Starlette's TestClient, lifespan and workers real) and a
real `briefs serve` process on loopback."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from briefs.config import Config
from briefs.data.files import load_agreement
from briefs.errors import InvalidInput
from briefs.localize.catalog import load_catalog
from briefs.options import BuildOptions
from briefs.serve import ServeOptions, create_app

from .conftest import MINIMAL, SAMPLES
from .pdfread import squash

CHARTER = SAMPLES / "us-az-charter-2026.yaml"
KEYS = ("first-key-0123456789", "second-key-0123456789")
YAML = {"Content-Type": "application/yaml"}


def _folder(tmp: Path) -> Path:
    folder = tmp / "agreements"
    folder.mkdir()
    shutil.copy(CHARTER, folder)
    return folder


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    options = ServeOptions(
        folder=_folder(tmp), build=BuildOptions(output=tmp / "out"), workers=1, queue=4, max_body=200_000, watch=False
    )
    with TestClient(create_app(options)) as client:
        _wait_ready(client)
        yield client


def _wait_ready(client, timeout: float = 60) -> None:
    until = time.monotonic() + timeout
    while client.get("/ready").status_code != 200:
        assert time.monotonic() < until, "workers never became ready"
        time.sleep(0.1)


def _minimal(title: str = "Test Agreement") -> bytes:
    return MINIMAL.replace("en: Test Agreement", f"en: {title}").encode()


def test_health_and_ready(client):
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json() == {"status": "ready", "workers": 1, "warm": 1}


def test_render_one_pdf_with_a_cyrillic_file_name(client):
    response = client.post(
        "/v1/render",
        params={"kind": "one-page", "lang": "bg", "format": "pdf"},
        content=CHARTER.read_bytes(),
        headers=YAML,
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert 'filename="us-az-charter-2026-one-page-bg.pdf"' in disposition
    name = unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1))
    assert name.startswith("Харта")
    assert name.endswith(f"{load_catalog('bg').get('email.kind.one-page')}.pdf")
    pdf = PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) == 1
    assert "Харта" in pdf.pages[0].extract_text()


def test_render_every_file_as_a_zip(client):
    response = client.post("/v1/render", content=_minimal("Zip Test"), headers=YAML)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert names == sorted(
        f"test-agreement-{kind}-{lang}.{fmt}"
        for kind in ("one-page", "full")
        for lang in ("bg", "en")
        for fmt in ("pdf", "docx")
    )
    pdf = PdfReader(io.BytesIO(archive.read("test-agreement-full-en.pdf")))
    assert "ZipTest" in squash("".join(page.extract_text() for page in pdf.pages))


def test_json_bodies_are_read_as_json(client):
    import yaml

    body = yaml.safe_load(MINIMAL)
    response = client.post(
        "/v1/validate", content=json.dumps(body, default=str), headers={"Content-Type": "application/json"}
    )
    assert response.json() == {"valid": True, "id": "test-agreement"}


def test_the_same_request_is_answered_from_the_cache_with_the_same_etag(client):
    params = {"kind": "one-page", "lang": "en", "format": "pdf"}
    body = _minimal("Cache Test")
    first = client.post("/v1/render", params=params, content=body, headers=YAML)
    hits = _metric(client, 'briefs_cache_lookups_total{result="hit"}')
    second = client.post("/v1/render", params=params, content=body, headers=YAML)
    assert first.status_code == second.status_code == 200
    assert first.headers["etag"] == second.headers["etag"]
    assert first.content == second.content
    assert _metric(client, 'briefs_cache_lookups_total{result="hit"}') == hits + 1
    other = client.post("/v1/render", params=params, content=_minimal("Other Title"), headers=YAML)
    assert other.headers["etag"] != first.headers["etag"]


def _metric(client, name: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def test_invalid_data_gets_422_with_the_located_problems_of_the_cli(client, tmp_path):
    body = MINIMAL.replace("status: signed", "status: [signed]").replace("  - id: trade", "  - id: Trade Pillar")
    response = client.post("/v1/render", params={"format": "pdf"}, content=body.encode(), headers=YAML)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    path = tmp_path / "x.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InvalidInput) as cli:
        load_agreement(path, Config())
    expected = [(p.line, p.column, p.field, p.message) for p in cli.value.problems]
    assert [(p["line"], p["column"], p["field"], p["message"]) for p in problem["problems"]] == expected
    assert {p["field"] for p in problem["problems"]} >= {"status", "pillars[0].id"}
    assert all(p["file"] == "request" and p["text"].startswith(f"request:{p['line']}:") for p in problem["problems"])


def test_validate_alone(client):
    assert client.post("/v1/validate", content=MINIMAL.encode(), headers=YAML).json()["valid"] is True
    broken = client.post("/v1/validate", content=b"id: [", headers=YAML)
    assert broken.status_code == 422
    assert broken.json()["problems"][0]["message"].startswith("invalid YAML")


def test_a_body_over_the_limit_gets_413(client):
    response = client.post("/v1/render", content=b"#" * 200_001, headers=YAML)
    assert response.status_code == 413
    assert response.json()["title"] == "Request body too large"


def test_an_unknown_content_type_gets_415(client):
    assert client.post("/v1/render", content=MINIMAL.encode(), headers={"Content-Type": "text/html"}).status_code == 415


def test_an_unknown_language_or_kind_gets_400(client):
    assert client.post("/v1/render", params={"lang": "fr"}, content=b"", headers=YAML).status_code == 400
    response = client.post("/v1/render", params={"kind": "two-page"}, content=b"", headers=YAML)
    assert response.status_code == 400
    assert response.json()["problems"][0]["field"] == "query.kind"


def test_schema(client):
    schema = client.get("/v1/schema").json()
    assert {"id", "title", "parties", "pillars"} <= set(schema["properties"])


def test_the_served_folder_builds_lists_and_serves_files_with_etags(client):
    built = client.post("/v1/agreements/us-az-charter-2026/build")
    assert built.status_code == 200
    assert len(built.json()["built"]) == 8
    again = client.post("/v1/agreements/us-az-charter-2026/build").json()
    assert (again["built"], again["unchanged"]) == ([], 8)  # incremental, as the CLI
    [listed] = client.get("/v1/agreements").json()["agreements"]
    assert listed["valid"] is True
    assert {f["name"] for f in listed["files"]} >= {
        "us-az-charter-2026-one-page-bg.pdf",
        "us-az-charter-2026-full-en.docx",
    }
    url = "/v1/agreements/us-az-charter-2026/us-az-charter-2026-one-page-bg.pdf"
    first = client.get(url)
    assert first.status_code == 200
    assert first.content.startswith(b"%PDF")
    assert first.headers["last-modified"].endswith("GMT")
    etag = first.headers["etag"]
    assert etag.startswith('"')  # strong: no W/
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get("/v1/agreements/us-az-charter-2026/nothing.pdf").status_code == 404
    assert client.post("/v1/agreements/no-such-id/build").status_code == 404


def test_metrics_cover_requests_latency_renders_queue_and_restarts(client):
    client.get("/health")
    text = client.get("/metrics").text
    for name in (
        "briefs_http_requests_total",
        "briefs_http_request_seconds_bucket",
        "briefs_render_seconds_bucket",
        "briefs_queue_depth",
        "briefs_worker_restarts_total",
    ):
        assert name in text
    assert 'briefs_http_requests_total{method="GET",route="/health",status="200"}' in text


# keys


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("keyed")
    options = ServeOptions(
        folder=_folder(tmp), build=BuildOptions(output=tmp / "out"), workers=1, keys=KEYS, watch=False
    )
    with TestClient(create_app(options)) as client:
        yield client


def test_keys_are_needed_except_for_health_and_ready(keyed):
    assert keyed.get("/health").status_code == 200
    _wait_ready(keyed)  # /ready answers without a key
    missing = keyed.get("/v1/schema")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert missing.headers["content-type"] == "application/problem+json"
    assert keyed.get("/v1/schema", headers={"Authorization": "Bearer wrong-key-0123456789"}).status_code == 401
    assert keyed.get("/v1/schema", headers={"Authorization": f"Basic {KEYS[0]}"}).status_code == 401
    for key in KEYS:  # two at once, so that a key can be rotated
        assert keyed.get("/v1/schema", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert keyed.get("/metrics").status_code == 401


def test_a_public_address_without_keys_is_refused(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "briefs", "serve", str(tmp_path), "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        env={**os.environ, "BRIEFS_API_KEYS": ""},
        timeout=60,
    )
    assert result.returncode == 2
    assert "refusing to serve beyond this machine without API keys" in result.stderr
    assert "Traceback" not in result.stderr


def test_short_keys_are_refused(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "briefs", "serve", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "BRIEFS_API_KEYS": "short"},
        timeout=60,
    )
    assert result.returncode == 2
    assert "at least 16 characters" in result.stderr


# a deadline that passes


def test_a_passed_deadline_gets_503_and_a_fresh_worker(tmp_path):
    options = ServeOptions(
        folder=_folder(tmp_path), build=BuildOptions(output=tmp_path / "out"), workers=1, deadline=0.05, watch=False
    )
    with TestClient(create_app(options)) as client:
        _wait_ready(client)
        response = client.post(
            "/v1/render",
            params={"kind": "full", "lang": "bg", "format": "pdf"},
            content=CHARTER.read_bytes(),
            headers=YAML,
        )
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        assert _metric(client, 'briefs_worker_restarts_total{reason="deadline"}') == 1
        _wait_ready(client)  # the replacement warms up


def test_a_worker_that_dies_is_replaced_and_the_next_request_served(client):
    pool = client.app.state.service.pool
    [pid] = pool.pids()
    os.kill(pid, signal.SIGKILL)
    response = client.post(
        "/v1/render",
        params={"kind": "one-page", "lang": "en", "format": "pdf"},
        content=_minimal("After"),
        headers=YAML,
    )
    assert response.status_code == 200
    assert pool.pids() != [pid]
    assert _metric(client, 'briefs_worker_restarts_total{reason="died"}') == 1


# a real server process


def _free_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]


class Server:
    def __init__(self, folder: Path, output: Path, *args: str, keys: str = "") -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "briefs", "serve", str(folder), "-o", str(output), "--port", str(self.port)]
        env = {**os.environ, "BRIEFS_API_KEYS": keys}
        # a file, not a pipe: a full pipe would stop the server in the middle of a test
        self.log = output.parent / "serve.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen([*command, *args], env=env, stderr=log)
        until = time.monotonic() + 90
        while True:
            assert self.process.poll() is None, self.stderr()
            try:
                if httpx.get(f"{self.url}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < until, "the server never became ready"
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(30)

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8")


@pytest.fixture
def server(tmp_path):
    running = Server(
        _folder(tmp_path),
        tmp_path / "out",
        "--workers",
        "1",
        "--queue",
        "1",
        "--access-log",
        "--no-watch",
        keys=",".join(KEYS),
    )
    yield running
    running.stop()


def _charter(counter: int) -> bytes:
    # a different body each time, so that no answer comes from the cache
    return CHARTER.read_bytes() + f"\n# request {counter}\n".encode()


def test_real_server_keys_and_render(server):
    assert httpx.post(f"{server.url}/v1/validate", content=MINIMAL.encode(), headers=YAML).status_code == 401
    auth = {"Authorization": f"Bearer {KEYS[1]}", **YAML}
    response = httpx.post(
        f"{server.url}/v1/render", params={"kind": "one-page", "lang": "en", "format": "docx"},
        content=_charter(0), headers=auth, timeout=60,
    )  # fmt: skip
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert zipfile.ZipFile(io.BytesIO(response.content)).read("word/document.xml").count(b"Charter") >= 1


def test_real_server_refuses_overload_with_429(server):
    auth = {"Authorization": f"Bearer {KEYS[0]}", **YAML}
    statuses: list[int] = []
    retry_after: list[str] = []

    def ask(counter: int) -> None:
        response = httpx.post(
            f"{server.url}/v1/render",
            params={"kind": "full", "lang": "bg", "format": "pdf"},
            content=_charter(counter),
            headers=auth,
            timeout=120,
        )
        statuses.append(response.status_code)
        if response.status_code == 429:
            retry_after.append(response.headers["retry-after"])

    # one worker and a queue of one: of 8 requests at once, 2 are taken and the rest refused at once
    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(statuses) == {200, 429}
    assert statuses.count(200) >= 2
    assert statuses.count(429) >= 4
    assert set(retry_after) == {"1"}


def test_real_server_finishes_a_request_in_flight_on_sigterm(server):
    auth = {"Authorization": f"Bearer {KEYS[0]}", **YAML}
    answers: list[httpx.Response] = []

    def ask() -> None:
        answers.append(
            httpx.post(
                f"{server.url}/v1/render",
                params={"kind": "full", "lang": "en", "format": "pdf"},
                content=_charter(99),
                headers=auth,
                timeout=120,
            )
        )

    thread = threading.Thread(target=ask)
    thread.start()
    until = time.monotonic() + 30
    while "briefs_workers_busy 1.0" not in httpx.get(f"{server.url}/metrics", headers=auth).text:
        assert time.monotonic() < until, "the request never reached a worker"
        time.sleep(0.02)
    server.process.send_signal(signal.SIGTERM)
    thread.join(120)
    assert [answer.status_code for answer in answers] == [200]
    assert answers[0].content.startswith(b"%PDF")
    # uvicorn ends by re-raising the signal after its graceful shutdown: systemd counts that as a clean stop
    assert server.process.wait(60) == -signal.SIGTERM
    assert "Traceback" not in server.stderr()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/health")


def test_real_server_writes_an_access_log_of_json_lines(server):
    httpx.get(f"{server.url}/v1/schema", headers={"Authorization": f"Bearer {KEYS[0]}"})
    httpx.get(f"{server.url}/v1/agreements")
    server.process.terminate()
    server.process.wait(60)
    lines = [json.loads(line) for line in server.stderr().splitlines() if line.startswith("{")]
    by_path = {line["path"]: line for line in lines}
    assert by_path["/v1/schema"]["status"] == 200
    assert by_path["/v1/schema"]["bytes"] > 1000
    assert by_path["/v1/agreements"]["status"] == 401
    assert by_path["/v1/agreements"]["route"] == "unmatched"  # refused before routing
    assert {"time", "client", "method", "ms"} <= set(by_path["/v1/schema"])


def test_head_on_a_built_file(client):
    client.post("/v1/agreements/us-az-charter-2026/build")
    url = "/v1/agreements/us-az-charter-2026/us-az-charter-2026-one-page-en.pdf"
    head = client.head(url)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == client.get(url).headers["etag"]
