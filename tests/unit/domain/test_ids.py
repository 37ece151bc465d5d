"""Identifiers refuse what WhatsApp would not accept, with a message that says what is expected."""

from __future__ import annotations

import pytest

from domain.errors import InvalidIdentifier
from domain.ids import new_message_id, parse_message_id, parse_phone_number_id, parse_wa_id, parse_wamid


@pytest.mark.parametrize(
    ("raw", "wa_id"),
    [
        ("+16505551234", "16505551234"),
        ("+1 (650) 555-1234", "16505551234"),
        ("+44 20 7946 0958", "442079460958"),
        ("16505551234", "16505551234"),
    ],
)
def test_e164_numbers_normalise_to_metas_wa_id(raw: str, wa_id: str) -> None:
    assert parse_wa_id(raw) == wa_id


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("650 555 1234", "E.164"),
        ("+0123456789", "do not start with 0"),
        ("+1234", "7 to 15 digits"),
        ("+1234567890123456", "7 to 15 digits"),
        ("+1650555123x", "7 to 15 digits"),
        ("", "E.164"),
    ],
)
def test_anything_but_e164_is_refused_precisely(raw: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier, match=reason):
        parse_wa_id(raw)


def test_wamids_graph_ids_and_message_ids_are_checked() -> None:
    assert parse_wamid("wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA") .startswith("wamid.")
    assert parse_phone_number_id("106540352242922") == "106540352242922"
    with pytest.raises(InvalidIdentifier, match="wamid"):
        parse_wamid("HBgL123")
    with pytest.raises(InvalidIdentifier, match="digits"):
        parse_phone_number_id("10654abc")


def test_new_message_ids_are_unique_sort_in_the_order_they_were_made_and_parse_back() -> None:
    made = [new_message_id() for _ in range(50)]

    assert sorted(made) == made and len(set(made)) == 50
    first = made[0]
    assert parse_message_id(first) == first
    with pytest.raises(InvalidIdentifier, match="msg_"):
        parse_message_id("42")
