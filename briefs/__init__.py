"""briefs: bilingual policy briefs from structured agreement data."""

__version__ = "0.1.0"
