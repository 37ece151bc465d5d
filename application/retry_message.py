"""RetryMessage: send a failed message again as a new attempt with its own id.

The failed message keeps its failure (what happened stays true); the new one goes through every
check of a fresh send, because the window or the template may have changed since.
"""

from __future__ import annotations

from application.ports import MessageStore
from application.send_message import SendCommand, SendMessage, SendResult
from domain.content import is_outbound
from domain.errors import NotFound, NotRetryable
from domain.ids import MessageId
from domain.messages import Direction
from domain.status import MessageStatus


class RetryMessage:
    def __init__(self, *, messages: MessageStore, send_message: SendMessage) -> None:
        self._messages = messages
        self._send = send_message

    async def __call__(self, message_id: MessageId) -> SendResult:
        failed = await self._messages.get(message_id)
        if failed is None or failed.direction is not Direction.OUTBOUND:
            raise NotFound(f"no outbound message with id {message_id}")
        if failed.status.status is not MessageStatus.FAILED:
            raise NotRetryable(f"message {message_id} is {failed.status.status}; only failed messages can be retried")
        assert is_outbound(failed.content), "outbound messages hold outbound content"
        return await self._send(
            SendCommand(
                phone_number_id=failed.phone_number_id,
                to=failed.customer_id,
                content=failed.content,
                context=failed.context,
                retry_of=failed.id,
            )
        )
