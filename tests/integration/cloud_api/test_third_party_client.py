"""pywa, the most widely used Python Cloud API client, works against the simulator unchanged: only its
HTTP connection is pointed at the simulator's loopback port, as a proxy would, and every request is
real HTTP. It sends a text, an uploaded image and the `hello_world` template, and a free-form send
outside the 24 h window fails by webhook with 131047, exactly as Meta delivers it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from pywa.client import WhatsApp
from pywa.types.templates import TemplateLanguage

from adapters.cloud_api.webhook_decoder import MetaWebhookDecoder
from domain.status import MessageStatus
from domain.webhook_events import StatusReported
from domain.webhook_signature import verify_signature
from entrypoints.simulator.config import SimulatorConfig
from entrypoints.simulator.server import RunningSimulator, running_simulator
from tests.integration.cloud_api.webhook_receiver import VERIFY_TOKEN, WebhookReceiver, webhook_receiver

TOKEN = "pywa-token"
SECRET = "pywa-secret"
REGULAR = "16505551234"
"""A customer who wrote in today: free-form messages reach them."""
STRANGER = "16505559876"
"""A number that never wrote: only templates may start the conversation."""
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


class LoopbackGraph(httpx.HTTPTransport):
    """Sends what pywa addresses to graph.facebook.com to the simulator instead, over real loopback HTTP."""

    def __init__(self, simulator_url: str) -> None:
        super().__init__()
        self._target = httpx.URL(simulator_url)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme=self._target.scheme, host=self._target.host, port=self._target.port)
        request.headers["Host"] = self._target.netloc.decode()
        return super().handle_request(request)


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    async with webhook_receiver() as running:
        yield running


@pytest.fixture
async def simulator(receiver: WebhookReceiver) -> AsyncIterator[RunningSimulator]:
    config = SimulatorConfig(
        access_token=TOKEN, app_secret=SECRET, webhook_url=receiver.url, verify_token=VERIFY_TOKEN, auto_read=False
    )
    async with running_simulator(config) as running:
        async with httpx.AsyncClient(base_url=running.url) as control:
            wrote = await control.post("/_sim/inbound", json={"from": REGULAR, "type": "text", "text": {"body": "Hi!"}})
        wrote.raise_for_status()
        yield running


@pytest.fixture
def pywa(simulator: RunningSimulator) -> Iterator[WhatsApp]:
    """pywa is synchronous: tests call it in a thread, so the in-process simulator's loop keeps serving."""
    with httpx.Client(transport=LoopbackGraph(simulator.url), timeout=10) as session:
        yield WhatsApp(phone_id=simulator.config.phone_number_id, token=TOKEN, session=session)


async def statuses_until(receiver: WebhookReceiver, wamids: set[str]) -> dict[str, StatusReported]:
    """The first status webhook of each wamid, read from signed deliveries as wahub's decoder reads them."""
    first: dict[str, StatusReported] = {}
    while not wamids <= first.keys():
        received = await receiver.next()
        verify_signature(SECRET.encode(), received.body, received.signature)
        for event in MetaWebhookDecoder().decode(received.body):
            if isinstance(event, StatusReported):
                first.setdefault(event.wamid, event)
    return first


async def test_pywa_sends_a_text_an_uploaded_image_and_hello_world(
    pywa: WhatsApp, simulator: RunningSimulator, receiver: WebhookReceiver
) -> None:
    text = await asyncio.to_thread(pywa.send_message, to=REGULAR, text="Your order shipped")
    image = await asyncio.to_thread(pywa.send_image, to=REGULAR, image=PNG, mime_type="image/png", caption="Parcel")
    template = await asyncio.to_thread(
        pywa.send_template, to=STRANGER, name="hello_world", language=TemplateLanguage.ENGLISH_US
    )

    reported = await statuses_until(receiver, {text.id, image.id, template.id})

    sent = simulator.cloud.state.sent
    assert {reported[m.id].event.status for m in (text, image, template)} == {MessageStatus.SENT}
    assert [sent[m.id].type for m in (text, image, template)] == ["text", "image", "template"]
    assert simulator.cloud.state.media[sent[image.id].payload["image"]["id"]].data == PNG


async def test_pywa_learns_of_a_free_form_send_outside_the_window_by_a_131047_failed_webhook(
    pywa: WhatsApp, receiver: WebhookReceiver
) -> None:
    sent = await asyncio.to_thread(pywa.send_message, to=STRANGER, text="Are you still interested?")

    failed = (await statuses_until(receiver, {sent.id}))[sent.id]

    assert failed.event.status is MessageStatus.FAILED and failed.event.failure is not None
    assert failed.event.failure.code == 131047
