"""Templates follow Meta's lifecycle; media is checked before upload; reading clears the unread count."""

from __future__ import annotations

import hashlib

import pytest

from application.send_message import SendCommand
from domain.content import Template, TemplateLanguage
from domain.errors import InvalidTemplate, MediaRejected, TemplateNotSendable
from domain.ids import CustomerId, PhoneNumberId, WabaId
from domain.meta_errors import CloudApiError
from domain.templates import MessageTemplate, TemplateCategory, TemplateComponent, TemplateStatus
from domain.webhook_signature import sign
from tests.unit.application.conftest import APP_SECRET, Harness
from tests.unit.application.meta_webhooks import (
    BUSINESS_NUMBER_ID,
    ENTRY_TIME,
    WABA_ID,
    envelope,
    messages_change,
    template_status_change,
    text_message,
)

NUMBER = PhoneNumberId(BUSINESS_NUMBER_ID)
CUSTOMER = CustomerId("16505551234")
ORDER_UPDATE = MessageTemplate(
    name="order_update",
    language="en_US",
    category=TemplateCategory.UTILITY,
    components=[TemplateComponent(type="BODY", text="Your order is on its way.")],
)


async def test_a_created_template_is_pending_until_metas_webhook_approves_it(harness: Harness) -> None:
    created = await harness.create_template(ORDER_UPDATE)
    assert created.status is TemplateStatus.PENDING and created.id is not None
    send = SendCommand(
        phone_number_id=NUMBER, to=CUSTOMER, content=Template(name="order_update", language=TemplateLanguage(code="en_US"))
    )
    with pytest.raises(TemplateNotSendable, match="PENDING"):
        await harness.send_message(send)

    await harness.receive(
        envelope(template_status_change(template_id=int(created.id), name="order_update", language="en_US", event="APPROVED"))
    )

    stored = await harness.stores.templates.get("order_update", "en_US")
    assert stored is not None and stored.status is TemplateStatus.APPROVED
    assert (await harness.send_message(send)).message.business_initiated


async def test_a_rejection_keeps_metas_reason(harness: Harness) -> None:
    created = await harness.create_template(ORDER_UPDATE)
    assert created.id is not None

    await harness.receive(
        envelope(
            template_status_change(
                template_id=int(created.id), name="order_update", language="en_US", event="REJECTED", reason="INVALID_FORMAT"
            )
        )
    )

    stored = await harness.stores.templates.get("order_update", "en_US")
    assert stored is not None and (stored.status, stored.rejected_reason) == (TemplateStatus.REJECTED, "INVALID_FORMAT")


async def test_status_webhooks_applied_out_of_order_leave_the_latest_status(harness: Harness) -> None:
    created = await harness.create_template(ORDER_UPDATE)
    assert created.id is not None
    change = {"template_id": int(created.id), "name": "order_update", "language": "en_US"}
    approved = envelope(template_status_change(**change, event="APPROVED"), time=ENTRY_TIME)
    paused = envelope(template_status_change(**change, event="PAUSED"), time=ENTRY_TIME + 3600)

    for body in (paused, approved):
        await harness.ingest_webhook(body, sign(APP_SECRET, body))
    await harness.process_inbox_event.process_pending()

    stored = await harness.stores.templates.get("order_update", "en_US")
    assert stored is not None and stored.status is TemplateStatus.PAUSED


async def test_an_invalid_template_is_refused_before_it_reaches_meta(harness: Harness) -> None:
    with pytest.raises(InvalidTemplate, match="name"):
        await harness.create_template(
            MessageTemplate(
                name="Order Update!", language="en_US", category=TemplateCategory.UTILITY, components=ORDER_UPDATE.components
            )
        )
    assert harness.cloud_api.templates == {}


async def test_sync_mirrors_metas_list(harness: Harness) -> None:
    await harness.create_template(ORDER_UPDATE)
    await harness.stores.templates.save(
        MessageTemplate(name="gone_at_meta", language="en_US", category=TemplateCategory.MARKETING, components=[])
    )

    synced = await harness.sync_templates()

    assert [t.name for t in synced] == ["order_update"]
    assert [t.name for t in await harness.stores.templates.list()] == ["order_update"]


async def test_deleting_a_template_deletes_it_at_meta_and_locally(harness: Harness) -> None:
    await harness.create_template(ORDER_UPDATE)

    deleted = await harness.delete_template("order_update", "en_US")

    assert deleted == 1
    assert await harness.stores.templates.get("order_update", "en_US") is None
    assert await harness.cloud_api.list_templates(WabaId(WABA_ID)) == []


async def test_an_image_upload_is_recorded_with_its_size_and_sha256(harness: Harness) -> None:
    data = b"\xff\xd8\xff" + b"\x00" * 1024

    record = await harness.upload_media(NUMBER, data, "image/jpeg", "receipt.jpg")

    assert (record.kind, record.size, record.sha256) == ("image", len(data), hashlib.sha256(data).hexdigest())
    assert await harness.stores.media.get(record.id) == record


@pytest.mark.parametrize(
    ("mime_type", "size", "reason"),
    [("image/gif", 10, "image/gif"), ("image/png", 5_000_001, "5 MB"), ("application/x-msdownload", 10, "x-msdownload")],
)
async def test_media_whatsapp_refuses_is_refused_before_upload(harness: Harness, mime_type: str, size: int, reason: str) -> None:
    with pytest.raises(MediaRejected, match=reason):
        await harness.upload_media(NUMBER, b"\x00" * size, mime_type, "file")
    assert harness.cloud_api.media == {}


async def test_uploaded_media_is_read_back_from_the_blob_store_without_asking_meta(harness: Harness) -> None:
    uploaded = await harness.upload_media(NUMBER, b"\x89PNG" + b"\x00" * 64, "image/png", "logo.png")
    harness.cloud_api.fail_next(CloudApiError(131000, "Something went wrong", http_status=500), operation="media_url")

    record, data = await harness.read_media(uploaded.id)

    assert data == b"\x89PNG" + b"\x00" * 64 and record == uploaded


async def test_marking_a_conversation_read_sends_the_newest_inbound_wamid_and_clears_unread(harness: Harness) -> None:
    for n in (1, 2):
        message = text_message(wamid=f"wamid.IN{n}", sender=CUSTOMER, body=f"message {n}", at=harness.clock.advance(1))
        await harness.receive(envelope(messages_change(messages=[message])))

    conversation = await harness.mark_as_read(NUMBER, CUSTOMER, typing=True)

    assert conversation.unread_count == 0
    [marked] = harness.cloud_api.marked_read
    assert (marked.wamid, marked.typing) == ("wamid.IN2", True)


async def test_a_failed_mark_as_read_keeps_the_unread_count(harness: Harness) -> None:
    message = text_message(wamid="wamid.IN1", sender=CUSTOMER, body="hi", at=harness.clock.now())
    await harness.receive(envelope(messages_change(messages=[message])))
    harness.cloud_api.fail_next(CloudApiError(131000, "Something went wrong", http_status=500), operation="mark_read")

    with pytest.raises(CloudApiError):
        await harness.mark_as_read(NUMBER, CUSTOMER)

    conversation = await harness.stores.conversations.get(NUMBER, CUSTOMER)
    assert conversation is not None and conversation.unread_count == 1
