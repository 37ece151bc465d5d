"""Prometheus metrics from a tiny in-process registry, with no client library to configure.

Counters are plain ints: the server runs on one event loop, and an increment never awaits, so
nothing can interleave with it. Their sources are chosen so that no use case learns about metrics:
- HTTP requests (and webhook POSTs accepted or refused) are counted by a middleware around every route;
- sends and applied webhook events are read from the live events the use cases already publish,
  by a follower started with the first request. The live events keep the latest 10,000, so the
  follower catches up with whatever was published before it started;
- queue depths are gauges, measured when Prometheus scrapes.
https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from application.operations import QueueDepths
from application.ports import LiveEvents
from application.records import LiveEvent

Labels = tuple[tuple[str, str], ...]

COUNTERS = {
    "wahub_http_requests_total": "HTTP requests answered, by route template, method and status",
    "wahub_webhook_posts_total": "Webhook POSTs from Meta: accepted (stored, 200) or refused (signature, size)",
    "wahub_webhook_events_applied_total": "Webhook events applied by the inbox worker, by kind",
    "wahub_sends_total": "Cloud API sends by outcome: sent (Meta accepted) or failed (Meta refused for good)",
}
GAUGES = {
    "wahub_outbox_depth": "Messages queued for the dispatcher",
    "wahub_inbox_backlog": "Stored webhook POSTs not yet applied (counted up to 10,000)",
}


class Metrics:
    def __init__(self) -> None:
        self._counters: dict[tuple[str, Labels], int] = {}
        self.follower: asyncio.Task[None] | None = None

    def count(self, name: str, **labels: str) -> None:
        key = (name, tuple(sorted(labels.items())))
        self._counters[key] = self._counters.get(key, 0) + 1

    def value(self, name: str, **labels: str) -> int:
        return self._counters.get((name, tuple(sorted(labels.items()))), 0)

    def request_answered(self, route: str, method: str, status: int) -> None:
        self.count("wahub_http_requests_total", route=route, method=method, status=str(status))
        if route == "/webhook" and method == "POST":
            self.count("wahub_webhook_posts_total", outcome="accepted" if status == 200 else "refused")

    def live_event(self, event: LiveEvent) -> None:
        for name, labels in _counted(event):
            self.count(name, **labels)

    def render(self, depths: QueueDepths) -> str:
        lines: list[str] = []
        for name, help_text in COUNTERS.items():
            lines += _header(name, help_text, "counter")
            samples = sorted((labels, value) for (metric, labels), value in self._counters.items() if metric == name)
            lines += [f"{name}{_labels(labels)} {value}" for labels, value in samples]
        gauges = {"wahub_outbox_depth": depths.outbox, "wahub_inbox_backlog": depths.inbox_backlog}
        for name, help_text in GAUGES.items():
            lines += [*_header(name, help_text, "gauge"), f"{name} {gauges[name]}"]
        return "\n".join(lines) + "\n"


async def follow(live_events: LiveEvents, metrics: Metrics) -> None:
    async for event in live_events.subscribe(after=None):
        metrics.live_event(event)


def _counted(event: LiveEvent) -> Iterable[tuple[str, dict[str, str]]]:
    """Only the dispatcher records `accepted`, and only a send Meta refused fails without a wamid.

    A PENDING template is one just created through the API; Meta's review webhooks move it on.
    """
    if event.type == "message.received":
        yield "wahub_webhook_events_applied_total", {"kind": "message"}
    elif event.type == "message.status":
        status, wamid = _status_of(event.data)
        if status == "accepted":
            yield "wahub_sends_total", {"outcome": "sent"}
        elif status == "failed" and wamid is None:
            yield "wahub_sends_total", {"outcome": "failed"}
        else:
            yield "wahub_webhook_events_applied_total", {"kind": "status"}
    elif event.type == "template.updated" and event.data.get("status") != "PENDING":
        yield "wahub_webhook_events_applied_total", {"kind": "template"}
    elif event.type in ("webhook.undecodable", "webhook.malformed"):
        yield "wahub_webhook_events_applied_total", {"kind": event.type.removeprefix("webhook.")}


def _status_of(message: dict[str, Any]) -> tuple[str | None, str | None]:
    status = message.get("status")
    current = status.get("status") if isinstance(status, dict) else None
    return current, message.get("wamid")


def _header(name: str, help_text: str, kind: str) -> list[str]:
    return [f"# HELP {name} {help_text}.", f"# TYPE {name} {kind}"]


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") for _, value in labels)
    return "{" + ",".join(f'{key}="{value}"' for (key, _), value in zip(labels, escaped, strict=True)) + "}"
