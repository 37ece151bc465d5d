"""Options and argument types shared by the `wahub` commands: refused at parse time, in one line.

A type's complaint names the bad value; `entrypoints.cli` adds the command and the option it was given to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
import msgspec

from entrypoints.settings import Settings, load_settings

T = TypeVar("T")


class Checked(click.ParamType[T]):
    """A value read by `parse`, which raises ValueError saying what is wrong with the text."""

    def __init__(self, name: str, parse: Callable[[str], T]) -> None:
        self.name = name
        self._parse = parse

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> T:
        try:
            return self._parse(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


class OneOf(click.Choice[str]):
    """A choice refused as "invalid choice: 'x' (choose from a, b)"."""

    def __init__(self, choices: Sequence[str]) -> None:
        super().__init__(choices)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value not in self.choices:
            self.fail(f"invalid choice: {value!r} (choose from {', '.join(map(str, self.choices))})", param, ctx)
        return value


def _tcp_port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{text!r} is not a TCP port (1-65535)")
    return int(text)


TCP_PORT = Checked("port", _tcp_port)

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    help="where the SQLite database and media live (WAHUB_DATA_DIR)",
)


def command_settings(data_dir: Path | None) -> Settings:
    """The settings from the environment, with `--data-dir` when given."""
    settings = load_settings()
    if data_dir is not None:
        settings = msgspec.structs.replace(settings, data_dir=data_dir)
    return settings
