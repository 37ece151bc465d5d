"""Imports point inward: the domain stays pure, the application never reaches for an adapter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIRST_PARTY = {"domain", "application", "adapters", "entrypoints", "desktop"}
ALLOWED = {
    "domain": {"domain", "msgspec"} | set(sys.stdlib_module_names),
    "application": {"domain", "application", "msgspec"} | set(sys.stdlib_module_names),
}
FORBIDDEN_FIRST_PARTY = {"adapters": {"entrypoints", "desktop"}, "desktop": {"application", "adapters", "entrypoints"}}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def modules_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_core_layers_import_only_what_they_are_allowed(package: str) -> None:
    offenders = {
        f"{path.relative_to(ROOT)} imports {root}"
        for path in modules_of(package)
        for root in imported_roots(path) - ALLOWED[package]
    }
    assert not offenders, "\n".join(sorted(offenders))


@pytest.mark.parametrize("package", sorted(FORBIDDEN_FIRST_PARTY))
def test_outer_layers_do_not_import_each_other(package: str) -> None:
    offenders = {
        f"{path.relative_to(ROOT)} imports {root}"
        for path in modules_of(package)
        for root in imported_roots(path) & FORBIDDEN_FIRST_PARTY[package]
    }
    assert not offenders, "\n".join(sorted(offenders))


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "leaky.py"
    module.write_text("import sqlite3\nfrom litestar import Litestar\nfrom domain.ids import WaId\n")

    assert imported_roots(module) - ALLOWED["domain"] == {"litestar"}


def test_import_linter_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
