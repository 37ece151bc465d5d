"""The control API under `/_sim/`: play the customer, steer Meta's review, inject faults, look inside.

Not part of Meta's API and not authenticated: the simulator listens on loopback for tests and demos.
"""

from __future__ import annotations

import base64
from typing import Any

import msgspec
from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.templates import TemplateQuality, TemplateStatus
from entrypoints.simulator.cloud import SimulatedCloud
from entrypoints.simulator.faults import FaultInjector, GraphFaults
from entrypoints.simulator.inbound import InboundRequest, customer_named, inbound_message, system_notice
from entrypoints.simulator.meta_errors import unknown_object
from entrypoints.simulator.setup import SetupAnswers
from entrypoints.simulator.webhooks import WebhookFaults


class Recipient(msgspec.Struct, kw_only=True):
    wa_id: str


class CustomerSettings(msgspec.Struct, kw_only=True):
    username: str | None = None
    hide_number: bool | None = None


class TemplateVerdict(msgspec.Struct, kw_only=True):
    status: TemplateStatus
    reason: str | None = None


class TemplateRating(msgspec.Struct, kw_only=True):
    quality: TemplateQuality


class ControlApi(Controller):
    path = "/_sim"

    @post("/inbound", status_code=200)
    async def customer_sends(self, data: JSONBody[dict[str, Any]], cloud: NamedDependency[SimulatedCloud]) -> dict[str, Any]:
        """A customer message of any type, in Meta's shape; media bytes come as `media.data_base64`."""
        request = InboundRequest.from_body(data)
        message, media_id, customer = inbound_message(cloud, request)
        cloud.receive(message, request.name, customer)
        return {"wamid": message["id"], "media_id": media_id, "message": message, "customer": customer.view()}

    @put("/customers/{handle:str}")
    async def configure_customer(
        self, handle: FromPath[str], data: JSONBody[CustomerSettings], cloud: NamedDependency[SimulatedCloud]
    ) -> dict[str, object]:
        """Give a customer a username, or hide their number from the business (a 2026 username user)."""
        customer = customer_named(cloud, handle)
        cloud.state.customers.configure(customer.wa_id, username=data.username, hide_number=data.hide_number)
        return customer.view()

    @post("/customers/{handle:str}/number", status_code=200)
    async def change_number(
        self, handle: FromPath[str], data: JSONBody[Recipient], cloud: NamedDependency[SimulatedCloud]
    ) -> dict[str, object]:
        """The customer moves to a new number (and so a new BSUID): a `user_changed_number` notice."""
        customer, old = cloud.state.customers.change_number(customer_named(cloud, handle).wa_id, data.wa_id)
        system = {
            "body": f"User changed from {old['from']} to {customer.wa_id}",
            "wa_id": customer.wa_id,
            "user_id": customer.user_id,
            "previous_user_id": old["from_user_id"],
            "type": "user_changed_number",
        }
        cloud.receive(system_notice(cloud, old, system), None, customer)
        return customer.view()

    @post("/customers/{handle:str}/user-id", status_code=200)
    async def change_user_id(self, handle: FromPath[str], cloud: NamedDependency[SimulatedCloud]) -> dict[str, object]:
        """Meta gives the customer a new BSUID: a `user_changed_user_id` notice, with no phone number in it."""
        customer, old = cloud.state.customers.change_user_id(customer_named(cloud, handle).wa_id)
        system = {
            "body": "User's business-scoped user id changed",
            "user_id": customer.user_id,
            "previous_user_id": old["from_user_id"],
            "type": "user_changed_user_id",
        }
        cloud.receive(system_notice(cloud, old, system), None, customer)
        return customer.view()

    @post("/recipients/marketing-limited", status_code=200)
    async def marketing_limited(self, data: JSONBody[Recipient], cloud: NamedDependency[SimulatedCloud]) -> dict[str, str]:
        """Meta's per-user marketing limit: marketing templates to this customer fail by webhook with 131049."""
        cloud.state.marketing_limited.add(customer_named(cloud, data.wa_id).key)
        return {"wa_id": data.wa_id}

    @post("/customers/{handle:str}/read", status_code=200)
    async def customer_reads(self, handle: FromPath[str], cloud: NamedDependency[SimulatedCloud]) -> dict[str, list[str]]:
        """The customer (by number or BSUID) opens the chat: every delivered message of it is read."""
        return {"read": cloud.customer_reads(handle)}

    @post("/recipients/not-on-whatsapp", status_code=200)
    async def not_on_whatsapp(self, data: JSONBody[Recipient], cloud: NamedDependency[SimulatedCloud]) -> dict[str, str]:
        cloud.state.not_on_whatsapp.add(data.wa_id)
        return {"wa_id": data.wa_id}

    @post("/templates/{template_id:str}/status", status_code=200)
    async def template_verdict(self, template_id: FromPath[str], data: JSONBody[TemplateVerdict], cloud: NamedDependency[SimulatedCloud]) -> dict[str, str]:
        """Meta's review decided, or a later change (PAUSED, DISABLED...), with its webhook."""
        if template_id not in cloud.state.templates:
            raise unknown_object(template_id, "post")
        changed = cloud.set_template_status(template_id, data.status, data.reason)
        return {"id": template_id, "status": str(changed.status)}

    @post("/templates/{template_id:str}/quality", status_code=200)
    async def template_quality(self, template_id: FromPath[str], data: JSONBody[TemplateRating], cloud: NamedDependency[SimulatedCloud]) -> dict[str, str]:
        """Meta rated the template's quality (GREEN, YELLOW, RED or UNKNOWN), with its webhook."""
        if template_id not in cloud.state.templates:
            raise unknown_object(template_id, "post")
        changed = cloud.set_template_quality(template_id, data.quality)
        return {"id": template_id, "quality": str(changed.quality)}

    @put("/setup")
    async def setup_answers(self, data: JSONBody[SetupAnswers], cloud: NamedDependency[SimulatedCloud]) -> SetupAnswers:
        """What debug_token, the phone number, subscribed_apps and message_templates answer; fields left out
        take the passing default, so `{}` makes every setup check pass again."""
        cloud.state.setup = data
        return data

    @put("/faults/graph")
    async def graph_faults(self, data: JSONBody[GraphFaults], faults: NamedDependency[FaultInjector]) -> GraphFaults:
        faults.faults = data
        return data

    @put("/faults/webhooks")
    async def webhook_faults(self, data: JSONBody[WebhookFaults], cloud: NamedDependency[SimulatedCloud]) -> WebhookFaults:
        """Holding collects deliveries; releasing sends them shuffled, batched or twice, as set."""
        cloud.webhooks.set_faults(data)
        return data

    @get("/messages")
    async def sent_messages(self, cloud: NamedDependency[SimulatedCloud]) -> list[dict[str, Any]]:
        return [
            {"wamid": m.wamid, "to": m.to, "type": m.type, "payload": m.payload, "statuses": m.statuses, "at": m.at}
            for m in cloud.state.sent.values()
        ]

    @get("/read-marks")
    async def read_marks(self, cloud: NamedDependency[SimulatedCloud]) -> list[dict[str, Any]]:
        return cloud.state.read_marks

    @get("/webhooks")
    async def deliveries(self, cloud: NamedDependency[SimulatedCloud]) -> list[dict[str, Any]]:
        return [
            {"body": base64.b64encode(d.body).decode(), "answers": d.answers, "delivered": d.delivered}
            for d in cloud.webhooks.deliveries
        ]
