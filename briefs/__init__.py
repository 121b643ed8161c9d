"""briefs: bilingual policy briefs from structured agreement data.

The public API; each function takes the same parameters as its command::

    import briefs
    report = briefs.build([Path("agreements")], briefs.BuildOptions(langs=("en",), jobs=1))

Names are imported on first use, so ``import briefs`` costs nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "build": "briefs.publish.build",
    "BuildReport": "briefs.publish.build",
    "watch": "briefs.publish.watch",
    "send": "briefs.deliver.send",
    "SendOptions": "briefs.deliver.send",
    "SendReport": "briefs.deliver.send",
    "SmtpOptions": "briefs.deliver.settings",
    "serve": "briefs.serve",
    "ServeOptions": "briefs.serve",
    "create_app": "briefs.serve",
    "validate": "briefs.data.files",
    "schema": "briefs.data.schema",
    "new": "briefs.data.schema",
    "BuildOptions": "briefs.options",
    "Config": "briefs.config",
    "load_config": "briefs.config",
    "BuiltFile": "briefs.publish.manifest",
    "Target": "briefs.targets",
    "BriefsError": "briefs.errors",
    "InvalidInput": "briefs.errors",
    "Problem": "briefs.errors",
}
__all__ = [
    "BriefsError",
    "BuildOptions",
    "BuildReport",
    "BuiltFile",
    "Config",
    "InvalidInput",
    "Problem",
    "SendOptions",
    "SendReport",
    "ServeOptions",
    "SmtpOptions",
    "Target",
    "__version__",
    "build",
    "create_app",
    "load_config",
    "new",
    "schema",
    "send",
    "serve",
    "validate",
    "watch",
]

if TYPE_CHECKING:
    from briefs.config import Config, load_config
    from briefs.data.files import validate
    from briefs.data.schema import new, schema
    from briefs.deliver.send import SendOptions, SendReport, send
    from briefs.deliver.settings import SmtpOptions
    from briefs.errors import BriefsError, InvalidInput, Problem
    from briefs.options import BuildOptions
    from briefs.publish.build import BuildReport, build
    from briefs.publish.manifest import BuiltFile
    from briefs.publish.watch import watch
    from briefs.serve import ServeOptions, create_app, serve
    from briefs.targets import Target


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'briefs' has no attribute {name!r}")
