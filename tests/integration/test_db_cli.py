"""`wahub db check` and `wahub db backup`: the real console script over a SQLite data dir."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

WAHUB = Path(sys.executable).parent / "wahub"


def wahub(data_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("WAHUB_")}
    environment |= {"WAHUB_STORE": "sqlite", "WAHUB_DATA_DIR": str(data_dir)}
    return subprocess.run([str(WAHUB), *arguments], env=environment, capture_output=True, text=True, timeout=60)


def keys_of(data_dir: Path) -> list[str]:
    listed = wahub(data_dir, "keys", "list")
    assert listed.returncode == 0, listed.stderr
    return listed.stdout.splitlines()[1:]


def test_a_sound_database_checks_ok_and_backs_up_to_a_private_copy_that_holds_the_same_data(tmp_path: Path) -> None:
    data, copy = tmp_path / "data", tmp_path / "copy"
    for name in ("front desk", "crm sync"):
        assert wahub(data, "keys", "create", "--role", "agent", "--name", name).returncode == 0

    checked = wahub(data, "db", "check")
    backed_up = wahub(data, "db", "backup", str(copy / "wahub.db"))
    again = wahub(data, "db", "backup", str(copy / "wahub.db"))

    assert (checked.returncode, checked.stdout) == (0, f"{data / 'wahub.db'}: ok\n")
    assert backed_up.returncode == 0, backed_up.stderr
    assert backed_up.stdout.startswith(f"{data / 'wahub.db'} backed up to {copy / 'wahub.db'} (")
    assert stat.S_IMODE((copy / "wahub.db").stat().st_mode) == 0o600
    assert keys_of(copy) == keys_of(data) and len(keys_of(copy)) == 2
    assert wahub(copy, "db", "check").returncode == 0
    assert again.returncode == 1
    assert again.stderr == f"wahub: {copy / 'wahub.db'} already exists; give the backup a new file name\n"


def test_a_damaged_or_missing_database_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "corrupt").mkdir()
    (tmp_path / "corrupt" / "wahub.db").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)

    corrupt = wahub(tmp_path / "corrupt", "db", "check")
    missing = wahub(tmp_path / "nothing", "db", "backup", str(tmp_path / "copy.db"))

    assert corrupt.returncode == 1 and corrupt.stderr.count("\n") == 1 and "Traceback" not in corrupt.stderr
    assert corrupt.stderr.startswith(f"wahub: database {tmp_path / 'corrupt' / 'wahub.db'} ")
    assert missing.returncode == 1
    absent = tmp_path / "nothing" / "wahub.db"
    assert missing.stderr == f"wahub: database {absent} does not exist (is --data-dir or WAHUB_DATA_DIR right?)\n"
    assert not (tmp_path / "copy.db").exists()
