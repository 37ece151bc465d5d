"""Settings, read once from `WAHUB_*` environment variables, refused with one line naming the variable.

Without a Meta access token wahub runs in sandbox mode: the Cloud API simulator stands in for
Meta, and secrets and ids not given are generated (and kept in the data directory, so a restart
finds the same business number its stored messages belong to).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import msgspec

STORES = ("sqlite", "memory", "firestore")
QUEUES = ("local", "pubsub")
TIERS = {"250": 250, "2000": 2_000, "10000": 10_000, "100000": 100_000, "unlimited": None}


class SettingsError(Exception):
    """A missing, malformed or inconsistent setting; the message names the variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    store: Literal["sqlite", "memory", "firestore"] = "sqlite"
    data_dir: Path
    access_token: str | None = None
    phone_number_id: str | None = None
    waba_id: str | None = None
    app_secret: str | None = None
    verify_token: str | None = None
    graph_url: str = "https://graph.facebook.com"
    graph_version: str = "v23.0"
    firestore_project: str | None = None
    firestore_database: str = "(default)"
    queue: Literal["local", "pubsub"] = "local"
    """local: the workers poll the store and are woken (one machine); pubsub: Google Cloud Pub/Sub (a fleet)."""
    pubsub_project: str | None = None
    """Defaults to WAHUB_FIRESTORE_PROJECT."""
    pubsub_prefix: str = "wahub"
    pubsub_ack_deadline_seconds: int = 60
    """How long a delivery waits for its worker before it is delivered again (set when subscriptions are created)."""
    """Names the topics and subscriptions: <prefix>-inbox, <prefix>-inbox-dead, <prefix>-inbox-workers, ..."""
    throughput_per_second: int = 80
    messaging_tier: int | None = 250
    max_webhook_bytes: int = 3 * 1024 * 1024
    max_upload_bytes: int = 100 * 1000 * 1000
    max_json_bytes: int = 64 * 1024
    """Every JSON route of the API; a send or a template is a few KiB at most."""
    max_connections: int = 256
    """Open connections the server serves at once; beyond, new ones get a 503 until one closes."""
    max_unverified_webhooks: int = 8
    """Webhook bodies read at once before their signature is checked: memory unsigned traffic can hold."""
    metrics_key: str | None = None
    """When set, /metrics answers only `Authorization: Bearer <this key>`."""
    retention_days: int = 7
    """How long applied webhook POSTs and orphan parked statuses are kept before they are pruned."""
    bootstrap_admin_key: str | None = None
    simulator_port: int = 0
    """Sandbox mode: where the simulator listens; 0 picks a free port (the banner shows it)."""
    dispatch_lease_seconds: int = 30
    unknown_send_wait_seconds: int = 600
    """How long a send whose outcome a crash made unknown waits for a status of Meta's naming it before it is sent again."""
    public_url: str | None = None
    """The address Meta reaches this wahub at (the webhook is `<public_url>/webhook`); the setup checks use it."""
    test_recipient: str | None = None
    """Who receives the setup guide's test message (a number added as a recipient of a Meta test number)."""
    """How long a claimed outbox entry stays hidden; after a crash, its message is retried this much later."""

    @property
    def sandbox(self) -> bool:
        return self.access_token is None


