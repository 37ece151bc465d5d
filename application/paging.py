"""Paging cursors: the last item's time (ISO, UTC) and key, the same text for every store.

A cursor names a position rather than an offset, so messages arriving while an agent scrolls
never shift a page; one format for all stores keeps a client's saved cursor meaningful after a
move between them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from domain.errors import InvalidCursor


def encode_cursor(at: datetime, key: str) -> str:
    return f"{at.astimezone(UTC).isoformat()}|{key}"


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    at_text, separator, key = cursor.partition("|")
    try:
        at: datetime | None = datetime.fromisoformat(at_text)
    except ValueError:
        at = None
    if not separator or not key or at is None or at.tzinfo is None:
        raise InvalidCursor(f"{cursor!r} is not a paging cursor: pass back the next_cursor of the previous page unchanged")
    return at, key
