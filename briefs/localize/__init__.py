"""Localize: one plain view of an agreement per language, with labels, dates and quotation marks in place."""

from briefs.localize.localizer import KINDS, localize

__all__ = ["KINDS", "localize"]
