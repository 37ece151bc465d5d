"""The Firestore emulator for tests: one per session on a free loopback port, emptied before each test.

It starts on first use, so a run that selects no Firestore test never pays its start-up, and the
session fixture stops it (the whole process group: gcloud leaves its Java child running otherwise;
see adapters/firestore/emulator.py, which bench/store.py uses too).
A missing gcloud or Java fails the tests that need them with what to install; it never skips them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest

from adapters.firestore import FirestoreStores
from adapters.firestore.emulator import EmulatorUnavailable, FirestoreEmulator, locate_gcloud

__all__ = ["PROJECT", "EmulatorUnavailable", "FirestoreEmulator", "firestore_emulator", "firestore_stores", "locate_gcloud"]

PROJECT = "wahub-test"

_EMULATOR = FirestoreEmulator(PROJECT)
"""One per session; the store factory below takes no arguments, as the contract registry expects."""


@pytest.fixture(scope="session", autouse=True)
def firestore_emulator() -> Iterator[FirestoreEmulator]:
    yield _EMULATOR
    _EMULATOR.stop()


@asynccontextmanager
async def firestore_stores() -> AsyncIterator[FirestoreStores]:
    """Fresh, empty stores on the session's emulator, their client closed after the test."""
    try:
        _EMULATOR.clear()
    except EmulatorUnavailable as unavailable:
        pytest.fail(str(unavailable), pytrace=False)
    stores = FirestoreStores(project=PROJECT)
    try:
        yield stores
    finally:
        await stores.close()
