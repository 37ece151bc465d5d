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
from entrypoints.resources import open_stores
from entrypoints.sandbox import business_account
from entrypoints.settings import Settings
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
def serve(host: str, port: int, role: Role, data_dir: Path | None) -> int:
    """Run the webhook, the HTTP API and the workers (or one side of them: --role)."""
    settings = command_settings(data_dir)
    asyncio.run(_check_store(settings))
    if role == "worker":
        serve_worker(settings, announce=lambda line: print(line, flush=True))
        return 0
    local_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    container = Container(
        settings=settings,
        account=business_account(settings),
        webhook_url=f"http://{local_host}:{port}/webhook",
    )
    base_url = f"http://{local_host}:{port}"
    app = create_app(container, announce=lambda runtime: print(banner(runtime, base_url), flush=True), role=role)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    uvicorn.run(app, host=host, port=port, log_level="warning")
    return 0


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
