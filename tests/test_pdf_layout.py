"""Where the full PDF brief's pages break, read from WeasyPrint's laid-out boxes.

Synthetic agreements (pillars of varied length with long summaries, a long quote that is not
featured) are laid out with the padding before them stepped a few lines at a time, so that page
boundaries fall on every spot that matters: inside a pillar's heading and summary, between a summary
and its table, between a table's header and its first row, just after a section heading. Each
layout, and those of the sample agreements, must keep these rules:

* every pillar's heading is on the same page as its table's header row and first body row;
* no section heading (h2, h3) is the last line on a page;
* no page holds only headings.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from weasyprint.formatting_structure import boxes

from briefs.config import Config
from briefs.data.files import load_agreement
from briefs.localize import localize
from briefs.localize.catalog import load_catalog
from briefs.render.base import RenderOptions

from .conftest import MINIMAL, SAMPLES

FILLER = {
    "bg": "Допълнителен текст за проверка на това къде точно се разделят страниците.",
    "en": "Additional text written to check where exactly the pages of the brief break.",
}


def _text(sentences: int) -> dict[str, str]:
    return {lang: " ".join([filler] * sentences) for lang, filler in FILLER.items()}


def _pillar(number: int, summary: int, rows: int, row_length: int) -> dict[str, Any]:
    pillar: dict[str, Any] = {
        "id": f"pillar-{number}",
        "title": {"bg": f"Стълб номер {number}", "en": f"Pillar number {number}"},
        "commitments": [
            {
                "area": {"bg": f"Област {number}.{row}", "en": f"Area {number}.{row}"},
                "commitment": _text(row_length + row % 2),
            }
            for row in range(1, rows + 1)
        ],
    }
    if summary:
        pillar["summary"] = _text(summary)
    return pillar


# (summary sentences, table rows, sentences a row): none, short and long summaries; short and long tables
PILLARS = ((2, 3, 1), (9, 2, 3), (0, 4, 1), (14, 3, 2), (4, 1, 1), (20, 2, 4), (6, 5, 2), (11, 2, 1))


def agreement_yaml(padding: int, quote: int, pillars: tuple[tuple[int, int, int], ...] = PILLARS) -> str:
    """MINIMAL with ``padding`` sentences of context, ``pillars`` and a quote of ``quote`` sentences,
    not featured, before MINIMAL's short featured one."""
    data = yaml.safe_load(MINIMAL)
    if padding:
        data["context"] = _text(padding)
    data["pillars"] = [_pillar(number, *shape) for number, shape in enumerate(pillars, start=1)]
    featured = data["quotes"][0]
    data["quotes"] = [{**copy.deepcopy(featured), "text": _text(quote), "featured": False}, featured]
    data["outlook"] = _text(6)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@cache
def _builder() -> Any:
    from briefs.render.pdf import PdfBuilder

    return PdfBuilder(RenderOptions(fonts=Config().fonts))


def lay_out(path: Path, lang: str) -> Any:
    """The full brief laid out as the PDF builder lays it out."""
    builder = _builder()
    view = localize(load_agreement(path, Config()), load_catalog(lang), "full")
    return builder.engine.layout(builder.html(view), None, str(path))


@dataclass
class Line:
    """A laid-out line of text and the elements it sits in, innermost last."""

    page: int
    elements: list[Any]

    def inside(self, *tags: str) -> Any:
        """The innermost element of one of ``tags`` that holds the line, or None."""
        return next((e for e in reversed(self.elements) if e.tag in tags), None)


@dataclass
class Layout:
    pages: int
    html: Any
    lines: list[Line] = field(default_factory=list)
    rows: dict[Any, list[int]] = field(default_factory=dict)
    """Each table row's element and the pages it is on (a repeated header row is on several)."""

    def pages_of(self, element: Any) -> list[int]:
        return sorted({line.page for line in self.lines if element in line.elements})

    def first_lines(self) -> list[Line]:
        """The first line of each page."""
        pages = [line.page for line in self.lines]
        return [line for index, line in enumerate(self.lines) if index == 0 or pages[index - 1] != line.page]


def _walk(box: Any, elements: list[Any]) -> Iterator[tuple[Any, list[Any]]]:
    element = getattr(box, "element", None)
    if element is not None and getattr(box, "element_tag", None) == element.tag and element not in elements:
        elements = [*elements, element]
    yield box, elements
    if isinstance(box, boxes.LineBox):
        return  # a line counts once, whatever inline boxes it holds
    for child in getattr(box, "children", ()):
        if not isinstance(child, boxes.MarginBox):  # running heads and page numbers
            yield from _walk(child, elements)


