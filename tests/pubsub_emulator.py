"""The Pub/Sub emulator for tests: one per session on a free loopback port, started on first use.

The session fixture stops it (the whole process group: see adapters/gcloud_emulator.py). The emulator has
no reset, so each test names its own topics (`pubsub_prefix`). A missing gcloud, emulator or Java fails the
tests that need them with what to install; it never skips them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from adapters.pubsub.emulator import EmulatorUnavailable, PubSubEmulator, locate_gcloud

__all__ = ["PROJECT", "EmulatorUnavailable", "PubSubEmulator", "locate_gcloud", "pubsub_emulator", "pubsub_host", "pubsub_prefix"]

PROJECT = "wahub-test"

_EMULATOR = PubSubEmulator(PROJECT)


@pytest.fixture(scope="session")
def pubsub_emulator() -> Iterator[PubSubEmulator]:
    yield _EMULATOR
    _EMULATOR.stop()


@pytest.fixture
def pubsub_host(pubsub_emulator: PubSubEmulator) -> str:
    """host:port of the running emulator; PUBSUB_EMULATOR_HOST is set to it for clients made from now on."""
    try:
        return pubsub_emulator.host()
    except EmulatorUnavailable as unavailable:
        pytest.fail(str(unavailable), pytrace=False)


@pytest.fixture
def pubsub_prefix() -> str:
    """A name no other test's topics and subscriptions share."""
    return f"t{uuid.uuid4().hex[:12]}"
