"""`wahub db check|backup`: SQLite's integrity check and a consistent online copy, while `wahub serve` runs or not."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from adapters.sqlite.maintenance import backup, integrity_problems
from entrypoints.arguments import command_settings, data_dir_option
from entrypoints.console import progress_bar
from entrypoints.resources import SQLITE_FILE
from entrypoints.settings import SettingsError


@click.group("db")
def db() -> None:
    """Check and back up the SQLite database (safe while the server runs)."""


@db.command("check")
@data_dir_option
def check(data_dir: Path | None) -> int:
    """Run SQLite's full integrity check; exit code 1 when it finds a problem."""
    path = _database(data_dir)
    problems = integrity_problems(path)
    for problem in problems:
        print(problem)
    if problems:
        raise click.ClickException(f"database {path} failed SQLite's integrity check ({len(problems)} problems above)")
    print(f"{path}: ok")
    return 0


@db.command("backup")
@click.argument("target", metavar="PATH", type=click.Path(path_type=Path, dir_okay=False))
@data_dir_option
def backup_command(target: Path, data_dir: Path | None) -> int:
    """Copy the database to PATH, a new file: one consistent snapshot, written while the server keeps serving."""
    path = _database(data_dir)
    with progress_bar(f"backing up {path.name}", None) as bar:
        task = bar.task_ids[0]
        size = backup(path, target, progress=lambda done, total: bar.update(task, completed=done, total=total))
    print(f"{path} backed up to {target} ({size:,} bytes, checked)", file=sys.stdout)
    return 0


def _database(data_dir: Path | None) -> Path:
    settings = command_settings(data_dir)
    if settings.store != "sqlite":
        raise SettingsError(f"`wahub db` works on the SQLite store; WAHUB_STORE is {settings.store}")
    return settings.data_dir / SQLITE_FILE