def read(document: Any) -> Layout:
    # WeasyPrint has no public API for a page's boxes; the pin weasyprint<71 holds this private name
    layout = Layout(len(document.pages), document.pages[0]._page_box.children[0].element)
    for number, page in enumerate(document.pages, start=1):
        for box, elements in _walk(page._page_box, []):
            if isinstance(box, boxes.LineBox) and elements:
                layout.lines.append(Line(number, elements))
            elif isinstance(box, boxes.TableRowBox):
                layout.rows.setdefault(box.element, []).append(number)
    return layout


def _name(element: Any) -> str:
    return f"<{element.tag}> {' '.join(''.join(element.itertext()).split())[:40]!r}"


def problems(layout: Layout) -> list[str]:
    """Every break the rules forbid, described."""
    found = []
    for page in range(1, layout.pages + 1):
        lines = [line for line in layout.lines if line.page == page]
        headings = [line.inside("h2", "h3") for line in lines]
        if lines and all(headings):
            found.append(f"page {page} holds only headings: {', '.join(dict.fromkeys(map(_name, headings)))}")
        elif lines and headings[-1] is not None:
            found.append(f"page {page} ends with the heading {_name(headings[-1])}")
    for section in layout.html.iter("section"):
        if section.get("class") != "pillar":
            continue
        heading = next(section.iter("h3"))
        where = {
            "heading": layout.pages_of(heading),
            "header row": layout.rows.get(next(next(section.iter("thead")).iter("tr")), [])[:1],
            "first row": layout.rows.get(next(next(section.iter("tbody")).iter("tr")), []),
        }
        if len(where["heading"]) != 1 or len({tuple(pages) for pages in where.values()}) != 1:
            found.append(f"{_name(heading)} is parted from its table: pages {where}")
    return found


def _lay_out_synthetic(tmp_path: Path, lang: str, padding: int, quote: int, pillars: Any = PILLARS) -> Layout:
    path = tmp_path / f"padding-{padding}.yaml"
    path.write_text(agreement_yaml(padding, quote, pillars), encoding="utf-8")
    return read(lay_out(path, lang))


def _quotes(layout: Layout) -> list[list[int]]:
    """The pages each quote's text is on, in order."""
    return [layout.pages_of(figure.find("blockquote")) for figure in layout.html.iter("figure")]


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_pillar_heading_and_summary_stay_with_the_table_header_and_first_row(tmp_path, lang):
    found = []
    pillars_begin_pages = 0
    for padding in range(0, 40, 5):
        layout = _lay_out_synthetic(tmp_path, lang, padding, 8)
        found += [f"context of {padding} sentences: {problem}" for problem in problems(layout)]
        pillars_begin_pages += sum(line.inside("h3") is not None for line in layout.first_lines())
    assert found == []
    # the boundaries did fall on pillars: on average one begins a page in each layout
    assert pillars_begin_pages >= 8


@pytest.mark.parametrize(
    ("quote", "paddings", "least_split", "least_moved"),
    [(25, range(0, 60, 3), 3, 1), (90, range(0, 60, 12), 5, 0)],
    ids=["half-page-quote", "quote-over-a-page"],
)
@pytest.mark.parametrize("lang", ["bg", "en"])
def test_a_long_quote_does_not_leave_its_heading_alone(tmp_path, lang, quote, paddings, least_split, least_moved):
    found = []
    split = moved = 0
    for padding in paddings:
        layout = _lay_out_synthetic(tmp_path, lang, padding, quote, PILLARS[:2])
        found += [f"context of {padding} sentences: {problem}" for problem in problems(layout)]
        long_quote, short_quote = _quotes(layout)
        assert len(short_quote) == 1, f"context of {padding} sentences: a one-line quote is split"
        split += len(long_quote) > 1
        section = layout.html.find(".//section[@id='quotes']")
        moved += any(line.inside("h2") in section for line in layout.first_lines())
    assert found == []
    # the boundaries did fall inside the long quote, and just below its heading: the heading began a page
    assert split >= least_split
    assert moved >= least_moved


@pytest.mark.parametrize("lang", ["bg", "en"])
@pytest.mark.parametrize("sample", ["us-az-charter-2026", "am-us-nuclear-2026"])
def test_samples_keep_headings_with_what_follows(sample, lang):
    assert problems(read(lay_out(SAMPLES / f"{sample}.yaml", lang))) == []
