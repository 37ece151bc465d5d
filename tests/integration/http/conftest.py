"""The real app (create_app over the real container) with memory stores and the fake Cloud API.

Providers are overridden, never monkeypatched: what runs is the production wiring.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.memory import MemoryStores
from adapters.memory.cloud_api import FakeCloudApi
from adapters.memory.live_events import InMemoryLiveEvents
from application.ports import PhoneNumberInfo
from application.records import Role
from domain.ids import PhoneNumberId
from domain.webhook_signature import sign
from entrypoints.container import Container
from entrypoints.http.app import create_app
from entrypoints.http.runtime import Runtime
from entrypoints.sandbox import BusinessAccount
from entrypoints.settings import load_settings

ACCOUNT = BusinessAccount(
    phone_number_id="106540352242922",
    waba_id="102290129340398",
    app_secret="test-app-secret",
    verify_token="test-verify-token",
    access_token="test-access-token",
)
ADMIN_KEY = "wahub_test_admin_key_0123456789abcdefghijklmnop"


@dataclass
class Api:
    client: AsyncTestClient  # type: ignore[type-arg]
    runtime: Runtime
    container: Container
    """The server's own composition root: tests take the use cases the workers run from it."""
    stores: MemoryStores
    cloud_api: FakeCloudApi

    def as_admin(self) -> dict[str, str]:
        return {"authorization": f"Bearer {ADMIN_KEY}"}


@asynccontextmanager
async def serving_api(tmp_path: Path, **environment: str) -> AsyncIterator[Api]:
    """The production app in Meta mode, its stores and Cloud API overridden by the in-memory ones."""
    settings = load_settings(
        {
            "WAHUB_DATA_DIR": str(tmp_path),
            "WAHUB_STORE": "memory",
            "WAHUB_ACCESS_TOKEN": ACCOUNT.access_token,
            "WAHUB_PHONE_NUMBER_ID": ACCOUNT.phone_number_id,
            "WAHUB_WABA_ID": ACCOUNT.waba_id,
            "WAHUB_APP_SECRET": ACCOUNT.app_secret,
            "WAHUB_VERIFY_TOKEN": ACCOUNT.verify_token,
            "WAHUB_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
            **environment,
        }
    )
    container = Container(settings=settings, account=ACCOUNT, webhook_url="http://127.0.0.1:9/webhook")
    stores = MemoryStores()
    info = PhoneNumberInfo(
        id=PhoneNumberId(ACCOUNT.phone_number_id), display_phone_number="15550783881", verified_name="wahub test"
    )
    cloud_api = FakeCloudApi(phone_numbers=[info])
    container.stores.override(providers.Object(stores))
    container.cloud_api.override(providers.Object(cloud_api))
    container.simulator.override(providers.Object(None))
    container.live_events.override(providers.Object(InMemoryLiveEvents()))  # what memory mode opens, handed out at once
    app = create_app(container)
    async with AsyncTestClient(app) as client:
        yield Api(client=client, runtime=app.state.runtime, container=container, stores=stores, cloud_api=cloud_api)


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    async with serving_api(tmp_path) as serving:
        yield serving


async def bearer(api: Api, role: Role) -> dict[str, str]:
    """Authorization headers of a fresh key with `role`, created as `wahub keys create` would."""
    _, secret = await api.runtime.use_cases.create_api_key(f"test {role}", role)
    return {"authorization": f"Bearer {secret}"}


def messages_webhook(**value: Any) -> bytes:
    """Meta's envelope around one `messages` change (messages, statuses...), as JSON bytes ready to sign."""
    metadata = {"display_phone_number": "15550783881", "phone_number_id": ACCOUNT.phone_number_id}
    change = {"field": "messages", "value": {"messaging_product": "whatsapp", "metadata": metadata, **value}}
    envelope = {"object": "whatsapp_business_account", "entry": [{"id": ACCOUNT.waba_id, "changes": [change]}]}
    return json.dumps(envelope).encode()


def inbound_text(wa_id: str, wamid: str, body: str, at: int, name: str = "Sheena") -> bytes:
    text = {"from": wa_id, "id": wamid, "timestamp": str(at), "type": "text", "text": {"body": body}}
    return messages_webhook(contacts=[{"profile": {"name": name}, "wa_id": wa_id}], messages=[text])


async def deliver(api: Api, payload: bytes) -> None:
    """A signed webhook POST, then what the inbox worker does with it."""
    headers = {"x-hub-signature-256": sign(ACCOUNT.app_secret.encode(), payload), "content-type": "application/json"}
    response = await api.client.post("/webhook", content=payload, headers=headers)
    assert response.status_code == 200, response.text
    await api.container.process_inbox_event().process_pending()


async def customer_writes(api: Api, wa_id: str, wamid: str, body: str, at: int | None = None) -> None:
    await deliver(api, inbound_text(wa_id, wamid, body, int(time.time()) if at is None else at))


@pytest.fixture
async def small_uploads_api(tmp_path: Path) -> AsyncIterator[Api]:
    """The same app as `api`, with WAHUB_MAX_UPLOAD_BYTES at its least (1 KiB), to see the 413 without 100 MB."""
    async with serving_api(tmp_path, WAHUB_MAX_UPLOAD_BYTES="1024") as serving:
        yield serving
