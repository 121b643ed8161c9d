"""DOCX builder: Word templates (templates/docx/) filled by docxtpl, finished with python-docx.

The template owns the look: named styles, page set-up, header and footer. A
designer edits it in Word or LibreOffice and the next build shows the change;
this builder never sets a font, a colour or a spacing itself.

The builder adds only what a template cannot hold or must not vary:

* the brief's language on the styles and on every run, so Word checks
  spelling and hyphenates in Bulgarian or English;
* the "Page X of Y" footer: the localized label split around PAGE and
  NUMPAGES fields;
* a first version of the table of contents (LibreOffice and previewers show
  it as it is; Word rebuilds it on opening, as settings.xml asks);
* the core properties, dated from the data, never from the clock;
* a zip with fixed timestamps and entry order, so the same view gives the
  same bytes.

The package, by what each module holds:

* ``fill``: the Jinja environment and context docxtpl renders with, and their escaping;
* ``word``: the language, the update of fields on opening, the core properties;
* ``toc``: the first version of the table of contents;
* ``fonts``: the font families a document's text may be set in;
* ``fit``: the estimate of whether the one-page brief fits its page;
* ``package``: the reproducible zip;
* ``ooxml``: walking the WordprocessingML tree, for all of the above;
* ``builder``: the DocxBuilder that puts them together.
"""

from __future__ import annotations

from briefs.render.docx.builder import DocxBuilder
from briefs.render.docx.errors import RenderError
from briefs.render.docx.fill import (
    EXTRA_VARIABLES,
    PAGE_FIELDS,
    context,
    environment,
    page_x_of_y,
    template_variables,
)
from briefs.render.docx.fit import FIT_LIMIT, FIT_NOTE, Block, estimate_blocks
from briefs.render.docx.fonts import font_families
from briefs.render.docx.package import reproducible_zip
from briefs.render.docx.toc import fill_table_of_contents
from briefs.render.docx.word import LAST_MODIFIED_BY, REVISION, set_language, set_properties, update_fields_on_open

__all__ = [
    "EXTRA_VARIABLES",
    "FIT_LIMIT",
    "FIT_NOTE",
    "LAST_MODIFIED_BY",
    "PAGE_FIELDS",
    "REVISION",
    "Block",
    "DocxBuilder",
    "RenderError",
    "context",
    "environment",
    "estimate_blocks",
    "fill_table_of_contents",
    "font_families",
    "page_x_of_y",
    "reproducible_zip",
    "set_language",
    "set_properties",
    "template_variables",
    "update_fields_on_open",
]
