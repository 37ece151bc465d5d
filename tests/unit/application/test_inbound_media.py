"""Inbound media is fetched as soon as it arrives, retried with backoff, and kept by content."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from domain.errors import NotFound
from domain.ids import PhoneNumberId, WaId, Wamid
from domain.meta_errors import CloudApiError
from tests.unit.application.conftest import Harness
from tests.unit.application.meta_webhooks import BUSINESS_NUMBER_ID, envelope, messages_change

NUMBER = PhoneNumberId(BUSINESS_NUMBER_ID)
CUSTOMER = WaId("16505551234")
PHOTO = b"\xff\xd8\xff\xe0" + b"\x01" * 2048


async def customer_sends_a_photo(harness: Harness, media_id: str | None = None) -> str:
    """The photo lives at Meta (the fake) under `media_id`; a new one is put there unless given."""
    media_id = media_id or await harness.cloud_api.upload_media(NUMBER, PHOTO, "image/jpeg", "IMG_0042.jpg")
    image = {
        "from": CUSTOMER,
        "id": "wamid.PHOTO1",
        "timestamp": str(int(harness.clock.now().timestamp())),
        "type": "image",
        "image": {"id": media_id, "mime_type": "image/jpeg", "sha256": "b64hash", "caption": "the damage"},
    }
    await harness.receive(envelope(messages_change(messages=[image])))
    return media_id


async def test_the_message_is_stored_at_once_and_its_media_is_due_for_download(harness: Harness) -> None:
    media_id = await customer_sends_a_photo(harness)

    assert await harness.stores.messages.find_by_wamid(Wamid("wamid.PHOTO1")) is not None
    [due] = await harness.stores.media.due_downloads(harness.clock.now(), 10)
    assert (due.id, due.direction, due.sha256) == (media_id, "inbound", None)


async def test_the_download_keeps_the_bytes_by_their_sha256(harness: Harness) -> None:
    media_id = await customer_sends_a_photo(harness)

    assert await harness.download_inbound_media() == 1

    record = await harness.stores.media.get(media_id)
    assert record is not None and record.sha256 == hashlib.sha256(PHOTO).hexdigest()
    assert record.size == len(PHOTO) and record.download is None
    assert await harness.blobs.get(record.sha256) == PHOTO
    assert await harness.stores.media.due_downloads(harness.clock.now() + timedelta(days=1), 10) == []


async def test_a_failed_download_is_retried_with_backoff(harness: Harness) -> None:
    media_id = await customer_sends_a_photo(harness)
    harness.cloud_api.fail_next(CloudApiError(131016, "Service unavailable", http_status=500), operation="media_url")

    await harness.download_inbound_media()
    too_soon = await harness.download_inbound_media()
    harness.clock.advance(timedelta(seconds=1))
    await harness.download_inbound_media()

    assert too_soon == 0
    record = await harness.stores.media.get(media_id)
    assert record is not None and record.sha256 == hashlib.sha256(PHOTO).hexdigest()


async def test_a_permanent_failure_is_recorded_and_the_message_keeps_its_media_reference(harness: Harness) -> None:
    media_id = await customer_sends_a_photo(harness)
    harness.cloud_api.fail_next(CloudApiError(131052, "Media download error", http_status=400), operation="media_url")

    await harness.download_inbound_media()

    record = await harness.stores.media.get(media_id)
    assert record is not None and record.download is None and record.sha256 is None
    assert record.download_error is not None and "131052" in record.download_error
    message = await harness.stores.messages.find_by_wamid(Wamid("wamid.PHOTO1"))
    assert message is not None and getattr(message.content, "id", None) == media_id


async def test_reading_media_whose_download_is_pending_fetches_it_now(harness: Harness) -> None:
    media_id = await customer_sends_a_photo(harness)

    record, data = await harness.read_media(media_id)

    assert data == PHOTO and record.sha256 == hashlib.sha256(PHOTO).hexdigest()
    with pytest.raises(NotFound):
        await harness.read_media("999")


async def test_a_redelivered_media_message_does_not_reset_a_finished_download(harness: Harness) -> None:
    media_id = await customer_sends_a_photo(harness)
    await harness.download_inbound_media()

    await customer_sends_a_photo(harness, media_id)

    assert await harness.stores.media.due_downloads(harness.clock.now(), 10) == []
    record = await harness.stores.media.get(media_id)
    assert record is not None and record.sha256 is not None
