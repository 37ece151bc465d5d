"""Prometheus metrics from a tiny in-process registry, with no client library to configure.

Counters are plain ints: the server runs on one event loop, and an increment never awaits, so
nothing can interleave with it. Their sources are chosen so that no use case learns about metrics:
- HTTP requests (and webhook POSTs accepted or refused) are counted by a middleware around every route;
- sends, retries, failures and rate-limit waits come from the dispatcher's report of each step,
  applied webhook events from the inbox worker's;
- queue depths are gauges, measured when Prometheus scrapes.
https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
"""

from __future__ import annotations

from application.dispatch_outbound import DispatchReport
from application.operations import QueueDepths
from application.process_inbox_event import InboxReport

Labels = tuple[tuple[str, str], ...]

COUNTERS = {
    "wahub_http_requests_total": "HTTP requests answered, by route template, method and status",
    "wahub_webhook_posts_total": "Webhook POSTs from Meta: accepted (stored, 200) or refused (signature, size)",
    "wahub_webhook_events_applied_total": "Webhook events applied by the inbox worker, by kind",
    "wahub_webhook_posts_failed_total": "Applications of a stored webhook POST that failed (each POST retries alone)",
    "wahub_webhook_posts_quarantined_total": "Stored webhook POSTs given up after too many failed applications",
    "wahub_sends_total": "Dispatcher outcomes: sent (Meta accepted), retried, failed (for good), dropped, unknown (held after a crash)",
    "wahub_dispatch_waits_total": "Sends held back by the throughput or pair rate limit, to be tried later",
}
GAUGES = {
    "wahub_outbox_depth": "Messages queued for the dispatcher",
    "wahub_inbox_backlog": "Stored webhook POSTs not yet applied (counted up to 10,000)",
    "wahub_inbox_quarantined": "Stored webhook POSTs quarantined and not replayed since (counted up to 10,000)",
}


class Metrics:
    def __init__(self) -> None:
        self._counters: dict[tuple[str, Labels], int] = {}

    def count(self, name: str, **labels: str) -> None:
        self.add(name, 1, **labels)

    def value(self, name: str, **labels: str) -> int:
        return self._counters.get((name, tuple(sorted(labels.items()))), 0)

    def request_answered(self, route: str, method: str, status: int) -> None:
        self.count("wahub_http_requests_total", route=route, method=method, status=str(status))
        if route == "/webhook" and method == "POST":
            self.count("wahub_webhook_posts_total", outcome="accepted" if status == 200 else "refused")

    def dispatched(self, report: DispatchReport) -> None:
        for outcome in ("sent", "retried", "failed", "dropped", "unknown"):
            self.add("wahub_sends_total", getattr(report, outcome), outcome=outcome)
        self.add("wahub_dispatch_waits_total", report.deferred)

    def add(self, name: str, amount: int, **labels: str) -> None:
        if amount:
            key = (name, tuple(sorted(labels.items())))
            self._counters[key] = self._counters.get(key, 0) + amount

    def applied(self, report: InboxReport) -> None:
        for kind, amount in report.events.items():
            self.add("wahub_webhook_events_applied_total", amount, kind=kind)
        self.add("wahub_webhook_posts_failed_total", len(report.failed))
        self.add("wahub_webhook_posts_quarantined_total", len(report.quarantined))

    def render(self, depths: QueueDepths) -> str:
        lines: list[str] = []
        for name, help_text in COUNTERS.items():
            lines += _header(name, help_text, "counter")
            samples = sorted((labels, value) for (metric, labels), value in self._counters.items() if metric == name)
            lines += [f"{name}{_labels(labels)} {value}" for labels, value in samples]
        gauges = {
            "wahub_outbox_depth": depths.outbox,
            "wahub_inbox_backlog": depths.inbox_backlog,
            "wahub_inbox_quarantined": depths.inbox_quarantined,
        }
        for name, help_text in GAUGES.items():
            lines += [*_header(name, help_text, "gauge"), f"{name} {gauges[name]}"]
        return "\n".join(lines) + "\n"


def _header(name: str, help_text: str, kind: str) -> list[str]:
    return [f"# HELP {name} {help_text}.", f"# TYPE {name} {kind}"]


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") for _, value in labels)
    return "{" + ",".join(f'{key}="{value}"' for (key, _), value in zip(labels, escaped, strict=True)) + "}"
