"""SendMessage: accept a message for sending, or refuse it now with the reason Meta would give later.

Refusing at the API (window closed, template not approved, parameters wrong, tier spent) is the
point: Meta accepts many such sends with 200 and fails them minutes later by webhook.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

import msgspec

from application.live import message_event
from application.ports import (
    Clock,
    ConversationStore,
    CustomerDirectory,
    IdempotencyKeys,
    LiveEvents,
    MessageStore,
    Outbox,
    TemplateStore,
    WorkQueue,
)
from application.records import OutboxEntry
from domain.content import OutboundContent, Template, preview
from domain.conversations import (
    Conversation,
    CustomerServiceWindow,
    is_business_initiated,
    record_outbound,
    require_window_for,
    response_seconds,
)
from domain.customers import Customer, Sighting, identity_of
from domain.errors import MessagingLimitReached, TemplateNotSendable
from domain.ids import CustomerId, MessageId, PhoneNumberId, new_message_id
from domain.messages import Direction, Message, ReplyContext
from domain.rate_limits import MessagingTier, Refuse
from domain.sending_limits import check_sendable
from domain.status import StatusRecord
from domain.template_parameters import check_send_parameters
from domain.templates import check_sendable_to_bsuid

IDEMPOTENCY_TTL = timedelta(hours=24)
TIER_WINDOW = timedelta(hours=24)


class SendCommand(msgspec.Struct, frozen=True, kw_only=True):
    phone_number_id: PhoneNumberId
    to: CustomerId
    content: OutboundContent
    context: ReplyContext | None = None
    idempotency_key: str | None = None
    retry_of: MessageId | None = None


class SendResult(msgspec.Struct, frozen=True, kw_only=True):
    message: Message
    replayed: bool = False
    """True when an Idempotency-Key had already been used: this is the first send's message."""


class SendMessage:
    def __init__(
        self,
        *,
        messages: MessageStore,
        conversations: ConversationStore,
        customers: CustomerDirectory,
        templates: TemplateStore,
        outbox: Outbox,
        idempotency_keys: IdempotencyKeys,
        live_events: LiveEvents,
        clock: Clock,
        tier: MessagingTier,
        work_queue: WorkQueue,
    ) -> None:
        self._messages = messages
        self._conversations = conversations
        self._customers = customers
        self._templates = templates
        self._outbox = outbox
        self._keys = idempotency_keys
        self._live = live_events
        self._clock = clock
        self._tier = tier
        self._work_queue = work_queue

    async def __call__(self, command: SendCommand) -> SendResult:
        check_sendable(command.content, command.context)
        message_id = new_message_id()
        if command.idempotency_key is not None:
            message_id = await self._claim(command.idempotency_key, message_id)
            earlier = await self._messages.get(message_id)
            if earlier is not None:
                return SendResult(message=earlier, replayed=True)
        customer = await self._customer(command.to)
        conversation = await self._conversations.get(command.phone_number_id, customer.id)
        message = await self._admit(command, message_id, customer, conversation)
        await self._accept(message)
        return SendResult(message=message)

    async def _claim(self, key: str, message_id: MessageId) -> MessageId:
        now = self._clock.now()
        binding = await self._keys.claim(key, message_id, now + IDEMPOTENCY_TTL, now)
        return binding.message_id

    async def _customer(self, to: CustomerId) -> Customer:
        """Who `to` names: a customer seen before by that number or BSUID, else a new one (so a BSUID
        that later shows up beside this number joins the same conversation)."""
        found = await self._customers.find(to)
        if found is not None:
            return found
        created = await self._customers.identify(Sighting(identity=identity_of(to), at=self._clock.now()))
        assert created is not None, "a number or a BSUID always names a customer"
        return created.customer

    async def _admit(
        self, command: SendCommand, message_id: MessageId, customer: Customer, conversation: Conversation | None
    ) -> Message:
        now = self._clock.now()
        window = conversation.window if conversation else CustomerServiceWindow()
        require_window_for(command.content, window, now)
        if isinstance(command.content, Template):
            await self._check_template(command.content, reachable_by_phone=customer.identity.wa_id is not None)
        business_initiated = is_business_initiated(command.content, window, now)
        if business_initiated:
            await self._check_tier(customer.id)
        return Message(
            id=message_id,
            direction=Direction.OUTBOUND,
            phone_number_id=command.phone_number_id,
            customer_id=customer.id,
            identity=customer.identity,
            content=command.content,
            created_at=now,
            status=StatusRecord.queued(now),
            context=command.context,
            business_initiated=business_initiated,
            response_seconds=response_seconds(conversation, now),
            retry_of=command.retry_of,
        )

    async def _check_template(self, send: Template, *, reachable_by_phone: bool) -> None:
        template = await self._templates.get(send.name, send.language.code)
        if template is None:
            raise TemplateNotSendable(
                f"template {send.name!r} does not exist in language {send.language.code!r}; create or sync it first"
            )
        if not reachable_by_phone:
            check_sendable_to_bsuid(template)
        check_send_parameters(template, send)

    async def _check_tier(self, to: CustomerId) -> None:
        now = self._clock.now()
        reached = await self._messages.business_initiated_recipients(now - TIER_WINDOW)
        decision = self._tier.decide(reached, to, now)
        if isinstance(decision, Refuse):
            raise MessagingLimitReached(decision.reason)

    async def _accept(self, message: Message) -> None:
        """Queue before storing: an entry whose message never got stored is dropped by the dispatcher."""
        entry = OutboxEntry(
            message_id=message.id,
            phone_number_id=message.phone_number_id,
            customer_id=message.customer_id,
            due_at=message.created_at,
        )
        await self._outbox.enqueue(entry)
        await self._messages.add(message)
        await self._conversations.update(
            message.phone_number_id,
            message.customer_id,
            lambda current: record_outbound(
                current,
                phone_number_id=message.phone_number_id,
                customer_id=message.customer_id,
                identity=message.identity,
                at=message.created_at,
                preview=preview(message.content),
            ),
        )
        await self._live.publish("message.created", message_event(message))
        with contextlib.suppress(Exception):  # the message is queued: the dispatchers' poll of the outbox finds it
            await self._work_queue.publish("outbox", message.id)
