"""What the `wahub` commands print: rich tables and progress bars for people, plain lines for scripts.

A table on a terminal is drawn by rich; piped, it is plain columns separated by two spaces, so
`wahub keys list | awk` keeps working. Progress bars go to stderr, so stdout stays the command's result.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


def print_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    if stdout.is_terminal:
        table = Table(*columns, box=None, pad_edge=False, header_style="bold")
        for row in rows:
            table.add_row(*row)
        stdout.print(table)
        return
    lines = [tuple(columns), *map(tuple, rows)]
    widths = [max(len(line[column]) for line in lines) for column in range(len(columns))]
    for line in lines:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


@contextmanager
def progress_bar(description: str, total: float | None, *, in_bytes: bool = False) -> Iterator[Progress]:
    """A bar on stderr for long work (backup, template sync); the caller advances task 0.

    Drawn only on a terminal: in a log file or a pipe it would be noise, the result line says it all.
    """
    amount = DownloadColumn() if in_bytes else TaskProgressColumn()
    columns = (TextColumn("{task.description}"), BarColumn(), amount, TimeRemainingColumn())
    bar = Progress(*columns, console=stderr, disable=not stderr.is_terminal)
    with bar:
        bar.add_task(description, total=total)
        yield bar
