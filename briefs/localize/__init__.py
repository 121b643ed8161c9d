"""Localize: one plain view of an agreement per language, with labels, dates and quotation marks in place."""

from briefs.localize.catalog import Catalog, load_catalog
from briefs.localize.localizer import localize
from briefs.localize.view import BriefView

__all__ = ["BriefView", "Catalog", "load_catalog", "localize"]
