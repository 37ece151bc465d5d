"""`wahub keys`: the real console script over a SQLite data dir, and the real app refusing what it revoked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.memory.cloud_api import FakeCloudApi
from entrypoints.container import Container
from entrypoints.http.app import create_app
from entrypoints.http.runtime import Runtime
from entrypoints.settings import load_settings
from tests.integration.http.conftest import ACCOUNT

WAHUB = Path(sys.executable).parent / "wahub"
BOOTSTRAP_KEY = "wahub_bootstrap_for_scripted_deployments_0123456789"
UNKNOWN_MESSAGE = "/v1/messages/msg_00000000000000000000000000000000"


def wahub(data_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("WAHUB_")}
    environment |= {"WAHUB_STORE": "sqlite", "WAHUB_DATA_DIR": str(data_dir)}
    return subprocess.run([str(WAHUB), *arguments], env=environment, capture_output=True, text=True, timeout=60)


def created(data_dir: Path, role: str, name: str) -> tuple[str, str]:
    """The id and secret `wahub keys create` printed."""
    result = wahub(data_dir, "keys", "create", "--role", role, "--name", name)
    assert result.returncode == 0, result.stderr
    printed = dict(line.split(maxsplit=1) for line in result.stdout.splitlines())
    return printed["id"], printed["secret"]


def listed(data_dir: Path) -> list[list[str]]:
    """The rows of `wahub keys list`, header first."""
    result = wahub(data_dir, "keys", "list")
    assert result.returncode == 0, result.stderr
    return [re.split(r"\s{2,}", line) for line in result.stdout.splitlines()]


@asynccontextmanager
async def server(data_dir: Path, bootstrap_key: str | None = None) -> AsyncIterator[tuple[AsyncTestClient, Runtime]]:  # type: ignore[type-arg]
    """The real app over the same data dir, talking to a fake Meta."""
    environment = {
        "WAHUB_STORE": "sqlite",
        "WAHUB_DATA_DIR": str(data_dir),
        "WAHUB_ACCESS_TOKEN": ACCOUNT.access_token,
        "WAHUB_PHONE_NUMBER_ID": ACCOUNT.phone_number_id,
        "WAHUB_WABA_ID": ACCOUNT.waba_id,
        "WAHUB_APP_SECRET": ACCOUNT.app_secret,
        "WAHUB_VERIFY_TOKEN": ACCOUNT.verify_token,
    }
    if bootstrap_key is not None:
        environment["WAHUB_BOOTSTRAP_ADMIN_KEY"] = bootstrap_key
    container = Container(settings=load_settings(environment), account=ACCOUNT, webhook_url="http://127.0.0.1:9/webhook")
    container.cloud_api.override(providers.Object(FakeCloudApi()))
    container.simulator.override(providers.Object(None))
    app = create_app(container)
    async with AsyncTestClient(app) as client:
        yield client, app.state.runtime


def bearer(secret: str) -> dict[str, str]:
    return {"authorization": f"Bearer {secret}"}


def test_keys_are_created_listed_and_revoked_once_and_secrets_are_never_listed(tmp_path: Path) -> None:
    agent_id, agent_secret = created(tmp_path, "agent", "front desk")
    crm_id, _ = created(tmp_path, "integrator", "crm sync")

    before = listed(tmp_path)
    revoked = wahub(tmp_path, "keys", "revoke", agent_id)
    revoked_again = wahub(tmp_path, "keys", "revoke", agent_id)
    after = listed(tmp_path)

    assert agent_secret.startswith("wahub_") and not any(agent_secret in cell for row in before for cell in row)
    assert before[0] == ["id", "name", "role", "created", "revoked"]
    assert [row[:3] + row[4:] for row in before[1:]] == [[agent_id, "front desk", "agent", "-"], [crm_id, "crm sync", "integrator", "-"]]
    assert revoked.returncode == 0 and f"{agent_id} (front desk, agent) revoked at" in revoked.stdout
    assert (revoked_again.returncode, revoked_again.stdout) == (0, revoked.stdout)
    assert after[1][0] == agent_id and after[1][4] != "-"
    assert after[2][0] == crm_id and after[2][4] == "-"


def test_mistakes_are_one_line_errors(tmp_path: Path) -> None:
    unknown = wahub(tmp_path, "keys", "revoke", "key_0000000000000000")
    bad_role = wahub(tmp_path, "keys", "create", "--role", "owner", "--name", "boss")
    (tmp_path / "a file, not a folder").write_text("")
    not_a_folder = wahub(tmp_path / "a file, not a folder", "keys", "list")

    assert (unknown.returncode, unknown.stderr) == (1, "wahub: no API key has the id 'key_0000000000000000'; `wahub keys list` shows them\n")
    assert bad_role.returncode == 2 and bad_role.stderr.count("\n") == 1 and "invalid choice: 'owner'" in bad_role.stderr
    assert not_a_folder.returncode == 1 and not_a_folder.stderr.count("\n") == 1 and "Traceback" not in not_a_folder.stderr


async def test_a_revoked_key_is_refused_by_the_api_and_others_still_work(tmp_path: Path) -> None:
    revoked_id, revoked_secret = created(tmp_path, "agent", "lost laptop")
    _, kept_secret = created(tmp_path, "agent", "new laptop")
    assert wahub(tmp_path, "keys", "revoke", revoked_id).returncode == 0

    async with server(tmp_path) as (client, _):
        refused = await client.get(UNKNOWN_MESSAGE, headers=bearer(revoked_secret))
        allowed = await client.get(UNKNOWN_MESSAGE, headers=bearer(kept_secret))

    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert allowed.status_code == 404


async def test_the_bootstrap_admin_key_is_installed_on_first_start_and_only_once(tmp_path: Path) -> None:
    async with server(tmp_path, bootstrap_key=BOOTSTRAP_KEY) as (client, runtime):
        answer = await client.get(UNKNOWN_MESSAGE, headers=bearer(BOOTSTRAP_KEY))
        assert answer.status_code == 404 and runtime.first_admin_secret is None
    async with server(tmp_path, bootstrap_key=BOOTSTRAP_KEY):
        pass

    [_, only] = listed(tmp_path)
    assert only[1:3] == ["bootstrap admin", "admin"]


async def test_without_a_bootstrap_key_the_first_start_creates_an_admin_key_shown_once(tmp_path: Path) -> None:
    async with server(tmp_path) as (client, runtime):
        secret = runtime.first_admin_secret
        assert secret is not None
        assert (await client.get(UNKNOWN_MESSAGE, headers=bearer(secret))).status_code == 404
    async with server(tmp_path) as (_, restarted):
        assert restarted.first_admin_secret is None

    [_, only] = listed(tmp_path)
    assert only[1:3] == ["first admin", "admin"]
