"""The analytics reports as tables, without Qt: what each chart draws, shows on hover and exports as CSV.

One table per report, read from the API's answer as it is: the server computes every figure (rates,
percentiles, cost), the desktop only lays them out. The period each chart covers is chosen here too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(["" if value is None else value for value in row] for row in self.rows)
        return out.getvalue()

    def column(self, name: str) -> list[Any]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime


def period(choice: str, now: datetime, first: date | None = None, last: date | None = None) -> Period:
    """`today`, `7d`, `30d`, or `custom` from the first to the last day inclusive, in `now`'s time zone."""
    zone = now.tzinfo
    if choice == "today":
        return Period(datetime.combine(now.date(), time(), zone), now)
    if choice in ("7d", "30d"):
        return Period(now - timedelta(days=int(choice[:-1])), now)
    if first is None or last is None:
        raise ValueError("a custom period needs its first and last day")
    return Period(datetime.combine(first, time(), zone), datetime.combine(last + timedelta(days=1), time(), zone))


def volumes(answer: dict[str, Any]) -> Table:
    return Table(("day", "inbound", "outbound"), [(d["day"], d["inbound"], d["outbound"]) for d in answer["days"]])


def funnel(answer: dict[str, Any]) -> Table:
    """Each step with its count and its rate over the step before (failed: over queued)."""
    if not answer["queued"]:
        return Table(("step", "count", "rate"), [])
    rates = {"sent": "sent_rate", "delivered": "delivery_rate", "read": "read_rate", "failed": "failure_rate"}
    steps = ("queued", "sent", "delivered", "read", "failed")
    return Table(
        ("step", "count", "rate"),
        [(step, answer[step], answer[rates[step]] if step in rates else None) for step in steps],
    )


def failures(answer: dict[str, Any]) -> Table:
    return Table(("code", "title", "count"), [(f["code"], f["title"], f["count"]) for f in answer["failures"]])


def response_times(answer: dict[str, Any]) -> Table:
    return Table(
        ("day", "responses", "median_seconds", "p90_seconds"),
        [(d["day"], d["responses"], d["median_seconds"], d["p90_seconds"]) for d in answer["days"]],
    )


def pricing(answer: dict[str, Any]) -> Table:
    return Table(
        ("category", "type", "count", f"estimated_cost_{answer['currency']}"),
        [(r["category"], r["type"], r["count"], r["estimated_cost"]) for r in answer["rows"]],
    )


def heatmap(answer: dict[str, Any]) -> Table:
    """Only hours with customer messages; weekday 0 is Monday."""
    cells = [c for c in answer["cells"] if c["count"]]
    return Table(("weekday", "hour", "count"), [(WEEKDAYS[c["weekday"]], c["hour"], c["count"]) for c in cells])


def templates(answer: dict[str, Any]) -> Table:
    return Table(
        ("name", "language", "sent", "delivered", "read", "failed", "read_rate"),
        [
            (t["name"], t["language"], t["sent"], t["delivered"], t["read"], t["failed"], t["read_rate"])
            for t in answer["templates"]
        ],
    )


def closing_windows(answer: dict[str, Any]) -> Table:
    return Table(
        ("customer", "customer_id", "phone_number_id", "window_closes_at", "awaiting_reply_since"),
        [
            (
                c.get("customer_name") or c.get("username") or c["customer_id"],
                c["customer_id"],
                c["phone_number_id"],
                c.get("window_closes_at"),
                c.get("awaiting_reply_since"),
            )
            for c in answer["conversations"]
        ],
    )


@dataclass(frozen=True)
class Report:
    name: str
    """The route under /v1/analytics/."""
    title: str
    table: Callable[[dict[str, Any]], Table]
    empty: str


REPORTS = (
    Report("volumes", "Messages per day", volumes, "No message in this period."),
    Report("funnel", "Outbound status funnel", funnel, "Nothing was sent in this period."),
    Report("failures", "Failures by Meta error code", failures, "No failed message in this period."),
    Report("response-times", "First response time", response_times, "No first response in this period."),
    Report("pricing", "Messages by pricing category", pricing, "No priced message in this period."),
    Report("heatmap", "Customer messages by weekday and hour", heatmap, "No customer message in this period."),
    Report("templates", "Templates", templates, "No template sent in this period."),
    Report("closing-windows", "About to lose the window", closing_windows, "No window closes in the next 2 hours."),
)
