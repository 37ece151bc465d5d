"""The simulated Cloud API as one object: configuration, state, clock and the webhooks it emits."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from domain.templates import MessageTemplate, TemplateQuality, TemplateStatus, with_quality, with_status
from entrypoints.simulator.config import SimulatorConfig
from entrypoints.simulator.customers import SimulatedCustomer
from entrypoints.simulator.envelopes import inbound_entry, status_entry, template_quality_entry, template_status_entry
from entrypoints.simulator.meta_errors import MetaError
from entrypoints.simulator.state import SentMessage, SimulatorState
from entrypoints.simulator.webhooks import WebhookSender

PROGRESS = ("sent", "delivered", "read")


class SimulatedCloud:
    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.state = SimulatorState(config.phone_number_id, config.messages_per_second)
        self.state.not_on_whatsapp.update(config.not_on_whatsapp)
        self.webhooks = WebhookSender(config)
        self._timers: set[asyncio.Task[None]] = set()

    def now(self) -> datetime:
        return self.config.clock()

    async def start(self) -> None:
        await self.webhooks.start()

    async def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        await asyncio.gather(*self._timers, return_exceptions=True)
        await self.webhooks.stop()

    def report(self, message: SentMessage, status: str, error: MetaError | None = None) -> None:
        message.statuses.append(status)
        self.webhooks.publish(status_entry(self.config, message, status, self.now(), error))

    def deliver(self, message: SentMessage, failure: MetaError | None) -> None:
        """After the 200: a failure by webhook, or sent -> delivered -> read on the configured schedule."""
        if failure is not None:
            self.report(message, "failed", failure)
            return
        steps = ("sent",) if message.type == "reaction" else PROGRESS if self.config.auto_read else PROGRESS[:2]
        self._later(self._progress(message, steps))

    async def _progress(self, message: SentMessage, steps: tuple[str, ...]) -> None:
        for step in steps:
            if step != "sent" and self.config.status_delay_seconds:
                await asyncio.sleep(self.config.status_delay_seconds)
            self.report(message, step)

    def customer_reads(self, handle: str) -> list[str]:
        """Reading the chat reads every delivered message in it; reactions never get a read receipt."""
        customer = self.state.customers.find(handle)
        unread = [
            m for m in self.state.sent.values()
            if (m.to == handle or (customer is not None and m.customer is customer)) and m.statuses[-1:] == ["delivered"]
        ]
        for message in unread:
            self.report(message, "read")
        return [m.wamid for m in unread]

    def receive(self, message: dict[str, Any], name: str | None, customer: SimulatedCustomer) -> None:
        """A customer's message opens the 24 h window and reaches the business by webhook.

        A system notice (a changed number or BSUID) carries no contacts array, as at Meta.
        """
        self.state.inbound[message["id"]] = message
        if message.get("type") != "system":
            self.state.last_inbound[customer.key] = self.now()
        contact = None if message.get("type") == "system" else customer.webhook_contact(name)
        self.webhooks.publish(inbound_entry(self.config, message, contact))

    def review(self, template: MessageTemplate) -> None:
        self._later(self._review(template))

    async def _review(self, template: MessageTemplate) -> None:
        if self.config.template_review_seconds:
            await asyncio.sleep(self.config.template_review_seconds)
        if str(template.id) not in self.state.templates:
            return
        reason = self.config.template_verdict(template)
        status = TemplateStatus.APPROVED if reason is None else TemplateStatus.REJECTED
        self.set_template_status(str(template.id), status, reason)

    def set_template_status(self, template_id: str, status: TemplateStatus, reason: str | None) -> MessageTemplate:
        current = self.state.templates[template_id]
        changed = with_status(current, status, reason, self.now())
        self.state.templates[template_id] = changed
        self.webhooks.publish(template_status_entry(self.config, changed, self.now()))
        return changed

    def set_template_quality(self, template_id: str, quality: TemplateQuality) -> MessageTemplate:
        current = self.state.templates[template_id]
        changed = with_quality(current, quality, self.now())
        self.state.templates[template_id] = changed
        self.webhooks.publish(template_quality_entry(self.config, changed, current.quality, self.now()))
        return changed

    def _later(self, coroutine: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coroutine)
        self._timers.add(task)
        task.add_done_callback(self._timers.discard)
