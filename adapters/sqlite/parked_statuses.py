"""Statuses that arrived before their message's send was recorded, kept per wamid in arrival order."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import msgspec

from domain.ids import Wamid
from domain.messages import Pricing
from domain.status import StatusEvent

ParkedStatus = tuple[StatusEvent, Pricing | None]

_encode = msgspec.msgpack.Encoder().encode
_decode_event = msgspec.msgpack.Decoder(StatusEvent).decode
_decode_pricing = msgspec.msgpack.Decoder(Pricing).decode


def park(connection: sqlite3.Connection, wamid: Wamid, event: StatusEvent, pricing: Pricing | None) -> None:
    connection.execute(
        "INSERT INTO parked_statuses (wamid, event, pricing) VALUES (?, ?, ?)",
        (wamid, _encode(event), None if pricing is None else _encode(pricing)),
    )


def take_parked(connection: sqlite3.Connection, wamid: Wamid) -> list[ParkedStatus]:
    """Runs on the writer, so a status parked concurrently is either taken now or left for the next take."""
    rows = connection.execute(
        "SELECT event, pricing FROM parked_statuses WHERE wamid = ? ORDER BY seq", (wamid,)
    ).fetchall()
    connection.execute("DELETE FROM parked_statuses WHERE wamid = ?", (wamid,))
    return [(_decode_event(event), None if pricing is None else _decode_pricing(pricing)) for event, pricing in rows]


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
