"""`wahub simulator`: the Cloud API simulator on its own, for demos and for clients other than wahub."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from entrypoints.arguments import tcp_port
from entrypoints.simulator.server import run_simulator


def add_simulator_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    simulator = commands.add_parser(
        "simulator", help="play Meta's Cloud API locally: Graph paths, rules, signed webhooks"
    )
    simulator.add_argument("--port", type=tcp_port, default=8100, help="default: 8100")
    simulator.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1 (loopback only)")
    simulator.add_argument("--webhook-url", type=_webhook_url, required=True, help="where signed webhooks are POSTed")
    simulator.add_argument("--app-secret", type=_non_empty, required=True, help="signs X-Hub-Signature-256")
    simulator.add_argument("--access-token", type=_non_empty, required=True, help="the Bearer token clients must send")
    simulator.add_argument("--verify-token", type=_non_empty, help="sent in Meta's GET handshake before any webhook")
    simulator.add_argument("--phone-number-id", type=_graph_id, help="default: a fresh random id")
    simulator.add_argument("--waba-id", type=_graph_id, help="default: a fresh random id")
    simulator.add_argument(
        "--status-delay", type=_seconds, default=0.0, help="seconds between sent, delivered and read (default 0; ~2 looks real)"
    )
    simulator.set_defaults(handler=simulator_command)


def simulator_command(arguments: argparse.Namespace) -> int:
    run_simulator(
        port=arguments.port,
        host=arguments.host,
        webhook_url=arguments.webhook_url,
        app_secret=arguments.app_secret,
        access_token=arguments.access_token,
        verify_token=arguments.verify_token,
        phone_number_id=arguments.phone_number_id,
        waba_id=arguments.waba_id,
        status_delay_seconds=arguments.status_delay,
    )
    return 0


def _webhook_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http(s) URL")
    return text


def _non_empty(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def _graph_id(text: str) -> str:
    """Meta's object ids are digit strings; anything else would never match a Graph path."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a Graph id (digits only)")
    return text


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds from 0 to 3600")
    return seconds
