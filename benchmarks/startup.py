"""Start-up of the command line, side by side with Python importing click alone.

Alternating runs, medians and the ratio (the machine is shared and noisy):

    .venv/bin/python benchmarks/startup.py --runs 21
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "agreements" / "us-az-charter-2026.yaml"
COMMANDS = {
    "python -c 'import click'": [sys.executable, "-c", "import click"],
    "briefs --help": [sys.executable, "-m", "briefs", "--help"],
    "briefs validate FILE": [sys.executable, "-m", "briefs", "validate", str(SAMPLE)],
}


def once(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():
        once(command)  # warm the file cache
    for _ in range(runs):
        for name, command in COMMANDS.items():
            times[name].append(once(command))
    base = statistics.median(times["python -c 'import click'"])
    print(f"| command | median ms ({runs} alternating runs) | × import click |")
    print("|---|---:|---:|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| `{name}` | {median * 1000:.0f} | {median / base:.2f} |")


if __name__ == "__main__":
    main()
