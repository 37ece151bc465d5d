"""ReceiveMessage: a customer's message is stored once (keyed by wamid) and its conversation updated.

Media in it is only recorded as due for download: the message never waits on Meta's media
servers, and the download worker fetches the bytes at once and retries until it has them.
"""

from __future__ import annotations

from application.change_message import ChangeMessage
from application.live import message_event
from application.ports import Clock, ConversationStore, CustomerDirectory, LiveEvents, MediaStore, MessageStore
from application.records import MediaDownload, MediaRecord
from domain.content import MediaContent, Reaction, kind_of, preview
from domain.conversations import record_inbound
from domain.customers import Sighting
from domain.errors import InvalidIdentifier
from domain.ids import CustomerId, Wamid, is_wamid, new_message_id
from domain.message_changes import ReactionChange
from domain.messages import Direction, Message
from domain.status import MessageStatus, StatusRecord
from domain.webhook_events import InboundMessageReceived, MessageChanged

UNKNOWN_MIME_TYPE = "application/octet-stream"


class ReceiveMessage:
    def __init__(
        self,
        *,
        messages: MessageStore,
        conversations: ConversationStore,
        customers: CustomerDirectory,
        media: MediaStore,
        live_events: LiveEvents,
        clock: Clock,
    ) -> None:
        self._messages = messages
        self._customers = customers
        self._changes = ChangeMessage(messages=messages, live_events=live_events)
        self._conversations = conversations
        self._media = media
        self._live = live_events
        self._clock = clock

    async def __call__(self, event: InboundMessageReceived) -> None:
        customer = await self._customers.identify(Sighting(identity=event.identity, former=event.former, at=event.at))
        if customer is None:
            raise InvalidIdentifier(f"message {event.wamid} names no customer: neither a phone number nor a BSUID")
        customer_id = customer.id
        message = _message(event, customer_id)
        await self._remember_media(event)
        first_delivery = await self._messages.add(message)
        await self._conversations.update(
            event.phone_number_id,
            customer_id,
            lambda current: record_inbound(
                current,
                phone_number_id=event.phone_number_id,
                customer_id=customer_id,
                identity=customer.identity,
                wamid=event.wamid,
                at=event.at,
                preview=preview(event.content),
                customer_name=event.customer_name,
                first_delivery=first_delivery,
            ),
        )
        if first_delivery:
            await self._live.publish("message.received", message_event(message))
        await self._changes.apply_parked(message)
        if isinstance(event.content, Reaction) and is_wamid(event.content.message_id):
            reaction = ReactionChange(wamid=event.wamid, at=event.at, emoji=event.content.emoji)
            await self._changes(Wamid(event.content.message_id), reaction)

    async def change(self, event: MessageChanged) -> None:
        """An edit or deletion: its sender is identified like any customer's, then the change applied."""
        await self._customers.identify(Sighting(identity=event.identity, at=event.change.at))
        await self._changes(event.original_wamid, event.change)

    async def _remember_media(self, event: InboundMessageReceived) -> None:
        """Before the message is stored, so whoever sees the message can fetch its media; runs on redelivery
        too, so media of a message stored just before a crash is still fetched."""
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
