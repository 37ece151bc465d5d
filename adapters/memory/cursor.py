"""Paging newest first by (time, id): the cursor names the last item shown, so inserts never shift pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import TypeVar

from application.records import Page
from domain.errors import DomainError

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
    return Page(items=page, next_cursor=encode_cursor(position(page[-1])) if more else None)


def encode_cursor(position: Position) -> str:
    at, key = position
    return f"{at.astimezone(timezone.utc).isoformat()}|{key}"


def decode_cursor(cursor: str) -> Position:
    at_text, separator, key = cursor.partition("|")
    try:
        at = datetime.fromisoformat(at_text)
    except ValueError:
        at = None
    if not separator or at is None or at.tzinfo is None:
        raise DomainError(
            f"{cursor!r} is not a paging cursor: pass back the next_cursor of the previous page unchanged"
        )
    return at, key
