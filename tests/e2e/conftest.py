"""End-to-end fixtures: real `wahub serve` processes over loopback, data and HOME in tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.support import EventStream, WahubServer, start_wahub, wahub_environment
from tests.e2e.support import start_worker as start_wahub_worker


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes tens of seconds (e.g. a pip install); still runs by default")


StartWahub = Callable[..., WahubServer]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """HOME and XDG_DATA_HOME of the server processes: its data lives in tmp_path/home/data/wahub."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def start(home: Path, tmp_path: Path) -> Iterator[StartWahub]:
    """Start `wahub serve` (sandbox mode unless told otherwise); every process is stopped at the end.

    `start(WAHUB_X="...")` adds environment variables (an empty value unsets one); all starts of one
    test share one HOME, so a second start is a restart on the same data (`port=` keeps the old port). `banner=False` waits for
    /healthz only, not for the simulator URL on stdout.
    """
    servers: list[WahubServer] = []

    def start_server(*arguments: str, banner: bool = True, port: int | None = None, **variables: str) -> WahubServer:
        environment = wahub_environment(home, **variables)
        server = start_wahub(environment, tmp_path / "logs", *arguments, sandbox=banner, port=port)
        servers.append(server)
        return server

    try:
        yield start_server
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def start_worker(home: Path, tmp_path: Path) -> Iterator[StartWahub]:
    """Start `wahub serve --role worker` on the data of the servers `start` starts; each is stopped at the end."""
    workers: list[WahubServer] = []

    def start_one(**variables: str) -> WahubServer:
        worker = start_wahub_worker(wahub_environment(home, **variables), tmp_path / "logs")
        workers.append(worker)
        return worker

    try:
        yield start_one
    finally:
        for worker in workers:
            worker.stop()


@pytest.fixture
def wahub(start: StartWahub) -> WahubServer:
    """One sandbox server: the simulator plays Meta in-process and calls this server's webhook."""
    return start()


@pytest.fixture
def events(wahub: WahubServer) -> Iterator[EventStream]:
    """The admin's live event stream of `wahub`, opened before the test acts."""
    stream = EventStream(wahub)
    try:
        yield stream
    finally:
        stream.close()
