"""The `wahub` command: one line per error, never a traceback.

Each command group lives in its own module as a click command or group; to add one (say `wahub inbox`),
write it there and list it in `COMMANDS` below. Long work shows a rich progress bar on stderr
(`entrypoints.console`); tables and banners go to stdout.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.metadata import version

import click

from adapters.sqlite import StoreUnavailable
from domain.errors import DomainError
from domain.meta_errors import CloudApiError
from entrypoints.db import db
from entrypoints.desktop_command import desktop
from entrypoints.inbox import inbox
from entrypoints.keys import keys
from entrypoints.serve import serve
from entrypoints.settings import SettingsError
from entrypoints.simulator.command import simulator
from entrypoints.templates import templates

COMMANDS: tuple[click.Command, ...] = (serve, simulator, keys, db, desktop, inbox, templates)

RUNTIME_ERRORS = (DomainError, CloudApiError, SettingsError, StoreUnavailable, OSError, click.ClickException)
"""Refusals a command meets while it runs (Meta's included): printed as one line, exit code 1."""


@click.group(
    name="wahub",
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
)
@click.version_option(version("wahub"), "--version", prog_name="wahub", message="%(prog)s %(version)s")
@click.pass_context
def wahub(ctx: click.Context) -> None:
    """An open WhatsApp Business Platform (Meta Cloud API) integration."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


for _command in COMMANDS:
    wahub.add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `wahub`; a usage mistake exits with code 2 (as the shell expects), a refused action returns 1."""
    try:
        result = wahub.main(args=list(argv) if argv is not None else None, prog_name="wahub", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.ctx.get_help() if error.ctx else str(error), err=True)
        raise SystemExit(2) from None
    except click.UsageError as error:
        print(f"{_command_path(error)}: {_usage_complaint(error)}", file=sys.stderr)
        raise SystemExit(2) from None
    except click.exceptions.Exit as exit:
        return exit.exit_code
    except (click.Abort, KeyboardInterrupt):
        return 130
    except RUNTIME_ERRORS as error:
        message = error.format_message() if isinstance(error, click.ClickException) else str(error)
        print(f"wahub: {message}", file=sys.stderr)
        return 1
    return result if isinstance(result, int) else 0


def _command_path(error: click.UsageError) -> str:
    return error.ctx.command_path if error.ctx is not None else "wahub"


def _usage_complaint(error: click.UsageError) -> str:
    """argparse's wording, which our users and scripts already know: `argument --port: '0' is not a TCP port`."""
    if isinstance(error, click.MissingParameter) and error.param is not None:
        return f"the following arguments are required: {_parameter_name(error.param)}"
    if isinstance(error, click.BadParameter) and error.param is not None:
        return f"argument {_parameter_name(error.param)}: {error.message}"
    return error.message


def _parameter_name(parameter: click.Parameter) -> str:
    if isinstance(parameter, click.Option):
        return parameter.opts[0]
    return parameter.human_readable_name.upper()


if __name__ == "__main__":
    sys.exit(main())
