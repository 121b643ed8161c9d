"""Scheduled regeneration at scale: 100 varied agreements, built, rebuilt, and rebuilt after one change.

    .venv/bin/python benchmarks/regenerate.py [--count 100] [--write BENCHMARKS.md]

Measures, on this machine: the full build with 1 and with 2 jobs; a rebuild that
changes nothing (in-process, and as a fresh `briefs build` process); a rebuild
after one agreement changed, next to building that agreement alone; and each
worker's peak RSS after its first and its last render.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

from briefs import __version__
from briefs.options import BuildOptions
from briefs.publish.build import BuildReport, build
from briefs.publish.workers import TASKS_PER_WORKER, Result

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "agreements").glob("*.yaml"))


def varied(count: int, folder: Path) -> list[Path]:
    """``count`` agreements made from the samples: other ids, subsets of pillars, quotes and points."""
    rng = random.Random(2026)
    bases = [yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) for p in SAMPLES]
    paths = []
    for number in range(count):
        data = json.loads(json.dumps(bases[number % len(bases)]))
        data["id"] = f"{data['id']}-{number:03d}"
        pillars = data["pillars"]
        rng.shuffle(pillars)
        data["pillars"] = pillars[: rng.randint(1, len(pillars))]
        for pillar in data["pillars"]:
            pillar["commitments"] = pillar["commitments"][: rng.randint(1, len(pillar["commitments"]))]
        data["key_points"] = data.get("key_points", [])[: rng.randint(0, 5)]
        quotes = data.get("quotes", [])
        data["quotes"] = quotes[: rng.randint(0, len(quotes))]
        path = folder / f"{data['id']}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


MEMORY: dict[int, list[tuple[int, int]]] = defaultdict(list)
"""Per build (by id of its report), each render's (worker pid, peak RSS in KiB): gathered through on_result."""


def timed(paths: list[Path], output: Path, jobs: int) -> tuple[float, BuildReport]:
    seen: list[tuple[int, int]] = []

    def record(result: Result, done: int, total: int) -> None:
        seen.append((result.pid, result.peak_rss_kb))

    start = time.perf_counter()
    report = build(paths, BuildOptions(output=output, jobs=jobs), on_result=record)
    elapsed = time.perf_counter() - start
    MEMORY[id(report)] = seen
    assert report.ok, (report.invalid[:3], report.failed[:3])
    return elapsed, report


WARM_UP = 8
"""Renders after which a worker has loaded every font and template (one of each kind, language, format)."""


def rss_by_worker(report: BuildReport) -> list[list[int]]:
    """For each worker process, in order of first use: its peak RSS in MiB after each render."""
    seen: dict[int, list[int]] = defaultdict(list)
    for pid, rss in MEMORY[id(report)]:
        seen[pid].append(rss // 1024)
    return list(seen.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--write", type=Path, help="write the results as Markdown to this file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="briefs-bench-"))
    agreements = work / "agreements"
    agreements.mkdir()
    paths = varied(args.count, agreements)
    rows: list[tuple[str, str]] = []

    one, report_one = timed(paths=[agreements], output=work / "out1", jobs=1)
    rows.append((f"full build, {len(report_one.built)} files, 1 job", f"{one:.1f} s"))
    two, report_two = timed(paths=[agreements], output=work / "out2", jobs=2)
    rows.append((f"full build, {len(report_two.built)} files, 2 jobs", f"{two:.1f} s ({one / two:.2f}× faster)"))

    still, report = timed(paths=[agreements], output=work / "out2", jobs=2)
    assert not report.built
    rows.append(("rebuild, nothing changed (in process)", f"{still * 1000:.0f} ms"))
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "briefs", "-q", "build", str(agreements), "-o", str(work / "out2")], check=True
    )
    rows.append(("rebuild, nothing changed (`briefs build` process)", f"{time.perf_counter() - start:.2f} s"))

    changed = paths[len(paths) // 2]
    changed.write_text(changed.read_text(encoding="utf-8").replace("summary:", "summary:\n  # edited", 1))
    text = changed.read_text(encoding="utf-8").replace("en: ", "en: Edited. ", 1)
    changed.write_text(text, encoding="utf-8")
    after, report = timed(paths=[agreements], output=work / "out2", jobs=2)
    alone, _ = timed(paths=[changed], output=work / "alone", jobs=2)
    rows.append(
        (f"rebuild after one agreement changed ({len(report.built)} files)", f"{after:.2f} s"),
    )
    rows.append(("that agreement built alone", f"{alone:.2f} s (target: change ≤ alone + 1 s)"))

    workers = [w for w in rss_by_worker(report_two) if len(w) > WARM_UP]
    growth = max((w[-1] - w[WARM_UP - 1]) / w[WARM_UP - 1] * 100 for w in workers)
    rows.append(
        (
            f"worker peak RSS after the batch's first {WARM_UP} renders → after its last render",
            f"{workers[0][WARM_UP - 1]} MiB → {workers[-1][-1]} MiB",
        )
    )
    rows.append(
        (
            f"each worker ({len(workers)} processes, replaced after {TASKS_PER_WORKER} renders): "
            f"largest growth from its {WARM_UP}th render to its last",
            f"{growth:+.1f}%",
        )
    )

    table = "\n".join(f"| {what} | {value} |" for what, value in rows)
    text = f"""# Benchmarks

Measured by `{Path(sys.argv[0]).as_posix()} --count {args.count}` on {platform.machine()} with
{os.cpu_count()} CPUs, Python {platform.python_version()}, briefs {__version__}, over {args.count}
agreements varied from the samples (each built as one-page and full, bg and en, PDF and DOCX).

| measurement | result |
|---|---|
{table}

Reproduce: `.venv/bin/python benchmarks/regenerate.py --count {args.count} --write BENCHMARKS.md`
"""
    print(text)
    if args.write:
        args.write.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