def default_data_dir(environ: Mapping[str, str]) -> Path:
    """Per-user data directory (XDG on Linux), so `wahub serve` works from any folder."""
    base = environ.get("XDG_DATA_HOME") or str(Path(environ.get("HOME", "~")).expanduser() / ".local" / "share")
    return Path(base) / "wahub"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    settings = Settings(
        store=_choice(env, "WAHUB_STORE", STORES, "sqlite"),  # type: ignore[arg-type]
        data_dir=Path(env.get("WAHUB_DATA_DIR") or default_data_dir(env)),
        access_token=_optional(env, "WAHUB_ACCESS_TOKEN"),
        phone_number_id=_digits(env, "WAHUB_PHONE_NUMBER_ID"),
        waba_id=_digits(env, "WAHUB_WABA_ID"),
        app_secret=_optional(env, "WAHUB_APP_SECRET"),
        verify_token=_optional(env, "WAHUB_VERIFY_TOKEN"),
        graph_url=(_optional(env, "WAHUB_GRAPH_URL") or "https://graph.facebook.com").rstrip("/"),
        graph_version=_optional(env, "WAHUB_GRAPH_VERSION") or "v23.0",
        firestore_project=_optional(env, "WAHUB_FIRESTORE_PROJECT"),
        firestore_database=_optional(env, "WAHUB_FIRESTORE_DATABASE") or "(default)",
        queue=_choice(env, "WAHUB_QUEUE", QUEUES, "local"),  # type: ignore[arg-type]
        pubsub_project=_optional(env, "WAHUB_PUBSUB_PROJECT") or _optional(env, "WAHUB_FIRESTORE_PROJECT"),
        pubsub_prefix=_optional(env, "WAHUB_PUBSUB_PREFIX") or "wahub",
        pubsub_ack_deadline_seconds=_integer(env, "WAHUB_PUBSUB_ACK_DEADLINE_SECONDS", 60, 10, 600),
        throughput_per_second=_integer(env, "WAHUB_THROUGHPUT_PER_SECOND", 80, 1, 1000),
        messaging_tier=TIERS[_choice(env, "WAHUB_MESSAGING_TIER", tuple(TIERS), "250")],
        max_webhook_bytes=_integer(env, "WAHUB_MAX_WEBHOOK_BYTES", 3 * 1024 * 1024, 1024, 100 * 1024 * 1024),
        max_upload_bytes=_integer(env, "WAHUB_MAX_UPLOAD_BYTES", 100 * 1000 * 1000, 1024, 1024 * 1024 * 1024),
        max_json_bytes=_integer(env, "WAHUB_MAX_JSON_BYTES", 64 * 1024, 1024, 1024 * 1024),
        max_connections=_integer(env, "WAHUB_MAX_CONNECTIONS", 256, 8, 100_000),
        max_unverified_webhooks=_integer(env, "WAHUB_MAX_UNVERIFIED_WEBHOOKS", 8, 1, 1000),
        metrics_key=_optional(env, "WAHUB_METRICS_KEY"),
        retention_days=_integer(env, "WAHUB_RETENTION_DAYS", 7, 1, 3650),
        bootstrap_admin_key=_optional(env, "WAHUB_BOOTSTRAP_ADMIN_KEY"),
        simulator_port=_integer(env, "WAHUB_SIMULATOR_PORT", 0, 0, 65535),
        dispatch_lease_seconds=_integer(env, "WAHUB_DISPATCH_LEASE_SECONDS", 30, 1, 3600),
        unknown_send_wait_seconds=_integer(env, "WAHUB_UNKNOWN_SEND_WAIT_SECONDS", 600, 1, 7 * 86400),
        public_url=_url(env, "WAHUB_PUBLIC_URL"),
        test_recipient=_optional(env, "WAHUB_TEST_RECIPIENT"),
    )
    _check_consistent(settings)
    return settings


def _check_consistent(settings: Settings) -> None:
    if not settings.sandbox:
        for variable, value in (
            ("WAHUB_PHONE_NUMBER_ID", settings.phone_number_id),
            ("WAHUB_WABA_ID", settings.waba_id),
            ("WAHUB_APP_SECRET", settings.app_secret),
            ("WAHUB_VERIFY_TOKEN", settings.verify_token),
        ):
            if value is None:
                raise SettingsError(f"{variable} is required when WAHUB_ACCESS_TOKEN is set (talking to Meta)")
    if settings.store == "firestore" and settings.firestore_project is None:
        raise SettingsError("WAHUB_FIRESTORE_PROJECT is required when WAHUB_STORE=firestore")
    if settings.queue == "pubsub" and settings.store != "firestore":
        raise SettingsError("WAHUB_QUEUE=pubsub needs WAHUB_STORE=firestore: every process of a fleet shares one store")
    if settings.bootstrap_admin_key is not None and len(settings.bootstrap_admin_key) < 32:
        raise SettingsError("WAHUB_BOOTSTRAP_ADMIN_KEY must be at least 32 characters long")


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = _optional(env, name) or default
    if value not in allowed:
        raise SettingsError(f"{name}={value!r} is not one of {', '.join(allowed)}")
    return value


def _url(env: Mapping[str, str], name: str) -> str | None:
    value = _optional(env, name)
    if value is not None and not value.startswith(("https://", "http://")):
        raise SettingsError(f"{name}={value!r} must be an http(s) URL, e.g. https://wahub.example.com")
    return None if value is None else value.rstrip("/")


def _digits(env: Mapping[str, str], name: str) -> str | None:
    value = _optional(env, name)
    if value is not None and not value.isdigit():
        raise SettingsError(f"{name}={value!r} must be Meta's numeric id (digits only)")
    return value


def _integer(env: Mapping[str, str], name: str, default: int, least: int, most: int) -> int:
    value = _optional(env, name)
    if value is None:
        return default
    if not value.isdigit() or not least <= int(value) <= most:
        raise SettingsError(f"{name}={value!r} must be a whole number from {least} to {most}")
    return int(value)
