"""A customer's message as the change it makes: stored once (keyed by wamid), its conversation updated.

Media in it is only recorded as due for download: the message never waits on Meta's media
servers, and the download worker fetches the bytes at once and retries until it has them. The
record is written only when none exists yet, so a redelivery keeps a download's progress, and a
message stored just before a crash still has its media fetched when the POST is applied again.
"""

from __future__ import annotations

from datetime import datetime

from application.post_changes import Receive
from application.records import MediaDownload, MediaRecord
from domain.content import MediaContent, kind_of, preview
from domain.conversations import Conversation, record_inbound
from domain.customers import customer_id_for
from domain.errors import InvalidIdentifier
from domain.ids import CustomerId, new_message_id
from domain.messages import Direction, Message
from domain.status import MessageStatus, StatusRecord
from domain.webhook_events import InboundMessageReceived

UNKNOWN_MIME_TYPE = "application/octet-stream"


def receive(event: InboundMessageReceived, now: datetime) -> Receive:
    customer_id = customer_id_for(event.identity)
    if customer_id is None:
        raise InvalidIdentifier(f"message {event.wamid} names no customer: neither a phone number nor a BSUID")

    def conversation(current: Conversation | None, first_delivery: bool) -> Conversation:
        return record_inbound(
            current,
            phone_number_id=event.phone_number_id,
            customer_id=customer_id,
            identity=event.identity,
            wamid=event.wamid,
            at=event.at,
            preview=preview(event.content),
            customer_name=event.customer_name,
            first_delivery=first_delivery,
        )

    return Receive(message=_message(event, customer_id), media=_media(event, now), conversation=conversation)


def _media(event: InboundMessageReceived, now: datetime) -> MediaRecord | None:
    content = event.content
    if not isinstance(content, MediaContent) or content.id is None:
        return None
    return MediaRecord(
        id=content.id,
        kind=kind_of(content),
        mime_type=content.mime_type or UNKNOWN_MIME_TYPE,
        created_at=now,
        direction="inbound",
        filename=getattr(content, "filename", None),
        download=MediaDownload(due_at=now),
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
