"""`wahub simulator`: the Cloud API simulator on its own, for demos and for clients other than wahub."""

from __future__ import annotations

from urllib.parse import urlsplit

import click

from entrypoints.arguments import TCP_PORT, Checked
from entrypoints.simulator.server import run_simulator


def _webhook_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{text!r} is not an http(s) URL")
    return text


def _non_empty(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be empty")
    return text


def _graph_id(text: str) -> str:
    """Meta's object ids are digit strings; anything else would never match a Graph path."""
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a Graph id (digits only)")
    return text


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise ValueError(f"{text!r} is not a number of seconds from 0 to 3600")
    return seconds


SECRET = Checked("text", _non_empty)
GRAPH_ID = Checked("digits", _graph_id)


@click.command("simulator")
@click.option("--port", type=TCP_PORT, default=8100, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="loopback only by default")
@click.option("--webhook-url", type=Checked("url", _webhook_url), required=True, help="where signed webhooks are POSTed")
@click.option("--app-secret", type=SECRET, required=True, help="signs X-Hub-Signature-256")
@click.option("--access-token", type=SECRET, required=True, help="the Bearer token clients must send")
@click.option("--verify-token", type=SECRET, help="sent in Meta's GET handshake before any webhook")
@click.option("--phone-number-id", type=GRAPH_ID, help="default: a fresh random id")
@click.option("--waba-id", type=GRAPH_ID, help="default: a fresh random id")
@click.option(
    "--status-delay",
    type=Checked("seconds", _seconds),
    default=0.0,
    help="seconds between sent, delivered and read (default 0; ~2 looks real)",
)
def simulator(
    port: int,
    host: str,
    webhook_url: str,
    app_secret: str,
    access_token: str,
    verify_token: str | None,
    phone_number_id: str | None,
    waba_id: str | None,
    status_delay: float,
) -> int:
    """Play Meta's Cloud API locally: Graph paths, rules, signed webhooks."""
    run_simulator(
        port=port,
        host=host,
        webhook_url=webhook_url,
        app_secret=app_secret,
        access_token=access_token,
        verify_token=verify_token,
        phone_number_id=phone_number_id,
        waba_id=waba_id,
        status_delay_seconds=status_delay,
    )
    return 0
