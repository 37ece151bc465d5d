"""Signed webhook delivery, at least once and in no promised order, as Meta delivers.

Nothing is posted before the endpoint has passed Meta's GET verification handshake (when a verify
token is configured); deliveries published meanwhile wait. First attempts then go out in publishing
order (or, with `webhook_concurrency` above 1, that many at once); an answer other than 200 (or none) is retried in the background with growing waits. Faults
set through the control API hold deliveries back, then release them shuffled, batched into one POST,
or each sent twice.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

import httpx
import msgspec
from httpx_aiohttp import AiohttpTransport

from domain.webhook_signature import sign
from entrypoints.simulator.config import SimulatorConfig
from entrypoints.simulator.envelopes import Entry, serialise
from entrypoints.simulator.handshake import verify_endpoint


class WebhookFaults(msgspec.Struct, kw_only=True):
    hold: bool = False
    shuffle: bool = False
    batch: int = 1
    duplicate: bool = False


@dataclass
class Delivery:
    body: bytes
    answers: list[int | str] = field(default_factory=list)

    @property
    def delivered(self) -> bool:
        return 200 in self.answers


class WebhookSender:
    def __init__(self, config: SimulatorConfig) -> None:
        self._config = config
        self.faults = WebhookFaults()
        self.deliveries: list[Delivery] = []
        self._pending: list[Entry] = []
        self._wakeup = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None
        self._slots = asyncio.Semaphore(config.webhook_concurrency)

    async def start(self) -> None:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        self._client = httpx.AsyncClient(
            timeout=self._config.webhook_timeout_seconds, limits=limits, transport=AiohttpTransport(limits=limits)
        )
        self._spawn(self._run())

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def publish(self, entry: Entry) -> None:
        self._pending.append(entry)
        self._wakeup.set()

    def set_faults(self, faults: WebhookFaults) -> None:
        self.faults = faults
        self._wakeup.set()

    async def _run(self) -> None:
        await self._verify()
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            if self.faults.hold or not self._pending:
                continue
            entries, self._pending = self._pending, []
            for body in self._bodies(entries):
                for _ in range(2 if self.faults.duplicate else 1):
                    await self._slots.acquire()
                    self._spawn(self._first_attempt(Delivery(body=body)))

    async def _verify(self) -> None:
        config = self._config
        if config.webhook_url is None or config.verify_token is None or self._client is None:
            return
        await verify_endpoint(self._client, config.webhook_url, config.verify_token, config.verify_retry_seconds)

    def _bodies(self, entries: list[Entry]) -> list[bytes]:
        if self.faults.shuffle:
            random.shuffle(entries)
        size = max(1, self.faults.batch)
        return [serialise(entries[i : i + size]) for i in range(0, len(entries), size)]

    async def _first_attempt(self, delivery: Delivery) -> None:
        self.deliveries.append(delivery)
        try:
            delivered = await self._post(delivery)
        finally:
            self._slots.release()
        if not delivered:
            self._spawn(self._retry(delivery))

    async def _retry(self, delivery: Delivery) -> None:
        for wait in self._config.webhook_retry_seconds:
            await asyncio.sleep(wait)
            if await self._post(delivery):
                return

    async def _post(self, delivery: Delivery) -> bool:
        if self._config.webhook_url is None or self._client is None:
            return False
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(self._config.app_secret.encode(), delivery.body),
        }
        try:
            response = await self._client.post(self._config.webhook_url, content=delivery.body, headers=headers)
        except httpx.HTTPError as exc:
            delivery.answers.append(type(exc).__name__)
            return False
        delivery.answers.append(response.status_code)
        return response.status_code == 200

    def _spawn(self, coroutine: object) -> None:
        assert asyncio.iscoroutine(coroutine)
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
