"""Media: uploads checked for kind and size before Meta sees them, and media bytes served by id.

The upload route gets its own body limit (WAHUB_MAX_UPLOAD_BYTES), so the refusal comes as a 413
while the body streams in, before a too-large file fills memory.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.params import MultipartBody

from application.access import Action
from domain.ids import PhoneNumberId, parse_media_id
from entrypoints.http.auth import requires
from entrypoints.http.paths import MediaIdPath
from entrypoints.http.runtime import Runtime
from entrypoints.http.schemas import MediaView, media_view

DEFAULT_FILENAME = "upload"


class MediaUpload(msgspec.Struct, kw_only=True):
    """As Meta's own upload: the file, and optionally its MIME `type` when the part's own is wrong or missing."""

    file: UploadFile
    type: str | None = None


async def upload_media(request: Request[Any, Any, Any], data: MultipartBody[MediaUpload]) -> MediaView:
    runtime: Runtime = request.app.state.runtime
    content = await data.file.read()
    mime_type = data.type or data.file.content_type
    filename = data.file.filename or DEFAULT_FILENAME
    number = PhoneNumberId(runtime.account.phone_number_id)
    return media_view(await runtime.use_cases.upload_media(number, content, mime_type, filename))


@get("/{media_id:str}", guards=[requires(Action.USE_MEDIA)])
async def download_media(request: Request[Any, Any, Any], media_id: MediaIdPath) -> Response[bytes]:
    """Served from the content-addressed blob store (fetched from Meta once when not held yet).

    The ETag is the content's sha256; nosniff, because the bytes come from customers and a browser
    must not run them as something else.
    """
    runtime: Runtime = request.app.state.runtime
    record, content = await runtime.use_cases.read_media(parse_media_id(media_id))
    headers = {"ETag": f'"{record.sha256}"', "X-Content-Type-Options": "nosniff"}
    return Response(content, media_type=record.mime_type, headers=headers)


def media_router(max_upload_bytes: int) -> Router:
    upload = post("/", status_code=201, guards=[requires(Action.USE_MEDIA)], request_max_body_size=max_upload_bytes)
    return Router(path="/v1/media", route_handlers=[upload(upload_media), download_media], tags=["media"])
