"""The `wahub` command: one line per error, never a traceback."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.metadata import version
from typing import NoReturn

from adapters.sqlite import StoreUnavailable
from domain.errors import DomainError
from entrypoints.desktop_command import add_desktop_command
from entrypoints.keys import add_keys_command
from entrypoints.serve import add_serve_command
from entrypoints.settings import SettingsError
from entrypoints.simulator.command import add_simulator_command


class _OneLineErrors(argparse.ArgumentParser):
    """argparse prints the usage before a bad argument; we print the error alone, as for every other error.

    Subcommand parsers are made of the same class, so theirs are one line too.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = _OneLineErrors(
        prog="wahub",
        description="An open WhatsApp Business Platform (Meta Cloud API) integration.",
    )
    parser.add_argument("--version", action="version", version=f"wahub {version('wahub')}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_serve_command(commands)
    add_simulator_command(commands)
    add_keys_command(commands)
    add_desktop_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        handler = getattr(arguments, "handler", None)
        if handler is None:
            parser.print_help()
            return 0
        result: int = handler(arguments)
        return result
    except (DomainError, SettingsError, StoreUnavailable, OSError) as error:
        print(f"wahub: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
