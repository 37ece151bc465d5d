"""`wahub keys create|revoke|list`: manage API keys straight in the configured store, server running or not."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from adapters.clock import SystemClock
from application.access import CreateApiKey, ListApiKeys, RevokeApiKey
from application.records import ApiKey, Role
from entrypoints.resources import open_stores
from entrypoints.settings import Settings, SettingsError, load_settings

COLUMNS = ("id", "name", "role", "created", "revoked")


def add_keys_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = commands.add_parser("keys", help="create, revoke and list API keys")
    actions = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    create = _with_data_dir(actions.add_parser("create", help="create a key and print its secret once"))
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--name", required=True, type=_name, help="who or what uses the key, e.g. 'crm sync'")
    create.set_defaults(handler=lambda arguments: _run(arguments, _create))
    revoke = _with_data_dir(actions.add_parser("revoke", help="refuse a key from now on"))
    revoke.add_argument("key_id", metavar="KEY_ID", help="the id `wahub keys list` shows, e.g. key_1f2e3d4c5b6a7980")
    revoke.set_defaults(handler=lambda arguments: _run(arguments, _revoke))
    listing = _with_data_dir(actions.add_parser("list", help="every key, without secrets"))
    listing.set_defaults(handler=lambda arguments: _run(arguments, _list))


def _with_data_dir(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--data-dir", type=Path, help="where the SQLite database lives (WAHUB_DATA_DIR), as for serve")
    return parser


def _name(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("a key needs a name saying who uses it")
    return value.strip()


StoreAction = Callable[[Any, argparse.Namespace], Awaitable[None]]


def _run(arguments: argparse.Namespace, action: StoreAction) -> int:
    asyncio.run(_with_stores(_settings(arguments), arguments, action))
    return 0


def _settings(arguments: argparse.Namespace) -> Settings:
    settings = load_settings()
    if arguments.data_dir is not None:
        settings = msgspec.structs.replace(settings, data_dir=arguments.data_dir)
    if settings.store == "memory":
        raise SettingsError("WAHUB_STORE=memory keeps keys only inside a running server; keys need sqlite or firestore")
    return settings


async def _with_stores(settings: Settings, arguments: argparse.Namespace, action: StoreAction) -> None:
    """The store is closed before we return, so a running server sees a consistent database."""
    async with asynccontextmanager(open_stores)(settings) as stores:
        await action(stores, arguments)


async def _create(stores: Any, arguments: argparse.Namespace) -> None:
    create = CreateApiKey(api_keys=stores.api_keys, clock=SystemClock())
    key, secret = await create(arguments.name, Role(arguments.role))
    print(f"id      {key.id}\nname    {key.name}\nrole    {key.role}\nsecret  {secret}")
    print("the secret is shown only now: wahub keeps its SHA-256, not the secret", file=sys.stderr)


async def _revoke(stores: Any, arguments: argparse.Namespace) -> None:
    key = await RevokeApiKey(api_keys=stores.api_keys, clock=SystemClock())(arguments.key_id)
    print(f"{key.id} ({key.name}, {key.role}) revoked at {_when(key.revoked_at)}")


async def _list(stores: Any, _: argparse.Namespace) -> None:
    rows = [COLUMNS, *(_row(key) for key in await ListApiKeys(api_keys=stores.api_keys)())]
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def _row(key: ApiKey) -> tuple[str, str, str, str, str]:
    return (key.id, key.name, key.role, _when(key.created_at), _when(key.revoked_at))


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.isoformat(timespec="seconds")
