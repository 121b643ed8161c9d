"""Prometheus metrics of one app: requests, latency, render time, queue depth, worker restarts."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "briefs_http_requests", "HTTP requests answered", ["route", "method", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "briefs_http_request_seconds",
            "Time to answer a request",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.render = Histogram(
            "briefs_render_seconds",
            "Time to render one file",
            ["kind", "format"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.queue_depth = Gauge("briefs_queue_depth", "Requests waiting for a worker", registry=self.registry)
        self.busy = Gauge("briefs_workers_busy", "Workers rendering now", registry=self.registry)
        self.restarts = Counter("briefs_worker_restarts", "Render workers replaced", ["reason"], registry=self.registry)
        self.cache = Counter("briefs_cache_lookups", "Answer cache lookups", ["result"], registry=self.registry)
        self.refused = Counter("briefs_refused", "Requests refused", ["reason"], registry=self.registry)
