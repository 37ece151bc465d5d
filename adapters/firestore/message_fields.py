"""How a Message is laid out in its document: the record itself, plus the fields queries filter on."""

from __future__ import annotations

from typing import Any, NamedTuple

from adapters.firestore.documents import PAYLOAD, to_payload, utc
from domain.messages import Direction, Message

NO_PRICING_TYPE = ""
"""Older (conversation-based) pricing objects carry no type; they are counted under an empty one."""


class Tally(NamedTuple):
    """One count a message contributes to its day; `labels` are message fields, so a count query can refine it."""

    phone_number_id: str
    day: str
    metric: str
    labels: tuple[tuple[str, str | int], ...]


def message_fields(message: Message) -> dict[str, Any]:
    """Optional fields are left out rather than null: Firestore's sum ignores what is missing."""
    outbound = message.direction is Direction.OUTBOUND
    fields: dict[str, Any] = {
        PAYLOAD: to_payload(message),
        "id": message.id,
        "phone_number_id": message.phone_number_id,
        "customer_id": message.customer_id,
        "direction": str(message.direction),
        "status": str(message.status.status),
        "created_at": utc(message.created_at),
        "business_initiated": outbound and message.business_initiated,
        "responded": outbound and message.response_seconds is not None,
    }
    if outbound and message.response_seconds is not None:
        fields["response_seconds"] = float(message.response_seconds)
    return fields | dict(_failure_labels(message)) | dict(_pricing_labels(message))


def tallies(message: Message) -> set[Tally]:
    """The per-day counts aggregation queries cannot group by themselves: volume, failure code, pricing."""
    day = utc(message.created_at).date().isoformat()
    groups = [("volume", (("direction", str(message.direction)),)), ("failure", _failure_labels(message))]
    groups.append(("pricing", _pricing_labels(message)))
    return {Tally(message.phone_number_id, day, metric, labels) for metric, labels in groups if labels}


def _failure_labels(message: Message) -> tuple[tuple[str, str | int], ...]:
    failure = message.status.failure
    return () if failure is None else (("failure_code", failure.code), ("failure_title", failure.title))


def _pricing_labels(message: Message) -> tuple[tuple[str, str | int], ...]:
    pricing = message.pricing
    if pricing is None:
        return ()
    kind = pricing.type if pricing.type is not None else NO_PRICING_TYPE
    return (("pricing_category", pricing.category), ("pricing_type", kind))
