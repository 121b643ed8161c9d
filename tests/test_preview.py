"""The live preview: its pages in process (Starlette's TestClient, with the real lifespan, workers, watcher
and pdftoppm), and in a real browser (Debian's chromium through Playwright) against a real `briefs serve`."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from briefs.options import BuildOptions
from briefs.serve import ServeOptions, create_app

from .conftest import MINIMAL, SAMPLES

CHARTER = SAMPLES / "us-az-charter-2026.yaml"
IDENT = "us-az-charter-2026"
KEY = "preview-key-0123456789"
PNG = b"\x89PNG\r\n\x1a\n"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# an agreement whose signing date is not a date: line 5, column 9 of the file
BROKEN = MINIMAL.replace("  date: 2026-02-10", "  date: not-a-date", 1)
BROKEN_AT = "broken.yaml:5:9: signed.date:"
EN_TITLE = "Charter on Strategic Partnership between"


def _folder(tmp: Path) -> Path:
    folder = tmp / "agreements"
    folder.mkdir()
    shutil.copy(CHARTER, folder)
    return folder


def _pdfs_built(files: list[dict]) -> bool:
    return {(f["kind"], f["lang"]) for f in files if f["format"] == "pdf"} == {
        (kind, lang) for kind in ("one-page", "full") for lang in ("bg", "en")
    }


def _listed(client_or_base, ident: str = IDENT) -> dict:
    """The agreement in GET /v1/agreements, of an in-process client or of a server at an address."""
    if isinstance(client_or_base, str):
        response = httpx.get(f"{client_or_base}/v1/agreements", timeout=30)
    else:
        response = client_or_base.get("/v1/agreements")
    return next(a for a in response.json()["agreements"] if a["id"] == ident)


def _wait_built(client_or_base, every_format: bool, timeout: float = 180) -> dict:
    """The agreement's listing once the watcher's first build has made its PDFs (and, if asked, the rest)."""
    until = time.monotonic() + timeout
    while True:
        entry = _listed(client_or_base)
        files = entry["files"]
        if _pdfs_built(files) and (not every_format or len(files) == 8):
            return entry
        assert time.monotonic() < until, f"the first build never finished: {files}"
        time.sleep(0.25)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG), data[:16]
    assert data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _first_event(client, path: str) -> tuple[dict, httpx.Headers]:
    with client.stream("GET", path) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("data: "):
                return json.loads(line[len("data: ") :]), response.headers
    raise AssertionError("the stream ended without an event")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app with its watcher on a folder of the charter and a broken agreement, after its first build."""
    tmp = tmp_path_factory.mktemp("preview")
    folder = _folder(tmp)
    (folder / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    options = ServeOptions(folder=folder, build=BuildOptions(output=tmp / "out"), workers=1, watch=True)
    with TestClient(create_app(options)) as client:
        _wait_built(client, every_format=True)
        yield client, folder


def test_index_lists_every_agreement_with_its_state(served):
    client, _ = served
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    html = response.text
    assert f'href="/preview/{IDENT}"' in html
    assert 'href="/preview/broken"' in html
    assert '<p lang="en">Charter on Strategic Partnership' in html
    assert '<p lang="bg">Харта за стратегическо партньорство' in html
    assert ">valid<" in html
    assert ">1 problem<" in html
    assert BROKEN_AT in html


def test_preview_shows_both_languages_side_by_side_with_downloads(served):
    client, _ = served
    response = client.get(f"/preview/{IDENT}")
    assert response.status_code == 200
    html = response.text
    cells = re.findall(r'<section class="cell" lang="(\w+)" data-kind="([\w-]+)"', html)
    assert cells == [("bg", "one-page"), ("en", "one-page"), ("bg", "full"), ("en", "full")]
    assert "Аналитична записка на една страница" in html
    assert "One-page policy brief" in html
    assert 'alt="Страница 1 от 1"' in html
    assert 'alt="Page 1 of 1"' in html
    entry = _listed(client)
    full_en = next(f for f in entry["files"] if f["name"] == f"{IDENT}-full-en.pdf")
    assert full_en["pages"] > 1
    for n in range(1, full_en["pages"] + 1):
        assert f"/pages/{IDENT}-full-en.pdf/{n}.png?v={full_en['sha256']}" in html
    assert f'alt="Page {full_en["pages"]} of {full_en["pages"]}"' in html
    downloads = re.findall(r'<a href="(/v1/agreements/[^"?]+)\?v=[0-9a-f]+" download=', html)
    assert len(downloads) == 8
    assert {Path(url).suffix for url in downloads} == {".pdf", ".docx"}
    for url in downloads:
        got = client.get(url)
        assert got.status_code == 200
        assert got.content[:4] == {".pdf": b"%PDF", ".docx": b"PK\x03\x04"}[Path(url).suffix]


def test_events_start_with_the_state_on_disk(served):
    client, _ = served
    event, headers = _first_event(client, f"/preview/{IDENT}/events")
    assert headers["content-type"].startswith("text/event-stream")
    assert headers["cache-control"] == "no-cache"
    assert event["state"] == "built"
    assert event["id"] == IDENT
    listed = {f["name"]: f["sha256"] for f in _listed(client)["files"]}
    assert {f["name"]: f["sha256"] for f in event["files"]} == listed
    # every file was built from the agreement as it is now
    assert all(f["current"] for f in event["files"])


def test_page_images_are_pngs_of_the_built_pages(served):
    client, _ = served
    pdf = next(f for f in _listed(client)["files"] if f["name"] == f"{IDENT}-one-page-en.pdf")
    url = f"/preview/{IDENT}/pages/{pdf['name']}/1.png"
    response = client.get(url, params={"v": pdf["sha256"]})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert "immutable" in response.headers["cache-control"]
    width, height = _png_size(response.content)
    assert 490 <= width <= 500  # A4 at 60 dpi
    assert 695 <= height <= 710
    sharp = client.get(url, params={"v": pdf["sha256"], "dpi": 120})
    assert sharp.status_code == 200
    assert _png_size(sharp.content)[0] == pytest.approx(2 * width, abs=2)
    # the page is drawn, not blank: a blank page compresses to almost nothing
    assert len(response.content) > 20_000
    again = client.get(url, params={"v": pdf["sha256"]}, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert client.get(f"/preview/{IDENT}/pages/{pdf['name']}/2.png").status_code == 404
    assert client.get(url, params={"v": "0" * 64}).status_code == 404
    assert client.get(url, params={"dpi": 300}).status_code == 400
    assert client.get(f"/preview/{IDENT}/pages/{IDENT}-one-page-en.docx/1.png").status_code == 400


def test_an_invalid_agreement_shows_its_located_problems_instead_of_pages(served):
    client, _ = served
    response = client.get("/preview/broken")
    assert response.status_code == 200
    html = response.text
    problems = html[html.index('id="problems"') : html.index('id="grid"')]
    assert "hidden" not in problems.split(">", 1)[0]
    assert BROKEN_AT in re.sub(r"<[^>]+>", "", problems)
    assert "expected a date" in problems
    assert "<img" not in html
    event, _ = _first_event(client, "/preview/broken/events")
    assert event["state"] == "invalid"
    (problem,) = event["problems"]
    assert (problem["line"], problem["column"], problem["field"]) == (5, 9, "signed.date")
    assert problem["file"].endswith("broken.yaml")
    assert BROKEN_AT in problem["text"]


def test_no_address_outside_the_app(served):
    client, _ = served
    served_text = [
        client.get("/").text,
        client.get(f"/preview/{IDENT}").text,
        client.get("/preview/broken").text,
        client.get("/preview/static/preview.js").text,
        client.get("/preview/static/preview.css").text,
    ]
    static = Path(__file__).resolve().parent.parent / "briefs" / "serve" / "static"
    on_disk = [path.read_text(encoding="utf-8") for path in static.iterdir()]
    assert len(on_disk) >= 4
    for text in served_text + on_disk:
        assert "http://" not in text
        assert "https://" not in text
        assert not re.search(r"""(src|href|url)\s*[=(]\s*["']?//""", text), "a protocol-relative address"
        assert "@import" not in text
    assert client.get("/preview/static/index.html").status_code == 404
    assert client.get("/preview/static/..%2Fapp.py").status_code == 404


def test_unknown_agreement(served):
    client, _ = served
    assert client.get("/preview/no-such-thing").status_code == 404
    assert client.get("/preview/no-such-thing/events").status_code == 404
    assert client.get("/preview/Not_An_Id").status_code == 400


def test_an_edit_replaces_the_pages_and_old_ones_are_gone(served):
    """Page images are keyed by the PDF's content: after an edit the old address answers 404, never an
    old picture under a new name or a new one under an old name."""
    client, folder = served
    before = {f["name"]: f["sha256"] for f in _listed(client)["files"]}
    name = f"{IDENT}-one-page-en.pdf"
    old_url = f"/preview/{IDENT}/pages/{name}/1.png"
    old_png = client.get(old_url, params={"v": before[name]}).content
    path = folder / CHARTER.name
    path.write_text(path.read_text(encoding="utf-8").replace(EN_TITLE, "Charter (edited) between"), "utf-8")
    until = time.monotonic() + 120
    while {f["name"]: f["sha256"] for f in _listed(client)["files"]}.get(name) == before[name]:
        assert time.monotonic() < until, "the watcher never rebuilt the edited agreement"
        time.sleep(0.25)
    after = {f["name"]: f["sha256"] for f in _listed(client)["files"]}
    assert client.get(old_url, params={"v": before[name]}).status_code == 404
    new_png = client.get(old_url, params={"v": after[name]})
    assert new_png.status_code == 200
    assert new_png.content != old_png


def test_a_key_in_the_address_becomes_a_cookie(tmp_path):
    unsafe = "with=an-equals-sign-0123"  # a cookie would carry it quoted, and it would not match
    options = ServeOptions(folder=_folder(tmp_path), build=BuildOptions(output=tmp_path / "out"), keys=(KEY, unsafe))
    client = TestClient(create_app(options), follow_redirects=False)  # no lifespan: no workers needed
    assert client.get("/").status_code == 401
    assert client.get("/", params={"key": "not-the-key-0123456789"}).status_code == 401
    assert client.get("/v1/agreements", params={"key": KEY}).status_code == 401  # only / takes a key this way
    assert client.get("/", params={"key": unsafe}).status_code == 400
    response = client.get("/", params={"key": KEY})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith(f"briefs_key={KEY}".lower())
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/" in cookie
    assert client.get("/").status_code == 200  # the client sends the cookie now
    assert client.get(f"/preview/{IDENT}").status_code == 200
    client.cookies.clear()
    assert client.get(f"/preview/{IDENT}").status_code == 401


# a real browser against a real server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path):
    """`briefs serve` in its own process on a copy of the charter; yields its address and folder."""
    folder = _folder(tmp_path)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    briefs = Path(sys.executable).with_name("briefs")
    command = [str(briefs), "serve", str(folder), "--port", str(port), "-o", str(tmp_path / "out"), "--workers", "1"]
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(command, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
    try:
        until = time.monotonic() + 120
        while True:
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < until, "the server never became ready"
            time.sleep(0.2)
        _wait_built(base, every_format=False)
        yield base, folder
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


def _images_loaded(page, kind: str, lang: str) -> bool:
    return page.evaluate(
        """([kind, lang]) => {
            const images = document.querySelectorAll(`.cell[data-kind="${kind}"][data-lang="${lang}"] img`);
            return images.length > 0 && images[0].complete && images[0].naturalWidth > 0;
        }""",
        [kind, lang],
    )


def _wait_images(page, cells, timeout_ms: int = 30_000) -> None:
    page.wait_for_function(
        """(cells) => cells.every(([kind, lang]) => {
            const image = document.querySelector(`.cell[data-kind="${kind}"][data-lang="${lang}"] img`);
            return image && image.complete && image.naturalWidth > 0 && image.offsetParent !== null;
        })""",
        arg=cells,
        timeout=timeout_ms,
    )


def test_the_browser_sees_pages_change_and_errors_located(server):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    base, folder = server
    path = folder / CHARTER.name
    original = path.read_text(encoding="utf-8")
    cells = [[kind, lang] for kind in ("one-page", "full") for lang in ("bg", "en")]
    en_image = '.cell[data-kind="one-page"][data-lang="en"] img'
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda message: message.type == "error" and errors.append(message.text))
            outside: list[str] = []
            page.on("request", lambda request: request.url.startswith(base) or outside.append(request.url))
            page.goto(f"{base}/preview/{IDENT}")

            # pages of both languages, drawn
            _wait_images(page, cells)
            for kind, lang in cells:
                assert _images_loaded(page, kind, lang)
                assert page.locator(f'.cell[data-kind="{kind}"][data-lang="{lang}"]').get_attribute("lang") == lang
            page.wait_for_function("document.getElementById('status').dataset.kind === 'ok'", timeout=30_000)
            before = page.locator(en_image).get_attribute("src")

            # an edit on disk: the English pages change by themselves
            path.write_text(original.replace(EN_TITLE, "Charter on Strategic Partnership (edited) between"), "utf-8")
            page.wait_for_function(
                "([selector, before]) => document.querySelector(selector).getAttribute('src') !== before",
                arg=[en_image, before],
                timeout=30_000,
            )
            _wait_images(page, [["one-page", "en"]])
            after = page.locator(en_image).get_attribute("src")
            assert after != before
            assert re.search(r"\?v=[0-9a-f]{64}$", after)
            page.screenshot(path="/tmp/preview.png")

            # an invalid edit: the located problem instead of the pages
            lines = original.splitlines(keepends=True)
            line = next(i for i, text in enumerate(lines, 1) if text == "  date: 2026-02-10\n")
            broken = lines.copy()
            broken[line - 1] = "  date: not-a-date\n"
            path.write_text("".join(broken), encoding="utf-8")
            where = f"{CHARTER.name}:{line}:9: signed.date:"
            problems = page.locator("#problems")
            problems.get_by_text(where).wait_for(state="visible", timeout=30_000)
            assert "expected a date" in problems.inner_text()
            assert page.locator("#grid").is_hidden()
            page.screenshot(path="/tmp/preview-invalid.png")

            # fixed again: the pages come back
            path.write_text(original, encoding="utf-8")
            page.locator("#grid").wait_for(state="visible", timeout=30_000)
            assert problems.is_hidden()
            _wait_images(page, cells)
            page.wait_for_function(
                "([selector, after]) => document.querySelector(selector).getAttribute('src') !== after",
                arg=[en_image, after],
                timeout=30_000,
            )
            # the same text makes the same PDF, so the same address as before the edit
            assert page.locator(en_image).get_attribute("src") == before
        finally:
            browser.close()
    assert errors == []
    assert outside == []
