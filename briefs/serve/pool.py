"""Warm render processes for the service: a bounded queue in front, a deadline on each request.

The event loop never renders: a request waits (asynchronously) for an idle worker, hands it a job
and waits for the answer. A worker is replaced after ``tasks_per_worker`` jobs (WeasyPrint keeps
some memory per document), when it dies, and when a request's deadline passes while it works.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from briefs.publish.build import worker_context
from briefs.publish.workers import TASKS_PER_WORKER, Renderer
from briefs.render.base import RenderOptions

log = logging.getLogger("briefs.serve")
J = TypeVar("J")
R = TypeVar("R")


TAKEN = "taken"
"""What a worker says as soon as it has a job: from then on, the job is its own."""
COLLECT_EVERY = 8
"""Jobs a worker may answer in a row, under load, before it collects garbage anyway."""
IDLE_BEFORE_COLLECTING = 0.02
"""Seconds without a new job after which a worker collects its garbage."""


class Busy(Exception):
    """Every worker is busy and the queue is full."""


class DeadlineExceeded(Exception):
    """The request's deadline passed while it waited or rendered."""


class WorkerFailed(Exception):
    """The worker died or raised: a bug, reported as a server error."""


def _serve_jobs(conn: Connection, options: RenderOptions, formats: tuple[str, ...]) -> None:
    """A worker's life: warm up, say so, then answer jobs until told to stop or the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    renderer = Renderer(options)
    for fmt in formats:
        renderer.builder(fmt).warm()
    # what lives as long as the worker is kept out of the collector's sight, and the collector runs
    # between jobs only: a collection inside a render pauses it for tens of milliseconds
    gc.collect()
    gc.freeze()
    gc.disable()
    conn.send(("ready", os.getpid()))
    since_collected = 0
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        function, job = message
        conn.send(TAKEN)
        try:
            answer: tuple[str, Any] = ("ok", function(renderer, job))
        except Exception as exc:  # a bug: the request fails, the worker goes on
            log.exception("job failed")
            answer = ("error", f"{type(exc).__name__}: {exc}")
        conn.send(answer)
        since_collected += 1
        # collect while no job waits (so no request waits for it), and at least every few jobs
        if since_collected >= COLLECT_EVERY or not conn.poll(IDLE_BEFORE_COLLECTING):
            gc.collect()
            since_collected = 0


class _Worker:
    def __init__(self, process: BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.tasks = 0

    def stop(self, grace: float = 2.0) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(grace)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(grace)
        self.conn.close()


OnRestart = Callable[[str], None]


class RenderPool:
    """``size`` warm workers behind a queue of ``queue`` waiting requests."""

    def __init__(
        self,
        options: RenderOptions,
        formats: tuple[str, ...],
        size: int,
        queue: int,
        *,
        tasks_per_worker: int = TASKS_PER_WORKER,
        on_restart: OnRestart | None = None,
    ) -> None:
        self.options = options
        self.formats = formats
        self.size = size
        self.queue = queue
        self.tasks_per_worker = tasks_per_worker
        self.on_restart = on_restart
        self.waiting = 0
        self.busy = 0
        self.restarts = 0
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._workers: set[_Worker] = set()
        self._threads = ThreadPoolExecutor(max_workers=2 * size + 2, thread_name_prefix="briefs-pool")
        self._starting: set[asyncio.Task[None]] = set()
        self._closed = False
        self._all_started = False

    @property
    def warm(self) -> int:
        """Workers started, warmed up and alive."""
        return sum(1 for worker in self._workers if worker.process.is_alive())

    @property
    def ready(self) -> bool:
        """Every worker has warmed up once, and one at least is alive: a worker being replaced after
        its share of renders must not take the whole service out of a load balancer's rotation."""
        return not self._closed and self._all_started and self.warm >= 1

    def pids(self) -> list[int]:
        """The process ids of the live workers (for operators and tests)."""
        return sorted(worker.process.pid for worker in self._workers if worker.process.pid is not None)

    def start(self) -> None:
        for _ in range(self.size):
            self._start_one()

    def _start_one(self) -> None:
        task = asyncio.get_running_loop().create_task(self._spawn())
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    async def _spawn(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            worker = await loop.run_in_executor(self._threads, self._launch)
        except Exception:
            log.exception("a render worker could not start")
            return
        if self._closed:
            await loop.run_in_executor(self._threads, worker.stop)
            return
        self._workers.add(worker)
        self._all_started = self._all_started or len(self._workers) == self.size
        self._idle.put_nowait(worker)

    def _launch(self) -> _Worker:
        """Start a process and wait for it to be warm (in a thread: a fork server may start first)."""
        context: Any = worker_context()  # a forkserver context; its Process type is not in BaseContext
        parent, child = context.Pipe()
        process = context.Process(target=_serve_jobs, args=(child, self.options, self.formats), daemon=True)
        process.start()
        child.close()
        status, _ = parent.recv()
        if status != "ready":
            raise RuntimeError(f"worker said {status!r} instead of ready")
        return _Worker(process, parent)

    def _retire(self, worker: _Worker, reason: str) -> None:
        self._workers.discard(worker)
        self._threads.submit(worker.stop, 0.5)
        self.restarts += 1
        if self.on_restart:
            self.on_restart(reason)
        if not self._closed:
            self._start_one()

    async def run(self, function: Callable[[Renderer, J], R], job: J, deadline: float) -> R:
        """``function(renderer, job)`` in a worker; Busy at once if the queue is full, DeadlineExceeded
        when ``deadline`` (a time.monotonic() value) passes first."""
        if self._closed or self.waiting + self.busy >= self.size + self.queue:
            raise Busy
        self.waiting += 1
        try:
            worker = await asyncio.wait_for(self._next_idle(), max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            raise DeadlineExceeded from None
        finally:
            self.waiting -= 1
        self.busy += 1
        try:
            status, value = await self._ask(worker, function, job, deadline)
        finally:
            self.busy -= 1
        if status != "ok":
            raise WorkerFailed(value)
        return value  # type: ignore[no-any-return]  # what the function returned, through the pipe

    async def _ask(self, worker: _Worker, function: Callable[..., Any], job: object, deadline: float) -> Any:
        """The worker's answer. A worker that dies before it has taken the job (killed while idle) is
        replaced and the job given to the next one; once it has, its death fails the request, so that
        an input that kills workers cannot kill them all."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                worker.conn.send((function, job))
                taken = await asyncio.wait_for(
                    loop.run_in_executor(self._threads, worker.conn.recv), max(0.0, deadline - time.monotonic())
                )
                if taken != TAKEN:
                    raise OSError(f"the worker said {taken!r} instead of taking the job")
            except TimeoutError:
                worker.process.kill()
                self._retire(worker, "deadline")
                raise DeadlineExceeded from None
            except (EOFError, OSError):
                self._retire(worker, "died")
                try:
                    worker = await asyncio.wait_for(self._next_idle(), max(0.0, deadline - time.monotonic()))
                except TimeoutError:
                    raise DeadlineExceeded from None
                continue
            break
        try:
            answer = await asyncio.wait_for(
                loop.run_in_executor(self._threads, worker.conn.recv), max(0.0, deadline - time.monotonic())
            )
        except TimeoutError:
            worker.process.kill()  # the thread reading its pipe then ends
            self._retire(worker, "deadline")
            raise DeadlineExceeded from None
        except (EOFError, OSError) as exc:
            self._retire(worker, "died")
            raise WorkerFailed(f"the render worker stopped: {exc!r}") from None
        worker.tasks += 1
        if worker.tasks >= self.tasks_per_worker:
            self._retire(worker, "recycled")
        else:
            self._idle.put_nowait(worker)
        return answer

    async def _next_idle(self) -> _Worker:
        while True:
            worker = await self._idle.get()
            if worker in self._workers and worker.process.is_alive():
                return worker
            if worker in self._workers:
                self._retire(worker, "died")

    async def close(self) -> None:
        """Stop every worker; requests still waiting are refused."""
        self._closed = True
        # a worker still warming up is stopped by its own start (_spawn sees _closed), so wait for it
        await asyncio.gather(*self._starting, return_exceptions=True)
        loop = asyncio.get_running_loop()
        workers, self._workers = list(self._workers), set()
        await asyncio.gather(*(loop.run_in_executor(self._threads, worker.stop) for worker in workers))
        self._threads.shutdown(wait=False, cancel_futures=True)
