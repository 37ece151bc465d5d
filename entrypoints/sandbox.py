"""The business account wahub acts for: Meta's, from the environment, or a sandbox one.

In sandbox mode the ids and secrets not given in the environment are generated once and kept in
the data directory, because stored messages and conversations belong to the phone number id: a
restart must find the same one.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import msgspec

from entrypoints.settings import Settings, SettingsError

IDENTITY_FILE = "sandbox.json"


class BusinessAccount(msgspec.Struct, frozen=True, kw_only=True):
    phone_number_id: str
    waba_id: str
    app_secret: str
    verify_token: str
    access_token: str


def business_account(settings: Settings) -> BusinessAccount:
    if not settings.sandbox:
        return BusinessAccount(
            phone_number_id=_given(settings.phone_number_id),
            waba_id=_given(settings.waba_id),
            app_secret=_given(settings.app_secret),
            verify_token=_given(settings.verify_token),
            access_token=_given(settings.access_token),
        )
    return _sandbox_account(settings)


def _given(value: str | None) -> str:
    assert value is not None, "load_settings refuses Meta mode without every id and secret"
    return value


def _sandbox_account(settings: Settings) -> BusinessAccount:
    path = settings.data_dir / IDENTITY_FILE
    stored = _read(path)
    kept = stored or _generated()
    identity = BusinessAccount(
        phone_number_id=settings.phone_number_id or kept.phone_number_id,
        waba_id=settings.waba_id or kept.waba_id,
        app_secret=settings.app_secret or kept.app_secret,
        verify_token=settings.verify_token or kept.verify_token,
        access_token=kept.access_token,
    )
    if identity != stored:
        _write(path, identity)
    return identity


def _generated() -> BusinessAccount:
    return BusinessAccount(
        phone_number_id=str(10**14 + secrets.randbelow(9 * 10**14)),
        waba_id=str(10**14 + secrets.randbelow(9 * 10**14)),
        app_secret=secrets.token_hex(16),
        verify_token=secrets.token_urlsafe(16),
        access_token="sandbox_" + secrets.token_urlsafe(24),
    )


def _read(path: Path) -> BusinessAccount | None:
    try:
        return msgspec.json.decode(path.read_bytes(), type=BusinessAccount)
    except FileNotFoundError:
        return None
    except (OSError, msgspec.DecodeError) as error:
        raise SettingsError(f"{path} cannot be read as the sandbox account ({error}); delete it to start afresh") from error


def _write(path: Path, identity: BusinessAccount) -> None:
    """The secrets go to a file created readable by the user only, then take the place of the old one at once."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
        file.write(msgspec.json.format(msgspec.json.encode(identity)))
    os.replace(draft, path)
