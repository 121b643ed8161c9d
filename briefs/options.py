"""The options of one run, shared by every entry point: build, watch, send, and the service."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from briefs.config import Config

DEFAULT_AGREEMENTS = Path("agreements")
DEFAULT_OUTPUT = Path("output")


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where; an empty ``langs``, ``kinds`` or ``formats`` means all of them."""

    langs: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    output: Path = DEFAULT_OUTPUT
    templates: tuple[Path, ...] = ()
    """Folders whose files override the built-in templates, styles and catalogues of the same name."""
    pdf_variant: str | None = None
    jobs: int | None = None
    """Worker processes; None for one per CPU, 1 to render in this process."""
    force: bool = False
    """Rebuild every brief, changed or not."""
    wait: bool = False
    """Wait for another run's lock on the output folder instead of failing at once."""
    config: Config = field(default_factory=Config)
