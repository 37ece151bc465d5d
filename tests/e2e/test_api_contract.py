"""The HTTP API keeps the contract it publishes: schemathesis drives every operation of `/schema/openapi.json`
of a real `wahub serve` (sandbox mode, the simulator playing Meta) with an admin key, and every answer must
be documented (status, media type, body schema) and never a 5xx.

Bounded: a few dozen examples per operation, so the whole contract runs in about a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.e2e.support import ADMIN_KEY, WahubServer, start_wahub, wahub_environment

EXAMPLES_PER_OPERATION = 25
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


@pytest.fixture(scope="module")
def api_schema(contract_server: WahubServer) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_url(f"{contract_server.url}/schema/openapi.json")
    return schema.exclude(path=STREAMS)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation_answers_inside_its_documented_contract(case: schemathesis.Case, contract_server: WahubServer) -> None:
    case.call_and_validate(base_url=contract_server.url, headers={"authorization": f"Bearer {ADMIN_KEY}"})


def test_the_event_stream_is_documented_as_text_event_stream(contract_server: WahubServer, tmp_path: Path) -> None:
    document = contract_server.api().get("/schema/openapi.json").json()

    answers = document["paths"][STREAMS]["get"]["responses"]["200"]["content"]

    assert list(answers) == ["text/event-stream"]
