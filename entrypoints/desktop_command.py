"""`wahub desktop`: the agents' inbox, a PySide6 window that speaks to a wahub server over HTTP.

The one import from desktop/ is its launcher, and only when the command runs: the server's process
never loads Qt, and the layers contract lets entrypoints reach desktop through that edge alone.
"""

from __future__ import annotations

import argparse

SCREENS = ("inbox", "analytics", "templates", "setup")


def add_desktop_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    desktop = commands.add_parser("desktop", help="open the desktop inbox for support agents")
    desktop.add_argument(
        "--server", metavar="URL", help="the wahub server, e.g. http://127.0.0.1:8000 (WAHUB_SERVER_URL)"
    )
    desktop.add_argument("--api-key", metavar="KEY", help="an API key (WAHUB_API_KEY); else the remembered one")
    desktop.add_argument("--screen", choices=SCREENS, default="inbox", help="the screen to open first")
    desktop.set_defaults(handler=_run)


def _run(arguments: argparse.Namespace) -> int:
    try:
        from desktop.launcher import launch
    except ImportError as missing:
        raise OSError(f"the desktop needs its extra: pip install 'wahub[desktop]' ({missing})") from None
    return launch(arguments.server, arguments.api_key, arguments.screen)
