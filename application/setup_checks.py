"""The setup guide's live checks: ask Meta (or the simulator playing it) everything a working connection needs.

Every check answers rather than raises: a refusal from Meta is the check's verdict, with its fix.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

import msgspec

from application.ports import Clock, CloudApi, MessageStore, WebhookHandshake
from application.send_message import SendCommand, SendMessage
from domain.content import Template, TemplateLanguage
from domain.errors import DomainError
from domain.ids import CustomerId, PhoneNumberId, WabaId
from domain.meta_errors import CloudApiError
from domain.setup import (
    PhoneNumberStatus,
    SetupCheck,
    phone_number_check,
    round_trip_check,
    round_trip_refused,
    subscription_check,
    templates_check,
    token_check,
    webhook_check,
)

T = TypeVar("T")

TEST_TEMPLATE = Template(name="hello_world", language=TemplateLanguage(code="en_US"))
"""Meta creates this template in every new WhatsApp Business Account, already approved."""

STATUS_WAIT = timedelta(seconds=20)
STATUS_POLL = timedelta(milliseconds=200)


class SetupTarget(msgspec.Struct, frozen=True, kw_only=True):
    phone_number_id: PhoneNumberId
    waba_id: WabaId
    verify_token: str
    callback_url: str | None
    """Where Meta is told to send webhooks; None when not configured (the handshake check is skipped)."""


class RunSetupChecks:
    def __init__(self, *, cloud_api: CloudApi, handshake: WebhookHandshake, clock: Clock) -> None:
        self._cloud_api = cloud_api
        self._handshake = handshake
        self._clock = clock

    async def __call__(self, target: SetupTarget) -> list[SetupCheck]:
        api = self._cloud_api
        token, number, subscribed, templates, handshake = await asyncio.gather(
            _answer(api.token_info), _answer(lambda: api.phone_number_info(target.phone_number_id)),
            _answer(lambda: api.subscribed_apps(target.waba_id)), _answer(lambda: api.list_templates(target.waba_id)),
            self._handshake_failure(target),
        )
        app_id = None if isinstance(token, CloudApiError) or not token.is_valid else token.app_id
        status = number if isinstance(number, CloudApiError) else PhoneNumberStatus(
            verified_name=number.verified_name, quality_rating=number.quality_rating,
            code_verification_status=number.code_verification_status, name_status=number.name_status,
            throughput_level=number.throughput_level,
        )
        return [
            token_check(token, self._clock.now()),
            phone_number_check(status),
            subscription_check(app_id, subscribed, target.waba_id),
            webhook_check(target.callback_url, handshake),
            templates_check(templates if isinstance(templates, CloudApiError) else len(templates)),
        ]

    async def _handshake_failure(self, target: SetupTarget) -> str | None:
        if target.callback_url is None:
            return None
        return await self._handshake.failure(target.callback_url, target.verify_token)


class SendTestMessage:
    """Send hello_world to a test recipient and wait for its first status webhook to come back."""

    def __init__(
        self, *, send_message: SendMessage, messages: MessageStore, clock: Clock,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._send = send_message
        self._messages = messages
        self._clock = clock
        self._sleep = sleep

    async def __call__(self, phone_number_id: PhoneNumberId, to: CustomerId) -> SetupCheck:
        try:
            sent = await self._send(SendCommand(phone_number_id=phone_number_id, to=to, content=TEST_TEMPLATE))
        except DomainError as refused:
            return round_trip_refused(to, str(refused))
        deadline = self._clock.now() + STATUS_WAIT
        message = sent.message
        while True:
            message = await self._messages.get(message.id) or message
            verdict = round_trip_check(message, timed_out=self._clock.now() >= deadline)
            if verdict.passed is not None:
                return verdict
            await self._sleep(STATUS_POLL.total_seconds())


async def _answer(call: Callable[[], Awaitable[T]]) -> T | CloudApiError:
    try:
        return await call()
    except CloudApiError as error:
        return error
