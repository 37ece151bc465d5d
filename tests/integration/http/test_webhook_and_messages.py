"""The webhook Meta calls and the messages API, over the real app."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from domain.meta_errors import CloudApiError
from domain.webhook_signature import sign
from tests.integration.http.conftest import ACCOUNT, Api, customer_writes

INBOUND = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": ACCOUNT.waba_id,
            "changes": [
                {
                    "field": "messages",
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": ACCOUNT.phone_number_id},
                        "contacts": [{"profile": {"name": "Sheena"}, "wa_id": "16505551234"}],
                        "messages": [
                            {"from": "16505551234", "id": "wamid.IN1", "timestamp": str(int(time.time())), "type": "text", "text": {"body": "Hi"}}
                        ],
                    },
                }
            ],
        }
    ],
}


def signed(body: bytes) -> dict[str, str]:
    return {"x-hub-signature-256": sign(ACCOUNT.app_secret.encode(), body), "content-type": "application/json"}


async def test_the_verification_handshake_answers_the_challenge_only_to_the_right_token(api: Api) -> None:
    good = await api.client.get(
        "/webhook", params={"hub.mode": "subscribe", "hub.verify_token": ACCOUNT.verify_token, "hub.challenge": "1158201444"}
    )
    bad = await api.client.get("/webhook", params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"})

    assert (good.status_code, good.text) == (200, "1158201444")
    assert bad.status_code == 403 and bad.headers["content-type"] == "application/problem+json"


async def test_a_signed_webhook_is_stored_before_the_200(api: Api) -> None:
    body = json.dumps(INBOUND).encode()

    response = await api.client.post("/webhook", content=body, headers=signed(body))

    assert response.status_code == 200
    stored = await api.stores.inbox.unprocessed(10) or None
    processed = stored is None or stored[0].untrusted_body == body
    assert processed


async def test_a_wrong_signature_gets_401_and_stores_nothing(api: Api) -> None:
    body = json.dumps(INBOUND).encode()

    response = await api.client.post("/webhook", content=body, headers={"x-hub-signature-256": "sha256=" + "0" * 64})

    assert response.status_code == 401
    assert response.json()["detail"] == "the X-Hub-Signature-256 header does not match the body and app secret"
    assert await api.stores.inbox.unprocessed(10) == []


async def test_a_body_over_the_limit_gets_413(api: Api) -> None:
    body = b"x" * (api.runtime.settings.max_webhook_bytes + 1)

    response = await api.client.post("/webhook", content=body, headers=signed(body))

    assert response.status_code == 413


async def test_sending_without_a_key_is_401_and_bad_json_is_400_with_a_precise_message(api: Api) -> None:
    anonymous = await api.client.post("/v1/messages", json={"to": "+16505551234", "type": "text", "text": {"body": "hi"}})
    broken = await api.client.post(
        "/v1/messages", content=b'{"to": "+1650', headers={**api.as_admin(), "content-type": "application/json"}
    )

    assert anonymous.status_code == 401 and "Bearer" in anonymous.json()["detail"]
    assert broken.status_code == 400 and "truncated" in broken.json()["detail"]


async def test_a_text_inside_the_window_is_accepted_and_sent(api: Api) -> None:
    body = json.dumps(INBOUND).encode()
    await api.client.post("/webhook", content=body, headers=signed(body))
    await api.container.process_inbox_event().process_pending()  # what the inbox worker does

    accepted = await api.client.post(
        "/v1/messages", json={"to": "+1 650 555 1234", "type": "text", "text": {"body": "Hello Sheena"}}, headers=api.as_admin()
    )

    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["status"] == "queued" and accepted.json()["wa_id"] == "16505551234"
    fetched = await api.client.get(f"/v1/messages/{accepted.json()['id']}", headers=api.as_admin())
    assert fetched.status_code == 200 and fetched.json()["content"] == {"body": "Hello Sheena"}


async def test_the_same_idempotency_key_returns_the_first_message_and_sends_nothing_twice(api: Api) -> None:
    await customer_writes(api, "16505551234", "wamid.IN9", "Hi")
    headers = {**api.as_admin(), "Idempotency-Key": "order-42-shipped"}
    body = {"to": "+16505551234", "type": "text", "text": {"body": "Your order shipped"}}

    first = await api.client.post("/v1/messages", json=body, headers=headers)
    again = await api.client.post("/v1/messages", json=body, headers=headers)

    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["id"] == first.json()["id"]
    await status_of(api, first.json()["id"], "accepted")
    assert len(api.cloud_api.sent) == 1


async def test_a_failed_message_is_retried_as_a_new_attempt_and_a_sent_one_is_not(api: Api) -> None:
    await customer_writes(api, "16505551234", "wamid.IN9", "Hi")
    api.cloud_api.fail_next(CloudApiError(131026, "Message undeliverable", http_status=400))
    sent = await api.client.post(
        "/v1/messages", json={"to": "+16505551234", "type": "text", "text": {"body": "Hello"}}, headers=api.as_admin()
    )
    failed = await status_of(api, sent.json()["id"], "failed")

    retried = await api.client.post(f"/v1/messages/{failed['id']}/retry", headers=api.as_admin())
    await status_of(api, retried.json()["id"], "accepted")
    refused = await api.client.post(f"/v1/messages/{retried.json()['id']}/retry", headers=api.as_admin())

    assert failed["failure"]["code"] == 131026
    assert retried.status_code == 202 and retried.json()["retry_of"] == failed["id"]
    assert refused.status_code == 409 and "only failed messages" in refused.json()["detail"]


async def status_of(api: Api, message_id: str, wanted: str, timeout: float = 5.0) -> dict[str, Any]:
    """The dispatcher worker runs beside the test: wait (bounded) until the message reaches `wanted`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        message: dict[str, Any] = (await api.client.get(f"/v1/messages/{message_id}", headers=api.as_admin())).json()
        if message["status"] == wanted or asyncio.get_running_loop().time() > deadline:
            assert message["status"] == wanted, message
            return message
        await asyncio.sleep(0.01)
