"""The live preview for writers (filled in by the preview work): pages of both languages side by side."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from briefs.serve.service import Service


def install(app: FastAPI, service: Service) -> None:
    """Adds the preview's routes to ``app``."""


@contextlib.asynccontextmanager
async def running(service: Service) -> AsyncIterator[None]:
    """What the preview runs while the app does (the folder's watcher)."""
    yield
