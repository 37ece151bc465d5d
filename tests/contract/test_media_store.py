"""MediaStore contract: records are kept by media id and replaced when saved again."""

from __future__ import annotations

import msgspec

from application.ports import MediaStore
from application.records import MediaRecord
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
