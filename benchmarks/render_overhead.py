"""How much briefs adds to WeasyPrint: each sample brief rendered by `briefs` and by raw WeasyPrint.

    .venv/bin/python benchmarks/render_overhead.py [--repeat N]

Both sides render the same HTML in the same process with a warm font
configuration; the briefs side adds validation-free localization, the strict
fetcher, warning collection, the page count check and the font check.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from weasyprint import HTML

from briefs.config import Config
from briefs.data.files import load_agreement
from briefs.localize import load_catalog, localize
from briefs.render.base import RenderOptions
from briefs.render.pdf import PdfBuilder
from briefs.targets import KINDS

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    config = Config()
    builder = PdfBuilder(RenderOptions(fonts=config.fonts))
    print("| brief | pages | bytes | briefs (ms) | raw WeasyPrint (ms) |")
    print("|---|---:|---:|---:|---:|")
    for path in sorted((ROOT / "agreements").glob("*.yaml")):
        agreement = load_agreement(path, config)
        for kind in KINDS:
            for lang in config.languages:
                view = localize(agreement, load_catalog(lang), kind)
                html = builder.html(view)
                engine = builder.engine
                ours, raw = [], []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    rendered = builder.render(localize(agreement, load_catalog(lang), kind))
                    ours.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    HTML(string=html, base_url=engine.base_url, url_fetcher=engine.fetcher).write_pdf(
                        font_config=engine.font_config, pdf_tags=True
                    )
                    raw.append(time.perf_counter() - start)
                print(
                    f"| {agreement.id} {kind} {lang} | {rendered.pages} | {len(rendered.data):,} | "
                    f"{statistics.median(ours) * 1000:.0f} | {statistics.median(raw) * 1000:.0f} |"
                )


if __name__ == "__main__":
    main()
