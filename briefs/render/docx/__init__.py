"""DOCX briefs: Word templates (templates/docx/) filled by docxtpl, finished with python-docx.

The template owns the look: named styles, page set-up, header and footer. A
designer edits it in Word or LibreOffice and the next build shows the change;
this builder never sets a font, a colour or a spacing of its own (fitting the
one-page brief scales the template's sizes, all in proportion).

The builder adds only what a template cannot hold or must not vary:

* the brief's language on the styles and on every run, so Word checks
  spelling and hyphenates in Bulgarian or English;
* the "Page X of Y" footer: the localized label split around PAGE and
  NUMPAGES fields;
* the contents: an entry per heading, linked to it, with a PAGEREF field
  whose saved number is the builder's estimate of LibreOffice's layout
  (LibreOffice works the fields out itself; Word shows the saved numbers
  until its fields are updated, and is never asked to on opening);
* the one-page brief's fit: the styles' sizes stepped down as the PDF's
  body text is (10, 9.5, 9, 8.5 pt) until the estimate of the layout fits
  the page, with the PDF's notes and diagnostics;
* the core properties, dated from the data, never from the clock;
* a zip with fixed timestamps and entry order, so the same view gives the
  same bytes.

The package, by what each module holds:

* ``builder``: the DocxBuilder: its inputs and options (cheap, no Word libraries);
* ``assemble``: filling a template and finishing the document, for the builder;
* ``fill``: the Jinja environment and context docxtpl renders with, and their escaping;
* ``word``: the language, no prompt to update fields, the core properties;
* ``toc``: the contents and their page numbers;
* ``typefaces``: the font families a document's text may be set in;
* ``measure``: the line-by-line estimate of the layout, from the fonts' metrics;
* ``fit``: fitting the one-page brief on its page;
* ``pages``: where the pages break, for the contents' page numbers;
* ``package``: the reproducible zip;
* ``ooxml``: walking the WordprocessingML tree, for all of the above.
"""

from briefs.render.docx.builder import DocxBuilder

__all__ = ["DocxBuilder"]
