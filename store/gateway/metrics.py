"""Prometheus metrics of the store: requests, latency, in-flight, errors by route."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class StoreMetrics:
    """One registry per store app, so tests and workers never share state."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "stampede_store_requests",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "stampede_store_request_duration_seconds",
            "Time to answer a request",
            ["route"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "stampede_store_requests_in_flight", "Requests being answered", registry=self.registry
        )
        self.errors = Counter(
            "stampede_store_errors",
            "Error answers by route and error code",
            ["route", "code"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "stampede_store_rate_limited",
            "Requests refused by a rate limit",
            ["limit"],
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def render(self) -> bytes:
        return bytes(generate_latest(self.registry))
