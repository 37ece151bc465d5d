"""The real app (create_app over the real container) with memory stores and the fake Cloud API.

Providers are overridden, never monkeypatched: what runs is the production wiring.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.memory import MemoryStores
from adapters.memory.cloud_api import FakeCloudApi
from application.ports import PhoneNumberInfo
from domain.ids import PhoneNumberId
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
    stores: MemoryStores
    cloud_api: FakeCloudApi

    def as_admin(self) -> dict[str, str]:
        return {"authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
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
        }
    )
    container = Container(settings=settings, account=ACCOUNT, webhook_url="http://127.0.0.1:9/webhook")
    stores = MemoryStores()
    info = PhoneNumberInfo(id=PhoneNumberId(ACCOUNT.phone_number_id), display_phone_number="15550783881", verified_name="wahub test")
    cloud_api = FakeCloudApi(phone_numbers=[info])
    container.stores.override(providers.Object(stores))
    container.cloud_api.override(providers.Object(cloud_api))
    container.simulator.override(providers.Object(None))
    app = create_app(container)
    async with AsyncTestClient(app) as client:
        yield Api(client=client, runtime=app.state.runtime, stores=stores, cloud_api=cloud_api)
