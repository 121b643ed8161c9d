"""Page images of built PDFs for the preview, drawn by poppler's ``pdftoppm`` and kept by content.

An image is keyed by the sha256 of the PDF's bytes as read (never by its name or the manifest's word),
so a page of an old build can never be shown for a new one.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections import OrderedDict

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DPI = 60
DPIS = (DPI, 2 * DPI)
"""The resolutions asked for: the page at about its size on a laptop, and twice that for sharper screens."""
TIMEOUT = 30.0
"""Seconds pdftoppm may take for one page (a page at 120 dpi takes about a third of a second)."""

Key = tuple[str, int, int]


class PageError(Exception):
    """pdftoppm could not draw the page."""


class PageImages:
    """PNG images of PDF pages, at most ``limit`` bytes of them, the least recently used dropped first."""

    def __init__(self, limit: int = 32 * 1024 * 1024, concurrency: int = 2) -> None:
        self.limit = limit
        self.size = 0
        self._images: OrderedDict[Key, bytes] = OrderedDict()
        self._drawing: dict[Key, asyncio.Task[bytes]] = {}
        self._concurrency = concurrency
        self._slots: asyncio.Semaphore | None = None

    async def png(self, pdf: bytes, sha256: str, page: int, dpi: int) -> bytes:
        """Page ``page`` (from 1) of ``pdf``, whose hash is ``sha256``, as a PNG at ``dpi``."""
        key = (sha256, page, dpi)
        image = self._images.get(key)
        if image is not None:
            self._images.move_to_end(key)
            return image
        task = self._drawing.get(key)
        if task is None:
            # one drawing per page, however many browsers ask for it at once
            task = asyncio.get_running_loop().create_task(self._draw(pdf, page, dpi))
            self._drawing[key] = task
            task.add_done_callback(lambda _: self._drawing.pop(key, None))
        image = await asyncio.shield(task)
        self._keep(key, image)
        return image

    async def _draw(self, pdf: bytes, page: int, dpi: int) -> bytes:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._concurrency)
        # the renders share the machine's CPUs: a page full of thumbnails must not starve them
        async with self._slots:
            return await asyncio.to_thread(draw, pdf, page, dpi)

    def _keep(self, key: Key, image: bytes) -> None:
        if key in self._images or len(image) > self.limit:
            return
        self._images[key] = image
        self.size += len(image)
        while self.size > self.limit:
            _, dropped = self._images.popitem(last=False)
            self.size -= len(dropped)


def draw(pdf: bytes, page: int, dpi: int) -> bytes:
    """One page of ``pdf`` as a PNG, by pdftoppm reading the PDF on its standard input."""
    command = ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-"]
    try:
        done = subprocess.run(command, input=pdf, capture_output=True, timeout=TIMEOUT, check=False)
    except FileNotFoundError:
        raise PageError("pdftoppm is not installed (Debian: poppler-utils)") from None
    except subprocess.TimeoutExpired:
        raise PageError(f"pdftoppm took more than {TIMEOUT:g} s for page {page}") from None
    if done.returncode != 0 or not done.stdout.startswith(PNG_SIGNATURE):
        why = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
        raise PageError(f"pdftoppm could not draw page {page}: {why}")
    return done.stdout
