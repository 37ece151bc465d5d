"""Prometheus metrics through prometheus-client, on a registry of this server's own.

Each `Metrics` has its own `CollectorRegistry`, so two servers in one process (the tests) never
share a series. Their sources are chosen so that no use case learns about metrics:
- HTTP requests, webhook POSTs accepted or refused, and the webhook's time to answer are measured
  by a middleware around every route;
- sends, their Cloud API latency, rate-limit waits and outcomes come from the dispatcher's report
  of each step; applied webhook events and the time from stored to applied from the inbox worker's;
- queue depths are gauges, measured when Prometheus scrapes.

To add a metric, declare it in `Metrics.__init__` with `registry=self.registry` and update it where
it happens; `/metrics` renders whatever the registry holds.
https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics, generate_latest

from application.dispatch_outbound import DispatchReport
from application.operations import QueueDepths
from application.process_inbox_event import InboxReport

disable_created_metrics()  # type: ignore[no-untyped-call]  # a `_created` series beside every counter and histogram doubles the page for nothing watched

FAST_SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
"""Webhook answers and Cloud API calls: milliseconds when healthy, seconds when not."""
QUEUE_SECONDS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
"""Time spent queued (stored to applied, waiting for a rate limit): the 1 s target sits in the middle."""
SEND_OUTCOMES = ("sent", "retried", "failed", "dropped", "unknown")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.http_requests = Counter(
            "wahub_http_requests", "HTTP requests answered, by route template, method and status",
            ["method", "route", "status"], registry=r,
        )
        self.webhook_posts = Counter(
            "wahub_webhook_posts", "Webhook POSTs from Meta: accepted (stored, 200) or refused (signature, size)",
            ["outcome"], registry=r,
        )
        self.webhook_ack_seconds = Histogram(
            "wahub_webhook_ack_seconds", "Time from a webhook POST's arrival to its answer (200: stored durably)",
            buckets=FAST_SECONDS, registry=r,
        )
        self.events_applied = Counter(
            "wahub_webhook_events_applied", "Webhook events applied by the inbox worker, by kind", ["kind"], registry=r
        )
        self.posts_failed = Counter(
            "wahub_webhook_posts_failed", "Applications of a stored webhook POST that failed (each POST retries alone)",
            registry=r,
        )
        self.posts_quarantined = Counter(
            "wahub_webhook_posts_quarantined", "Stored webhook POSTs given up after too many failed applications",
            registry=r,
        )
        self.applied_after_seconds = Histogram(
            "wahub_webhook_applied_after_seconds", "Time from a webhook POST stored to every event of it applied",
            buckets=QUEUE_SECONDS, registry=r,
        )
        self.sends = Counter(
            "wahub_sends",
            "Dispatcher outcomes: sent (Meta accepted), retried, failed (for good), dropped, unknown (held: outcome unknown)",
            ["outcome"], registry=r,
        )
        self.send_seconds = Histogram(
            "wahub_send_seconds", "Cloud API send calls, from the call to Meta's answer (accepted or refused)",
            buckets=FAST_SECONDS, registry=r,
        )
        self.dispatch_waits = Counter(
            "wahub_dispatch_waits", "Sends held back by the throughput or pair rate limit, to be tried later",
            registry=r,
        )
        self.rate_limit_wait_seconds = Histogram(
            "wahub_rate_limit_wait_seconds", "Time a send waited in memory for its number's throughput",
            buckets=QUEUE_SECONDS, registry=r,
        )
        self.outbox_depth = Gauge("wahub_outbox_depth", "Messages queued for the dispatcher", registry=r)
        self.inbox_backlog = Gauge(
            "wahub_inbox_backlog", "Stored webhook POSTs not yet applied (counted up to 10,000)", registry=r
        )
        self.inbox_quarantined = Gauge(
            "wahub_inbox_quarantined",
            "Stored webhook POSTs quarantined and not replayed since (counted up to 10,000)",
            registry=r,
        )
        self._accepted = self.webhook_posts.labels(outcome="accepted")
        self._refused = self.webhook_posts.labels(outcome="refused")

    def request_answered(self, route: str, method: str, status: int, seconds: float) -> None:
        self.http_requests.labels(method=method, route=route, status=str(status)).inc()
        if route == "/webhook" and method == "POST":
            (self._accepted if status == 200 else self._refused).inc()
            self.webhook_ack_seconds.observe(seconds)

    def dispatched(self, report: DispatchReport) -> None:
        for outcome in SEND_OUTCOMES:
            if amount := getattr(report, outcome):
                self.sends.labels(outcome=outcome).inc(amount)
        if report.deferred:
            self.dispatch_waits.inc(report.deferred)
        for seconds in report.send_seconds:
            self.send_seconds.observe(seconds)
        for seconds in report.waited_seconds:
            self.rate_limit_wait_seconds.observe(seconds)

    def applied(self, report: InboxReport) -> None:
        for kind, amount in report.events.items():
            self.events_applied.labels(kind=kind).inc(amount)
        for seconds in report.applied_after:
            self.applied_after_seconds.observe(seconds)
        if report.failed:
            self.posts_failed.inc(len(report.failed))
        if report.quarantined:
            self.posts_quarantined.inc(len(report.quarantined))

    def render(self, depths: QueueDepths) -> bytes:
        self.outbox_depth.set(depths.outbox)
        self.inbox_backlog.set(depths.inbox_backlog)
        self.inbox_quarantined.set(depths.inbox_quarantined)
        return generate_latest(self.registry)
