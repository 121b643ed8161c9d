"""The typefaces a brief is set in: present before rendering, and nothing else after."""

from __future__ import annotations

import functools
import shutil
import subprocess

from briefs.errors import BriefsError


@functools.cache
def installed_families() -> frozenset[str]:
    """Font families fontconfig knows, as WeasyPrint (through Pango) will see them."""
    if shutil.which("fc-list") is None:
        raise BriefsError("fontconfig's fc-list is not installed; run `make briefs` to install the fonts")
    listing = subprocess.run(["fc-list", "--format", "%{family}\n"], capture_output=True, text=True, check=True)
    return frozenset(name.strip() for line in listing.stdout.splitlines() for name in line.split(","))


def require(families: tuple[str, ...]) -> None:
    """Fail with a clear message if a font the brief needs is not installed."""
    missing = [family for family in families if family not in installed_families()]
    if missing:
        raise BriefsError(
            f"font {' and '.join(missing)} not installed; the briefs never fall back to another font. "
            "Install it with `make briefs` (Debian packages in system-packages.txt)."
        )


@functools.cache
def characters(family: str) -> frozenset[int]:
    """Code points the family's regular face covers."""
    from fontTools.ttLib import TTFont

    found = subprocess.run(
        ["fc-match", "--format", "%{file}\n%{index}", f"{family}:style=Regular"], capture_output=True, text=True
    )
    path, _, index = found.stdout.partition("\n")
    with TTFont(path, fontNumber=int(index or 0), lazy=True) as font:
        return frozenset(font.getBestCmap())


def uncovered(texts: dict[str, str], families: tuple[str, ...]) -> list[str]:
    """For each text, the characters that one of ``families`` cannot show."""
    problems = []
    for where, text in texts.items():
        for family in families:
            missing = sorted({ch for ch in text if not ch.isspace() and ord(ch) not in characters(family)})
            if missing:
                shown = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing[:5])
                problems.append(f"{where}: {family} has no glyph for {shown}")
    return problems
