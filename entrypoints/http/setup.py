"""The setup guide's API: live checks of the connection to Meta, a test message, and (sandbox) a customer who writes.

The guide shows the values to paste into Meta's App Dashboard (`callback_url`, `verify_token`) beside each check.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.exceptions import HTTPException
from litestar.params import JSONBody

from application.access import Action
from application.setup_checks import SetupTarget
from domain.ids import PhoneNumberId, WabaId, parse_customer_id
from domain.setup import SetupCheck
from entrypoints.http.auth import requires
from entrypoints.http.problems import problem_responses
from entrypoints.http.runtime import Runtime
from entrypoints.http.schemas import SetupChecksView
from entrypoints.simulator.inbound import InboundRequest, inbound_message

SANDBOX_TEST_RECIPIENT = "16505550100"
"""In sandbox mode the simulator plays every customer, so the test message goes to this made-up one."""

NOT_RUN = SetupCheck(
    name="test_message", passed=None,
    summary="Not run yet: POST /v1/setup/test-message sends hello_world and waits for its status.",
)


class TestMessageRequest(msgspec.Struct, frozen=True, kw_only=True):
    to: str | None = None
    """The recipient, in international format; default WAHUB_TEST_RECIPIENT (sandbox: a simulated customer)."""


class CustomerMessageRequest(msgspec.Struct, frozen=True, kw_only=True, rename={"from_": "from"}):
    text: str
    from_: str = "16505551234"
    name: str = "Sheena"


class CustomerMessageView(msgspec.Struct, frozen=True, kw_only=True):
    wamid: str
    customer_id: str


@get("/v1/setup/checks", guards=[requires(Action.READ_SETUP)], tags=["setup"],
     responses=problem_responses(401, 403))
async def setup_checks(request: Request[Any, Any, Any]) -> SetupChecksView:
    """Every check answered even when Meta refuses; each failed check says how to fix it. `passed` is null for a
    check that could not run (its summary says why)."""
    runtime: Runtime = request.app.state.runtime
    account = runtime.account
    callback_url = _callback_url(runtime)
    target = SetupTarget(
        phone_number_id=PhoneNumberId(account.phone_number_id), waba_id=WabaId(account.waba_id),
        verify_token=account.verify_token, callback_url=callback_url,
    )
    checks = await runtime.use_cases.run_setup_checks(target)
    settings = runtime.settings
    given = {
        "WAHUB_ACCESS_TOKEN": settings.access_token,
        "WAHUB_PHONE_NUMBER_ID": settings.phone_number_id,
        "WAHUB_WABA_ID": settings.waba_id,
        "WAHUB_APP_SECRET": settings.app_secret,
        "WAHUB_VERIFY_TOKEN": settings.verify_token,
    }
    return SetupChecksView(
        mode="sandbox" if settings.sandbox else "meta",
        store=settings.store,
        phone_number_id=account.phone_number_id,
        waba_id=account.waba_id,
        credentials={name: value is not None for name, value in given.items()},
        webhook_verified_at=runtime.health.verified_at,
        last_webhook_received_at=runtime.health.last_received_at,
        callback_url=callback_url,
        verify_token=account.verify_token,
        checks=[*checks, runtime.health.test_message or NOT_RUN],
    )


@post("/v1/setup/test-message", guards=[requires(Action.READ_SETUP)], tags=["setup"], status_code=200,
      responses=problem_responses(400, 401, 403, 422))
async def test_message(request: Request[Any, Any, Any], data: JSONBody[TestMessageRequest]) -> SetupCheck:
    """Send the approved hello_world template and wait (up to 20 s) for its first status webhook; the verdict is
    also what GET /v1/setup/checks shows as `test_message` from then on."""
    runtime: Runtime = request.app.state.runtime
    recipient = data.to or runtime.settings.test_recipient or (SANDBOX_TEST_RECIPIENT if runtime.settings.sandbox else None)
    if recipient is None:
        raise HTTPException(status_code=422, detail="give `to`, or set WAHUB_TEST_RECIPIENT, to say who receives it")
    number = PhoneNumberId(runtime.account.phone_number_id)
    verdict = await runtime.use_cases.send_test_message(number, parse_customer_id(recipient))
    runtime.health.test_message = verdict
    return verdict


@post("/v1/sandbox/customer-messages", guards=[requires(Action.SEND_MESSAGES)], tags=["setup"], status_code=201,
      responses=problem_responses(400, 401, 403, 409))
async def customer_writes(
    request: Request[Any, Any, Any], data: JSONBody[CustomerMessageRequest]
) -> CustomerMessageView:
    """Sandbox mode: a simulated customer sends a text, which reaches the inbox by signed webhook as from Meta.
    The simulator's own `POST /_sim/inbound` takes every message type."""
    runtime: Runtime = request.app.state.runtime
    if runtime.simulator is None:
        raise HTTPException(status_code=409, detail="only in sandbox mode: with Meta, customers write from WhatsApp")
    cloud = runtime.simulator.cloud
    inbound = InboundRequest.from_body({"from": data.from_, "name": data.name, "type": "text", "text": {"body": data.text}})
    message, _ = inbound_message(cloud, inbound)
    cloud.receive(message, inbound.name)
    return CustomerMessageView(wamid=message["id"], customer_id=message["from"])


def _callback_url(runtime: Runtime) -> str | None:
    """Where Meta must call: the public URL when set; in sandbox the local webhook the simulator calls."""
    if runtime.settings.public_url is not None:
        return f"{runtime.settings.public_url}/webhook"
    return None if runtime.simulator is None else runtime.simulator.config.webhook_url


setup_handlers = [setup_checks, test_message, customer_writes]
