"""What is kept only for a while, pruned: applied webhook POSTs, expired Idempotency-Keys, orphan parked statuses.

An applied POST is kept `keep` long, for an operator to look at and in case a bug calls for replaying it;
a parked status whose send was never recorded here is kept as long, in case that send's record arrives
late. Each call prunes one bounded batch of each, one short write each, so the store's writer is busy
for a moment at a time and webhooks keep being stored between batches.
"""

from __future__ import annotations

from datetime import timedelta

from application.ports import Clock, IdempotencyKeys, Inbox, MessageStore

PRUNE_BATCH = 200
"""Rows (or documents) per kind and call: well under Firestore's 500 writes per batch."""


class PruneRetained:
    def __init__(
        self,
        *,
        inbox: Inbox,
        idempotency_keys: IdempotencyKeys,
        messages: MessageStore,
        clock: Clock,
        keep: timedelta,
        batch: int = PRUNE_BATCH,
    ) -> None:
        self._inbox = inbox
        self._idempotency_keys = idempotency_keys
        self._messages = messages
        self._clock = clock
        self._keep = keep
        self._batch = batch

    async def __call__(self) -> int:
        """How many went in this batch; as many as the batch allows means more are waiting."""
        now = self._clock.now()
        before = now - self._keep
        pruned = await self._inbox.prune_processed(before, self._batch)
        pruned += await self._idempotency_keys.prune_expired(now, self._batch)
        pruned += await self._messages.prune_parked_statuses(before, self._batch)
        return pruned
