"""Meta signs every webhook POST: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`.

The check runs over the raw bytes exactly as received (re-serialising JSON changes them) and in
constant time, so an attacker learns nothing from how long a wrong signature takes to refuse.
"""

from __future__ import annotations

import hashlib
import hmac

from domain.errors import InvalidSignature

_PREFIX = "sha256="


def sign(app_secret: bytes, body: bytes) -> str:
    return _PREFIX + hmac.new(app_secret, body, hashlib.sha256).hexdigest()


def verify_signature(app_secret: bytes, untrusted_body: bytes, header: str | None) -> None:
    if not header:
        raise InvalidSignature("the X-Hub-Signature-256 header is missing")
    if not header.startswith(_PREFIX):
        raise InvalidSignature("the X-Hub-Signature-256 header must start with 'sha256='")
    if not hmac.compare_digest(header.lower().encode(), sign(app_secret, untrusted_body).encode()):
        raise InvalidSignature("the X-Hub-Signature-256 header does not match the body and app secret")
