"""Statuses that arrived before their message's send was recorded, kept per wamid in arrival order."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import msgspec

from application.records import ParkedStatus
from domain.ids import Wamid
from domain.messages import BillingConversation, Pricing
from domain.status import StatusEvent

PARKED_CONVERSATIONS = "ALTER TABLE parked_statuses ADD COLUMN conversation BLOB;"
"""Meta's `conversation` object of a status is parked with it, as `pricing` is (rows before: NULL)."""

_encode = msgspec.msgpack.Encoder().encode
_decode_event = msgspec.msgpack.Decoder(StatusEvent).decode
_decode_pricing = msgspec.msgpack.Decoder(Pricing).decode
_decode_conversation = msgspec.msgpack.Decoder(BillingConversation).decode


def park(connection: sqlite3.Connection, wamid: Wamid, parked: ParkedStatus) -> None:
    connection.execute(
        "INSERT INTO parked_statuses (wamid, event, pricing, conversation) VALUES (?, ?, ?, ?)",
        (wamid, _encode(parked.event), _optional(parked.pricing), _optional(parked.conversation)),
    )


def _optional(value: Pricing | BillingConversation | None) -> bytes | None:
    return None if value is None else _encode(value)


def take_parked(connection: sqlite3.Connection, wamid: Wamid) -> list[ParkedStatus]:
    """Runs on the writer, so a status parked concurrently is either taken now or left for the next take."""
    rows = connection.execute(
        "SELECT event, pricing, conversation FROM parked_statuses WHERE wamid = ? ORDER BY seq", (wamid,)
    ).fetchall()
    connection.execute("DELETE FROM parked_statuses WHERE wamid = ?", (wamid,))
    return [
        ParkedStatus(
            event=_decode_event(event),
            pricing=None if pricing is None else _decode_pricing(pricing),
            conversation=None if conversation is None else _decode_conversation(conversation),
        )
        for event, pricing, conversation in rows
    ]


def prune_parked(connection: sqlite3.Connection, reported_before: datetime, limit: int) -> int:
    """Reads in parking order, so each wamid is judged by its first parked status (its time is inside the
    encoded event, decoded here rather than kept in a column)."""
    judged: set[str] = set()
    doomed: list[tuple[str]] = []
    for wamid, event in connection.execute("SELECT wamid, event FROM parked_statuses ORDER BY seq"):
        if len(doomed) >= limit:
            break
        if wamid not in judged:
            judged.add(wamid)
            if _decode_event(event).at < reported_before:
                doomed.append((wamid,))
    connection.executemany("DELETE FROM parked_statuses WHERE wamid = ?", doomed)
    return len(doomed)
