"""PostWriter contract: one POST's changes and its processed mark, written together, idempotent when written again."""

from __future__ import annotations

import msgspec
import pytest

from application.post_changes import ChangeMessage, ChangeTemplate, PostChanges, Receive, ReportStatus
from application.records import MediaDownload, MediaRecord
from domain.content import Text
from domain.conversations import DELETED_PREVIEW, Conversation, record_inbound
from domain.customers import CustomerIdentity
from domain.ids import WaId
from domain.message_changes import Edit, Revoke
from domain.messages import with_status
from domain.status import MessageStatus, StatusEvent
from domain.templates import MessageTemplate, TemplateStatus
from domain.templates import with_status as template_with_status
from tests.contract.conftest import Stores
from tests.contract.examples import ALICE, MONDAY, SHOP_NUMBER, inbound, message_id, minutes, outbound, wamid

POST = b'{"object":"whatsapp_business_account","entry":[]}'


def received(n: int) -> Receive:
    message = inbound(n, at=MONDAY + minutes(n), wamid=wamid(n))

    def conversation(current: Conversation | None, first: bool) -> Conversation:
        return record_inbound(
            current, phone_number_id=SHOP_NUMBER, customer_id=ALICE, identity=CustomerIdentity(wa_id=WaId(ALICE)),
            wamid=wamid(n), at=message.created_at,
            preview=f"message {n}", customer_name="Alice", first_delivery=first,
        )

    media = MediaRecord(id=f"media{n}", kind="image", mime_type="image/jpeg", created_at=MONDAY, direction="inbound",
                        download=MediaDownload(due_at=MONDAY))
    return Receive(message=msgspec.structs.replace(message, id=message_id(100 + n)), media=media, conversation=conversation)


def delivered(n: int, *, ours: bool) -> ReportStatus:
    event = StatusEvent(status=MessageStatus.DELIVERED, at=MONDAY + minutes(5))
    return ReportStatus(
        message_id=message_id(n) if ours else None, wamid=wamid(n), event=event, pricing=None, conversation=None,
        change=lambda m: with_status(m, event, wamid=wamid(n)),
    )


async def test_a_post_is_written_whole_and_marked_processed(stores: Stores) -> None:
    await stores.messages.add(outbound(7))
    event_id = await stores.inbox.append(POST, MONDAY)
    post = PostChanges(
        inbox_event_id=event_id, processed_at=MONDAY + minutes(9),
        received=[received(1), received(2)], statuses=[delivered(7, ours=True), delivered(8, ours=False)],
    )

    outcome = await stores.post_writer.write(post)

    assert outcome.first_deliveries == [True, True]
    [applied, parked] = outcome.statuses
    assert parked is None and applied is not None
    assert (applied.before.status.status, applied.after.status.status) == (MessageStatus.QUEUED, MessageStatus.DELIVERED)
    stored = await stores.messages.find_by_wamid(wamid(7))
    assert stored is not None and stored.status.status is MessageStatus.DELIVERED
    conversation = await stores.conversations.get(SHOP_NUMBER, ALICE)
    assert conversation is not None and (conversation.unread_count, conversation.last_inbound_wamid) == (2, wamid(2))
    assert [m.wamid for m in (await stores.messages.history(SHOP_NUMBER, ALICE, cursor=None, limit=10)).items] == [
        wamid(2), wamid(1), wamid(7),
    ]
    assert await stores.media.get("media1") is not None
    assert [p.event for p in await stores.messages.take_parked_statuses(wamid(8))] == [post.statuses[1].event]
    assert await stores.inbox.unprocessed(10) == []


async def test_writing_the_same_post_again_changes_nothing(stores: Stores) -> None:
    event_id = await stores.inbox.append(POST, MONDAY)
    post = PostChanges(inbox_event_id=event_id, processed_at=MONDAY, received=[received(1), received(1)])

    first = await stores.post_writer.write(post)
    again = await stores.post_writer.write(post)

    assert (first.first_deliveries, again.first_deliveries) == ([True, False], [False, False])
    conversation = await stores.conversations.get(SHOP_NUMBER, ALICE)
    assert conversation is not None and conversation.unread_count == 1


async def test_a_redelivery_keeps_the_media_downloads_progress(stores: Stores) -> None:
    event_id = await stores.inbox.append(POST, MONDAY)
    change = received(1)
    fetched = msgspec.structs.replace(change.media, download=None, sha256="ab" * 32, size=3)  # type: ignore[type-var]
    await stores.media.save(fetched)

    await stores.post_writer.write(PostChanges(inbox_event_id=event_id, processed_at=MONDAY, received=[change]))

    assert await stores.media.get("media1") == fetched


async def test_a_status_of_a_send_named_by_our_id_records_its_wamid(stores: Stores) -> None:
    await stores.messages.add(outbound(3))
    event_id = await stores.inbox.append(POST, MONDAY)

    await stores.post_writer.write(
        PostChanges(inbox_event_id=event_id, processed_at=MONDAY, statuses=[delivered(3, ours=True)])
    )

    found = await stores.messages.find_by_wamid(wamid(3))
    assert found is not None and found.id == message_id(3)


