"""The work queue of one machine: the work is in the store the workers share, and an announcement only wakes them.

In one process the wake-up reaches the local workers; beside worker processes on one SQLite file it goes
down the link (entrypoints/link.py). A worker that misses one finds the work on its next poll of the store.
"""

from __future__ import annotations

from collections.abc import Callable

from application.ports import WorkKind


class WakeUpQueue:
    def __init__(self) -> None:
        self.on_publish: Callable[[WorkKind], None] = lambda kind: None
        """Set by the composition root once it knows who runs the workers."""

    async def publish(self, kind: WorkKind, work_id: str) -> None:
        self.on_publish(kind)
