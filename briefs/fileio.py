"""Writing files so that readers never see a half-written one, and failures name the file and the cause."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from briefs.errors import BriefsError

TEMP_PATTERN = ".*.tmp"
"""How temporary files are named: hidden, beside their target."""


class WriteError(BriefsError):
    """A file or folder could not be written: a read-only or full disk, a permission, something in the way."""


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def make_folder(path: Path) -> None:
    """Create ``path`` and its parents, or raise WriteError naming what is in the way."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise WriteError(f"{path}: cannot create the folder: a file of that name is in the way") from None
    except OSError as exc:
        raise WriteError(f"{path}: cannot create the folder: {_reason(exc)}") from None


def _write_temp(path: Path, data: bytes) -> Path:
    make_folder(path.parent)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise WriteError(f"{path}: cannot write: {_reason(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        os.unlink(name)
        raise WriteError(f"{path}: cannot write: {_reason(exc)}; the previous file is kept") from None
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
    except IsADirectoryError:
        temp.unlink(missing_ok=True)
        raise WriteError(f"{path}: cannot write: a folder of that name is in the way") from None
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise WriteError(f"{path}: cannot write: {_reason(exc)}; the previous file is kept") from None
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
