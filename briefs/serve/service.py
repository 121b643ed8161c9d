"""The state one running service holds: its options, worker pool, answer cache and metrics.

Nothing here outlives a change on disk: answers are cached by a key made from the request's bytes
and every template, stylesheet, catalogue and font the builders declare (their stamps), so an
edit makes a new key; listings and built files are read again on every request.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, replace

from briefs import fontconfig
from briefs.errors import BriefsError
from briefs.publish.build import render_options
from briefs.publish.plan import targets
from briefs.publish.stamps import Stamper
from briefs.render import FORMATS, make_builder
from briefs.render.base import Builder
from briefs.serve.cache import AnswerCache, content_key
from briefs.serve.metrics import Metrics
from briefs.serve.pool import RenderPool
from briefs.serve.settings import ServeOptions
from briefs.targets import Target


@dataclass
class Service:
    options: ServeOptions
    pool: RenderPool
    cache: AnswerCache
    metrics: Metrics
    builders: dict[str, Builder]
    started: float

    @classmethod
    def create(cls, options: ServeOptions) -> Service:
        metrics = Metrics()
        rendering = render_options(options.build)
        pool = RenderPool(
            rendering,
            FORMATS,
            options.workers,
            options.queue,
            on_restart=lambda reason: metrics.restarts.labels(reason).inc(),
        )
        builders = {fmt: make_builder(fmt, rendering) for fmt in FORMATS}
        return cls(options, pool, AnswerCache(options.cache_bytes), metrics, builders, time.monotonic())

    @property
    def languages(self) -> tuple[str, ...]:
        return self.options.build.config.languages

    def targets(self, kind: str | None, lang: str | None, fmt: str | None) -> list[Target]:
        """The files one render request asks for; an absent choice means all of them."""
        wanted = replace(
            self.options.build,
            kinds=(kind,) if kind else (),
            langs=(lang,) if lang else (),
            formats=(fmt,) if fmt else (),
        )
        return targets(wanted)

    def render_key(self, body: bytes, is_json: bool, wanted: list[Target]) -> str:
        """The answer's key: the body's hash and the stamp of every file asked for."""
        stamper = Stamper(self.builders, {"languages": self.languages})
        data = hashlib.sha256(body).hexdigest()
        return content_key("render", is_json, [stamper.stamp(data, target) for target in wanted])

    def fonts_present(self) -> bool:
        try:
            fontconfig.require(self.options.build.config.fonts + self.options.build.config.fallback_fonts)
        except BriefsError:  # a font missing, or fontconfig itself
            return False
        return True

    def deadline(self) -> float:
        return time.monotonic() + self.options.deadline
