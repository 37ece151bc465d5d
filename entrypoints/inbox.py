"""`wahub inbox failed|replay`: webhook POSTs the inbox gave up on, listed and applied again after a fix.

Both work straight on the configured store, server running or not: applying a POST is one unit of
work and idempotent, so a replay beside a running inbox worker changes nothing twice. The replay's
live events go to this command, not to the server's dashboards (they see the result on refresh).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click

from application.quarantine import ListQuarantined, Replayed, ReplayQuarantined
from application.records import QuarantinedPost
from entrypoints.arguments import command_settings, data_dir_option
from entrypoints.console import print_table
from entrypoints.container import Container, resolved, used
from entrypoints.settings import SettingsError

T = TypeVar("T")
COLUMNS = ("id", "received", "attempts", "quarantined", "bytes", "error")


@click.group("inbox")
def inbox() -> None:
    """Webhook POSTs quarantined after failing to apply: list them, apply one again."""


@inbox.command("failed")
@click.option("--full", is_flag=True, help="print each whole error, traceback included, after the table")
@data_dir_option
def failed(full: bool, data_dir: Path | None) -> int:
    """Every quarantined POST, with the last line of its error."""
    posts: list[QuarantinedPost] = _run(data_dir, _quarantined)
    print_table(COLUMNS, [_row(post) for post in posts])
    for post in posts if full else []:
        print(f"\n--- {post.id}\n{post.error.rstrip()}")
    return 0


@inbox.command("replay")
@click.argument("inbox_event_id", metavar="ID")
@data_dir_option
def replay(inbox_event_id: str, data_dir: Path | None) -> int:
    """Apply the POST ID (as `wahub inbox failed` shows it) again, now; it stays quarantined if it fails again."""
    replayed: Replayed = _run(data_dir, lambda container: _replay(container, inbox_event_id))
    if replayed.error is not None:
        raise click.ClickException(f"{inbox_event_id} failed again and stays quarantined: {replayed.error}")
    print(f"{inbox_event_id} applied: {_described(replayed.applied)}")
    return 0


async def _quarantined(container: Container) -> list[QuarantinedPost]:
    list_quarantined: ListQuarantined = await resolved(container.list_quarantined)
    posts: list[QuarantinedPost] = await list_quarantined()
    return posts


async def _replay(container: Container, inbox_event_id: str) -> Replayed:
    replay_quarantined: ReplayQuarantined = await resolved(container.replay_quarantined)
    replayed: Replayed = await replay_quarantined(inbox_event_id)
    return replayed


def _run(data_dir: Path | None, use: Callable[[Container], Awaitable[T]]) -> T:
    settings = command_settings(data_dir)
    if settings.store == "memory":
        raise SettingsError("WAHUB_STORE=memory keeps the inbox only inside a running server; use sqlite or firestore")
    return asyncio.run(used(Container(settings=settings, webhook_url=""), use))  # only the stores are opened


def _row(post: QuarantinedPost) -> tuple[str, ...]:
    last_line = post.error.strip().splitlines()[-1] if post.error.strip() else ""
    return (
        post.id,
        post.received_at.isoformat(timespec="seconds"),
        str(post.attempts),
        post.quarantined_at.isoformat(timespec="seconds"),
        str(post.size),
        last_line,
    )


def _described(applied: dict[str, int]) -> str:
    if not applied:
        return "nothing in it to apply"
    return ", ".join(f"{amount} {kind}{'' if amount == 1 else 's'}" for kind, amount in sorted(applied.items()))



