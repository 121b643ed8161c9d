"""The installed fonts, as fontconfig finds them for WeasyPrint (through Pango) and for the DOCX fit.

Nothing here outlives a change to the fonts: fontconfig's answers are kept only while the
font folders are unchanged (see ``state``), and what is read from a font file is keyed on
the file's path, size and modification time.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from briefs.errors import BriefsError


@dataclass(frozen=True)
class Face:
    """One font file that fontconfig chose for a pattern."""

    path: Path
    index: int
    families: tuple[str, ...]


FONT_ROOTS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path("/etc/fonts"),
    Path.home() / ".fonts",
    Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local/share") / "fonts",
)
"""Where fonts and fontconfig's settings live (fontconfig's own defaults on Debian)."""
_SETTINGS = ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT")


def state() -> tuple[tuple[str, int | str], ...]:
    """Every folder under the font roots with its modification time: installing, removing or
    replacing a font, or changing fontconfig's settings, changes it. A stat per folder (a
    millisecond), where asking fc-list costs a process."""
    found: list[tuple[str, int | str]] = [(name, os.environ.get(name, "")) for name in _SETTINGS]
    for root in FONT_ROOTS:
        for folder, _, _ in os.walk(root):
            with contextlib.suppress(OSError):
                found.append((folder, os.stat(folder).st_mtime_ns))
    return tuple(found)


def _run(tool: str, *args: str) -> str:
    return _ask(state(), tool, args)


@functools.lru_cache(maxsize=64)
def _ask(fonts: tuple[tuple[str, int | str], ...], tool: str, args: tuple[str, ...]) -> str:
    """fontconfig's answer, kept while the fonts on disk stay the same (``fonts`` is the key)."""
    if shutil.which(tool) is None:
        raise BriefsError(f"fontconfig's {tool} is not installed; run `make briefs` to install the fonts")
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True).stdout


def installed_families() -> frozenset[str]:
    """Font families fontconfig knows."""
    listing = _run("fc-list", "--format", "%{family}\n")
    return frozenset(name.strip() for line in listing.splitlines() for name in line.split(","))


def require(families: tuple[str, ...]) -> None:
    """Fail with a clear message if a font the brief needs is not installed."""
    known = installed_families()
    missing = [family for family in families if family not in known]
    if missing:
        raise BriefsError(
            f"font {' and '.join(missing)} not installed; the briefs never fall back to another font. "
            "Install it with `make briefs` (Debian packages in system-packages.txt)."
        )


def files(families: tuple[str, ...]) -> list[Path]:
    """Every file fontconfig serves for ``families``, all styles."""
    found: set[Path] = set()
    for family in families:
        found.update(Path(line) for line in _run("fc-list", "--format", "%{file}\n", family).splitlines() if line)
    return sorted(found)


def match(family: str, *, bold: bool = False, italic: bool = False) -> Face:
    """The file fontconfig uses for ``family`` in the given style (which may be another family's)."""
    pattern = family + (":bold" if bold else "") + (":italic" if italic else "")
    if not (bold or italic):
        pattern += ":style=Regular"
    path, _, rest = _run("fc-match", "--format", "%{file}\n%{index}\n%{family}", pattern).partition("\n")
    index, _, names = rest.partition("\n")
    return Face(Path(path), int(index or 0), tuple(name.strip() for name in names.split(",")))


def coverage(family: str) -> frozenset[int]:
    """Code points that every face of ``family`` has, by fontconfig's own account (what Pango goes by
    when it falls back): whatever weight or style a text is set in, it shows."""
    found = [_charset(line.split("\t", 1)[1]) for line in _faces(family) if "\t" in line]
    return frozenset.intersection(*found) if found else frozenset()


def _faces(family: str) -> list[str]:
    return _run("fc-list", "--format", "%{file}\t%{charset}\n", family).splitlines()


@functools.lru_cache(maxsize=256)
def _charset(ranges: str) -> frozenset[int]:
    """fontconfig's ``20-7e a0-113 …`` as code points; the text itself is the key, so a changed font
    is read again."""
    found: set[int] = set()
    for part in ranges.split():
        first, _, last = part.partition("-")
        found.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(found)


def _key(face: Face) -> tuple[str, int, int, int]:
    stat = face.path.stat()
    return (str(face.path), face.index, stat.st_size, stat.st_mtime_ns)


def metrics(face: Face) -> tuple[dict[int, float], float, float]:
    """(advance per code point, average advance, line height), in ems."""
    return _metrics(_key(face))


@functools.lru_cache(maxsize=64)
def _metrics(key: tuple[str, int, int, int]) -> tuple[dict[int, float], float, float]:
    from fontTools.ttLib import TTFont

    with TTFont(key[0], fontNumber=key[1], lazy=True) as font:
        em = font["head"].unitsPerEm
        widths = font["hmtx"].metrics
        advances = {code: widths[name][0] / em for code, name in font.getBestCmap().items()}
        hhea = font["hhea"]
        average = sum(advances.values()) / max(len(advances), 1)
        return advances, average, (hhea.ascent - hhea.descent + hhea.lineGap) / em
