"""Prometheus metrics of the chat streams, kept in a registry of the app's own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

TTFT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class StreamMetrics:
    """Counters and gauges the stream lifecycle updates; `render()` is the `/metrics` body.

    Per-token work stays out of the hot loop: tokens are counted per stream and added once.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.active = Gauge("myflow_streams_active", "Streams currently generating", registry=r)
        self.ttft = Histogram(
            "myflow_stream_first_token_seconds",
            "Time from the start of generation to the first token",
            buckets=TTFT_BUCKETS,
            registry=r,
        )
        self.tokens = Counter("myflow_tokens_relayed", "Token events relayed", registry=r)
        self.outcomes = Counter(
            "myflow_stream_outcomes", "Streams by how they ended", ["outcome"], registry=r
        )
        self.flows = Counter("myflow_flows_created", "Flows created from chats", registry=r)
        self.provider_errors = Counter(
            "myflow_provider_errors", "AI provider errors by kind", ["code"], registry=r
        )
        self.admission = Counter(
            "myflow_stream_admission",
            "Stream starts by admission: admitted, queued (then admitted), busy (503), gone",
            ["result"],
            registry=r,
        )
        self.starting = Gauge(
            "myflow_streams_starting", "Turns admitted and before their first token", registry=r
        )
        for result in ("admitted", "queued", "busy", "gone"):
            self.admission.labels(result=result)
        for outcome in ("done", "error", "cancelled", "interrupted"):
            self.outcomes.labels(outcome=outcome)

    def stream_started(self) -> None:
        self.active.inc()

    def stream_ended(self, outcome: str, tokens: int) -> None:
        """One stream ended with `outcome` after relaying `tokens` token events."""
        self.active.dec()
        self.outcomes.labels(outcome=outcome).inc()
        if tokens:
            self.tokens.inc(tokens)

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
