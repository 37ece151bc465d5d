"""The POSTs issue 8 found stalling the inbox, sent signed to a real server: each is applied where it
can be, reported where it cannot, and a valid message sent after it is visible at once.

Before the fix an invalid UTF-8 byte or a body nested 1,000 deep raised out of the inbox worker on
every pass (nothing applied, backoff up to 30 s), and one lone `\\udc00` escape dropped the whole POST.
"""

from __future__ import annotations

import itertools
import time

import pytest

from tests.e2e.support import WahubServer, metric
from tests.reliability.conftest import Meta, text_message

_numbers = itertools.count(1)


def fresh(prefix: str) -> tuple[str, str]:
    """A customer and a wamid no other test uses."""
    n = next(_numbers)
    return f"1650555{n:04d}", f"wamid.{prefix}{n:06d}"


def raw_text(wamid: str, sender: str, raw_body: bytes) -> bytes:
    """A text message whose body is these bytes as they came on the wire."""
    return text_message(wamid, sender, "RAW").replace(b'"RAW"', raw_body)


@pytest.mark.parametrize(
    "raw_body",
    [b'"\xff"', b'"\\udc00"', b'"\\ud800 and no low half"'],
    ids=["invalid UTF-8 byte", "lone low surrogate escape", "lone high surrogate escape"],
)
def test_a_message_whose_bytes_do_not_decode_is_kept_as_unsupported_beside_its_applied_siblings(
    meta: Meta, raw_body: bytes
) -> None:
    customer, good = fresh("GOOD")
    _, bad = fresh("BAD")
    _, after = fresh("AFTER")

    answer = meta.post(meta.envelope(messages=[text_message(good, customer, "fine"), raw_text(bad, customer, raw_body)]))
    assert answer.status_code == 200, answer.text
    meta.post(meta.envelope(messages=[text_message(after, customer, "still there?")]))

    assert meta.visible(customer, after)["content"] == {"body": "still there?"}
    assert meta.visible(customer, good)["content"] == {"body": "fine"}
    kept = meta.visible(customer, bad)
    assert kept["type"] == "unsupported" and "not valid JSON" in str(kept["content"]), kept


def test_a_body_nested_a_thousand_deep_is_reported_and_does_not_hold_up_the_next_post(meta: Meta, server: WahubServer) -> None:
    customer, after = fresh("AFTERDEEP")
    deep = b'{"a":' * 1000 + b"1" + b"}" * 1000
    body = meta.envelope(messages=[text_message(f"wamid.DEEP{time.time_ns()}", customer, "x")]).replace(
        b'"messaging_product"', b'"deep":' + deep + b',"messaging_product"', 1
    )

    assert meta.post(body).status_code == 200
    meta.post(meta.envelope(messages=[text_message(after, customer, "after the deep one")]))

    meta.visible(customer, after)
    assert metric(server, "wahub_inbox_quarantined") == 0
