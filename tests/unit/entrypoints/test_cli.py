"""The `wahub` command tree: every command answers --help, and a mistake is one line with exit code 2."""

from __future__ import annotations

import pytest

from entrypoints.cli import COMMANDS, main


def test_without_a_command_wahub_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0

    printed = capsys.readouterr().out
    assert all(f"  {command.name} " in printed for command in COMMANDS)


@pytest.mark.parametrize("command", [[], ["serve"], ["simulator"], ["keys"], ["keys", "create"], ["keys", "list"]])
def test_every_command_explains_itself(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == 0

    assert capsys.readouterr().out.startswith(f"Usage: wahub {' '.join(command)}".rstrip())


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (["deploy"], "wahub: No such command 'deploy'.\n"),
        (["serve", "--colour"], "wahub serve: No such option '--colour'.\n"),
        (["keys", "revoke"], "wahub keys revoke: the following arguments are required: KEY_ID\n"),
    ],
)
def test_a_usage_mistake_is_one_line_and_exit_code_2(
    arguments: list[str], line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(arguments)

    assert exited.value.code == 2 and capsys.readouterr().err == line
