"""Media bytes in memory, by SHA-256: the blob store of the `memory` mode and of use-case tests."""

from __future__ import annotations

import hashlib


class InMemoryBlobStore:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    async def put(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        self.blobs[sha256] = data
        return sha256

    async def get(self, sha256: str) -> bytes | None:
        return self.blobs.get(sha256)
