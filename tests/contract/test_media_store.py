"""MediaStore contract: records are kept by media id and replaced when saved again."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from application.ports import MediaStore
from application.records import MediaDownload, MediaRecord
from tests.contract.examples import MONDAY

INVOICE = MediaRecord(
    id="1037543291543636", kind="document", mime_type="application/pdf", size=48_213,
    sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", created_at=MONDAY,
    filename="invoice-1042.pdf",
)


async def test_a_saved_record_is_found_by_its_id(media_store: MediaStore) -> None:
    await media_store.save(INVOICE)

    assert await media_store.get(INVOICE.id) == INVOICE


async def test_saving_the_same_id_again_replaces_the_record(media_store: MediaStore) -> None:
    await media_store.save(INVOICE)

    await media_store.save(msgspec.structs.replace(INVOICE, filename="invoice-1042-corrected.pdf"))

    found = await media_store.get(INVOICE.id)
    assert found is not None and found.filename == "invoice-1042-corrected.pdf"


async def test_an_unknown_id_finds_nothing(media_store: MediaStore) -> None:
    assert await media_store.get("404") is None


PHOTO = MediaRecord(
    id="2230912874452", kind="image", mime_type="image/jpeg", created_at=MONDAY, direction="inbound",
    download=MediaDownload(due_at=MONDAY + timedelta(seconds=5)),
)


async def test_pending_downloads_are_due_from_their_time_earliest_first(media_store: MediaStore) -> None:
    later = msgspec.structs.replace(PHOTO, id="2230912874453", download=MediaDownload(due_at=MONDAY + timedelta(minutes=1)))
    await media_store.save(later)
    await media_store.save(PHOTO)
    await media_store.save(INVOICE)

    assert await media_store.due_downloads(MONDAY, 10) == []
    assert [r.id for r in await media_store.due_downloads(MONDAY + timedelta(hours=1), 10)] == [PHOTO.id, later.id]
    assert [r.id for r in await media_store.due_downloads(MONDAY + timedelta(hours=1), 1)] == [PHOTO.id]


async def test_a_finished_download_is_no_longer_due(media_store: MediaStore) -> None:
    await media_store.save(PHOTO)

    await media_store.save(msgspec.structs.replace(PHOTO, download=None, sha256="ab" * 32, size=10))

    assert await media_store.due_downloads(MONDAY + timedelta(days=1), 10) == []
