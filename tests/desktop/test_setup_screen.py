"""The Setup guide against a real `wahub serve` sandbox: live checks, the values to paste, their fixes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from desktop.setup_screen import SetupScreen
from desktop.setup_steps import TOKEN_FIXES
from desktop.window import MainWindow
from tests.desktop.screens import OpenScreen, child_button, opening_screens, waits
from tests.e2e.support import ADMIN_KEY, WahubServer, eventually


@pytest.fixture
def open_screen(qtbot: QtBot) -> Iterator[OpenScreen]:
    yield from opening_screens(qtbot)


def results(screen: SetupScreen) -> list[tuple[str, bool]]:
    return [(card.step.title, card.step.passed) for card in screen.cards]


def card_text(screen: SetupScreen, title: str) -> tuple[str, str]:
    """What a step's card shows: its check result and its fix."""
    card = next(card for card in screen.cards if card.step.title == title)
    return card.check.text(), card.fix.text() if not card.fix.isHidden() else ""


def test_in_sandbox_every_check_passes_once_a_customer_writes_in_and_the_inbox_shows_them(
    qtbot: QtBot, wahub: WahubServer, open_screen: OpenScreen
) -> None:
    api = wahub.api()
    eventually(lambda: api.get("/v1/setup/checks").json()["webhook_verified_at"])  # the simulator's handshake
    screen = open_screen(wahub, ADMIN_KEY, "setup")
    assert isinstance(screen, SetupScreen)
    waits(qtbot, lambda: screen.cards)
    assert results(screen) == [
        ("Business number and account", True),
        ("Access token", True),
        ("Phone number", True),
        ("App secret", True),
        ("Webhook", True),
        ("First message", False),
    ]
    assert card_text(screen, "First message") == (
        "✗ No webhook has arrived yet.",
        "How to fix: Click “A customer writes in”.",
    )
    assert card_text(screen, "Phone number")[0] == "✓ +15550001234 · wahub Test Number · quality GREEN"
    callback = screen.findChild(QLineEdit, "paste-Callback URL")
    verify_token = screen.findChild(QLineEdit, "paste-Verify token")
    assert callback is not None and verify_token is not None
    assert callback.text() == f"{wahub.url}/webhook"
    handshake = httpx.get(
        callback.text(),
        params={"hub.mode": "subscribe", "hub.verify_token": verify_token.text(), "hub.challenge": "1158201444"},
    )
    assert (handshake.status_code, handshake.text) == (200, "1158201444"), "the pasted values pass Meta's handshake"

    qtbot.mouseClick(child_button(screen, "customerWritesInButton"), Qt.MouseButton.LeftButton)

    waits(qtbot, lambda: results(screen) and all(passed for _, passed in results(screen)))
    assert screen.summary.text() == "Sandbox mode: the simulator plays Meta. Every check passes."
    qtbot.mouseClick(child_button(screen, "openInboxButton"), Qt.MouseButton.LeftButton)
    window = screen.window()
    assert isinstance(window, MainWindow) and window.inbox is not None
    assert window.stack.currentWidget() is window.inbox
    conversations = window.inbox.conversation_list.model()
    waits(qtbot, lambda: conversations.rowCount() == 1 and conversations.index(0, 0).data() == "Test Customer")


def test_a_token_the_simulator_refuses_fails_its_check_with_the_fix_and_passes_again_once_accepted(
    qtbot: QtBot, wahub: WahubServer, open_screen: OpenScreen
) -> None:
    screen = open_screen(wahub, ADMIN_KEY, "setup")
    assert isinstance(screen, SetupScreen)
    waits(qtbot, lambda: screen.cards)
    refuse = wahub.simulator().put("/_sim/faults/graph", json={"fail": 1, "fail_status": 401, "fail_code": 190})
    assert refuse.status_code == 200, refuse.text

    qtbot.mouseClick(screen.check_again, Qt.MouseButton.LeftButton)

    waits(qtbot, lambda: ("Access token", False) in results(screen))
    found, fix = card_text(screen, "Access token")
    assert found.startswith("✗ Meta refused the token: 190 ")
    assert fix == f"How to fix: {TOKEN_FIXES[190]}"
    assert card_text(screen, "Phone number") == (
        "✗ Not read: Meta refused the token.",
        "How to fix: Fix the access token first.",
    )
    assert screen.summary.text().endswith("3 of 6 steps need attention.")

    qtbot.mouseClick(screen.check_again, Qt.MouseButton.LeftButton)

    waits(qtbot, lambda: ("Access token", True) in results(screen))
    assert card_text(screen, "Access token") == ("✓ Sandbox: the simulator accepts wahub's token.", "")
