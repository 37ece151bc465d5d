"""Running the simulator: standalone for `wahub simulator`, or in-process on a free loopback port."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn
from litestar import Litestar

from entrypoints.simulator.app import create_simulator_app
from entrypoints.simulator.cloud import SimulatedCloud
from entrypoints.simulator.config import SimulatorConfig
from entrypoints.sockets import listening_socket


@dataclass(frozen=True)
class RunningSimulator:
    url: str
    """Base URL to give GraphCloudApi (the version is added by the client)."""
    cloud: SimulatedCloud

    @property
    def config(self) -> SimulatorConfig:
        return self.cloud.config


@asynccontextmanager
async def serving(
    app: Litestar, host: str = "127.0.0.1", port: int = 0, chosen_by: str = "port"
) -> AsyncIterator[str]:
    """Serve any ASGI app (on a free port unless one is given); the socket listens before this yields."""
    sock = listening_socket(host, port, chosen_by)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@asynccontextmanager
async def running_simulator(config: SimulatorConfig, port: int = 0) -> AsyncIterator[RunningSimulator]:
    app = create_simulator_app(config)
    async with serving(app, port=port, chosen_by="WAHUB_SIMULATOR_PORT") as url:
        yield RunningSimulator(url=url, cloud=app.state.cloud)


def run_simulator(
    *,
    port: int,
    webhook_url: str,
    app_secret: str,
    access_token: str,
    verify_token: str | None = None,
    phone_number_id: str | None = None,
    waba_id: str | None = None,
    host: str = "127.0.0.1",
    status_delay_seconds: float = 0.0,
) -> None:
    """`wahub simulator`: prints the ids a client needs, then serves until interrupted."""
    config = SimulatorConfig(
        access_token=access_token,
        app_secret=app_secret,
        webhook_url=webhook_url,
        verify_token=verify_token,
        status_delay_seconds=status_delay_seconds,
    )
    config.phone_number_id = phone_number_id or config.phone_number_id
    config.waba_id = waba_id or config.waba_id
    sock = listening_socket(host, port, "--port")
    for line in _banner(config, f"http://{host}:{port}"):
        print(line, flush=True)
    uvicorn.Server(uvicorn.Config(create_simulator_app(config), log_level="info")).run(sockets=[sock])


def _banner(config: SimulatorConfig, url: str) -> list[str]:
    handshake = "after Meta's GET handshake" if config.verify_token else "without a handshake (no --verify-token)"
    return [
        f"wahub simulator on {url}  phone_number_id={config.phone_number_id}  waba_id={config.waba_id}",
        f"webhooks -> {config.webhook_url}, {handshake}; control API under {url}/_sim/",
    ]
