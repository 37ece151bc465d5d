"""Running the real `wahub` console script as a subprocess, and polling it with a deadline.

Nothing here sleeps to synchronise: `eventually` polls a check until it holds or its deadline
passes, and fails with the last thing it saw.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

T = TypeVar("T")

WAHUB = Path(sys.executable).parent / "wahub"
ADMIN_KEY = "wahub_e2e_admin_key_0123456789abcdefghijklmnopq"
START_TIMEOUT = 30.0
SIMULATOR_URL = re.compile(r"simulator plays Meta at (http://\S+)")


def eventually(check: Callable[[], T], timeout: float = 15.0, interval: float = 0.05) -> T:
    """Call `check` until it returns a truthy value without failing an assertion; return that value.

    At the deadline, the last AssertionError is raised again (or one showing the last falsy value).
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
            if value:
                return value
            failure: AssertionError = AssertionError(f"still {value!r} after {timeout} s")
        except AssertionError as error:
            failure = error
        if time.monotonic() >= deadline:
            raise failure
        time.sleep(interval)


def free_port() -> int:
    """A port nobody listens on right now: the kernel's pick for a socket bound to port 0."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def simulator_process(log: Path, *arguments: str) -> Iterator[httpx.Client]:
    """`wahub simulator ARGUMENTS` as its own process (Meta outlives the wahub it serves), once it answers;
    a client of its address, and the process ended (its own session) whatever happens."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(WAHUB), "simulator", "--port", str(port), *arguments],
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10.0)
        try:
            eventually(lambda: _simulator_answers(client), timeout=30.0)
            yield client
        finally:
            client.close()
            process.kill()
            process.wait(timeout=10)


def _simulator_answers(client: httpx.Client) -> bool:
    try:
        return client.get("/_sim/messages").status_code == 200
    except httpx.TransportError:
        return False


