"""Media over the real app: uploads checked for kind and size, bytes served back by id."""

from __future__ import annotations

import hashlib
import time

from domain.ids import PhoneNumberId
from domain.meta_errors import CloudApiError
from tests.integration.http.conftest import ACCOUNT, Api, deliver, messages_webhook

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


async def test_an_uploaded_image_comes_back_byte_for_byte(api: Api) -> None:
    uploaded = await api.client.post("/v1/media", files={"file": ("cat.png", PNG, "image/png")}, headers=api.as_admin())

    assert uploaded.status_code == 201, uploaded.text
    sha256 = hashlib.sha256(PNG).hexdigest()
    assert uploaded.json() == {"id": "1", "kind": "image", "mime_type": "image/png", "size": len(PNG), "sha256": sha256}
    assert api.cloud_api.media["1"].filename == "cat.png"
    fetched = await api.client.get("/v1/media/1", headers=api.as_admin())
    assert fetched.status_code == 200 and fetched.content == PNG
    assert fetched.headers["content-type"] == "image/png" and fetched.headers["etag"] == f'"{sha256}"'


async def test_the_type_field_names_the_mime_type_when_the_part_does_not(api: Api) -> None:
    uploaded = await api.client.post(
        "/v1/media",
        files={"file": ("notes", b"call back at 5", "application/octet-stream")},
        data={"type": "text/plain"},
        headers=api.as_admin(),
    )

    assert uploaded.status_code == 201, uploaded.text
    assert (uploaded.json()["kind"], uploaded.json()["mime_type"]) == ("document", "text/plain")


async def test_a_type_whatsapp_does_not_take_is_refused_before_meta_sees_it(api: Api) -> None:
    uploaded = await api.client.post("/v1/media", files={"file": ("a.gif", b"GIF89a", "image/gif")}, headers=api.as_admin())

    assert uploaded.status_code == 422
    assert uploaded.json()["detail"].startswith("image/gif is not a media type WhatsApp accepts")
    assert api.cloud_api.media == {}


async def test_an_image_over_5_mb_is_refused_with_its_size(api: Api) -> None:
    big = b"\xff" * (5_000_001)

    uploaded = await api.client.post("/v1/media", files={"file": ("big.jpg", big, "image/jpeg")}, headers=api.as_admin())

    assert uploaded.status_code == 422
    assert uploaded.json()["detail"] == "image is 5.1 MB; WhatsApp allows at most 5 MB"


async def test_a_body_over_the_upload_limit_is_a_413(small_uploads_api: Api) -> None:
    api = small_uploads_api

    uploaded = await api.client.post("/v1/media", files={"file": ("cat.png", PNG, "image/png")}, headers=api.as_admin())

    assert uploaded.status_code == 413 and uploaded.headers["content-type"] == "application/problem+json"
    assert api.cloud_api.media == {}


async def test_an_upload_without_a_file_is_a_400(api: Api) -> None:
    uploaded = await api.client.post("/v1/media", data={"type": "image/png"}, headers=api.as_admin())

    assert uploaded.status_code == 400


async def test_unknown_media_is_404(api: Api) -> None:
    response = await api.client.get("/v1/media/987654321", headers=api.as_admin())

    assert response.status_code == 404
    assert response.json()["detail"] == "no media with id 987654321 is known to wahub"


async def test_a_customer_s_photo_is_fetched_from_meta_once_then_served_from_the_blob_store(api: Api) -> None:
    media_id = await api.cloud_api.upload_media(PhoneNumberId(ACCOUNT.phone_number_id), PNG, "image/png", "photo.png")
    await _customer_sends_image(api, media_id)

    first = await api.client.get(f"/v1/media/{media_id}", headers=api.as_admin())
    api.cloud_api.fail_next(CloudApiError(131052, "Media download error"), times=2, operation="media_url")
    again = await api.client.get(f"/v1/media/{media_id}", headers=api.as_admin())

    assert first.status_code == 200 and first.content == PNG
    assert again.status_code == 200 and again.content == PNG


async def test_media_needs_a_key(api: Api) -> None:
    assert (await api.client.get("/v1/media/1")).status_code == 401


async def _customer_sends_image(api: Api, media_id: str) -> None:
    image = {"id": media_id, "mime_type": "image/png", "sha256": hashlib.sha256(PNG).hexdigest()}
    at = str(int(time.time()))
    message = {"from": "16505551234", "id": "wamid.IMG1", "timestamp": at, "type": "image", "image": image}
    await deliver(api, messages_webhook(contacts=[{"wa_id": "16505551234"}], messages=[message]))
