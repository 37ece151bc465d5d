"""The Setup guide against a real `wahub serve` sandbox: live checks, the values to paste, their fixes."""

from __future__ import annotations

import httpx
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from desktop.setup_screen import SetupScreen
from desktop.setup_steps import Verdict
from desktop.window import MainWindow
from tests.desktop.support import button, open_screen, waits
from tests.e2e.support import ADMIN_KEY, WahubServer

WAIT_FOR_TEST_MESSAGE_MS = 40_000


def verdicts(screen: SetupScreen) -> list[tuple[str, Verdict]]:
    return [(card.step.title, card.step.verdict) for card in screen.cards]


def shown(screen: SetupScreen) -> dict[str, tuple[str, str]]:
    """Each check as its card shows it: the summary line and the fix (empty when none is shown)."""
    return {
        row.check.name: (row.summary.text(), row.fix.text() if not row.fix.isHidden() else "")
        for card in screen.cards
        for row in card.rows
    }


def test_in_sandbox_every_step_passes_with_a_test_message_and_a_customer_who_writes_in_reaches_the_inbox(
    qtbot: QtBot, wahub: WahubServer
) -> None:
    screen = open_screen(qtbot, wahub, ADMIN_KEY, "setup")
    assert isinstance(screen, SetupScreen)
    waits(qtbot, lambda: screen.cards)
    assert verdicts(screen) == [
        ("Access token", Verdict.PASSED),
        ("Phone number", Verdict.PASSED),
        ("Webhook", Verdict.PASSED),
        ("Templates", Verdict.PASSED),
        ("Test message", Verdict.NOT_RUN),
    ]
    callback = screen.findChild(QLineEdit, "paste-Callback URL")
    verify_token = screen.findChild(QLineEdit, "paste-Verify token")
    assert callback is not None and verify_token is not None
    handshake = httpx.get(
        callback.text(),
        params={"hub.mode": "subscribe", "hub.verify_token": verify_token.text(), "hub.challenge": "1158201444"},
    )
    assert (handshake.status_code, handshake.text) == (200, "1158201444"), "the pasted values pass Meta's handshake"

    qtbot.mouseClick(button(screen, "sendTestMessageButton"), Qt.MouseButton.LeftButton)

    waits(qtbot, lambda: verdicts(screen)[-1] == ("Test message", Verdict.PASSED), timeout=WAIT_FOR_TEST_MESSAGE_MS)
    assert screen.summary.text() == "Sandbox mode: the simulator plays Meta. Every check passes."
    assert shown(screen)["test_message"][0].startswith("✓ The test message went out and its status")

    qtbot.mouseClick(button(screen, "customerWritesInButton"), Qt.MouseButton.LeftButton)
    waits(qtbot, lambda: screen.inbox_button.isVisible())
    qtbot.mouseClick(screen.inbox_button, Qt.MouseButton.LeftButton)
    window = screen.window()
    assert isinstance(window, MainWindow) and window.inbox is not None
    assert window.stack.currentWidget() is window.inbox
    conversations = window.inbox.conversation_list.model()
    waits(qtbot, lambda: "Test Customer" in [conversations.index(r, 0).data() for r in range(conversations.rowCount())])


def test_each_failure_the_simulator_makes_shows_its_fix_and_passes_again_once_repaired(
    qtbot: QtBot, wahub: WahubServer
) -> None:
    screen = open_screen(qtbot, wahub, ADMIN_KEY, "setup")
    assert isinstance(screen, SetupScreen)
    waits(qtbot, lambda: screen.cards)
    simulator, api = wahub.simulator(), wahub.api()
    breaks = (
        {"token_expired": True},
        {"scopes": ["whatsapp_business_messaging"]},
        {"code_verification_status": "NOT_VERIFIED"},
        {"quality_rating": "RED"},
        {"subscribed": False},
        {"templates_readable": False},
    )
    for broken in breaks:
        assert simulator.put("/_sim/setup", json=broken).status_code == 200

        check_again(qtbot, screen)

        failing = {c["name"]: c for c in api.get("/v1/setup/checks").json()["checks"] if c["passed"] is False}
        assert failing, f"{broken} made no check fail"
        expected = {name: (f"✗ {c['summary']}", f"How to fix: {c['fix']}") for name, c in failing.items()}
        assert {name: shown(screen).get(name) for name in expected} == expected
        assert Verdict.FAILED in dict(verdicts(screen)).values()

    assert simulator.put("/_sim/setup", json={}).status_code == 200
    check_again(qtbot, screen)
    assert Verdict.FAILED not in dict(verdicts(screen)).values()


def check_again(qtbot: QtBot, screen: SetupScreen) -> None:
    """Click "Check again" once it is offered (a reconnect's run may still be on its way) and await its verdict."""
    waits(qtbot, screen.check_again.isEnabled)
    before = screen.cards
    qtbot.mouseClick(screen.check_again, Qt.MouseButton.LeftButton)
    waits(qtbot, lambda: screen.cards is not before and screen.check_again.isEnabled())