def wahub_environment(home: Path, **variables: str) -> dict[str, str]:
    """A controlled environment: nothing WAHUB_* leaks in from the developer's shell.

    No WAHUB_ACCESS_TOKEN, so sandbox mode. No PYTHONUNBUFFERED: stdout is a file, as under systemd or
    docker, and the banner must reach it anyway.
    """
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "LANG": "C.UTF-8",
        "WAHUB_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
    }
    if "PYTHONPATH" in os.environ:  # running the suite against another checkout than the installed one
        environment["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return environment | variables


def data_dir(home: Path) -> Path:
    """Where `wahub serve` keeps its data under the environment above (XDG_DATA_HOME/wahub)."""
    return home / "data" / "wahub"


@dataclass
class WahubServer:
    """One `wahub serve` process on a loopback port, its output in files under `logs`."""

    process: subprocess.Popen[bytes]
    port: int
    logs: Path
    simulator_url: str = ""
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stdout(self) -> str:
        return (self.logs / "stdout.txt").read_text(errors="replace")

    def stderr(self) -> str:
        return (self.logs / "stderr.txt").read_text(errors="replace")

    def output(self) -> str:
        return f"--- stdout of wahub serve\n{self.stdout()}\n--- stderr\n{self.stderr()}"

    def api(self, key: str | None = ADMIN_KEY) -> httpx.Client:
        headers = {"authorization": f"Bearer {key}"} if key is not None else {}
        client = httpx.Client(base_url=self.url, headers=headers, timeout=10.0)
        self.clients.append(client)
        return client

    def simulator(self) -> httpx.Client:
        assert self.simulator_url, "no simulator URL in the banner (not in sandbox mode?)"
        client = httpx.Client(base_url=self.simulator_url, timeout=10.0)
        self.clients.append(client)
        return client

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a power cut or an OOM kill."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._close_clients()

    def stop(self) -> None:
        """Terminate, wait, kill: a server never outlives its test."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._close_clients()

    def _close_clients(self) -> None:
        for client in self.clients:
            client.close()
        self.clients.clear()


def start_wahub(
    environment: Mapping[str, str], logs: Path, *arguments: str, sandbox: bool = True, port: int | None = None
) -> WahubServer:
    """`wahub serve --port <free>` up and healthy, its banner read; another port if the first was taken.

    With `port`, that port only (a restart where a simulator posts its webhooks).
    """
    for attempt in range(1 if port is not None else 3):
        chosen = port or free_port()
        directory = logs / f"serve-{chosen}"
        directory.mkdir(parents=True, exist_ok=True)
        with open(directory / "stdout.txt", "wb") as stdout, open(directory / "stderr.txt", "wb") as stderr:
            process = subprocess.Popen(
                [str(WAHUB), "serve", "--port", str(chosen), *arguments],
                env=dict(environment),
                stdout=stdout,
                stderr=stderr,
                stdin=subprocess.DEVNULL,
                cwd=logs,
            )
        server = WahubServer(process=process, port=chosen, logs=directory)
        try:
            _wait_until_ready(server, sandbox)
            return server
        except _PortTaken:
            server.stop()
        except BaseException:
            server.stop()
            raise
    raise AssertionError("wahub serve found no free port in 3 attempts")


WORKER_READY = "wahub worker applying the inbox"


def start_worker(environment: Mapping[str, str], logs: Path) -> WahubServer:
    """`wahub serve --role worker` on the same data as the API process, once it follows that process."""
    directory = logs / f"worker-{time.monotonic_ns()}"
    directory.mkdir(parents=True)
    with open(directory / "stdout.txt", "wb") as stdout, open(directory / "stderr.txt", "wb") as stderr:
        process = subprocess.Popen(
            [str(WAHUB), "serve", "--role", "worker"],
            env=dict(environment),
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            cwd=logs,
        )
    worker = WahubServer(process=process, port=0, logs=directory)

    def following() -> bool:
        if process.poll() is not None:
            raise _Exited(f"wahub serve --role worker exited with {process.returncode}")
        return WORKER_READY in worker.stdout()

    try:
        eventually(following, timeout=START_TIMEOUT)
    except (_Exited, AssertionError) as error:
        worker.stop()
        raise AssertionError(f"{error}\n{worker.output()}") from None
    return worker


class _PortTaken(Exception):
    pass


class _Exited(Exception):
    """Not an AssertionError, so `eventually` gives up at once instead of polling a dead process."""


def _wait_until_ready(server: WahubServer, sandbox: bool) -> None:
    def ready() -> bool:
        if server.process.poll() is not None:
            if "already in use" in server.stderr().lower():
                raise _PortTaken
            raise _Exited(f"wahub serve exited with {server.process.returncode}")
        try:
            healthy = httpx.get(f"{server.url}/healthz", timeout=2.0).status_code == 200
        except httpx.TransportError:
            return False
        found = SIMULATOR_URL.search(server.stdout())
        if found is not None:
            server.simulator_url = found.group(1)
        return healthy and (found is not None or not sandbox)

    try:
        eventually(ready, timeout=START_TIMEOUT)
    except _Exited as exited:
        raise AssertionError(f"{exited}\n{server.output()}") from None
    except AssertionError as error:
        raise AssertionError(f"wahub serve not ready within {START_TIMEOUT} s: {error}\n{server.output()}") from None


def problem(response: httpx.Response) -> dict[str, Any]:
    """The problem+json body of a refusal, checked to be one."""
    assert response.headers.get("content-type", "").startswith("application/problem+json"), response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code, body
    return body


def customer_writes(
    simulator: httpx.Client, wa_id: str, body: str, name: str | None = "Customer", at: datetime | None = None
) -> str:
    """A simulated customer sends a text to the business number; returns its wamid. `name=None`: no profile name.

    `at` stamps it as Meta would have (e.g. 23 hours ago, to have a window about to close)."""
    named = {} if name is None else {"name": name}
    stamped = {} if at is None else {"timestamp": str(int(at.timestamp()))}
    answer = simulator.post(
        "/_sim/inbound", json={"from": wa_id, "type": "text", **named, "text": {"body": body}, **stamped}
    )
    assert answer.status_code == 200, answer.text
    wamid: str = answer.json()["wamid"]
    return wamid


def status_of(api: httpx.Client, message_id: str) -> str:
    answer = api.get(f"/v1/messages/{message_id}")
    assert answer.status_code == 200, answer.text
    status: str = answer.json()["status"]
    return status


def reaches(api: httpx.Client, message_id: str, wanted: str, timeout: float = 15.0) -> dict[str, Any]:
    """The message as the API shows it once its status is `wanted`."""

    def check() -> dict[str, Any]:
        message: dict[str, Any] = api.get(f"/v1/messages/{message_id}").json()
        assert message.get("status") == wanted, message
        return message

    return eventually(check, timeout)


@dataclass(frozen=True)
class Sse:
    id: str
    event: str
    data: Any


class EventStream:
    """An open `GET /v1/events` connection; what the server writes waits in the socket until read.

    So a test can open the stream, act, then read: events are never missed, and no thread is needed.
    """

    def __init__(self, server: WahubServer, patience: float = 15.0, last_event_id: str | None = None) -> None:
        self._client = httpx.Client(timeout=httpx.Timeout(10.0, read=patience))
        self._patience = patience
        headers = {"authorization": f"Bearer {ADMIN_KEY}"} | ({"last-event-id": last_event_id} if last_event_id else {})
        self._stream = self._client.stream("GET", f"{server.url}/v1/events", headers=headers)
        self.response = self._stream.__enter__()
        assert self.response.status_code == 200, self.response.read()
        assert self.response.headers["content-type"].startswith("text/event-stream"), self.response.headers
        self._lines = self.response.iter_lines()
        self.events: list[Sse] = []

    def until(self, seen: Callable[[list[Sse]], bool]) -> list[Sse]:
        """Read events until `seen(every event so far)` holds; a silence longer than the patience fails."""
        deadline = time.monotonic() + self._patience
        fields: dict[str, str] = {}
        while not seen(self.events):
            assert time.monotonic() < deadline, f"not seen within {self._patience} s; events: {self.events}"
            try:
                line = next(self._lines)
            except httpx.ReadTimeout:
                raise AssertionError(f"no event for {self._patience} s; events so far: {self.events}") from None
            if line.startswith(":"):
                continue
            if line:
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
            elif fields:
                self.events.append(Sse(id=fields.get("id", ""), event=fields.get("event", "message"), data=json.loads(fields["data"])))
                fields = {}
        return self.events

    def close(self) -> None:
        self._stream.__exit__(None, None, None)
        self._client.close()


def run_wahub(environment: Mapping[str, str], *arguments: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    """A one-shot `wahub` command (e.g. `keys create`) in the same environment as the server."""
    return subprocess.run(
        [str(WAHUB), *arguments], env=dict(environment), capture_output=True, text=True, timeout=timeout, check=False
    )


def history(api: httpx.Client, wa_id: str) -> list[dict[str, Any]]:
    """Every message of one conversation, oldest first, following the cursor across pages (each newest first)."""
    messages: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        answer = api.get(f"/v1/conversations/{wa_id}/messages", params=params)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        messages += page["data"]
        cursor = page["next_cursor"]
        if cursor is None:
            return messages[::-1]


def conversations(api: httpx.Client) -> dict[str, dict[str, Any]]:
    """Every conversation by customer id (the number, for a customer known by number), across pages."""
    found: dict[str, dict[str, Any]] = {}
    cursor: str | None = None
    while True:
        answer = api.get("/v1/conversations", params={"limit": "100", **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        found |= {c["customer_id"]: c for c in page["data"]}
        cursor = page["next_cursor"]
        if cursor is None:
            return found


def metric(server: WahubServer, name: str) -> float:
    """One unlabelled sample of the server's Prometheus /metrics."""
    text = httpx.get(f"{server.url}/metrics", timeout=10.0).text
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert found is not None, f"{name} not in /metrics:\n{text}"
    return float(found.group(1))


def inbox_drained(server: WahubServer, simulator: httpx.Client) -> None:
    """Every webhook the simulator published was answered 200 (so stored) and the inbox worker applied it."""

    def drained() -> bool:
        deliveries = simulator.get("/_sim/webhooks").json()
        assert all(200 in delivery["answers"] for delivery in deliveries), deliveries
        return metric(server, "wahub_inbox_backlog") == 0

    eventually(drained)
