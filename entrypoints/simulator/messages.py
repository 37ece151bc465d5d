"""`POST /{version}/{phone_number_id}/messages`: sends, and mark-as-read with the typing indicator.

A send is refused synchronously where Meta refuses it (validation, templates, rate limits) and
otherwise accepted with a wamid; window and recipient failures come later as `failed` statuses.
https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
"""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from adapters.cloud_api.message_payload import MissingTypeObject, UnsendableType, content_from_payload
from domain.content import OutboundContent, Template
from domain.errors import DomainError, InvalidContent, InvalidIdentifier, TemplateNotSendable
from domain.ids import parse_bsuid, parse_wa_id
from domain.messages import ReplyContext
from domain.sending_limits import check_sendable
from domain.template_parameters import check_send_parameters
from domain.templates import MessageTemplate
from entrypoints.simulator.cloud import SimulatedCloud
from entrypoints.simulator.media import check_media_reference
from entrypoints.simulator.meta_errors import NOT_ON_WHATSAPP, RE_ENGAGEMENT, MetaError, invalid_parameter
from entrypoints.simulator.request_body import json_object, require_number
from entrypoints.simulator.state import SentMessage, new_wamid

MAX_CALLBACK_DATA = 512


@post("/{version:str}/{phone_number_id:str}/messages", status_code=200)
async def messages(
    request: Request[Any, Any, Any], version: FromPath[str], phone_number_id: FromPath[str], cloud: NamedDependency[SimulatedCloud]
) -> dict[str, Any]:
    require_number(cloud, phone_number_id, "post")
    body = json_object(await request.body())
    if "status" in body:
        return _mark_read(cloud, body)
    return _send(cloud, body, version)


def _mark_read(cloud: SimulatedCloud, body: dict[str, Any]) -> dict[str, Any]:
    """Only a customer's message can be marked read; the typing indicator marks it read too."""
    _require_product(body)
    if body.get("status") != "read":
        raise invalid_parameter("Param status must be 'read'")
    message_id = body.get("message_id")
    if message_id not in cloud.state.inbound:
        raise invalid_parameter(f"Param message_id: {message_id!r} is not a message this number received")
    typing = body.get("typing_indicator")
    if typing is not None and typing != {"type": "text"}:
        raise invalid_parameter("Param typing_indicator must be {\"type\": \"text\"}")
    cloud.state.read_marks.append({"message_id": message_id, "typing": typing is not None, "at": cloud.now().isoformat()})
    return {"success": True}


def _send(cloud: SimulatedCloud, body: dict[str, Any], version: str) -> dict[str, Any]:
    _require_product(body)
    to = _recipient(body)
    content = _content(body)
    callback_data = _callback_data(body)
    context = body.get("context")
    reply = ReplyContext(message_id=context.get("message_id")) if isinstance(context, dict) else None
    try:
        check_sendable(content, reply)
    except DomainError as error:
        raise invalid_parameter(str(error)) from None
    template = _sendable_template(cloud, content) if isinstance(content, Template) else None
    if not isinstance(content, Template):
        check_media_reference(cloud, content)
    now = cloud.now()
    in_window = cloud.state.window_open(to, now)
    cloud.state.take_send_slot(to, now)
    message = SentMessage(
        wamid=new_wamid(),
        to=to,
        type=str(body["type"]),
        payload=body,
        at=now,
        version=version,
        callback_data=callback_data,
        template_category=str(template.category).lower() if template else None,
        billable=template is not None and not (in_window and template.category == "UTILITY"),
    )
    cloud.state.sent[message.wamid] = message
    cloud.deliver(message, _later_failure(cloud, to, template, in_window))
    answer: dict[str, Any] = {"id": message.wamid}
    if template is not None:
        answer["message_status"] = "accepted"
    return {"messaging_product": "whatsapp", "contacts": [_contact(body, to)], "messages": [answer]}


def _contact(body: dict[str, Any], to: str) -> dict[str, str]:
    """Meta echoes what was used: `wa_id` for a phone send, `user_id` for a send to a BSUID."""
    if "to" in body:
        return {"input": str(body["to"]), "wa_id": to}
    return {"input": str(body["recipient"]), "user_id": to}


def _require_product(body: dict[str, Any]) -> None:
    if body.get("messaging_product") != "whatsapp":
        raise invalid_parameter("The parameter messaging_product is required and must be 'whatsapp'.")


def _recipient(body: dict[str, Any]) -> str:
    """A phone number in `to`, or a BSUID in `recipient` (2026); `to` wins when both are given, as at Meta."""
    to, recipient = body.get("to"), body.get("recipient")
    if isinstance(recipient, str) and recipient and to is None:
        try:
            return parse_bsuid(recipient)
        except InvalidIdentifier as error:
            raise invalid_parameter(f"Param recipient: {error}", code=131009) from None
    if not isinstance(to, str) or not to:
        raise invalid_parameter("The parameter to (a phone number) or recipient (a BSUID) is required.")
    try:
        return parse_wa_id(to)
    except InvalidIdentifier as error:
        raise invalid_parameter(f"Param to: {error}", code=131009) from None


def _content(body: dict[str, Any]) -> OutboundContent:
    """The payload is read as wahub's own API reads it; only Meta's codes for the refusals differ."""
    try:
        return content_from_payload(body)
    except UnsendableType as error:
        raise MetaError(131051, "Unsupported message type", str(error)) from None
    except MissingTypeObject as error:
        raise MetaError(131008, "Required parameter is missing", str(error)) from None
    except InvalidContent as error:
        raise invalid_parameter(f"Param {error}") from None


def _callback_data(body: dict[str, Any]) -> str | None:
    data = body.get("biz_opaque_callback_data")
    if data is not None and (not isinstance(data, str) or len(data) > MAX_CALLBACK_DATA):
        raise invalid_parameter(f"Param biz_opaque_callback_data must be a string of at most {MAX_CALLBACK_DATA} characters")
    return data


def _sendable_template(cloud: SimulatedCloud, send: Template) -> MessageTemplate:
    """Unknown or unapproved: 132001 with HTTP 404; parameters that do not fit: 132000."""
    template = cloud.state.find_template(send.name, send.language.code)
    if template is None:
        raise MetaError(
            132001,
            "Template name does not exist in the translation",
            f"template name ({send.name}) does not exist in {send.language.code}",
            http_status=404,
        )
    try:
        check_send_parameters(template, send)
    except TemplateNotSendable as error:
        raise MetaError(132001, "Template name does not exist in the translation", str(error), http_status=404) from None
    except DomainError as error:
        raise MetaError(132000, "Number of parameters does not match the expected number of params", str(error)) from None
    return template


def _later_failure(cloud: SimulatedCloud, to: str, template: MessageTemplate | None, in_window: bool) -> MetaError | None:
    if to in cloud.state.not_on_whatsapp:
        return NOT_ON_WHATSAPP
    if template is None and not in_window:
        return RE_ENGAGEMENT
    return None
