"""The HTTP service under load: a real `briefs serve` process on loopback, concurrent clients.

Every request is POST /v1/render of the Charter, Bulgarian PDF. Distinct bodies (the file plus a YAML
comment with a counter: the answer cache is keyed on the body's bytes) make every request a render;
a repeated body is answered from the cache after its first render, and is reported separately.
The machine is shared and noisy, so 1 and 2 workers alternate, a fresh server each run, and the
tables give medians and ratios:

* **throughput**: requests/s and p50/p99 latency with ``--clients`` clients at once, one-page and
  full PDFs, distinct bodies and the cached body, 1 worker against 2;
* **one client**: p50 of a warm one-page request alone, against the same render warm in process
  (``briefs.render.pdf.PdfBuilder``, as ``benchmarks/compare.py`` renders);
* **memory**: RSS of the server's process tree (the server, the fork server, the workers, read from
  /proc) before and after ``--requests`` one-page renders;
* **overload**: 4 × (workers + queue) clients at once, each sending requests back to back: every
  answer must be 200 or 429, none a 5xx or a timeout.

    .venv/bin/python benchmarks/serve.py [--quick] [--runs 3] [--requests 2000] [--write FILE]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "agreements"
CHARTER = SAMPLES / "us-az-charter-2026.yaml"
QUEUE = 8
"""The server's --queue (its default)."""
TIMEOUT = 120.0
"""A client's timeout, seconds: far beyond the server's deadline (60 s), so a timeout is a hang."""

# The Charter's Bulgarian one-page brief in one warm process: the seconds of each render alone, and of
# each whole request's work (read and validate the bytes, localize, render), as a worker does it.
WARM = r"""
import json, sys, time
from pathlib import Path
from briefs.config import Config
from briefs.localize import load_catalog, localize
from briefs.render.base import RenderOptions
from briefs.render.pdf import PdfBuilder
from briefs.serve.jobs import check
repeat, path = int(sys.argv[1]), Path(sys.argv[2])
config = Config()
builder = PdfBuilder(RenderOptions(fonts=config.fonts, fallback_fonts=config.fallback_fonts))
data = path.read_bytes()
view = localize(check(data, False, config), load_catalog("bg"), "one-page")
builder.render(view)
render, whole = [], []
for _ in range(repeat):
    start = time.perf_counter()
    builder.render(view)
    render.append(time.perf_counter() - start)
    start = time.perf_counter()
    builder.render(localize(check(data, False, config), load_catalog("bg"), "one-page"))
    whole.append(time.perf_counter() - start)
print(json.dumps([render, whole]))
"""


@dataclass
class Sizes:
    latency: int
    """Sequential one-page requests (one client)."""
    one_page: int
    full: int
    cached: int
    overload: int
    """Requests per overload client."""


FULL_SIZES = Sizes(latency=20, one_page=60, full=30, cached=300, overload=5)
QUICK_SIZES = Sizes(latency=5, one_page=12, full=6, cached=50, overload=2)


