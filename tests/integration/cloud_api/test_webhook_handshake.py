"""Like Meta, the simulator posts nothing to a webhook endpoint until it has answered the GET
verification handshake with the challenge, and it keeps retrying the handshake until it does."""

from __future__ import annotations

import httpx

from entrypoints.simulator.config import SimulatorConfig
from entrypoints.simulator.server import RunningSimulator, running_simulator
from tests.integration.cloud_api.webhook_receiver import VERIFY_TOKEN, webhook_receiver

CUSTOMER = "16505551234"


def config(webhook_url: str, verify_token: str) -> SimulatorConfig:
    return SimulatorConfig(
        access_token="token",
        app_secret="secret",
        webhook_url=webhook_url,
        verify_token=verify_token,
        verify_retry_seconds=(0.01, 0.02),
    )


async def customer_writes(simulator: RunningSimulator) -> None:
    async with httpx.AsyncClient(base_url=simulator.url) as control:
        answer = await control.post("/_sim/inbound", json={"from": CUSTOMER, "type": "text", "text": {"body": "Hi"}})
    answer.raise_for_status()


async def test_the_handshake_asks_to_subscribe_with_the_verify_token_and_a_fresh_challenge() -> None:
    async with webhook_receiver() as receiver:
        receiver.refuse_handshakes = 1
        async with running_simulator(config(receiver.url, VERIFY_TOKEN)):
            first, second = await receiver.next_handshake(), await receiver.next_handshake()

    assert first["hub.mode"] == second["hub.mode"] == "subscribe"
    assert first["hub.verify_token"] == second["hub.verify_token"] == VERIFY_TOKEN
    assert first["hub.challenge"].isdigit() and first["hub.challenge"] != second["hub.challenge"]


async def test_deliveries_wait_until_the_endpoint_echoes_the_challenge() -> None:
    async with webhook_receiver() as receiver:
        receiver.refuse_handshakes = 2
        async with running_simulator(config(receiver.url, VERIFY_TOKEN)) as simulator:
            await customer_writes(simulator)

            await receiver.next()

    assert receiver.methods == ["GET", "GET", "GET", "POST"]


async def test_an_endpoint_expecting_another_verify_token_gets_no_webhooks() -> None:
    async with webhook_receiver() as receiver:
        async with running_simulator(config(receiver.url, "not-the-endpoints-token")) as simulator:
            await customer_writes(simulator)
            for _ in range(3):
                await receiver.next_handshake()

            assert simulator.cloud.webhooks.deliveries == []
    assert receiver.posts.empty()
