"""Paging newest first by (time, id): the cursor names the last item shown, so inserts never shift pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from application.paging import decode_cursor, encode_cursor
from application.records import Page

T = TypeVar("T")
Position = tuple[datetime, str]


def newest_first_page(items: Iterable[T], position: Callable[[T], Position], cursor: str | None, limit: int) -> Page[T]:
    """Ties on time are broken by id, descending too, so every item has exactly one place in the order."""
    ordered = sorted(items, key=position, reverse=True)
    if cursor is not None:
        after = decode_cursor(cursor)
        ordered = [item for item in ordered if position(item) < after]
    page = ordered[:limit]
    more = len(ordered) > len(page) and bool(page)
    return Page(items=page, next_cursor=encode_cursor(*position(page[-1])) if more else None)
