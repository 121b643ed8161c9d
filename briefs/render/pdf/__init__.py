"""PDF briefs: Jinja2 HTML typeset by WeasyPrint (``engine``), with a one-page fit and strict checks."""

from briefs.render.pdf.builder import PdfBuilder

__all__ = ["PdfBuilder"]
