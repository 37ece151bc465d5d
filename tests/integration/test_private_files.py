"""The database, its WAL and the sandbox account hold secrets: each is born readable by its user only,
even under a umask that would let everyone read it (nothing is chmod'ed afterwards, so no window is open)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.sqlite.stores import open_sqlite_stores
from entrypoints.sandbox import business_account
from entrypoints.settings import load_settings


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_database_and_its_wal_are_created_for_the_user_only(tmp_path: Path, permissive_umask: None) -> None:
    path = tmp_path / "data" / "wahub.db"
    stores = await open_sqlite_stores(path)
    try:
        await stores.inbox.append(b"{}", datetime.now(UTC))
        files = {name: mode(path.with_name(name)) for name in ("wahub.db", "wahub.db-wal", "wahub.db-shm")}
    finally:
        await stores.close()

    assert files == {"wahub.db": 0o600, "wahub.db-wal": 0o600, "wahub.db-shm": 0o600}
    assert mode(path.parent) == 0o700


def test_the_sandbox_account_file_is_created_for_the_user_only(tmp_path: Path, permissive_umask: None) -> None:
    settings = load_settings({"WAHUB_DATA_DIR": str(tmp_path / "data")})

    first = business_account(settings)
    again = business_account(settings)

    assert first == again
    assert mode(tmp_path / "data" / "sandbox.json") == 0o600 and mode(tmp_path / "data") == 0o700
    assert [path.name for path in (tmp_path / "data").iterdir()] == ["sandbox.json"]
