"""Media bytes in a folder, one file per SHA-256, written atomically.

Content addressing makes a retried download harmless (same bytes, same name) and lets two
messages that carry the same picture share one file.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")


class FileBlobStore:
    def __init__(self, root: Path) -> None:
        self._root = root

    async def put(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        await asyncio.to_thread(self._write, sha256, data)
        return sha256

    async def get(self, sha256: str) -> bytes | None:
        if not _SHA256.fullmatch(sha256):
            return None
        try:
            return await asyncio.to_thread(self._path(sha256).read_bytes)
        except FileNotFoundError:
            return None

    def _path(self, sha256: str) -> Path:
        return self._root / sha256[:2] / sha256

    def _write(self, sha256: str, data: bytes) -> None:
        """Write to a temporary file, fsync, then rename: a crash leaves the blob whole or absent."""
        path = self._path(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
