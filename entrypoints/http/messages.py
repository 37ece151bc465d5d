"""Sending and following messages: the body mirrors the Cloud API's own message object."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import HeaderParameter, JSONBody

from adapters.cloud_api.message_payload import content_from_payload, context_from_payload
from application.access import Action
from application.send_message import SendCommand
from domain.errors import InvalidContent
from domain.ids import MessageId, PhoneNumberId, parse_customer_id, parse_message_id, parse_phone_number_id
from entrypoints.http.auth import requires
from entrypoints.http.paths import MessageIdPath
from entrypoints.http.runtime import Runtime
from entrypoints.http.schemas import MessageView, message_view


class MessagesController(Controller):
    path = "/v1/messages"
    tags = ["messages"]

    @post("/", status_code=202, guards=[requires(Action.SEND_MESSAGES)])
    async def send(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[dict[str, Any]],
        idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key")] = None,
    ) -> MessageView:
        """Queue a message; 202 with its id. The same Idempotency-Key returns the first result."""
        runtime: Runtime = request.app.state.runtime
        command = _command(data, runtime.account.phone_number_id, idempotency_key)
        result = await runtime.use_cases.send_message(command)
        return message_view(result.message)

    @get("/{message_id:str}", guards=[requires(Action.READ_MESSAGES)])
    async def get_message(self, request: Request[Any, Any, Any], message_id: MessageIdPath) -> MessageView:
        runtime: Runtime = request.app.state.runtime
        return message_view(await runtime.use_cases.get_message(parse_message_id(message_id)))

    @post("/{message_id:str}/retry", status_code=202, guards=[requires(Action.SEND_MESSAGES)])
    async def retry(self, request: Request[Any, Any, Any], message_id: MessageIdPath) -> MessageView:
        """Send a failed message again as a new attempt (a new id, `retry_of` the failed one)."""
        runtime: Runtime = request.app.state.runtime
        result = await runtime.use_cases.retry_message(MessageId(parse_message_id(message_id)))
        return message_view(result.message)


def _command(body: dict[str, Any], default_number: str, idempotency_key: str | None) -> SendCommand:
    to = body.get("to")
    if not isinstance(to, str):
        raise InvalidContent(
            "to is required: the customer's number in E.164 form (e.g. +16505551234) or their BSUID "
            "(e.g. US.13491208655302741918)"
        )
    sender = body.get("from", default_number)
    if not isinstance(sender, str):
        raise InvalidContent("from must be a phone number id (digits)")
    return SendCommand(
        phone_number_id=PhoneNumberId(parse_phone_number_id(sender)),
        to=parse_customer_id(to),
        content=content_from_payload(body),
        context=context_from_payload(body),
        idempotency_key=idempotency_key,
    )

