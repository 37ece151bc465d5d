"""The Cloud API send body: a phone number goes in `to`, a BSUID (2026) in `recipient`."""

from __future__ import annotations

from adapters.cloud_api.graph_wire import send_body
from application.ports import SendRequest
from domain.content import Text
from domain.ids import Bsuid, PhoneNumberId, WaId

NUMBER = PhoneNumberId("106540352242922")


def test_a_send_to_a_phone_number_names_it_in_to() -> None:
    body = send_body(SendRequest(phone_number_id=NUMBER, to=WaId("16505551234"), content=Text(body="Hi")))

    assert body["to"] == "16505551234" and "recipient" not in body


def test_a_send_to_a_bsuid_names_it_in_recipient_and_leaves_to_out() -> None:
    request = SendRequest(phone_number_id=NUMBER, recipient=Bsuid("US.13491208655302741918"), content=Text(body="Hi"))

    body = send_body(request)

    assert body["recipient"] == "US.13491208655302741918" and "to" not in body
