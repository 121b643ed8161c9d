"""Side by side, in one run: briefs against LibreOffice, and this tree against an earlier commit.

The machine is shared and noisy, so every comparison alternates its two sides, takes medians and
prints ratios, never one absolute time alone:

* **cold**: the 8 sample PDFs by a fresh `briefs build --format pdf --force` process, against
  `soffice --headless --convert-to pdf` converting the 8 sample DOCX (built first);
* **warm**: one process per side renders the Charter's Bulgarian one-page and full PDF again and
  again, this tree against a temporary `git worktree` of ``--base`` (default 4c3b9d3, where the
  speed issue was measured), imported from that worktree with the same virtual environment;
* **jobs**: the 16 sample files with 2 workers against 1.

    .venv/bin/python benchmarks/compare.py --runs 5 [--base COMMIT] [--write BENCHMARKS-compare.md]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "agreements"
CHARTER = SAMPLES / "us-az-charter-2026.yaml"

# Renders the Charter in one warm process and prints the median seconds per kind as JSON. It runs
# against either layout of the package: this tree's, or the one before the stages were split.
WARM = r"""
import json, statistics, sys, time
from pathlib import Path
repeat, path = int(sys.argv[1]), Path(sys.argv[2])
try:
    from briefs.config import Config
    from briefs.data.files import load_agreement
    from briefs.localize import load_catalog, localize
    from briefs.render.base import RenderOptions
    from briefs.render.pdf import PdfBuilder
    config = Config()
    options = RenderOptions(fonts=config.fonts, fallback_fonts=config.fallback_fonts)
except ImportError:
    from briefs.api import load_agreement
    from briefs.builders import RenderOptions
    from briefs.builders.pdf import PdfBuilder
    from briefs.catalog import load_catalog
    from briefs.config import Config
    from briefs.localize import localize
    config = Config()
    options = RenderOptions(fonts=config.fonts)
builder = PdfBuilder(options)
agreement = load_agreement(path, config)
result = {}
for kind in ("one-page", "full"):
    view = localize(agreement, load_catalog("bg"), kind)
    builder.render(view)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        builder.render(view)
        times.append(time.perf_counter() - start)
    result[kind] = statistics.median(times)
print(json.dumps(result))
"""


def timed(command: list[str], **kwargs: object) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - start


def briefs_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "briefs", "-q", *args]


def cold(runs: int, work: Path) -> list[tuple[str, str]]:
    docx = work / "docx"
    subprocess.run(briefs_cmd("build", str(SAMPLES), "--format", "docx", "-o", str(docx)), check=True, cwd=ROOT)
    files = sorted(str(p) for p in docx.rglob("*.docx"))
    profile = (work / "lo-profile").as_uri()
    soffice = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
    subprocess.run([*soffice, "--outdir", str(work / "lo"), files[0]], check=True, capture_output=True)  # profile
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(
            timed(briefs_cmd("build", str(SAMPLES), "--format", "pdf", "--force", "-o", str(work / "pdf")), cwd=ROOT)
        )
        theirs.append(timed([*soffice, "--outdir", str(work / "lo"), *files]))
    a, b = statistics.median(ours), statistics.median(theirs)
    return [
        ("8 sample PDFs, cold: `briefs build --format pdf --force`", f"{a:.2f} s"),
        ("LibreOffice converting the 8 sample DOCX", f"{b:.2f} s"),
        ("briefs is faster by", f"{b / a:.2f}×"),
    ]


def warm(runs: int, base: str, work: Path, repeat: int) -> list[tuple[str, str]]:
    tree = work / "base"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), base], check=True, cwd=ROOT, capture_output=True)
    try:
        sides = {"this tree": ROOT, base: tree}
        found: dict[str, dict[str, list[float]]] = {name: {"one-page": [], "full": []} for name in sides}
        for _ in range(runs):
            for name, folder in sides.items():
                env = {**os.environ, "PYTHONPATH": str(folder)}
                out = subprocess.run(
                    [sys.executable, "-c", WARM, str(repeat), str(CHARTER)],
                    check=True, capture_output=True, text=True, env=env, cwd=folder,
                )  # fmt: skip
                for kind, seconds in json.loads(out.stdout).items():
                    found[name][kind].append(seconds)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
    rows = []
    for kind in ("one-page", "full"):
        now, then = statistics.median(found["this tree"][kind]), statistics.median(found[base][kind])
        rows.append(
            (
                f"warm {kind} render, Charter bg: this tree / {base}",
                f"{now * 1000:.0f} / {then * 1000:.0f} ms = {now / then:.2f}",
            )
        )
    return rows


def jobs(runs: int, work: Path) -> list[tuple[str, str]]:
    one, two = [], []
    for _ in range(runs):
        one.append(timed(briefs_cmd("build", str(SAMPLES), "--force", "-j", "1", "-o", str(work / "j1")), cwd=ROOT))
        two.append(timed(briefs_cmd("build", str(SAMPLES), "--force", "-j", "2", "-o", str(work / "j2")), cwd=ROOT))
    a, b = statistics.median(one), statistics.median(two)
    return [("16 sample files: 2 jobs / 1 job", f"{b:.2f} / {a:.2f} s = {b / a:.2f}")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5, help="renders per warm process")
    parser.add_argument("--base", default="4c3b9d3")
    parser.add_argument("--only", choices=("cold", "warm", "jobs"), action="append")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="briefs-compare-"))
    rows: list[tuple[str, str]] = []
    try:
        chosen = args.only or ["cold", "warm", "jobs"]
        if "cold" in chosen:
            rows += cold(args.runs, work)
        if "warm" in chosen:
            rows += warm(args.runs, args.base, work, args.repeat)
        if "jobs" in chosen:
            rows += jobs(args.runs, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = [f"| measure (medians of {args.runs} alternating runs) | result |", "|---|---:|"]
    table += [f"| {name} | {value} |" for name, value in rows]
    print("\n".join(table))
    if args.write:
        args.write.write_text("\n".join(table) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
