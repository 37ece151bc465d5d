"""A local Firestore emulator for the tests and the store benchmark (the machinery: adapters/gcloud_emulator.py)."""

from __future__ import annotations

import urllib.request

from adapters.gcloud_emulator import EmulatorUnavailable, GcloudEmulator
from adapters.gcloud_emulator import locate_gcloud as _locate_gcloud

__all__ = ["EmulatorUnavailable", "FirestoreEmulator", "locate_gcloud"]


def locate_gcloud(path: str | None = None) -> str:
    return _locate_gcloud("Firestore", "cloud-firestore-emulator", path)


class FirestoreEmulator(GcloudEmulator):
    """Started on first `host()`, which also sets FIRESTORE_EMULATOR_HOST for the clients made after it."""

    product = "Firestore"
    component = "cloud-firestore-emulator"
    command = ("emulators", "firestore", "start")
    environment_variable = "FIRESTORE_EMULATOR_HOST"

    def clear(self) -> None:
        """The emulator's own REST endpoint deletes every document of the project at once."""
        url = f"http://{self.host()}/emulator/v1/projects/{self.project}/databases/(default)/documents"
        urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=30).close()
