"""A message that fails for good is one structured log line with its reason, from the live events."""

from __future__ import annotations

import asyncio
import logging

import pytest

from domain.meta_errors import CloudApiError
from tests.integration.http.conftest import Api, customer_writes
from tests.integration.http.test_webhook_and_messages import status_of


async def test_a_message_failed_for_good_is_logged_once_with_its_reason(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="wahub")
    await customer_writes(api, "16505551234", "wamid.IN1", "Hi")
    api.cloud_api.fail_next(CloudApiError(131026, "Message undeliverable", http_status=400))

    sent = await api.client.post(
        "/v1/messages", json={"to": "+16505551234", "type": "text", "text": {"body": "Hello"}}, headers=api.as_admin()
    )
    await status_of(api, sent.json()["id"], "failed")
    for _ in range(100):  # the journal follows the live events beside the test: let it catch up
        if any(getattr(record, "event", None) == "message.failed" for record in caplog.records):
            break
        await asyncio.sleep(0.01)

    [line] = [record for record in caplog.records if getattr(record, "event", None) == "message.failed"]
    assert line.levelno == logging.WARNING
    assert line.fields["message_id"] == sent.json()["id"]  # type: ignore[attr-defined]
    assert (line.fields["code"], line.fields["title"]) == (131026, "Message undeliverable")  # type: ignore[attr-defined]
