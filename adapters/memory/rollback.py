"""Undo for the in-memory stores: a unit of work that fails half-way leaves them as it found them.

The stores keep immutable values (frozen records, or copies made on the way in and out) in dicts,
some of lists they append to; a copy of each dict, its lists copied too, is all it takes to undo.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Restore = Callable[[], None]


def saved(*tables: dict[Any, Any]) -> Restore:
    """Put back, in place (others hold references to these dicts), what the tables hold now."""
    copies = [(table, {key: list(v) if isinstance(v, list) else v for key, v in table.items()}) for table in tables]

    def restore() -> None:
        for table, copy in copies:
            table.clear()
            table.update(copy)

    return restore
