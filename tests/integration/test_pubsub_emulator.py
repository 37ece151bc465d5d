"""The session's Pub/Sub emulator serves the Pub/Sub API, and a missing gcloud is named, not skipped."""

from __future__ import annotations

import grpc
import pytest
from google.pubsub_v1 import PublisherAsyncClient, SubscriberAsyncClient, types
from google.pubsub_v1.services.publisher.transports import PublisherGrpcAsyncIOTransport
from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcAsyncIOTransport

from tests.pubsub_emulator import (
    PROJECT,
    EmulatorUnavailable,
    locate_gcloud,
    pubsub_emulator,
    pubsub_host,
    pubsub_prefix,
)

__all__ = ["pubsub_emulator", "pubsub_host", "pubsub_prefix"]


async def test_a_published_message_is_pulled_back(pubsub_host: str, pubsub_prefix: str) -> None:
    channel = grpc.aio.insecure_channel(pubsub_host)
    publisher = PublisherAsyncClient(transport=PublisherGrpcAsyncIOTransport(channel=channel))
    subscriber = SubscriberAsyncClient(transport=SubscriberGrpcAsyncIOTransport(channel=channel))
    topic = f"projects/{PROJECT}/topics/{pubsub_prefix}"
    subscription = f"projects/{PROJECT}/subscriptions/{pubsub_prefix}"
    try:
        await publisher.create_topic(name=topic)
        await subscriber.create_subscription(name=subscription, topic=topic)
        await publisher.publish(topic=topic, messages=[types.PubsubMessage(data=b"inbox-1")])

        pulled = await subscriber.pull(subscription=subscription, max_messages=10, timeout=30)

        assert [received.message.data for received in pulled.received_messages] == [b"inbox-1"]
    finally:
        await channel.close()


def test_missing_gcloud_and_java_are_named_with_what_to_install() -> None:
    with pytest.raises(EmulatorUnavailable) as refused:
        locate_gcloud(path="")

    assert "Pub/Sub emulator needs gcloud and java" in str(refused.value)
    assert "gcloud components install pubsub-emulator" in str(refused.value)
    assert "google-cloud-cli-pubsub-emulator" in str(refused.value)
