"""`wahub serve` refuses what it cannot run on with one line on stderr, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

WAHUB = Path(sys.executable).parent / "wahub"


def serve(tmp_path: Path, *arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("WAHUB_")}
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"), **environment)
    return subprocess.run([str(WAHUB), "serve", *arguments], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("arguments", "environment", "line", "code"),
    [
        ((), {"WAHUB_STORE": "postgres"}, "wahub: WAHUB_STORE='postgres' is not one of sqlite, memory, firestore", 1),
        ((), {"WAHUB_ACCESS_TOKEN": "EAAG"}, "wahub: WAHUB_PHONE_NUMBER_ID is required when WAHUB_ACCESS_TOKEN is set", 1),
        (("--port", "99999"), {}, "wahub serve: argument --port: '99999' is not a TCP port (1-65535)", 2),
    ],
)
def test_a_bad_setting_or_argument_stops_serve_with_one_line(
    tmp_path: Path, arguments: tuple[str, ...], environment: dict[str, str], line: str, code: int
) -> None:
    result = serve(tmp_path, *arguments, **environment)

    assert result.returncode == code
    assert result.stderr.startswith(line) and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_a_corrupt_database_stops_serve_with_one_line_naming_the_file(tmp_path: Path) -> None:
    data = tmp_path / "wahub-data"
    data.mkdir()
    (data / "wahub.db").write_bytes(b"not a database " * 100)

    result = serve(tmp_path, "--data-dir", str(data))

    assert result.returncode == 1
    assert result.stderr == f"wahub: database {data / 'wahub.db'} is not a wahub SQLite database or is corrupt: file is not a database\n"
    assert (data / "wahub.db").read_bytes() == b"not a database " * 100
