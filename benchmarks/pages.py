"""Every sample page of this tree against an earlier commit, as pixels: what a reader would see change.

Builds the sample PDFs with this tree and with a temporary `git worktree` of ``--base``, turns each
page into an image with pdftoppm and counts the pixels that differ; prints one row per page and
the pages of each brief, so a speed-up that moved anything shows.

    .venv/bin/python benchmarks/pages.py [--base COMMIT] [--dpi 60]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parent.parent


def build(source: Path, output: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(source)}
    command = [sys.executable, "-m", "briefs", "-q", "build", str(ROOT / "agreements"), "--format", "pdf"]
    subprocess.run([*command, "-o", str(output)], check=True, cwd=source, env=env)


def pages(pdf: Path, folder: Path, dpi: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(folder / pdf.stem)], check=True)
    return sorted(folder.glob(f"{pdf.stem}-*.png"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="4c3b9d3")
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="briefs-pages-"))
    tree = work / "base"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(tree), args.base], check=True, cwd=ROOT, capture_output=True
    )
    try:
        build(ROOT, work / "now")
        build(tree, work / "then")
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
    print(f"| page | pixels that differ ({args.dpi} dpi) |\n|---|---:|")
    for pdf in sorted((work / "now").rglob("*.pdf")):
        before = work / "then" / pdf.relative_to(work / "now")
        now, then = pages(pdf, work / "png-now", args.dpi), pages(before, work / "png-then", args.dpi)
        if len(now) != len(then):
            print(f"| {pdf.name} | {len(then)} pages before, {len(now)} now |")
        for a, b in zip(now, then, strict=False):
            difference = ImageChops.difference(Image.open(a).convert("RGB"), Image.open(b).convert("RGB"))
            changed = sum(1 for pixel in difference.get_flattened_data() if pixel != (0, 0, 0))
            print(f"| {a.stem} | {changed:,} |")


if __name__ == "__main__":
    main()
