"""The README's test command is the one CI runs, so a newcomer runs exactly what CI runs."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ci_runs_the_readmes_test_command() -> None:
    ci_command = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    readme = (ROOT / "README.md").read_text()

    assert ci_command.startswith("python3 -m venv")
    assert ci_command in readme
