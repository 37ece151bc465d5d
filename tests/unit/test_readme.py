"""The README tells the truth about how to run and configure wahub."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_ci_runs_the_readmes_test_command() -> None:
    ci_command = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]

    assert ci_command.startswith("python3 -m venv")
    assert ci_command in README


def test_every_setting_wahub_reads_is_in_the_configuration_table() -> None:
    read = set(re.findall(r'"(WAHUB_[A-Z_]+)"', (ROOT / "entrypoints" / "settings.py").read_text()))
    documented = set(re.findall(r"^\| `(WAHUB_[A-Z_]+)` \|", README, flags=re.MULTILINE))

    assert read and read == documented
