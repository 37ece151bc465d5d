"""Content Structs mirror Meta's type objects; each has a one-line preview for conversation lists."""

from __future__ import annotations

import msgspec
import pytest

from domain.content import (
    Button,
    Content,
    Image,
    Interactive,
    Location,
    Reaction,
    Reply,
    Template,
    TemplateLanguage,
    Text,
    Unsupported,
    is_outbound,
    kind_of,
    preview,
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (Text(body="Does it come in blue?"), "Does it come in blue?"),
        (Image(id="1", caption="receipt"), "[image] receipt"),
        (Location(latitude=37.46, longitude=-122.21), "[location] 37.46, -122.21"),
        (Interactive(type="button_reply", button_reply=Reply(id="yes", title="Yes")), "Yes"),
        (Reaction(message_id="wamid.X", emoji="👍"), "[reaction] 👍"),
        (Template(name="hello_world", language=TemplateLanguage(code="en_US")), "[template] hello_world"),
        (Unsupported(original_type="poll"), "[unsupported: poll]"),
    ],
)
def test_each_kind_of_content_has_a_readable_preview(content: Content, expected: str) -> None:
    assert preview(content) == expected


def test_a_long_text_preview_is_cut_to_80_characters() -> None:
    assert len(preview(Text(body="x" * 500))) == 80


def test_content_round_trips_through_json_tagged_by_kind() -> None:
    original = Image(link="https://example.com/a.jpg", caption="a")

    encoded = msgspec.json.encode(original)

    assert msgspec.json.decode(encoded, type=Content) == original
    assert kind_of(original) == "image" and b'"kind":"image"' in encoded


def test_only_what_a_business_can_send_is_outbound() -> None:
    assert is_outbound(Text(body="hi"))
    assert not is_outbound(Button(text="Cancel", payload="CANCEL"))
    assert not is_outbound(Unsupported(original_type="poll"))