async def test_a_template_is_changed_by_name_or_else_by_metas_id(stores: Stores) -> None:
    template = msgspec.json.decode(
        b'{"name":"order_update","language":"en_US","category":"UTILITY","components":[{"type":"BODY","text":"Hi"}],'
        b'"id":"1234","status":"PENDING"}',
        type=MessageTemplate,
    )
    await stores.templates.save(template)
    event_id = await stores.inbox.append(POST, MONDAY)

    def approve(t: MessageTemplate) -> MessageTemplate | None:
        return template_with_status(t, TemplateStatus.APPROVED, None, MONDAY)

    changes = [
        ChangeTemplate(name="order_update", language="en_US", template_id="1234", change=approve),
        ChangeTemplate(name="renamed", language="en_US", template_id="1234", change=approve),
        ChangeTemplate(name="unknown", language="en_US", template_id="999", change=approve),
    ]
    outcome = await stores.post_writer.write(PostChanges(inbox_event_id=event_id, processed_at=MONDAY, templates=changes))

    assert [t is not None and t.status for t in outcome.templates] == [TemplateStatus.APPROVED, TemplateStatus.APPROVED, False]
    stored = await stores.templates.get("order_update", "en_US")
    assert stored is not None and stored.status is TemplateStatus.APPROVED



async def test_a_change_that_raises_leaves_no_trace_of_the_post(stores: Stores) -> None:
    """All or nothing: the messages, conversation, media, parked status and processed mark before it are undone."""
    await stores.messages.add(outbound(7))
    await stores.templates.save(
        msgspec.json.decode(
            b'{"name":"order_update","language":"en_US","category":"UTILITY","components":[{"type":"BODY","text":"Hi"}],'
            b'"id":"1234","status":"PENDING"}',
            type=MessageTemplate,
        )
    )
    event_id = await stores.inbox.append(POST, MONDAY)

    def broken(template: MessageTemplate) -> MessageTemplate | None:
        raise ValueError("a change that cannot be applied")

    post = PostChanges(
        inbox_event_id=event_id, processed_at=MONDAY, received=[received(1)],
        statuses=[delivered(7, ours=True), delivered(8, ours=False)],
        templates=[ChangeTemplate(name="order_update", language="en_US", template_id="1234", change=broken)],
    )
    with pytest.raises(ValueError, match="cannot be applied"):
        await stores.post_writer.write(post)

    assert await stores.messages.find_by_wamid(wamid(1)) is None
    assert await stores.conversations.get(SHOP_NUMBER, ALICE) is None
    assert await stores.media.get("media1") is None
    sent = await stores.messages.get(message_id(7))
    assert sent is not None and sent.status.status is MessageStatus.QUEUED and sent.wamid is None
    assert await stores.messages.take_parked_statuses(wamid(8)) == []
    assert [e.id for e in await stores.inbox.unprocessed(10)] == [event_id]


async def test_an_edit_parked_by_one_post_is_applied_by_the_post_that_stores_its_message(stores: Stores) -> None:
    edited = Edit(wamid=wamid(50), at=MONDAY + minutes(30), content=Text(body="edited"))
    first, second = await stores.inbox.append(POST, MONDAY), await stores.inbox.append(POST, MONDAY)

    parked = await stores.post_writer.write(
        PostChanges(inbox_event_id=first, processed_at=MONDAY, changes=[ChangeMessage(original=wamid(1), change=edited)])
    )
    deleted = Revoke(wamid=wamid(51), at=MONDAY + minutes(31))
    outcome = await stores.post_writer.write(
        PostChanges(
            inbox_event_id=second, processed_at=MONDAY, received=[received(1), received(2)],
            changes=[ChangeMessage(original=wamid(2), change=deleted)],
        )
    )

    assert parked.updated == []
    assert [(m.wamid, m.shown_content, m.revoked_at) for m in outcome.updated] == [
        (wamid(1), Text(body="edited"), None), (wamid(2), Text(body="Where is my order?"), deleted.at),
    ]
    stored = await stores.messages.find_by_wamid(wamid(1))
    assert stored is not None and stored.edits == (edited,)
    conversation = await stores.conversations.get(SHOP_NUMBER, ALICE)
    assert conversation is not None and conversation.last_message_preview == DELETED_PREVIEW
    assert await stores.inbox.unprocessed(10) == []


async def test_a_status_the_writer_parks_is_pruned_like_any_other(stores: Stores) -> None:
    event_id = await stores.inbox.append(POST, MONDAY)
    await stores.post_writer.write(PostChanges(inbox_event_id=event_id, processed_at=MONDAY, statuses=[delivered(8, ours=False)]))

    assert await stores.messages.prune_parked_statuses(MONDAY + minutes(5), limit=10) == 0
    assert await stores.messages.prune_parked_statuses(MONDAY + minutes(6), limit=10) == 1
