"""`wahub templates sync`: mirror the business account's templates from Meta into the local store.

The server syncs at start-up and on `POST /v1/templates/sync`; this is the same use case for an
operator, with a progress bar, on the configured store whether the server runs or not (saving a
template is idempotent). It talks to Meta, so it needs Meta's account settings, not the sandbox's.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable
from pathlib import Path

import click

from application.templates import SyncTemplates
from domain.templates import MessageTemplate
from entrypoints.arguments import command_settings, data_dir_option
from entrypoints.console import progress_bar
from entrypoints.container import Container, resolved, used
from entrypoints.sandbox import business_account
from entrypoints.settings import Settings, SettingsError


@click.group("templates")
def templates() -> None:
    """Message templates as Meta holds them."""


@templates.command("sync")
@data_dir_option
def sync(data_dir: Path | None) -> int:
    """Save every template Meta has for the business account, delete local ones it no longer has."""
    settings = command_settings(data_dir)
    if settings.sandbox:
        raise SettingsError("`wahub templates sync` asks Meta: set WAHUB_ACCESS_TOKEN and the account ids (in sandbox "
                            "mode the server's own simulator holds the templates, synced at start)")
    if settings.store == "memory":
        raise SettingsError("WAHUB_STORE=memory keeps templates only inside a running server; use sqlite or firestore")
    with progress_bar("syncing templates", None) as bar:
        task = bar.task_ids[0]
        synced = asyncio.run(_sync(settings, lambda done, total: bar.update(task, completed=done, total=total)))
    print(f"{len(synced)} template{'' if len(synced) == 1 else 's'} synced from Meta{_by_status(synced)}")
    return 0


async def _sync(settings: Settings, progress: Callable[[int, int], None]) -> list[MessageTemplate]:
    container = Container(settings=settings, account=business_account(settings), webhook_url="")

    async def sync_all(container: Container) -> list[MessageTemplate]:
        sync_templates: SyncTemplates = await resolved(container.sync_templates)
        synced: list[MessageTemplate] = await sync_templates(progress)
        return synced

    return await used(container, sync_all)


def _by_status(synced: list[MessageTemplate]) -> str:
    counts = collections.Counter(str(t.status) for t in synced)
    return f" ({', '.join(f'{n} {status}' for status, n in sorted(counts.items()))})" if counts else ""
