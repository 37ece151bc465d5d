"""Edits, deletions and reactions that arrived before the message they change, kept per wamid in arrival order."""

from __future__ import annotations

import sqlite3

import msgspec

from domain.ids import Wamid
from domain.message_changes import MessageChange

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(MessageChange).decode

PARKED_CHANGES = """
CREATE TABLE parked_changes (seq INTEGER PRIMARY KEY, wamid TEXT NOT NULL, change BLOB NOT NULL);
CREATE INDEX parked_changes_by_wamid ON parked_changes (wamid, seq);
"""


def park_change(connection: sqlite3.Connection, wamid: Wamid, change: MessageChange) -> None:
    connection.execute("INSERT INTO parked_changes (wamid, change) VALUES (?, ?)", (wamid, _encode(change)))


def take_parked_changes(connection: sqlite3.Connection, wamid: Wamid) -> list[MessageChange]:
    rows = connection.execute("SELECT change FROM parked_changes WHERE wamid = ? ORDER BY seq", (wamid,)).fetchall()
    connection.execute("DELETE FROM parked_changes WHERE wamid = ?", (wamid,))
    return [_decode(change) for (change,) in rows]
