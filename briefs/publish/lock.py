"""One build at a time per output folder."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from briefs.errors import Locked
from briefs.fileio import WriteError, make_folder


@contextlib.contextmanager
def output_lock(output: Path, *, wait: bool = False) -> Iterator[None]:
    """Hold the output folder's lock; fail at once if another run has it, unless ``wait``.

    The lock is on the folder itself, so a run that changes nothing writes nothing,
    and the kernel releases it when a run dies, however it dies.
    """
    make_folder(output)
    try:
        fd = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise WriteError(f"{output}: cannot open the output folder: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise Locked(f"{output} is locked by another build; wait for it, or run with --wait") from None
        yield
    finally:
        os.close(fd)
