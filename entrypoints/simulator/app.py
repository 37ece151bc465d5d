"""The simulator's Litestar app: Meta's Graph paths behind the bearer check, plus the `/_sim/` control API."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request, Router
from litestar.di import Provide

from entrypoints.simulator import media, messages, objects, templates
from entrypoints.simulator.cloud import SimulatedCloud
from entrypoints.simulator.config import SimulatorConfig
from entrypoints.simulator.control import ControlApi
from entrypoints.simulator.faults import FaultInjector
from entrypoints.simulator.meta_errors import MetaError, handle_meta_error
from entrypoints.simulator.request_body import require_bearer


def create_simulator_app(config: SimulatorConfig) -> Litestar:
    cloud = SimulatedCloud(config)
    injector = FaultInjector()
    graph = Router(
        path="/",
        route_handlers=[
            messages.messages,
            media.upload,
            media.download,
            templates.create_template,
            templates.list_templates,
            templates.delete_template,
            objects.read_object,
            objects.subscribed_apps,
            objects.phone_numbers,
            objects.delete_object,
        ],
        before_request=_check_bearer,
    )
    app = Litestar(
        route_handlers=[graph, ControlApi],
        dependencies={
            "cloud": Provide(lambda: cloud, sync_to_thread=False),
            "faults": Provide(lambda: injector, sync_to_thread=False),
        },
        exception_handlers={MetaError: handle_meta_error},
        middleware=[injector.middleware],
        on_startup=[cloud.start],
        on_shutdown=[cloud.stop],
        openapi_config=None,
        logging_config=None,  # the process logs as its command configured, not as Litestar would
    )
    app.state.cloud = cloud
    return app


async def _check_bearer(request: Request[Any, Any, Any]) -> None:
    require_bearer(request)
