"""Meta's webhook signature, and the backoff between retries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import InvalidSignature
from domain.retry import RetryPolicy
from domain.webhook_signature import sign, verify_signature

SECRET = b"app-secret"
BODY = b'{"object":"whatsapp_business_account","entry":[]}'


def test_a_signature_made_with_the_app_secret_over_the_raw_body_is_accepted() -> None:
    header = sign(SECRET, BODY)

    assert header.startswith("sha256=") and len(header) == 7 + 64
    verify_signature(SECRET, BODY, header)
    verify_signature(SECRET, BODY, header.upper().replace("SHA256=", "sha256="))


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("sha1=abc", "must start with 'sha256='"),
        (sign(b"other-secret", BODY), "does not match"),
        (sign(SECRET, BODY + b" "), "does not match"),
    ],
)
def test_a_missing_or_wrong_signature_is_refused(header: str | None, reason: str) -> None:
    with pytest.raises(InvalidSignature, match=reason):
        verify_signature(SECRET, BODY, header)


def test_backoff_doubles_up_to_the_cap_and_jitter_stays_in_the_upper_half() -> None:
    policy = RetryPolicy(base=timedelta(seconds=1), cap=timedelta(seconds=10), max_attempts=5)

    assert [policy.delay(n, 0.0) for n in (1, 2, 3, 4, 5)] == [timedelta(seconds=s) for s in (0.5, 1, 2, 4, 5)]
    assert policy.delay(3, 0.999) < timedelta(seconds=4)
    assert not policy.gives_up_after(4) and policy.gives_up_after(5)
