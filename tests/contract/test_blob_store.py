"""BlobStore contract: bytes kept by their SHA-256, the same bytes once, unknown names find nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.blobs.filesystem import FileBlobStore
from adapters.memory.blobs import InMemoryBlobStore
from application.ports import BlobStore

FACTORIES: dict[str, Callable[[Path], BlobStore]] = {
    "memory": lambda _: InMemoryBlobStore(),
    "filesystem": lambda root: FileBlobStore(root / "media"),
}


@pytest.fixture(params=list(FACTORIES))
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    return FACTORIES[request.param](tmp_path)


async def test_bytes_are_named_by_their_sha256_and_read_back(blobs: BlobStore) -> None:
    name = await blobs.put(b"%PDF-1.7 invoice")

    assert name == hashlib.sha256(b"%PDF-1.7 invoice").hexdigest()
    assert await blobs.get(name) == b"%PDF-1.7 invoice"


async def test_storing_the_same_bytes_twice_is_harmless(blobs: BlobStore) -> None:
    first = await blobs.put(b"same")

    assert await blobs.put(b"same") == first
    assert await blobs.get(first) == b"same"


async def test_an_unknown_or_malformed_name_finds_nothing(blobs: BlobStore) -> None:
    assert await blobs.get("0" * 64) is None
    assert await blobs.get("../../etc/passwd") is None


async def test_a_blob_survives_a_new_store_on_the_same_folder(tmp_path: Path) -> None:
    name = await FileBlobStore(tmp_path).put(b"kept")

    assert await FileBlobStore(tmp_path).get(name) == b"kept"
