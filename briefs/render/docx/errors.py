"""The one error of the DOCX builder; every module of the package raises it."""

from __future__ import annotations

from briefs.errors import BriefsError


class RenderError(BriefsError):
    """A DOCX brief could not be rendered as it should be."""
