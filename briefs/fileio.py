"""Writing files so that readers never see a half-written one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMP_PATTERN = ".*.tmp"
"""How temporary files are named: hidden, beside their target."""


def _write_temp(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step: the old file or the new, never a mix."""
    temp = _write_temp(path, data)
    try:
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def create_new(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, which must not exist yet (FileExistsError otherwise)."""
    temp = _write_temp(path, data)
    try:
        os.chmod(temp, 0o644)
        os.link(temp, path)
    finally:
        temp.unlink(missing_ok=True)
