"""Render: one builder per output format, each turning a localized view into one file.

Adding a format is one module with a Builder subclass and one line in BUILDERS.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefs.render.base import Builder, RenderOptions

BUILDERS = {
    "pdf": "briefs.render.pdf:PdfBuilder",
    "docx": "briefs.render.docx:DocxBuilder",
}
"""Format -> its builder class; imported only when a brief of that format is wanted."""
FORMATS = tuple(BUILDERS)


def builder_class(fmt: str) -> type[Builder]:
    module, _, name = BUILDERS[fmt].partition(":")
    cls: type[Builder] = getattr(importlib.import_module(module), name)
    return cls


def make_builder(fmt: str, options: RenderOptions) -> Builder:
    if fmt not in BUILDERS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    return builder_class(fmt)(options)
