"""`wahub serve`: the backend on the embedded defaults (SQLite, and the simulator when no Meta token is set)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import click
import uvicorn

from entrypoints.arguments import TCP_PORT, OneOf, command_settings, data_dir_option
from entrypoints.container import Container, Role
from entrypoints.http.app import create_app
from entrypoints.http.runtime import Runtime
from entrypoints.logs import LOG_FORMATS, LogFormat, configure_logging
from entrypoints.resources import open_stores
from entrypoints.sandbox import BusinessAccount, business_account
from entrypoints.settings import Settings
from entrypoints.sockets import listening_socket
from entrypoints.worker_process import serve_worker

ROLES = ("all", "api", "worker")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", type=TCP_PORT, default=8000, show_default=True, help="port of the webhook and the API")
@click.option(
    "--role",
    type=OneOf(ROLES),
    default="all",
    show_default=True,
    help="api: webhook and API only; worker: inbox, dispatcher and media only (beside an api on the same data dir)",
)
@data_dir_option
@click.option(
    "--log-format", type=OneOf(LOG_FORMATS), default="text", show_default=True, help="log lines on stderr, or JSON"
)
def serve(host: str, port: int, role: Role, data_dir: Path | None, log_format: LogFormat) -> int:
    """Run the webhook, the HTTP API and the workers (or one side of them: --role)."""
    settings = command_settings(data_dir)
    asyncio.run(_check_store(settings))
    if role == "worker":  # its account is read once the API process has made it (entrypoints/worker_process.py)
        configure_logging(log_format, _secrets(settings))
        serve_worker(settings, announce=lambda line: print(line, flush=True))
        return 0
    account = business_account(settings)
    configure_logging(log_format, _secrets(settings, account))
    sock = listening_socket(host, port, "--port")
    local_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base_url = f"http://{local_host}:{port}"
    container = Container(settings=settings, account=account, webhook_url=f"{base_url}/webhook")
    failures: list[Exception] = []
    app = create_app(
        container,
        announce=lambda runtime: print(banner(runtime, base_url), flush=True),
        role=role,
        startup_failed=failures.append,
    )
    logging.getLogger("uvicorn.error").addFilter(lambda _: not failures)  # the start-up failure is our one line
    config = uvicorn.Config(app, log_level="warning", limit_concurrency=settings.max_connections, log_config=None)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except SystemExit:
        if failures:
            raise failures[0] from None
        raise
    return 0


def _secrets(settings: Settings, account: BusinessAccount | None = None) -> tuple[str, ...]:
    """Masked in every log line, whoever logs them."""
    given = (settings.access_token, settings.app_secret, settings.bootstrap_admin_key, settings.metrics_key)
    generated = () if account is None else (account.access_token, account.app_secret, account.verify_token)
    return (*generated, *(secret for secret in given if secret))


async def _check_store(settings: Settings) -> None:
    """Open the store once before serving, so an unusable database stops us with one line, not a traceback."""
    async for _ in open_stores(settings):
        break


def banner(runtime: Runtime, base_url: str) -> str:
    account = runtime.account
    lines = [
        f"wahub serving at {base_url}  (store: {runtime.settings.store}, data: {runtime.settings.data_dir})",
        f"  API          {base_url}/v1   OpenAPI docs {base_url}/schema",
        f"  webhook      {base_url}/webhook   phone_number_id={account.phone_number_id} waba_id={account.waba_id}",
    ]
    if runtime.first_admin_secret is not None:
        lines.append(f"  admin key    {runtime.first_admin_secret}   (shown once: keep it)")
    if runtime.simulator is not None:
        lines += [
            f"  SANDBOX MODE: no WAHUB_ACCESS_TOKEN, so a Cloud API simulator plays Meta at {runtime.simulator.url}",
            "  make a simulated customer write in:",
            f"    curl -s {runtime.simulator.url}/_sim/inbound -H 'content-type: application/json' \\",
            "      -d '{\"from\": \"16505551234\", \"type\": \"text\", \"text\": {\"body\": \"Hi!\"}}'",
        ]
    return "\n".join(lines)
