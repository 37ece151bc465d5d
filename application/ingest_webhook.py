"""IngestWebhook: verify Meta's signature, then store the raw POST before Meta hears back.

Nothing is decoded or applied here: the 200 goes out only after the body is durable, and the
inbox worker applies it afterwards, so a crash can delay an event but never lose one.
"""

from __future__ import annotations

from application.ports import Clock, Inbox
from domain.webhook_signature import verify_signature


class IngestWebhook:
    def __init__(self, *, inbox: Inbox, app_secret: bytes, clock: Clock) -> None:
        self._inbox = inbox
        self._app_secret = app_secret
        self._clock = clock

    async def __call__(self, untrusted_body: bytes, signature: str | None) -> str:
        verify_signature(self._app_secret, untrusted_body, signature)
        return await self._inbox.append(untrusted_body, self._clock.now())
