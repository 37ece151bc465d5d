"""ReceiveMessage: a customer's message is stored once (keyed by wamid) and its conversation updated.

Media in it is only recorded as due for download: the message never waits on Meta's media
servers, and the download worker fetches the bytes at once and retries until it has them.
"""

from __future__ import annotations

from application.live import message_event
from application.ports import Clock, ConversationStore, LiveEvents, MediaStore, MessageStore
from application.records import MediaDownload, MediaRecord
from domain.content import MediaContent, kind_of, preview
from domain.conversations import record_inbound
from domain.customers import customer_id_for
from domain.errors import InvalidIdentifier
from domain.ids import CustomerId, new_message_id
from domain.messages import Direction, Message
from domain.status import MessageStatus, StatusRecord
from domain.webhook_events import InboundMessageReceived

UNKNOWN_MIME_TYPE = "application/octet-stream"


class ReceiveMessage:
    def __init__(
        self,
        *,
        messages: MessageStore,
        conversations: ConversationStore,
        media: MediaStore,
        live_events: LiveEvents,
        clock: Clock,
    ) -> None:
        self._messages = messages
        self._conversations = conversations
        self._media = media
        self._live = live_events
        self._clock = clock

    async def __call__(self, event: InboundMessageReceived) -> None:
        customer_id = customer_id_for(event.identity)
        if customer_id is None:
            raise InvalidIdentifier(f"message {event.wamid} names no customer: neither a phone number nor a BSUID")
        message = _message(event, customer_id)
        first_delivery = await self._messages.add(message)
        await self._remember_media(event)
        await self._conversations.update(
            event.phone_number_id,
            customer_id,
            lambda current: record_inbound(
                current,
                phone_number_id=event.phone_number_id,
                customer_id=customer_id,
                identity=event.identity,
                wamid=event.wamid,
                at=event.at,
                preview=preview(event.content),
                customer_name=event.customer_name,
                first_delivery=first_delivery,
            ),
        )
        if first_delivery:
            await self._live.publish("message.received", message_event(message))

    async def _remember_media(self, event: InboundMessageReceived) -> None:
        """Runs on redelivery too, so media of a message stored just before a crash is still fetched."""
        content = event.content
        if not isinstance(content, MediaContent) or content.id is None:
            return
        if await self._media.get(content.id) is not None:
            return
        now = self._clock.now()
        await self._media.save(
            MediaRecord(
                id=content.id,
                kind=kind_of(content),
                mime_type=content.mime_type or UNKNOWN_MIME_TYPE,
                created_at=now,
                direction="inbound",
                filename=getattr(content, "filename", None),
                download=MediaDownload(due_at=now),
            )
        )


def _message(event: InboundMessageReceived, customer_id: CustomerId) -> Message:
    return Message(
        id=new_message_id(),
        direction=Direction.INBOUND,
        phone_number_id=event.phone_number_id,
        customer_id=customer_id,
        identity=event.identity,
        content=event.content,
        created_at=event.at,
        status=StatusRecord(status=MessageStatus.DELIVERED, reached_at={MessageStatus.DELIVERED: event.at}),
        wamid=event.wamid,
        context=event.context,
        referral=event.referral,
        customer_name=event.customer_name,
    )
