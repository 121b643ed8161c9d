"""The preview's live state: the served folder watched, its briefs rebuilt in the pool, and each
agreement's new state sent to the browsers that show it.

What a browser is sent is read from disk when it is sent (the folder scanned, the manifest read, the
stamps computed); the only things held in memory are which builds are running, the last failure of
each agreement, and which id a file had when it was last valid.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefs.data.files import AGREEMENT_SUFFIXES
from briefs.publish.plan import targets
from briefs.publish.stamps import Stamper
from briefs.serve import folder, jobs
from briefs.serve.pages import PageImages
from briefs.serve.pool import Busy, DeadlineExceeded, WorkerFailed
from briefs.serve.problems import located
from briefs.targets import KINDS, Target

if TYPE_CHECKING:
    import watchfiles

    from briefs.serve.service import Service

log = logging.getLogger("briefs.serve")

Event = dict[str, Any]

DEBOUNCE_MS = 150
"""Changes closer together than this are one rebuild: editors save in several steps. Shorter than the
command line's watch, because a writer is looking at the page and waiting."""
BACKLOG = 8
"""Events a slow browser may have waiting; older ones are dropped, as each event is a whole state."""
RETRY_BUSY = 0.5
"""Seconds before a build refused because the pool was full is tried again."""
TURN_POLL = 0.05
"""Seconds between looks for an idle worker while API requests hold them all."""


