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
