"""One build at a time per output folder."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from briefs.errors import BriefsError

EXIT_LOCKED = 3
LOCK_FILE = ".briefs.lock"


class Locked(BriefsError):
    """Another run holds the output folder."""

    exit_code = EXIT_LOCKED


@contextlib.contextmanager
def output_lock(output: Path, *, wait: bool = False) -> Iterator[None]:
    """Hold the output folder's lock; fail at once if another run has it, unless ``wait``."""
    output.mkdir(parents=True, exist_ok=True)
    path = output / LOCK_FILE
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise Locked(
                f"{output} is locked by a build running as {holder}; wait for it, or run with --wait"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
