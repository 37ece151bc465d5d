"""A local Pub/Sub emulator for the tests and the scaling benchmark (the machinery: adapters/gcloud_emulator.py).

The emulator keeps topics and subscriptions in memory and has no reset: tests name theirs per test instead.
"""

from __future__ import annotations

from adapters.gcloud_emulator import EmulatorUnavailable, GcloudEmulator
from adapters.gcloud_emulator import locate_gcloud as _locate_gcloud

__all__ = ["EmulatorUnavailable", "PubSubEmulator", "locate_gcloud"]


def locate_gcloud(path: str | None = None) -> str:
    return _locate_gcloud("Pub/Sub", "pubsub-emulator", path)


class PubSubEmulator(GcloudEmulator):
    """Started on first `host()`, which also sets PUBSUB_EMULATOR_HOST for the clients made after it."""

    product = "Pub/Sub"
    component = "pubsub-emulator"
    command = ("beta", "emulators", "pubsub", "start")
    environment_variable = "PUBSUB_EMULATOR_HOST"
