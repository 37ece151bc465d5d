"""The simulator's app is declared the way current Litestar wants it, so a Litestar upgrade cannot break it silently."""

from __future__ import annotations

import warnings

from entrypoints.simulator.app import create_simulator_app
from entrypoints.simulator.config import SimulatorConfig


def test_building_the_simulator_app_emits_no_deprecation_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        create_simulator_app(SimulatorConfig(access_token="token", app_secret="secret"))

    deprecations = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    assert deprecations == []
