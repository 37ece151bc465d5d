"""`wahub serve` from a fresh clone, following only the README: its first shell command, verbatim.

The one adaptation: a free port, so the test never collides with anything on 8000. Slow, since it
creates a virtual environment and pip-installs wahub with its dependencies; still run by default.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.support import eventually, free_port

REPOSITORY = Path(__file__).resolve().parents[2]
INSTALL_SECONDS = 240.0


def first_command(readme: str) -> str:
    """The README's first ```sh block, which must be one command."""
    found = re.search(r"```sh\n(.*?)\n```", readme, re.DOTALL)
    assert found is not None, "the README has no ```sh block"
    command = found.group(1).strip()
    assert "\n" not in command, f"the first command is one line: {command!r}"
    return command


def on_free_port(command: str, port: int) -> str:
    assert command.endswith("wahub serve"), f"the README's first command serves wahub: {command!r}"
    return f"{command} --port {port}"


def machine_environment(home: Path) -> dict[str, str]:
    """This machine's environment (its Python, pip's index and cache settings) without any WAHUB_*, in a fresh HOME."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith(("WAHUB_", "PYTHONPATH", "VIRTUAL_ENV"))}
    return environment | {"HOME": str(home), "XDG_DATA_HOME": str(home / "data")}


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    destination = tmp_path / "wahub"
    cloned = subprocess.run(
        ["git", "clone", "--quiet", str(REPOSITORY), str(destination)], capture_output=True, text=True, timeout=120, check=False
    )
    assert cloned.returncode == 0, cloned.stderr
    return destination


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Shell commands in their own process group, so the server the shell started stops with it."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        else:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.mark.slow
def test_the_readme_first_command_in_a_fresh_clone_serves_wahub(clone: Path, shell: list[subprocess.Popen[bytes]], tmp_path: Path) -> None:
    port = free_port()
    command = on_free_port(first_command((clone / "README.md").read_text()), port)
    home = tmp_path / "home"
    home.mkdir()
    log = tmp_path / "readme-command.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            ["bash", "-c", command], cwd=clone, env=machine_environment(home), stdout=output, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    shell.append(process)

    def healthy() -> bool:
        assert process.poll() is None, f"`{command}` ended with {process.returncode}:\n{log.read_text(errors='replace')[-5000:]}"
        try:
            return bool(httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2.0).json() == {"status": "ok"})
        except httpx.TransportError:
            return False

    eventually(healthy, timeout=INSTALL_SECONDS, interval=0.5)

    output_so_far = log.read_text(errors="replace")
    assert "SANDBOX MODE" in output_so_far and f"http://127.0.0.1:{port}/v1" in output_so_far, output_so_far[-3000:]
    assert (home / "data" / "wahub" / "wahub.db").exists(), "data under the user's data directory, not in the clone"
