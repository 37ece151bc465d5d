"""The search rule: words folded as FTS5's unicode61 folds them, prefixes, numbers by digits, snippets."""

from __future__ import annotations

import pytest

from domain.content import Document, Image, Interactive, InteractiveText, Location, Reaction, Text
from domain.search import InvalidSearch, matches, message_text, search_terms, snippet, words


def test_words_are_lowercase_without_accents_and_split_at_punctuation() -> None:
    assert words("Zoë ÁVILA-nowak, order#1042 sheena_b US.1349") == [
        "zoe", "avila", "nowak", "order", "1042", "sheena", "b", "us", "1349",
    ]


def test_a_query_of_digits_and_phone_punctuation_is_one_number() -> None:
    assert search_terms(" +1 (650) 555-12 ") == ("165055512",)
    assert search_terms("order 1042") == ("order", "1042")


@pytest.mark.parametrize("query", ["", "  ", "?!", "+-"])
def test_a_query_with_no_letter_or_digit_is_refused(query: str) -> None:
    with pytest.raises(InvalidSearch, match="no letter or digit"):
        search_terms(query)


def test_a_query_of_too_many_words_is_refused() -> None:
    with pytest.raises(InvalidSearch, match="at most 8 words"):
        search_terms("a b c d e f g h i")


def test_every_term_must_start_some_word() -> None:
    assert matches(("ord", "104"), "Where is my order #1042?")
    assert not matches(("rder",), "Where is my order #1042?")
    assert not matches(("order", "parcel"), "Where is my order #1042?")


def test_message_text_covers_what_people_wrote_and_nothing_else() -> None:
    assert message_text(Text(body="Hi there")) == "Hi there"
    assert message_text(Image(id="m1", caption="The broken lid")) == "The broken lid"
    assert message_text(Document(id="m2", caption="Invoice", filename="march.pdf")) == "Invoice march.pdf"
    assert message_text(Location(latitude=1.0, longitude=2.0, name="Depot", address="1 Dock Rd")) == "Depot 1 Dock Rd"
    assert message_text(Interactive(type="button", body=InteractiveText(text="Pick one"))) == "Pick one"
    assert message_text(Reaction(message_id="wamid.X", emoji="👍")) == ""


def test_a_short_text_is_its_own_snippet_and_a_long_one_is_cut_around_the_match() -> None:
    assert snippet("Has  order 1042\nshipped?", ("1042",)) == "Has order 1042 shipped?"
    long = "Hello! " * 20 + "The tracking number ZX99 still says pending. " + "Thanks. " * 10

    cut = snippet(long, ("zx99",))

    assert cut.startswith("…") and cut.endswith("…") and "ZX99" in cut and len(cut) <= 82
