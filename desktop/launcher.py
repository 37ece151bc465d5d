"""`wahub desktop`'s entry: the only module of desktop/ the CLI imports (import-linter allows exactly that edge)."""

from __future__ import annotations

SCREENS = ("inbox", "analytics", "templates", "setup")
"""What `--screen` may open first; the window registers them in desktop.catalogue."""


def launch(server_url: str | None, api_key: str | None, screen: str) -> int:
    """Qt is imported here, on use, so `wahub serve` never loads it."""
    from desktop.app import DesktopApp
    from desktop.window import application

    app = application()
    desktop = DesktopApp(server_url, api_key, screen)
    desktop.start()
    code = app.exec()
    desktop.close()
    return code
