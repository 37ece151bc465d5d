"""Vivid, fixed example data shared by the contract suites: one shop, two numbers, a few customers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from domain.content import Text
from domain.ids import CustomerId, MessageId, PhoneNumberId, Wamid
from domain.messages import Direction, Message
from domain.status import StatusRecord

MONDAY = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
SHOP_NUMBER = PhoneNumberId("106540352242922")
SUPPORT_NUMBER = PhoneNumberId("106540352242999")
ALICE = CustomerId("16505551234")
BOB = CustomerId("447700900123")


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def message_id(n: int) -> MessageId:
    return MessageId(f"msg_{n:032x}")


def wamid(n: int) -> Wamid:
    return Wamid(f"wamid.HBgLMTY1MDU1NTEyMzQ{n}")


def outbound(n: int, at: datetime = MONDAY, **fields: object) -> Message:
    return _message(n, Direction.OUTBOUND, at, "Your order #1042 has shipped", fields)


def inbound(n: int, at: datetime = MONDAY, **fields: object) -> Message:
    return _message(n, Direction.INBOUND, at, "Where is my order?", fields)


def _message(n: int, direction: Direction, at: datetime, body: str, fields: dict[str, object]) -> Message:
    plain = Message(
        id=message_id(n),
        direction=direction,
        phone_number_id=SHOP_NUMBER,
        customer_id=ALICE,
        content=Text(body=body),
        created_at=at,
        status=StatusRecord.queued(at),
    )
    return msgspec.structs.replace(plain, **fields)
