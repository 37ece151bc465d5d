"""Media: multipart upload, URL lookup, the bearer-protected download URL, deletion, and checks on sends.

Uploaded ids live 30 days, a download URL 5 minutes, as at Meta.
https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, MultipartBody

from domain.content import Audio, Document, Image, OutboundContent, Sticker, Video, kind_of
from domain.errors import MediaRejected
from domain.media import MediaKind, check_media, kind_for_mime
from entrypoints.simulator.cloud import SimulatedCloud
from entrypoints.simulator.meta_errors import MetaError, invalid_parameter
from entrypoints.simulator.request_body import require_number
from entrypoints.simulator.state import UPLOADED_MEDIA_LIFETIME, StoredMedia

MAX_UPLOAD_BYTES = 100_000_000 + 1_000_000
"""A document may be 100 MB; the multipart envelope needs a little more."""


def media_rejected(details: str) -> MetaError:
    return MetaError(131053, "Media upload error", details)


@post("/{version:str}/{phone_number_id:str}/media", status_code=200, request_max_body_size=MAX_UPLOAD_BYTES)
async def upload(
    phone_number_id: FromPath[str],
    cloud: NamedDependency[SimulatedCloud],
    data: MultipartBody[dict[str, Any]],
) -> dict[str, str]:
    require_number(cloud, phone_number_id, "post")
    if data.get("messaging_product") != "whatsapp":
        raise invalid_parameter("The parameter messaging_product is required and must be 'whatsapp'.")
    file = data.get("file")
    if not isinstance(file, UploadFile):
        raise invalid_parameter("The parameter file is required.")
    mime_type = str(data.get("type") or file.content_type)
    content = await file.read()
    try:
        check_media(kind_for_mime(mime_type), mime_type, len(content))
    except MediaRejected as error:
        raise media_rejected(str(error)) from None
    now = cloud.now()
    media = cloud.state.add_media(content, mime_type, now + UPLOADED_MEDIA_LIFETIME, file.filename)
    return {"id": media.id}


@get("/whatsapp_business/attachments/")
async def download(mid: FromQuery[str], hash: FromQuery[str], cloud: NamedDependency[SimulatedCloud]) -> Response[bytes]:
    """The lookaside URL: bearer required (checked for every path), dead after 5 minutes."""
    link = cloud.state.media_links.get(hash)
    now = cloud.now()
    media = cloud.state.live_media(mid, now)
    if link is None or link.media_id != mid or now >= link.expires_at or media is None:
        raise MetaError(100, "Media not found", "This media URL has expired or never existed; fetch a new one.", http_status=404)
    return Response(media.data, media_type=media.mime_type)


def url_answer(request: Request[Any, Any, Any], cloud: SimulatedCloud, media: StoredMedia) -> dict[str, Any]:
    token = cloud.state.link_media(media.id, cloud.now())
    extension = media.mime_type.split("/")[-1].split(";")[0]
    url = f"{str(request.base_url).rstrip('/')}/whatsapp_business/attachments/?mid={media.id}&ext={extension}&hash={token}"
    return {
        "messaging_product": "whatsapp",
        "url": url,
        "mime_type": media.mime_type,
        "sha256": media.sha256,
        "file_size": len(media.data),
        "id": media.id,
    }


def check_media_reference(cloud: SimulatedCloud, content: OutboundContent) -> None:
    """A media send by id needs a live upload of a type that kind of message can carry."""
    if not isinstance(content, Image | Video | Audio | Document | Sticker) or content.id is None:
        return
    kind = MediaKind(kind_of(content))
    media = cloud.state.live_media(content.id, cloud.now())
    if media is None:
        raise invalid_parameter(f"Param {kind}.id: no media with id {content.id} (it may have expired after 30 days)")
    try:
        check_media(kind, media.mime_type, len(media.data))
    except MediaRejected as error:
        raise media_rejected(str(error)) from None