class Live:
    """Watches the folder, rebuilds what changed, and tells subscribers; one per service."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.options = service.options
        self.subscribers: dict[str, set[asyncio.Queue[Event | None]]] = {}
        self.building: set[str] = set()
        self.failures: dict[str, list[str]] = {}
        self.images = PageImages()
        self.ids: dict[str, Path] = {}
        """An id -> the file that last had it while valid: an invalid edit must reach that id's preview."""
        self.closing = asyncio.Event()
        """Set when the service stops: the event streams end, so that the server need not wait for them."""
        self._dirty: set[Path] = set()
        self._everything = False
        self._wake = asyncio.Event()
        self._behind: dict[Path, None] = {}
        """Files whose preview is built but whose other formats (the downloads) are not yet."""
        wanted = targets(self.options.build)
        self._previewed = [target for target in wanted if target.format == "pdf"]
        """The briefs drawn as pages, built first and one by one after an edit."""
        self._downloads = any(target.format != "pdf" for target in wanted)
        """Whether other formats are asked for, built once the pages are up to date."""

    def restart(self) -> None:
        """Fresh events for a new run of the app (an asyncio event belongs to the loop that first waits on it)."""
        self.closing = asyncio.Event()
        self._wake = asyncio.Event()
        self.building.clear()
        self.images = PageImages()

    # subscribers

    @contextlib.asynccontextmanager
    async def subscribe(self, ident: str) -> AsyncIterator[asyncio.Queue[Event | None]]:
        """A queue of the agreement's states; None in it means the service is stopping."""
        queue: asyncio.Queue[Event | None] = asyncio.Queue(BACKLOG)
        self.subscribers.setdefault(ident, set()).add(queue)
        try:
            yield queue
        finally:
            queues = self.subscribers.get(ident, set())
            queues.discard(queue)
            if not queues:
                self.subscribers.pop(ident, None)

    def publish(self, ident: str, event: Event | None) -> None:
        for queue in self.subscribers.get(ident, ()):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    def close(self) -> None:
        """Ends every event stream and the watcher."""
        self.closing.set()
        for ident in list(self.subscribers):
            self.publish(ident, None)

    async def announce(self, idents: Iterable[str], entries: list[folder.Entry] | None = None) -> None:
        """Each id's state now, to its subscribers (read from disk only for ids someone is watching)."""
        watched = [ident for ident in dict.fromkeys(idents) if ident in self.subscribers]
        if not watched:
            return
        if entries is None:
            entries = await self.scan()
        for ident in watched:
            self.publish(ident, await self.state(ident, entries))

    # state

    async def scan(self) -> list[folder.Entry]:
        entries = await asyncio.to_thread(folder.scan, self.options.folder, self.options.build.config)
        for entry in entries:
            if entry.valid:
                self.ids[entry.id] = entry.path
        return entries

    def entry(self, ident: str, entries: list[folder.Entry]) -> folder.Entry | None:
        """The entry with this id; else the file that had it, while that file is invalid."""
        found = next((entry for entry in entries if entry.id == ident), None)
        if found is None and ident in self.ids:
            found = next((e for e in entries if e.path == self.ids[ident] and not e.valid), None)
        return found

    def idents(self, path: Path, entries: list[folder.Entry]) -> list[str]:
        """Every id whose preview shows the file at ``path``."""
        own = [entry.id for entry in entries if entry.path == path]
        return list(dict.fromkeys([*own, *(ident for ident, known in self.ids.items() if known == path)]))

    async def state(self, ident: str, entries: list[folder.Entry]) -> Event:
        """The agreement's state as a browser shows it: its built files, or its located problems."""
        # what this process knows is read here, in the loop; the disk is read in a thread
        building, failed = ident in self.building, list(self.failures.get(ident, ()))
        return await asyncio.to_thread(self._snapshot, ident, entries, building, failed)

    def _snapshot(self, ident: str, entries: list[folder.Entry], building: bool, failed: list[str]) -> Event:
        entry = self.entry(ident, entries)
        if entry is None:
            return {"state": "missing", "id": ident, "building": False}
        state: Event = {"id": ident, "file": str(entry.path), "building": building}
        agreement = entry.agreement
        if agreement is None:
            problems = [located(problem) for problem in entry.problems]
            return {**state, "state": "invalid", "problems": problems}
        return {
            **state,
            "state": "built",
            "title": dict(agreement.title),
            "short_title": dict(agreement.short_title or agreement.title),
            "files": self.files(entry),
            "failed": failed,
        }

    def files(self, entry: folder.Entry) -> list[dict[str, Any]]:
        """The manifest's files, each marked current or not: a download older than the agreement says so."""
        built = folder.built(self.options.build.output, entry.id)
        try:
            data = hashlib.sha256(entry.path.read_bytes()).hexdigest()
        except OSError:
            data = ""
        stamper = Stamper(self.service.builders, {"languages": self.service.languages})
        order = {kind: index for index, kind in enumerate(KINDS)}
        listed = [
            {
                "name": name,
                "kind": item.kind,
                "lang": item.lang,
                "format": item.format,
                "bytes": item.bytes,
                "pages": item.pages,
                "sha256": item.sha256,
                "url": f"/v1/agreements/{entry.id}/{name}",
                "current": bool(data) and item.stamp == stamper.stamp(data, item.target),
            }
            for name, item in built.items()
        ]
        # the PDF first in each pair of downloads: it is what the pages show
        return sorted(listed, key=lambda f: (order.get(f["kind"], 99), f["lang"], f["format"] != "pdf", f["format"]))

    # watching and building

    async def run(self) -> None:
        """Build everything once, then rebuild on every change, until cancelled."""
        self._everything = True
        self._wake.set()
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self._watch())
            tasks.create_task(self._rebuild())

    def watched(self) -> list[Path]:
        from briefs.publish.watch import watched_paths

        return watched_paths([self.options.folder], self.options.build)

    async def _watch(self) -> None:
        import watchfiles

        output = self.options.build.output.resolve()

        def relevant(change: watchfiles.Change, path: str) -> bool:
            resolved = Path(path).resolve()
            return not resolved.is_relative_to(output) and not resolved.name.startswith((".", "~"))

        paths = await asyncio.to_thread(self.watched)
        if not paths:
            return
        log.info("preview: watching %s", ", ".join(map(str, paths)))
        # the stop event, not only cancellation: a cancelled awatch waits for its thread's next timeout
        async for changes in watchfiles.awatch(
            *paths, watch_filter=relevant, debounce=DEBOUNCE_MS, step=50, stop_event=self.closing
        ):
            self.changed(changes)

    def changed(self, changes: Iterable[tuple[watchfiles.Change, str]]) -> None:
        """Marks what a set of changes makes out of date: one agreement file, or (a template, a style,
        a catalogue, the configuration) every one."""
        root = self.options.folder.resolve()
        for _change, name in changes:
            path = Path(name).resolve()
            if path.parent == root and path.suffix.lower() in AGREEMENT_SUFFIXES:
                self._dirty.add(path)
            elif not path.is_relative_to(root):
                self._everything = True
        if self._dirty or self._everything:
            self._wake.set()

    async def _rebuild(self) -> None:
        while True:
            try:
                await self._rebuild_once()
            except Exception:
                # a bug here must not end the preview's updates for the rest of the service's life
                log.exception("preview: rebuilding failed")
                await asyncio.sleep(RETRY_BUSY)

    async def _rebuild_once(self) -> None:
        """One step: the downloads of one agreement, or the pages of everything that changed."""
        if not self._wake.is_set() and self._behind:
            # the downloads catch up only while no edit waits, so that the pages come first
            path = next(iter(self._behind))
            del self._behind[path]
            await self._build_downloads(path)
            return
        await self._wake.wait()
        self._wake.clear()
        await self._until_ready()
        dirty, everything = self._dirty, self._everything
        self._dirty, self._everything = set(), False
        entries = await self.scan()
        present = {entry.path.resolve() for entry in entries}
        for path in dirty - present:
            # deleted or renamed: its previews learn that it is gone, or where its id went
            gone = [ident for ident, known in self.ids.items() if known.resolve() == path]
            for ident in gone:
                del self.ids[ident]
            await self.announce(gone, entries)
        for entry in entries:
            if self._wake.is_set() and self._everything:
                break  # a template changed again: the next round rebuilds every agreement anyway
            if everything or entry.path.resolve() in dirty:
                await self._build_preview(entry, entries)

    async def _until_ready(self) -> None:
        while not self.service.pool.ready:
            await asyncio.sleep(0.1)

    async def _turn(self) -> None:
        """Waits for an idle worker that no request is waiting for: a preview build never takes an API
        request's place in the queue (nor makes one answered 429), it goes only where a worker is free."""
        pool = self.service.pool
        while not pool.ready or pool.waiting or pool.busy >= pool.size:
            await asyncio.sleep(TURN_POLL)

    async def _build_preview(self, entry: folder.Entry, entries: list[folder.Entry]) -> None:
        """The agreement's PDFs, one brief at a time, each shown as soon as it is built: the one-page
        briefs are on screen in about a second, long before the full ones are done."""
        idents = self.idents(entry.path, entries)
        if not entry.valid:
            await self.announce(idents, entries)
            return
        self.building.add(entry.id)
        self.failures[entry.id] = []
        try:
            await self.announce(idents, entries)
            for target in self._previewed:
                await self._build(entry.id, entry.path, target)
                await self.announce(idents, entries)
                if self._superseded(entry.path):
                    return
        finally:
            self.building.discard(entry.id)
        if self._downloads:
            self._behind[entry.path] = None
        await self.announce(idents, entries)

    def _superseded(self, path: Path) -> bool:
        """Whether the file changed again: the rest of this build would be thrown away."""
        return self._wake.is_set() and (self._everything or path.resolve() in self._dirty)

    async def _build_downloads(self, path: Path) -> None:
        entries = await self.scan()
        entry = next((entry for entry in entries if entry.path == path and entry.valid), None)
        if entry is None:
            return
        if await self._build(entry.id, entry.path, None):
            await self.announce(self.idents(entry.path, entries), entries)

    async def _build(self, ident: str, path: Path, target: Target | None) -> bool:
        """Builds one brief of the agreement if out of date (None: every file asked for); whether anything
        was built or failed."""
        options = self.options.build
        if target is not None:
            options = dataclasses.replace(options, kinds=(target.kind,), langs=(target.lang,), formats=(target.format,))
        while True:
            await self._turn()
            try:
                answer = await self.service.pool.run(jobs.build, jobs.BuildJob(path, options), self.service.deadline())
            except Busy:
                await asyncio.sleep(RETRY_BUSY)
                continue
            except (DeadlineExceeded, WorkerFailed) as exc:
                self.failures.setdefault(ident, []).append(f"the build failed: {exc or type(exc).__name__}")
                return True
            break
        self.failures.setdefault(ident, []).extend(answer.failed)
        return bool(answer.built or answer.failed)
