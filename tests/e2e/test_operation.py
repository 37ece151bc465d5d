"""`wahub serve` as an operator runs it: a taken port is one line naming it, the banner only once ports are
bound, one structured log line per start and stop and never a secret in the log."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from tests.e2e.conftest import StartWahub
from tests.e2e.support import ADMIN_KEY, WAHUB, conversations, customer_writes, data_dir, eventually, wahub_environment


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port something else listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


def serve(home: Path, *arguments: str, **variables: str) -> subprocess.CompletedProcess[str]:
    environment = wahub_environment(home, **variables)
    return subprocess.run([str(WAHUB), "serve", *arguments], env=environment, capture_output=True, text=True, timeout=60)


def test_a_taken_api_port_is_one_line_naming_it_and_no_banner(home: Path, taken_port: int) -> None:
    result = serve(home, "--port", str(taken_port))

    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        f"wahub: port {taken_port} on 127.0.0.1 is already in use; stop what listens there or choose another (--port)\n"
    )


def test_a_taken_simulator_port_is_one_line_naming_it_and_no_banner(home: Path, taken_port: int) -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        api_port = free.getsockname()[1]

    result = serve(home, "--port", str(api_port), WAHUB_SIMULATOR_PORT=str(taken_port))

    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        f"wahub: port {taken_port} on 127.0.0.1 is already in use; "
        "stop what listens there or choose another (WAHUB_SIMULATOR_PORT)\n"
    )


def test_json_logs_have_one_line_per_start_and_stop_and_no_secret(start: StartWahub, home: Path) -> None:
    server = start("--log-format", "json")
    customer_writes(server.simulator(), "16505551234", "Hi, I'm Sheena", name="Sheena")
    customer_writes(server.simulator(), "16505551234", "Still me, without a profile name", name=None)
    eventually(lambda: conversations(server.api())["16505551234"]["last_message_preview"].startswith("Still me"))
    kept_name = conversations(server.api())["16505551234"]["customer_name"]
    server.stop()

    lines = [json.loads(line) for line in server.stderr().splitlines()]
    account = msgspec.json.decode((data_dir(home) / "sandbox.json").read_bytes())
    secrets = [ADMIN_KEY, account["access_token"], account["app_secret"], account["verify_token"]]

    assert kept_name == "Sheena"
    assert [line["event"] for line in lines if line["event"].startswith("server.")] == ["server.start", "server.stop"]
    start_line = next(line for line in lines if line["event"] == "server.start")
    assert start_line["sandbox"] is True and start_line["store"] == "sqlite" and start_line["level"] == "info"
    assert not [secret for secret in secrets if secret in server.stderr()]


def test_a_backup_taken_while_customers_write_in_is_whole_and_the_server_keeps_serving(
    start: StartWahub, home: Path, tmp_path: Path
) -> None:
    server = start()
    simulator = server.simulator()
    environment = wahub_environment(home)
    copy = tmp_path / "backup" / "wahub.db"

    backing_up = subprocess.Popen(
        [str(WAHUB), "db", "backup", str(copy)], env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    for number in range(30):
        customer_writes(simulator, f"1650555{number:04d}", f"Message {number} while the backup runs")
    _, err = backing_up.communicate(timeout=60)
    on_copy = environment | {"WAHUB_DATA_DIR": str(copy.parent)}
    checked = subprocess.run([str(WAHUB), "db", "check"], env=on_copy, capture_output=True, text=True, timeout=60)

    assert backing_up.returncode == 0, err
    assert checked.returncode == 0 and checked.stdout == f"{copy}: ok\n", checked.stderr
    assert eventually(lambda: len(conversations(server.api())) == 30)
