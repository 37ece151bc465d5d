"""`wahub templates sync`: the real console script against the simulator as its own process (Meta)."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import pytest

from adapters.sqlite import open_sqlite_stores
from domain.templates import MessageTemplate
from tests.e2e.support import WAHUB, free_port, simulator_process

TOKEN = "templates-cli-token"
WABA_ID = "102290129340398"
STALE = b'{"name":"gone_at_meta","language":"en_US","category":"UTILITY","components":[{"type":"BODY","text":"Hi"}]}'


@pytest.fixture(scope="module")
def meta(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The simulator's Graph URL; it holds Meta's sample templates and one made here."""
    with simulator_process(
        tmp_path_factory.mktemp("simulator") / "log.txt", "--webhook-url", "http://127.0.0.1:9/webhook",
        "--app-secret", "secret", "--access-token", TOKEN, "--waba-id", WABA_ID, "--phone-number-id", "106540352242922",
    ) as simulator:
        made = simulator.post(f"/v21.0/{WABA_ID}/message_templates", headers={"authorization": f"Bearer {TOKEN}"}, json={
            "name": "order_ready", "language": "en_US", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Your order is ready."}],
        })
        assert made.status_code == 200, made.text
        yield str(simulator.base_url).rstrip("/")


def sync(data_dir: Path, graph_url: str, token: str = TOKEN) -> subprocess.CompletedProcess[str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("WAHUB_")}
    environment |= {
        "WAHUB_STORE": "sqlite", "WAHUB_DATA_DIR": str(data_dir), "WAHUB_GRAPH_URL": graph_url,
        "WAHUB_ACCESS_TOKEN": token, "WAHUB_WABA_ID": WABA_ID, "WAHUB_PHONE_NUMBER_ID": "106540352242922",
        "WAHUB_APP_SECRET": "secret", "WAHUB_VERIFY_TOKEN": "verify",
    }
    return subprocess.run([str(WAHUB), "templates", "sync"], env=environment, capture_output=True, text=True, timeout=60)


async def _local(data_dir: Path, saved: MessageTemplate | None = None) -> list[tuple[str, str]]:
    stores = await open_sqlite_stores(data_dir / "wahub.db")
    try:
        if saved is not None:
            await stores.templates.save(saved)
        return [(t.name, t.language) for t in await stores.templates.list()]
    finally:
        await stores.close()


def test_sync_mirrors_metas_templates_and_drops_the_ones_meta_no_longer_has(meta: str, tmp_path: Path) -> None:
    asyncio.run(_local(tmp_path, msgspec.json.decode(STALE, type=MessageTemplate)))
    at_meta = httpx.get(f"{meta}/v21.0/{WABA_ID}/message_templates", headers={"authorization": f"Bearer {TOKEN}"}).json()

    result = sync(tmp_path, meta)

    assert result.returncode == 0, result.stderr
    expected = sorted((t["name"], t["language"]) for t in at_meta["data"])
    assert ("order_ready", "en_US") in expected and asyncio.run(_local(tmp_path)) == expected
    assert result.stdout.startswith(f"{len(expected)} templates synced from Meta (")


def test_a_refused_token_is_one_line_naming_metas_error(meta: str, tmp_path: Path) -> None:
    result = sync(tmp_path, meta, token="not-the-token")

    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("wahub: (#190)") and len(result.stderr.splitlines()) == 1, result.stderr


def test_an_unreachable_graph_api_is_one_line(tmp_path: Path) -> None:
    result = sync(tmp_path, f"http://127.0.0.1:{free_port()}")

    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
