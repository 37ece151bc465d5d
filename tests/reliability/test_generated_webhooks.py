"""Hypothesis writes the webhook POSTs: malformed, truncated, deep, huge, wrong types, unknown types,
invalid bytes, each signed as Meta signs, mixed with valid messages and duplicates of them.

Whatever comes: no 5xx, no stalled inbox (a valid message sent after them is visible within
VISIBLE_WITHIN seconds), every valid message applied exactly once, and no POST quarantined (a
POST that cannot be applied is a bug to fix, not an expected outcome).
"""

from __future__ import annotations

import collections
import itertools
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.support import WahubServer, eventually, metric
from tests.reliability.conftest import Meta, text_message

_numbers = itertools.count(1)

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
"""Valid JSON values only: a syntax error anywhere (Python's `Infinity`) makes the whole body not JSON, refused whole."""
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)


def _deep(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


@st.composite
def odd_messages(draw: st.DrawFn, sender: str) -> bytes:
    """One item of `messages[]` that is not a valid message, in one of the ways a body can go wrong."""
    wamid = f"wamid.ODD{next(_numbers):08d}"
    valid = json.loads(text_message(wamid, sender, "x"))
    way = draw(st.sampled_from(["wrong type", "missing key", "unknown type", "invalid bytes", "surrogate", "deep", "huge", "junk"]))
    if way == "wrong type":
        key = draw(st.sampled_from(["from", "id", "timestamp", "text", "type"]))
        valid[key] = draw(JSON_VALUES.filter(lambda v: not isinstance(v, str)))
    elif way == "missing key":
        del valid[draw(st.sampled_from(["from", "id", "timestamp"]))]
    elif way == "unknown type":
        valid["type"] = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))
        valid[valid["type"]] = draw(JSON_VALUES)
    elif way == "invalid bytes":
        return json.dumps(valid).encode().replace(b'"x"', b'"' + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80"])) + b'"')
    elif way == "surrogate":
        return json.dumps(valid).encode().replace(b'"x"', draw(st.sampled_from([b'"\\udc00"', b'"\\ud83d"', b'"a\\udfffb"'])))
    elif way == "deep":
        return json.dumps(valid).encode().replace(b'"x"', _deep(draw(st.integers(1, 200))))
    elif way == "huge":
        valid["text"]["body"] = "x" * draw(st.integers(10_000, 200_000))
    else:
        return json.dumps(draw(JSON_VALUES)).encode()
    return json.dumps(valid).encode()


@st.composite
def whole_bodies(draw: st.DrawFn, meta: Meta) -> bytes:
    """A whole POST that is not Meta's envelope: truncated, junk, nested past any decoder, not JSON at all."""
    valid = meta.envelope(messages=[text_message(f"wamid.WHOLE{next(_numbers):08d}", "16505550000", "x")])
    way = draw(st.sampled_from(["truncated", "junk", "deep", "bytes"]))
    if way == "truncated":
        return valid[: draw(st.integers(0, len(valid) - 1))]
    if way == "junk":
        return json.dumps(draw(JSON_VALUES)).encode()
    if way == "deep":
        return valid.replace(b'"messaging_product"', b'"deep":' + _deep(draw(st.integers(900, 5000))) + b',"messaging_product"', 1)
    return draw(st.binary(max_size=200))


@st.composite
def posts(draw: st.DrawFn, meta: Meta, sender: str) -> tuple[list[bytes], list[str]]:
    """POST bodies and the wamids of the valid messages in them (some sent twice, in one POST or two)."""
    valid: list[str] = []
    bodies: list[bytes] = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 4)) == 0:
            bodies.append(draw(whole_bodies(meta)))
            continue
        items: list[bytes] = []
        for _ in range(draw(st.integers(1, 5))):
            if draw(st.booleans()):
                wamid = f"wamid.VALID{next(_numbers):08d}"
                valid.append(wamid)
                items.append(text_message(wamid, sender, f"valid {wamid}"))
            else:
                items.append(draw(odd_messages(sender)))
        if valid and draw(st.booleans()):
            items.append(text_message(valid[0], sender, f"valid {valid[0]}"))
        bodies.append(meta.envelope(messages=draw(st.permutations(items))))
        if draw(st.integers(0, 4)) == 0:
            bodies.append(bodies[-1])
    return bodies, valid


def history(meta: Meta, customer: str) -> list[dict[str, Any]]:
    answer = meta.api.get(f"/v1/conversations/{customer}/messages", params={"limit": "100"})
    return answer.json()["data"] if answer.status_code == 200 else []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_generated_posts_never_answer_5xx_never_stall_and_apply_each_valid_message_once(
    meta: Meta, server: WahubServer, data: st.DataObject
) -> None:
    customer = f"1650556{next(_numbers) % 10_000:04d}"
    bodies, valid = data.draw(posts(meta, customer))

    answers = [meta.post(body).status_code for body in bodies]
    after = f"wamid.AFTER{next(_numbers):08d}"
    meta.post(meta.envelope(messages=[text_message(after, customer, "sent after them")]))

    assert all(status < 500 for status in answers), answers
    meta.visible(customer, after)

    def each_once() -> bool:
        counted = collections.Counter(m["wamid"] for m in history(meta, customer))
        assert all(counted[wamid] == 1 for wamid in set(valid)), {w: counted[w] for w in valid}
        return True

    eventually(each_once, timeout=5.0)
    assert metric(server, "wahub_inbox_quarantined") == 0
    assert metric(server, "wahub_webhook_posts_failed_total") == 0
