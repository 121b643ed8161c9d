"""What PDF/A-2a + PDF/UA-1 (the default) costs against a plain tagged PDF, side by side in one process.

Renders the Charter's Bulgarian briefs with ``--pdf-variant none`` and with the default, alternating,
and prints the medians and their ratio (the target: under 10% more).

    .venv/bin/python benchmarks/conformance.py [--runs 9]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from briefs.config import Config
from briefs.data.files import load_agreement
from briefs.localize import load_catalog, localize
from briefs.render.base import RenderOptions
from briefs.render.pdf import PdfBuilder

CHARTER = Path(__file__).resolve().parent.parent / "agreements" / "us-az-charter-2026.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    config = Config()
    agreement = load_agreement(CHARTER, config)
    builders = {
        variant: PdfBuilder(
            RenderOptions(fonts=config.fonts, fallback_fonts=config.fallback_fonts, pdf_variant=variant)
        )
        for variant in ("none", None)
    }
    print(f"| Charter bg (medians of {args.runs} alternating renders) | plain tagged | PDF/A-2a + PDF/UA-1 | ratio |")
    print("|---|---:|---:|---:|")
    for kind in ("one-page", "full"):
        view = localize(agreement, load_catalog("bg"), kind)
        times: dict[str | None, list[float]] = {variant: [] for variant in builders}
        for builder in builders.values():
            builder.render(view)  # warm
        for _ in range(args.runs):
            for variant, builder in builders.items():
                started = time.perf_counter()
                builder.render(view)
                times[variant].append(time.perf_counter() - started)
        plain, default = (statistics.median(times[variant]) * 1000 for variant in ("none", None))
        print(f"| {kind} | {plain:.0f} ms | {default:.0f} ms | {default / plain:.3f} |")


if __name__ == "__main__":
    main()
