"""`wahub simulator` as a user runs it: a separate process that serves Meta's paths on the given port,
performs the webhook handshake, signs its webhooks, and refuses bad arguments with one line."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from adapters.cloud_api.graph import GraphCloudApi
from adapters.cloud_api.webhook_decoder import MetaWebhookDecoder
from application.ports import SendRequest
from domain.content import Text
from domain.ids import PhoneNumberId, WaId
from domain.meta_errors import CloudApiError
from domain.status import MessageStatus
from domain.webhook_events import InboundMessageReceived, StatusReported
from domain.webhook_signature import verify_signature
from entrypoints.cli import main
from tests.integration.cloud_api.webhook_receiver import VERIFY_TOKEN, WebhookReceiver, webhook_receiver

WAHUB = Path(sys.executable).parent / "wahub"
PHONE = "106540352242922"
TOKEN = "cli-token"
SECRET = "cli-secret"
CUSTOMER = "16505551234"
STARTUP_SECONDS = 20.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def simulator_process(port: int, webhook_url: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    command = [
        str(WAHUB), "simulator", "--port", str(port), "--webhook-url", webhook_url, "--app-secret", SECRET,
        "--access-token", TOKEN, "--verify-token", VERIFY_TOKEN, "--phone-number-id", PHONE,
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.terminate()
            process.wait(timeout=10)


async def until_answering(graph: GraphCloudApi, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll the phone number until it answers; fail at once if the process died, or at the deadline."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        assert process.poll() is None, f"wahub simulator exited: {log.read_text()}"
        try:
            await graph.phone_number_info(PhoneNumberId(PHONE))
            return
        except CloudApiError:
            assert time.monotonic() < deadline, f"wahub simulator did not answer within {STARTUP_SECONDS} s"
            await asyncio.sleep(0.05)


async def next_event(receiver: WebhookReceiver) -> object:
    received = await receiver.next(timeout=10)
    verify_signature(SECRET.encode(), received.body, received.signature)
    [event] = MetaWebhookDecoder().decode(received.body)
    return event


async def test_the_standalone_simulator_takes_a_text_and_reports_it_by_signed_webhook(tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "simulator.log"
    async with webhook_receiver() as webhooks, GraphCloudApi(TOKEN, base_url=f"http://127.0.0.1:{port}") as graph:
        with simulator_process(port, webhooks.url, log) as process:
            await until_answering(graph, process, log)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as control:
                hi = {"from": CUSTOMER, "type": "text", "text": {"body": "Hi"}}
                inbound = await control.post("/_sim/inbound", json=hi)
            hello = SendRequest(phone_number_id=PhoneNumberId(PHONE), to=WaId(CUSTOMER), content=Text(body="Hello!"))
            wamid = await graph.send(hello)

            customer_wrote, sent = await next_event(webhooks), await next_event(webhooks)

    assert inbound.status_code == 200 and isinstance(customer_wrote, InboundMessageReceived)
    assert isinstance(sent, StatusReported) and (sent.wamid, sent.event.status) == (wamid, MessageStatus.SENT)
    assert webhooks.methods[0] == "GET"
    assert f"phone_number_id={PHONE}" in log.read_text()


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--port", "eighty"], "--port"),
        (["--webhook-url", "http://127.0.0.1:8000/webhook"], "required"),
        (["--webhook-url", "ftp://example.com", "--app-secret", "s", "--access-token", "t"], "--webhook-url"),
        (["--webhook-url", "http://h/w", "--app-secret", "s", "--access-token", "t", "--waba-id", "x"], "--waba-id"),
        (["--webhook-url", "http://h/w", "--app-secret", "s", "--access-token", "t", "--status-delay", "-1"], "--status-delay"),
    ],
)
def test_bad_arguments_are_refused_with_one_line_and_exit_code_2(
    arguments: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["simulator", *arguments])

    printed = capsys.readouterr()
    assert exited.value.code == 2
    assert printed.err.startswith("wahub simulator: ") and complaint in printed.err
    assert len(printed.err.splitlines()) == 1 and printed.out == ""


def test_the_installed_command_refuses_bad_arguments_without_a_traceback() -> None:
    result = subprocess.run([str(WAHUB), "simulator", "--port", "0"], capture_output=True, text=True, timeout=60)

    assert result.returncode == 2
    assert result.stderr == "wahub simulator: argument --port: '0' is not a TCP port (1-65535)\n"
