"""Media use cases: upload what WhatsApp accepts, and fetch what customers sent.

Kinds and sizes are checked before the upload, so an integrator learns at once what Meta would
answer with 131053 later.
"""

from __future__ import annotations

import hashlib

from application.ports import Clock, CloudApi, MediaStore
from application.records import MediaRecord
from domain.ids import PhoneNumberId
from domain.media import check_media, kind_for_mime


class UploadMedia:
    def __init__(self, *, cloud_api: CloudApi, media: MediaStore, clock: Clock) -> None:
        self._cloud_api = cloud_api
        self._media = media
        self._clock = clock

    async def __call__(self, phone_number_id: PhoneNumberId, data: bytes, mime_type: str, filename: str) -> MediaRecord:
        kind = kind_for_mime(mime_type)
        check_media(kind, mime_type, len(data))
        media_id = await self._cloud_api.upload_media(phone_number_id, data, mime_type, filename)
        record = MediaRecord(
            id=media_id,
            kind=kind,
            mime_type=mime_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            created_at=self._clock.now(),
            filename=filename,
        )
        await self._media.save(record)
        return record


class FetchInboundMedia:
    """Meta's media URLs live five minutes: each fetch asks for a fresh one, then downloads it."""

    def __init__(self, *, cloud_api: CloudApi, media: MediaStore, clock: Clock) -> None:
        self._cloud_api = cloud_api
        self._media = media
        self._clock = clock

    async def __call__(self, media_id: str) -> tuple[MediaRecord, bytes]:
        located = await self._cloud_api.media_url(media_id)
        data = await self._cloud_api.download_media(located.url)
        record = MediaRecord(
            id=media_id,
            kind=kind_for_mime(located.mime_type),
            mime_type=located.mime_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            created_at=self._clock.now(),
        )
        await self._media.save(record)
        return record, data
