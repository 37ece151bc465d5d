"""`wahub desktop`: the agents' inbox, a PySide6 window that speaks to a wahub server over HTTP.

desktop/ is a layer of its own beside entrypoints; the one import allowed across (import-linter's
`ignore_imports` names it) is its launcher, which loads Qt only when the command runs, so `wahub
serve` never does. One CLI for every user, and the desktop still cannot reach the backend's code.
"""

from __future__ import annotations

import click

from desktop.launcher import SCREENS, launch
from entrypoints.arguments import OneOf


@click.command("desktop")
@click.option(
    "--server",
    metavar="URL",
    envvar="WAHUB_SERVER_URL",
    help="the wahub server, e.g. http://127.0.0.1:8000 (WAHUB_SERVER_URL)",
)
@click.option(
    "--api-key",
    metavar="KEY",
    envvar="WAHUB_API_KEY",
    show_envvar=False,
    help="an API key (WAHUB_API_KEY); else the one remembered at sign-in",
)
@click.option("--screen", type=OneOf(SCREENS), default="inbox", show_default=True, help="the screen to open first")
def desktop(server: str | None, api_key: str | None, screen: str) -> int:
    """Open the desktop inbox for support agents."""
    try:
        return launch(server, api_key, screen)
    except ImportError as missing:
        raise OSError(f"the desktop needs its extra: pip install 'wahub[desktop]' ({missing})") from None
