"""IngestWebhook: verify Meta's signature, store the raw POST, announce it to the workers, then Meta hears back.

Nothing is decoded or applied here: the 200 goes out only after the body is durable and its id was
announced on the work queue, so a crash can delay an event but never lose one. A store or an
announcement that fails fails the POST (Meta delivers it again); applying is idempotent, so the
copy stored before a failed announcement changes nothing twice when the inbox sweep applies it.
"""

from __future__ import annotations

from application.ports import Clock, Inbox, WorkQueue
from domain.webhook_signature import verify_signature


class IngestWebhook:
    def __init__(self, *, inbox: Inbox, work_queue: WorkQueue, app_secret: bytes, clock: Clock) -> None:
        self._inbox = inbox
        self._work_queue = work_queue
        self._app_secret = app_secret
        self._clock = clock

    async def __call__(self, untrusted_body: bytes, signature: str | None) -> str:
        verify_signature(self._app_secret, untrusted_body, signature)
        event_id = await self._inbox.append(untrusted_body, self._clock.now())
        await self._work_queue.publish("inbox", event_id)
        return event_id
