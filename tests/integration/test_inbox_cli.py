"""`wahub inbox failed|replay`: the real console script over a SQLite data dir holding a quarantined POST."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

from adapters.sqlite import open_sqlite_stores
from application.records import InboxFailure
from domain.ids import Wamid
from tests.integration.test_keys_cli import wahub
from tests.unit.application.meta_webhooks import envelope, messages_change, text_message

RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ERROR = 'Traceback (most recent call last):\n  File "apply.py", line 1\nRuntimeError: the store refused it\n'
BODY = envelope(messages_change(messages=[text_message(wamid="wamid.REPLAYED", sender="16505551234", body="Hi", at=RECEIVED)]))


async def _quarantined_post(data_dir: Path) -> str:
    """A POST as the inbox worker leaves it after its last failed attempt."""
    stores = await open_sqlite_stores(data_dir / "wahub.db")
    try:
        event_id = await stores.inbox.append(BODY, RECEIVED)
        await stores.inbox.failed(event_id, InboxFailure(attempts=8, error=ERROR, at=RECEIVED, retry_at=None))
        return event_id
    finally:
        await stores.close()


async def _applied(data_dir: Path) -> tuple[bool, int]:
    stores = await open_sqlite_stores(data_dir / "wahub.db")
    try:
        message = await stores.messages.find_by_wamid(Wamid("wamid.REPLAYED"))
        return message is not None, len(await stores.inbox.quarantined(10))
    finally:
        await stores.close()


def test_a_quarantined_post_is_listed_with_its_error_then_replayed_once(tmp_path: Path) -> None:
    event_id = asyncio.run(_quarantined_post(tmp_path))

    listed = wahub(tmp_path, "inbox", "failed")
    full = wahub(tmp_path, "inbox", "failed", "--full")
    replayed = wahub(tmp_path, "inbox", "replay", event_id)
    again = wahub(tmp_path, "inbox", "replay", event_id)
    after = wahub(tmp_path, "inbox", "failed")

    rows = [re.split(r"\s{2,}", line) for line in listed.stdout.splitlines()]
    assert listed.returncode == 0 and rows[0] == ["id", "received", "attempts", "quarantined", "bytes", "error"]
    assert [rows[1][0], rows[1][2], rows[1][4], rows[1][5]] == [event_id, "8", str(len(BODY)), "RuntimeError: the store refused it"]
    assert ERROR.rstrip() in full.stdout
    assert (replayed.returncode, replayed.stdout) == (0, f"{event_id} applied: 1 message\n"), replayed.stderr
    assert again.returncode == 0, again.stderr
    assert after.stdout.splitlines()[1:] == []
    assert asyncio.run(_applied(tmp_path)) == (True, 0)


def test_replaying_an_unknown_id_is_one_line(tmp_path: Path) -> None:
    refused = wahub(tmp_path, "inbox", "replay", "evt_000000000042")

    assert refused.returncode == 1
    assert refused.stderr == "wahub: no webhook POST 'evt_000000000042' in the inbox; `wahub inbox failed` lists them\n"
