"""The HTTP API keeps the contract it publishes: schemathesis drives every operation of `/schema/openapi.json`
of a real `wahub serve` (sandbox mode, the simulator playing Meta) with an admin key, and every answer must
be documented (status, media type, body schema, `Allow`) and never a 5xx. Every request the schema refuses
is refused ("negative data rejection"; ids in paths are checked at routing against the patterns the
document states), and every request it allows is accepted ("positive data acceptance": a 2xx, or 404 for
an id nobody has), except on the operations in BEYOND_THE_SCHEMA, where a rule no schema states decides.

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
BEYOND_THE_SCHEMA: dict[tuple[str, str], str] = {
    **dict.fromkeys(
        [("POST", "/v1/messages"), ("POST", "/v1/templates"), ("POST", "/v1/media")],
        "WhatsApp's and Meta's rules (the 24 h window, a template's parameters, a file's type against its bytes) "
        "refuse well-formed requests with a documented 422",
    ),
    **dict.fromkeys(
        [("GET", "/v1/conversations/{customer_id}/messages"), ("POST", "/v1/conversations/{customer_id}/read"),
         ("POST", "/v1/setup/test-message"), ("POST", "/v1/sandbox/customer-messages")],
        "a customer's number may be written with spaces, dashes and brackets: its pattern can only be loose, "
        "and '+0000000' fits it yet names nobody (no country code starts with 0)",
    ),
    ("GET", "/v1/conversations"): "a cursor is opaque: any string fits its schema, only one we issued is a cursor",
    **dict.fromkeys(
        [("GET", f"/v1/analytics/{report}") for report in (
            "closing-windows", "failures", "funnel", "heatmap", "pricing", "response-times", "summary", "templates",
            "volumes",
        )],
        "a period is two times in order, and a time zone a name the IANA database knows: neither fits a schema",
    ),
}
"""Operations whose well-formed requests may be refused (so "positive data acceptance" is left out), and why."""
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
        excluded_checks=[
            *([positive_data_acceptance] if (case.method.upper(), case.path) in BEYOND_THE_SCHEMA else []),
            *([negative_data_rejection] if case.path == UPLOAD else []),
        ],
    )


def test_the_published_document_is_the_one_tested_and_streams_events_as_text_event_stream(
    contract_server: WahubServer,
) -> None:
    document = contract_server.api().get("/schema/openapi.json").json()

    assert document == msgspec.json.decode(msgspec.json.encode(published_document()))
    answers = document["paths"][STREAMS]["get"]["responses"]["200"]["content"]

    assert list(answers) == ["text/event-stream"]
