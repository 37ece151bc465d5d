"""The HTTP API keeps the contract it publishes: schemathesis drives every operation of `/schema/openapi.json`
of a real `wahub serve` (sandbox mode, the simulator playing Meta) with an admin key, and every answer must
be documented (status, media type, body schema, `Allow`) and never a 5xx. A refusal of a request the
schema allows is no breach (schemathesis' "positive data acceptance" is left out): the schema says what
a request looks like, WhatsApp's rules (a window, a known customer) decide the rest, with a documented 4xx.

Bounded: a few dozen examples per operation, so the whole contract runs in about a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar._openapi.plugin import OpenAPIPlugin
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from entrypoints.container import Container
from entrypoints.http.app import create_app
from entrypoints.sandbox import BusinessAccount
from entrypoints.settings import load_settings
from tests.e2e.support import ADMIN_KEY, WahubServer, start_wahub, wahub_environment

EXAMPLES_PER_OPERATION = 25
UPLOAD = "/v1/media"
"""multipart/form-data: every part is text, so a "negative" `type` (null, an array) sent as a part is just the
text of it, which the upload accepts and checks as a MIME type; rejecting it is not a promise a form can make."""
STREAMS = "/v1/events"
"""An endless text/event-stream: a request would never finish; its documentation is checked on its own."""


@pytest.fixture(scope="module")
def contract_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WahubServer]:
    home = tmp_path_factory.mktemp("contract-home")
    server = start_wahub(wahub_environment(home, WAHUB_STORE="memory"), home / "logs")
    try:
        yield server
    finally:
        server.stop()


def published_document() -> dict[str, Any]:
    """The document `wahub serve` publishes at /schema/openapi.json, built by the same create_app at collection
    (schemathesis makes one test per operation before any server runs; the test below compares nothing to it
    but what the running server answers)."""
    settings = load_settings({"WAHUB_STORE": "memory", "WAHUB_DATA_DIR": "/nonexistent"})
    account = BusinessAccount(phone_number_id="1", waba_id="2", app_secret="s", verify_token="v", access_token="t")
    app = create_app(Container(settings=settings, account=account, webhook_url="http://127.0.0.1:9/webhook"))
    return app.plugins.get(OpenAPIPlugin).provide_openapi_schema()


schema = schemathesis.openapi.from_dict(published_document()).exclude(path=STREAMS)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_every_operation_answers_inside_its_documented_contract(
    case: schemathesis.Case, contract_server: WahubServer
) -> None:
    case.call_and_validate(
        base_url=contract_server.url,
        headers={"authorization": f"Bearer {ADMIN_KEY}"},
        excluded_checks=[positive_data_acceptance, *([negative_data_rejection] if case.path == UPLOAD else [])],
    )


def test_the_published_document_is_the_one_tested_and_streams_events_as_text_event_stream(
    contract_server: WahubServer,
) -> None:
    document = contract_server.api().get("/schema/openapi.json").json()

    assert document == msgspec.json.decode(msgspec.json.encode(published_document()))
    answers = document["paths"][STREAMS]["get"]["responses"]["200"]["content"]

    assert list(answers) == ["text/event-stream"]
