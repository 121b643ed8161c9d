"""DOCX briefs: Word templates (templates/docx/) filled by docxtpl, finished with python-docx.

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

* ``builder``: the DocxBuilder: its inputs and options (cheap, no Word libraries);
* ``assemble``: filling a template and finishing the document, for the builder;
* ``fill``: the Jinja environment and context docxtpl renders with, and their escaping;
* ``word``: the language, the update of fields on opening, the core properties;
* ``toc``: the first version of the table of contents;
* ``typefaces``: the font families a document's text may be set in;
* ``fit``: the estimate of whether the one-page brief fits its page;
* ``package``: the reproducible zip;
* ``ooxml``: walking the WordprocessingML tree, for all of the above.
"""

from briefs.render.docx.builder import DocxBuilder

__all__ = ["DocxBuilder"]
