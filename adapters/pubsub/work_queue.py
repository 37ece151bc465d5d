"""The work queue on Google Cloud Pub/Sub: any number of API processes publish, any number of workers receive.

Per kind of work (inbox, outbox) there is a topic and the workers' subscription on it, and a dead-letter
topic with its own subscription: after `max_deliveries` deliveries not acknowledged, Pub/Sub moves a
message there, and a worker records it in the store's quarantine (application/delivered_posts.py).
`ensure()` creates what is missing at start; in production an operator may create them instead
(docs/scaling.md, "Queue"), and then the service account needs no admin role.

Unary pull and acknowledge over the asyncio gRPC clients, so everything stays on the event loop. With
`PUBSUB_EMULATOR_HOST` set (the tests, the benchmark) the clients talk plain gRPC to the emulator.

No ordering keys: the changes of one POST commute with every other POST's (ProcessInboxEvent), and an
outbound message's order is the outbox's (due time, pair limit); an ordering key would also stall every
later message of its key behind one that fails.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import grpc
from google.api_core import exceptions
from google.protobuf import duration_pb2
from google.pubsub_v1 import PublisherAsyncClient, SubscriberAsyncClient, types
from google.pubsub_v1.services.publisher.transports import PublisherGrpcAsyncIOTransport
from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcAsyncIOTransport

from application.ports import WorkKind
from application.records import Delivery

KINDS: tuple[WorkKind, ...] = ("inbox", "outbox")
ACK_DEADLINE_SECONDS = 60
"""Longer than any one application or send takes; a worker that died leaves its deliveries for this long."""
PULL_WAIT_SECONDS = 5.0
MAX_DELIVERIES = 8
"""As domain.retry.RetryPolicy.max_attempts: the store quarantines a POST that failed as often, the same time."""
RETRY_BACKOFF = (1, 10)
"""Seconds Pub/Sub waits before delivering again a message handed back (or whose deadline passed): most
failures are contention between transactions on one conversation or message, gone a moment later."""


class PubSubWorkQueue:
    def __init__(
        self,
        project: str,
        prefix: str = "wahub",
        max_deliveries: int = MAX_DELIVERIES,
        ack_deadline_seconds: int = ACK_DEADLINE_SECONDS,
    ) -> None:
        self._project = project
        self._ack_deadline = ack_deadline_seconds
        self._prefix = prefix
        self._max_deliveries = max_deliveries
        emulator = os.environ.get("PUBSUB_EMULATOR_HOST")
        self._publisher: Any
        self._subscriber: Any
        if emulator:
            self._channel: grpc.aio.Channel | None = grpc.aio.insecure_channel(emulator)
            self._publisher = PublisherAsyncClient(transport=PublisherGrpcAsyncIOTransport(channel=self._channel))
            self._subscriber = SubscriberAsyncClient(transport=SubscriberGrpcAsyncIOTransport(channel=self._channel))
        else:
            self._channel = None
            self._publisher = PublisherAsyncClient()
            self._subscriber = SubscriberAsyncClient()

    def topic(self, kind: WorkKind, dead: bool = False) -> str:
        return f"projects/{self._project}/topics/{self._name(kind, dead)}"

    def subscription(self, kind: WorkKind, dead: bool = False) -> str:
        return f"projects/{self._project}/subscriptions/{self._name(kind, dead)}-workers"

    async def ensure(self) -> None:
        """Topics and subscriptions, each created when missing (an existing one is left as it is)."""
        for kind in KINDS:
            for dead in (False, True):
                await _created(self._publisher.create_topic(name=self.topic(kind, dead)))
            await _created(
                self._subscriber.create_subscription(
                    request=types.Subscription(
                        name=self.subscription(kind, dead=True),
                        topic=self.topic(kind, dead=True),
                        ack_deadline_seconds=self._ack_deadline,
                    )
                )
            )
            await _created(
                self._subscriber.create_subscription(
                    request=types.Subscription(
                        name=self.subscription(kind),
                        topic=self.topic(kind),
                        ack_deadline_seconds=self._ack_deadline,
                        dead_letter_policy=types.DeadLetterPolicy(
                            dead_letter_topic=self.topic(kind, dead=True), max_delivery_attempts=self._max_deliveries
                        ),
                        retry_policy=types.RetryPolicy(
                            minimum_backoff=duration_pb2.Duration(seconds=RETRY_BACKOFF[0]),
                            maximum_backoff=duration_pb2.Duration(seconds=RETRY_BACKOFF[1]),
                        ),
                    )
                )
            )

    async def publish(self, kind: WorkKind, work_id: str) -> None:
        await self._publisher.publish(topic=self.topic(kind), messages=[types.PubsubMessage(data=work_id.encode())])

    async def receive(self, kind: WorkKind, limit: int) -> list[Delivery]:
        return await self._pull(self.subscription(kind), limit)

    async def settle(self, kind: WorkKind, done: Sequence[Delivery], again: Sequence[Delivery]) -> None:
        subscription = self.subscription(kind)
        if done:
            await self._subscriber.acknowledge(subscription=subscription, ack_ids=[d.receipt for d in done])
        if again:
            await self._subscriber.modify_ack_deadline(
                subscription=subscription, ack_ids=[d.receipt for d in again], ack_deadline_seconds=0
            )

    async def dead_letters(self, kind: WorkKind, limit: int) -> list[Delivery]:
        return await self._pull(self.subscription(kind, dead=True), limit)

    async def bury(self, kind: WorkKind, dead: Sequence[Delivery]) -> None:
        if dead:
            await self._subscriber.acknowledge(
                subscription=self.subscription(kind, dead=True), ack_ids=[d.receipt for d in dead]
            )

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
        else:
            await self._publisher.transport.close()
            await self._subscriber.transport.close()

    async def _pull(self, subscription: str, limit: int) -> list[Delivery]:
        """Empty when nothing came within PULL_WAIT_SECONDS (the emulator answers DeadlineExceeded then)."""
        try:
            pulled = await self._subscriber.pull(
                subscription=subscription, max_messages=limit, timeout=PULL_WAIT_SECONDS, retry=None
            )
        except exceptions.DeadlineExceeded:
            return []
        return [_delivery(received) for received in pulled.received_messages]

    def _name(self, kind: WorkKind, dead: bool) -> str:
        return f"{self._prefix}-{kind}-dead" if dead else f"{self._prefix}-{kind}"


def _delivery(received: Any) -> Delivery:
    """A dead letter's count travels in an attribute Pub/Sub adds when it moves the message."""
    message = received.message
    forwarded = message.attributes.get("CloudPubSubDeadLetterSourceDeliveryCount")
    attempt = int(forwarded) if forwarded else max(received.delivery_attempt, 1)
    return Delivery(work_id=message.data.decode(), attempt=attempt, receipt=received.ack_id)


async def _created(creating: Any) -> None:
    """Already there, or not ours to create (no admin role: an operator made them, docs/scaling.md)."""
    try:
        await creating
    except (exceptions.AlreadyExists, exceptions.PermissionDenied):
        pass
