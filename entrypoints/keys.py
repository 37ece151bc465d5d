"""`wahub keys create|revoke|list`: manage API keys straight in the configured store, server running or not."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from adapters.clock import SystemClock
from application.access import CreateApiKey, ListApiKeys, RevokeApiKey
from application.records import ApiKey, Role
from entrypoints.arguments import Checked, OneOf, command_settings, data_dir_option
from entrypoints.console import print_table
from entrypoints.resources import open_stores
from entrypoints.settings import Settings, SettingsError

COLUMNS = ("id", "name", "role", "created", "revoked")


@click.group("keys")
def keys() -> None:
    """Create, revoke and list API keys."""


def _name(value: str) -> str:
    if not value.strip():
        raise ValueError("a key needs a name saying who uses it")
    return value.strip()


@keys.command("create")
@click.option("--role", required=True, type=OneOf([role.value for role in Role]))
@click.option("--name", required=True, type=Checked("name", _name), help="who or what uses the key, e.g. 'crm sync'")
@data_dir_option
def create(role: str, name: str, data_dir: Path | None) -> int:
    """Create a key and print its secret once."""
    return _run(data_dir, lambda stores: _create(stores, name, Role(role)))


@keys.command("revoke")
@click.argument("key_id", metavar="KEY_ID")
@data_dir_option
def revoke(key_id: str, data_dir: Path | None) -> int:
    """Refuse a key from now on (KEY_ID as `wahub keys list` shows it, e.g. key_1f2e3d4c5b6a7980)."""
    return _run(data_dir, lambda stores: _revoke(stores, key_id))


@keys.command("list")
@data_dir_option
def list_keys(data_dir: Path | None) -> int:
    """Every key, without secrets."""
    return _run(data_dir, _list)


StoreAction = Callable[[Any], Awaitable[None]]


def _run(data_dir: Path | None, action: StoreAction) -> int:
    asyncio.run(_with_stores(_settings(data_dir), action))
    return 0


def _settings(data_dir: Path | None) -> Settings:
    settings = command_settings(data_dir)
    if settings.store == "memory":
        raise SettingsError("WAHUB_STORE=memory keeps keys only inside a running server; keys need sqlite or firestore")
    return settings


async def _with_stores(settings: Settings, action: StoreAction) -> None:
    """The store is closed before we return, so a running server sees a consistent database."""
    async with asynccontextmanager(open_stores)(settings) as stores:
        await action(stores)


async def _create(stores: Any, name: str, role: Role) -> None:
    key, secret = await CreateApiKey(api_keys=stores.api_keys, clock=SystemClock())(name, role)
    print(f"id      {key.id}\nname    {key.name}\nrole    {key.role}\nsecret  {secret}")
    print("the secret is shown only now: wahub keeps its SHA-256, not the secret", file=sys.stderr)


async def _revoke(stores: Any, key_id: str) -> None:
    key = await RevokeApiKey(api_keys=stores.api_keys, clock=SystemClock())(key_id)
    print(f"{key.id} ({key.name}, {key.role}) revoked at {_when(key.revoked_at)}")


async def _list(stores: Any) -> None:
    print_table(COLUMNS, [_row(key) for key in await ListApiKeys(api_keys=stores.api_keys)()])


def _row(key: ApiKey) -> tuple[str, str, str, str, str]:
    return (key.id, key.name, key.role, _when(key.created_at), _when(key.revoked_at))


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.isoformat(timespec="seconds")
