"""Media use cases: upload what WhatsApp accepts; fetch what customers sent before Meta forgets it.

Kinds and sizes are checked before an upload, so an integrator learns at once what Meta would
answer with 131053 later. Inbound media is downloaded by a worker as soon as it arrives (Meta's
URLs live five minutes and the media itself 30 days) and kept by content in the blob store.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import msgspec

from application.ports import BlobStore, Clock, CloudApi, MediaStore
from application.records import MediaDownload, MediaRecord
from domain.errors import NotFound
from domain.ids import PhoneNumberId
from domain.media import check_media, kind_for_mime
from domain.meta_errors import CloudApiError
from domain.retry import RetryPolicy

DOWNLOAD_RETRY = RetryPolicy(max_attempts=12)
"""Twelve attempts with a 5-minute cap span about half an hour: well inside Meta's 7 days for inbound media."""


class UploadMedia:
    def __init__(self, *, cloud_api: CloudApi, media: MediaStore, blobs: BlobStore, clock: Clock) -> None:
        self._cloud_api = cloud_api
        self._media = media
        self._blobs = blobs
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
            sha256=await self._blobs.put(data),
            created_at=self._clock.now(),
            filename=filename,
        )
        await self._media.save(record)
        return record


class DownloadInboundMedia:
    """One step of the media worker: fetch every due download, reschedule failures with backoff."""

    def __init__(
        self,
        *,
        cloud_api: CloudApi,
        media: MediaStore,
        blobs: BlobStore,
        clock: Clock,
        retry: RetryPolicy = DOWNLOAD_RETRY,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._cloud_api = cloud_api
        self._media = media
        self._blobs = blobs
        self._clock = clock
        self._retry = retry
        self._jitter = jitter

    async def __call__(self, limit: int = 20) -> int:
        due = await self._media.due_downloads(self._clock.now(), limit)
        for record in due:
            await self._media.save(await self._attempt(record))
        return len(due)

    async def _attempt(self, record: MediaRecord) -> MediaRecord:
        try:
            return await fetch_from_meta(self._cloud_api, self._blobs, record)
        except CloudApiError as error:
            return self._after_failure(record, error)

    def _after_failure(self, record: MediaRecord, error: CloudApiError) -> MediaRecord:
        attempts = (record.download.attempts if record.download else 0) + 1
        if not error.retryable or self._retry.gives_up_after(attempts):
            return msgspec.structs.replace(record, download=None, download_error=f"after {attempts} attempts: {error}")
        due = self._clock.now() + self._retry.delay(attempts, self._jitter())
        return msgspec.structs.replace(
            record, download=MediaDownload(due_at=due, attempts=attempts, last_error=str(error))
        )


class ReadMedia:
    """The bytes of a media id: from the blob store when held, else fetched from Meta once and kept."""

    def __init__(self, *, cloud_api: CloudApi, media: MediaStore, blobs: BlobStore) -> None:
        self._cloud_api = cloud_api
        self._media = media
        self._blobs = blobs

    async def __call__(self, media_id: str) -> tuple[MediaRecord, bytes]:
        record = await self._media.get(media_id)
        if record is None:
            raise NotFound(f"no media with id {media_id} is known to wahub")
        held = await self._blobs.get(record.sha256) if record.sha256 else None
        if held is not None:
            return record, held
        fetched = await fetch_from_meta(self._cloud_api, self._blobs, record)
        await self._media.save(fetched)
        data = await self._blobs.get(fetched.sha256 or "")
        assert data is not None, "fetch_from_meta stores the bytes before it returns"
        return fetched, data


async def fetch_from_meta(cloud_api: CloudApi, blobs: BlobStore, record: MediaRecord) -> MediaRecord:
    """Each fetch asks Meta for a fresh URL: the one from an earlier attempt has likely expired."""
    located = await cloud_api.media_url(record.id)
    data = await cloud_api.download_media(located.url)
    return msgspec.structs.replace(
        record,
        mime_type=located.mime_type or record.mime_type,
        size=len(data),
        sha256=await blobs.put(data),
        download=None,
        download_error=None,
    )