@dataclass
class Load:
    """What one batch of requests gave."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    bytes: int = 0
    """Of the 200 answers' bodies."""

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: int) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Server:
    """``briefs serve`` in a process of its own, on a free loopback port; ready when /ready says so."""

    def __init__(self, workers: int, work: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        out = work / f"out-{workers}-{self.port}"
        command = [sys.executable, "-m", "briefs", "-q", "serve", str(SAMPLES), "-o", str(out), "--no-watch"]
        command += ["--port", str(self.port), "--workers", str(workers), "--queue", str(QUEUE)]
        self.workers = workers
        self.log = work / f"serve-{self.port}.log"  # a file, not a pipe: nobody reads it while the server runs
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
        until = time.monotonic() + 120
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"briefs serve exited: {self.log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{self.url}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > until:
                self.stop()
                raise RuntimeError("briefs serve never became ready")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def pids(self) -> list[int]:
        """The server and every process under it (the fork server and its workers)."""
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                with contextlib.suppress(OSError):  # the thread ended meanwhile
                    todo += [int(child) for child in task.read_text().split()]
        return found

    def memory(self) -> dict[str, int]:
        """KiB: the server's own RSS, the RSS of its tree, and the tree's PSS (shared pages counted once)."""
        rss = pss = main = 0
        for pid in self.pids():
            try:
                own = _field(Path(f"/proc/{pid}/status"), "VmRSS:")
                pss += _field(Path(f"/proc/{pid}/smaps_rollup"), "Pss:")
            except OSError:
                continue  # a worker replaced meanwhile
            rss += own
            if pid == self.process.pid:
                main = own
        return {"main": main, "rss": rss, "pss": pss}


def _field(path: Path, name: str) -> int:
    for line in path.read_text().splitlines():
        if line.startswith(name):
            return int(line.split()[1])
    raise OSError(f"{name} not in {path}")


def body(counter: int | None) -> bytes:
    """The Charter; with a counter, a comment that makes the bytes (and so the cache key) new."""
    data = CHARTER.read_bytes()
    return data if counter is None else data + f"\n# benchmark request {counter}\n".encode()


_counter = iter(range(10**9))
_counter_lock = threading.Lock()


def fresh() -> int:
    with _counter_lock:
        return next(_counter)


def load(
    url: str, kind: str, requests: int, clients: int, make_body: Callable[[], bytes], *, per_client: bool = False
) -> Load:
    """``requests`` renders by ``clients`` threads, each with its own connection (``per_client``: each sends
    ``requests``); their latencies and status codes."""
    left = [requests * clients if per_client else requests]
    lock = threading.Lock()
    result = Load(0.0)
    params = {"kind": kind, "lang": "bg", "format": "pdf"}

    def client() -> None:
        with httpx.Client(timeout=TIMEOUT, headers={"Content-Type": "application/yaml"}) as http:
            while True:
                with lock:
                    if left[0] == 0:
                        return
                    left[0] -= 1
                started = time.perf_counter()
                try:
                    response = http.post(f"{url}/v1/render", params=params, content=make_body())
                    status, size = str(response.status_code), len(response.content)
                except httpx.TimeoutException:
                    status = "timeout"
                except httpx.TransportError as exc:
                    status = type(exc).__name__
                elapsed = time.perf_counter() - started
                with lock:
                    result.statuses[status] += 1
                    if status == "200":
                        result.latencies.append(elapsed)
                        result.bytes += size

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def in_process(repeat: int) -> tuple[list[float], list[float]]:
    """Seconds of warm renders alone, and of warm validate-localize-render, in one process."""
    out = subprocess.run(
        [sys.executable, "-c", WARM, str(repeat), str(CHARTER)], check=True, capture_output=True, text=True, cwd=ROOT
    )
    render, whole = json.loads(out.stdout)
    return render, whole


@contextlib.contextmanager
def serving(workers: int, work: Path) -> Iterator[Server]:
    server = Server(workers, work)
    try:
        yield server
    finally:
        server.stop()


MEASURES = ("one-page", "full", "cached")


def side_by_side(runs: int, clients: int, sizes: Sizes, work: Path) -> tuple[list[str], list[str]]:
    """1 worker against 2, alternating, a fresh server each run; and one client against the in-process render."""
    found: dict[int, dict[str, list[Load]]] = {w: {m: [] for m in (*MEASURES, "alone")} for w in (1, 2)}
    warm: list[float] = []
    pipeline: list[float] = []
    for run in range(runs):
        for workers in (1, 2) if run % 2 == 0 else (2, 1):
            with serving(workers, work) as server:
                load(server.url, "one-page", 2 * workers, workers, lambda: body(fresh()))  # each worker's first
                found[workers]["alone"].append(load(server.url, "one-page", sizes.latency, 1, lambda: body(fresh())))
                found[workers]["one-page"].append(
                    load(server.url, "one-page", sizes.one_page, clients, lambda: body(fresh()))
                )
                found[workers]["full"].append(load(server.url, "full", sizes.full, clients, lambda: body(fresh())))
                load(server.url, "one-page", 1, 1, lambda: body(None))  # rendered once, then cached
                found[workers]["cached"].append(load(server.url, "one-page", sizes.cached, clients, lambda: body(None)))
            print(f"run {run + 1}/{runs}, {workers} worker(s): done", file=sys.stderr)
        render, whole = in_process(sizes.latency)
        warm += render
        pipeline += whole

    def med(workers: int, measure: str, value: Callable[[Load], float]) -> float:
        return statistics.median(value(batch) for batch in found[workers][measure])

    for workers in (1, 2):
        for measure in (*MEASURES, "alone"):
            for batch in found[workers][measure]:
                if set(batch.statuses) != {"200"}:
                    raise SystemExit(f"{workers} worker(s), {measure}: answers {dict(batch.statuses)}, not all 200")
    names = {
        "one-page": "one-page PDF, distinct bodies",
        "full": "full PDF, distinct bodies",
        "cached": "one-page PDF, the same body (cache)",
    }
    table = [
        f"| Charter bg, {clients} clients (medians of {runs} alternating runs) | 1 worker | 2 workers | 2 / 1 |",
        "|---|---:|---:|---:|",
    ]

    def spread(workers: int, measure: str) -> str:
        p50, p99 = (med(workers, measure, lambda b, p=p: b.percentile(p)) for p in (50, 99))  # type: ignore[misc]
        return f"{p50 * 1000:.0f} / {p99 * 1000:.0f}"

    for measure in MEASURES:
        one, two = (med(w, measure, lambda b: b.throughput) for w in (1, 2))
        table.append(f"| {names[measure]}: requests/s | {one:.2f} | {two:.2f} | {two / one:.2f} |")
        table.append(f"| {names[measure]}: p50 / p99 ms | {spread(1, measure)} | {spread(2, measure)} | |")
    table.append(f"| one-page PDF, one client alone: p50 / p99 ms | {spread(1, 'alone')} | {spread(2, 'alone')} | |")
    alone = statistics.median(latency for batch in found[1]["alone"] for latency in batch.latencies)
    alone99 = med(1, "alone", lambda b: b.percentile(99))
    rendered = statistics.median(warm)
    ratio = [
        f"| one client, 1 worker (medians of {runs} runs) | result |",
        "|---|---:|",
        f"| warm one-page request, POST /v1/render: p50 / p99 | {alone * 1000:.0f} / {alone99 * 1000:.0f} ms |",
        f"| in-process warm render (PdfBuilder), p50 | {rendered * 1000:.0f} ms |",
        f"| warm one-page request p50 / in-process warm render | {alone / rendered:.2f} |",
        f"| in-process warm validate + localize + render, p50 | {statistics.median(pipeline) * 1000:.0f} ms |",
        f"| warm one-page request p50 / in-process validate + localize + render | "
        f"{alone / statistics.median(pipeline):.2f} |",
    ]
    return table, ratio


def memory_and_overload(requests: int, clients: int, sizes: Sizes, work: Path) -> tuple[list[str], list[str]]:
    workers = 2
    # after the first 5% (warm), after 75% (the answer cache is full by then), after all
    marks = sorted({max(1, requests // 20), max(1, requests * 3 // 4), requests})
    with serving(workers, work) as server:
        samples = [(0, server.memory())]
        batches = []
        for mark in marks:
            batches.append(load(server.url, "one-page", mark - samples[-1][0], clients, lambda: body(fresh())))
            samples.append((mark, server.memory()))
        many = 4 * (workers + QUEUE)
        overload = load(server.url, "one-page", sizes.overload, many, lambda: body(fresh()), per_client=True)
        after = server.memory()
    for batch in batches:
        if set(batch.statuses) != {"200"}:
            raise SystemExit(f"memory run: answers {dict(batch.statuses)}, not all 200")
    seconds = sum(batch.seconds for batch in batches)
    rendered = sum(batch.bytes for batch in batches)
    for _, sample in samples:
        sample["workers"] = sample["rss"] - sample["main"]
    (_, first), (last_mark, last), (before_mark, before) = samples[0], samples[-1], samples[-2]

    def mib(kib: float) -> str:
        return f"{kib / 1024:.0f} MiB"

    def row(name: str, key: str) -> str:
        cells = " | ".join(mib(sample[key]) for _, sample in samples)
        grown = (last[key] - first[key]) / first[key] * 100
        lately = (last[key] - before[key]) / before[key] * 100
        return f"| {name} | {cells} | {grown:+.1f}% | {lately:+.1f}% |"

    heads = " | ".join(["before", *(f"after {mark:,}" for mark in marks)])
    memory = [
        f"| {workers} workers, {requests:,} one-page renders, distinct bodies ({clients} clients, "
        f"{requests / seconds:.2f} requests/s) | {heads} | growth | growth over the last {last_mark - before_mark:,} |",
        "|---|" + "---:|" * (len(samples) + 2),
        row("server process tree, sum of VmRSS", "rss"),
        row("server process tree, PSS (shared pages counted once)", "pss"),
        row("the server process (event loop, answer cache)", "main"),
        row("the fork server and the workers (VmRSS)", "workers"),
        "| PDFs answered (the answer cache keeps the last 64 MiB) |"
        + " |" * (len(samples) - 1)
        + f" {mib(rendered / 1024)} | | |",
    ]
    statuses = overload.statuses
    others = {status: count for status, count in statuses.items() if status not in ("200", "429")}
    total = sum(statuses.values())
    rows = [
        f"| {workers} workers, queue {QUEUE}: {many} clients at once, {sizes.overload} requests each | result |",
        "|---|---:|",
        f"| answers | {total} |",
        f"| 200 | {statuses['200']} |",
        f"| 429 (Retry-After) | {statuses['429']} |",
        f"| anything else (5xx, timeouts, errors) | {sum(others.values())} {json.dumps(others) if others else ''} |",
        f"| 200s: p50 / max latency | {overload.percentile(50) * 1000:.0f} / {max(overload.latencies) * 1000:.0f} ms |",
        f"| tree RSS after the overload | {mib(after['rss'])} |",
    ]
    return memory, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="alternating runs of 1 and 2 workers")
    parser.add_argument("--clients", type=int, default=4, help="clients at once for the throughput runs")
    parser.add_argument("--requests", type=int, default=2000, help="renders for the memory run")
    parser.add_argument("--quick", action="store_true", help="one run, few requests: a smoke test")
    parser.add_argument("--write", type=Path, help="also write the tables to this file")
    args = parser.parse_args()
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    runs = 1 if args.quick else args.runs
    requests = min(args.requests, 100) if args.quick else args.requests
    work = Path(tempfile.mkdtemp(prefix="briefs-serve-bench-"))
    before = os.getloadavg()[0]
    try:
        table, ratio = side_by_side(runs, args.clients, sizes, work)
        memory, overload = memory_and_overload(requests, args.clients, sizes, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = "\n\n".join("\n".join(part) for part in (table, ratio, memory, overload))
    print(f"{os.cpu_count()} CPUs; 1-minute load average {before:.2f} before, {os.getloadavg()[0]:.2f} after\n\n{text}")
    if args.write:
        args.write.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
