"""The README's screenshots: a sandbox server, demo conversations made through the simulator, the real window.

Customers write in through the simulator's control API (texts, an image, a document, a reaction and a
quoted reply); the business answers through wahub's HTTP API, so the simulator plays Meta for every
status, and one send is failed by Meta (a fault injected into the simulator). Then the desktop opens
offscreen (or under Xvfb when DISPLAY is set) and each state is written to docs/screenshots/*.png.
Usage: .venv/bin/python docs/screenshots/take.py
"""

from __future__ import annotations

import base64
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the e2e helpers that start `wahub serve`

from tests.e2e.support import ADMIN_KEY, WahubServer, customer_writes, eventually, start_wahub, wahub_environment  # noqa: E402

OUT = Path(__file__).resolve().parent
SIZE = (1200, 760)


def demo(server: WahubServer) -> None:
    simulator, api = server.simulator(), server.api()

    def send(body: dict[str, object]) -> str:
        answer = api.post("/v1/messages", json=body)
        assert answer.status_code == 202, answer.text
        message_id: str = answer.json()["id"]
        return message_id

    def reaches(message_id: str, *wanted: str) -> dict[str, object]:
        return eventually(lambda: (m := api.get(f"/v1/messages/{message_id}").json())["status"] in wanted and m)

    def window_open(customer: str) -> None:
        eventually(lambda: any(c["customer_id"] == customer for c in api.get("/v1/conversations").json()["data"]))

    customer_writes(simulator, "5511987654321", "Hello, do you deliver on Sundays?", name="Lucas Pereira")
    window_open("5511987654321")
    send({"to": "+5511987654321", "type": "text", "text": {"body": "We do, between 10:00 and 16:00."}})
    send({"to": "+4915112345678", "type": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}})
    simulator.post(
        "/_sim/inbound",
        json={
            "from": "447700900123",
            "name": "Oliver Grant",
            "type": "document",
            "document": {"filename": "invoice-1042.pdf"},
            "media": {"data_base64": base64.b64encode(b"%PDF-1.4 demo invoice\n").decode(), "mime_type": "application/pdf"},
        },
    )
    customer_writes(simulator, "447700900123", "Here is the invoice you asked for.", name="Oliver Grant")
    simulator.post(
        "/_sim/inbound",
        json={
            "from": "33612345678",
            "name": "Camille Martin",
            "type": "image",
            "image": {"caption": "The box arrived like this"},
            "media": {"data_base64": base64.b64encode(parcel_png()).decode(), "mime_type": "image/png"},
        },
    )
    customer_writes(simulator, "61412345678", "Can I change my delivery address?", name="Amara Okafor")
    window_open("61412345678")
    simulator.put("/_sim/faults/graph", json={"fail": 1, "fail_status": 400, "fail_code": 131026})
    reaches(send({"to": "+61412345678", "type": "text", "text": {"body": "Of course: which address?"}}), "failed")
    wamid = customer_writes(simulator, "16505551234", "Hi! Is my order on its way?", name="Sheena Patel")
    window_open("16505551234")
    reply = reaches(send({"to": "+16505551234", "type": "text", "text": {"body": "Yes, it ships today."}}), "read")
    simulator.post(
        "/_sim/inbound",
        json={"from": "16505551234", "name": "Sheena Patel", "type": "reaction", "reaction": {"message_id": reply["wamid"], "emoji": "❤"}},
    )
    simulator.post(
        "/_sim/inbound",
        json={
            "from": "16505551234",
            "name": "Sheena Patel",
            "type": "text",
            "text": {"body": "Great, thanks! Will it need a signature?"},
            "context": {"from": "16505551234", "id": wamid},
        },
    )
    yesterday = datetime.now(UTC) - timedelta(hours=22, minutes=40)
    customer_writes(simulator, "4915790001234", "Is the blue one back in stock?", name="Leon Weber", at=yesterday)
    eventually(lambda: len(api.get("/v1/conversations").json()["data"]) == 7)
    templates(server)


def templates(server: WahubServer) -> None:
    """The Templates screen's rows: one approved with a quality rating, one rejected by Meta's review, one paused."""
    simulator, api = server.simulator(), server.api()

    def create(name: str, category: str, body: str, example: list[str] | None = None) -> str:
        component: dict[str, object] = {"type": "BODY", "text": body}
        if example:
            component["example"] = {"body_text": [example]}
        created = api.post(
            "/v1/templates", json={"name": name, "language": "en_US", "category": category, "components": [component]}
        )
        assert created.status_code == 201, created.text
        template_id: str = created.json()["id"]
        return template_id

    shipped = create("order_shipped", "UTILITY", "Hi {{1}}, your order {{2}} has shipped.", ["Ana", "A-1042"])
    sale = create("spring_sale", "MARKETING", "20% off everything this weekend only!")
    survey = create("delivery_survey", "MARKETING", "How was your delivery, {{1}}?", ["Ana"])
    eventually(lambda: all(t["status"] == "APPROVED" for t in api.get("/v1/templates").json()))
    simulator.post(f"/_sim/templates/{shipped}/quality", json={"quality": "GREEN"})
    simulator.post(f"/_sim/templates/{sale}/status", json={"status": "REJECTED", "reason": "PROMOTIONAL"})
    simulator.post(f"/_sim/templates/{survey}/quality", json={"quality": "RED"})
    simulator.post(f"/_sim/templates/{survey}/status", json={"status": "PAUSED"})
    eventually(lambda: {t["status"] for t in api.get("/v1/templates").json()} == {"APPROVED", "REJECTED", "PAUSED"})


def parcel_png() -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    image = QImage(320, 220, QImage.Format.Format_RGB32)
    image.fill(QColor("#f3e9d2"))
    painter = QPainter(image)
    painter.fillRect(QRect(70, 50, 180, 120), QColor("#c49a6c"))
    painter.fillRect(QRect(150, 50, 20, 120), QColor("#e8d3a9"))
    painter.setPen(QColor("#5a3e1b"))
    painter.drawText(QRect(0, 180, 320, 30), Qt.AlignmentFlag.AlignCenter, "parcel #1042")
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def main() -> None:
    if not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    home = Path(tempfile.mkdtemp(prefix="wahub-screenshots-"))
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    (home / "home").mkdir()
    from desktop.window import application

    qt = application()
    server = start_wahub(wahub_environment(home / "home"), home / "logs")
    try:
        demo(server)
        shoot(qt, server)
    finally:
        server.stop()
    print(f"screenshots in {OUT}")


def shoot(qt: object, server: WahubServer) -> None:
    from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QThread
    from PySide6.QtWidgets import QWidget

    from desktop.app import DesktopApp
    from desktop.inbox import InboxScreen
    from desktop.thread import ThumbnailRole

    def settle(until: Callable[[], object], seconds: float = 20.0) -> None:
        deadline = QDeadlineTimer(int(seconds * 1000))
        while not until():
            if deadline.hasExpired():
                raise AssertionError("the window did not reach the state to photograph")
            QCoreApplication.processEvents()
            QThread.msleep(20)
        for _ in range(20):
            QCoreApplication.processEvents()
            QThread.msleep(10)

    def save(widget: QWidget, name: str) -> None:
        widget.grab().save(str(OUT / f"{name}.png"))
        print(f"  {name}.png")

    signing = DesktopApp()
    signing.start()
    signing.sign_in_screen.prefill(server.url, "wahub_not_the_right_key_0123456789abcdef")
    signing.sign_in_screen.submit()
    settle(lambda: signing.sign_in_screen.key_error.isVisible())
    save(signing.sign_in_screen, "sign-in-refused-key")
    signing.close()

    app = DesktopApp(server.url, ADMIN_KEY)
    app.start()
    settle(lambda: app.window is not None)
    assert app.window is not None and app.window.inbox is not None
    window, inbox = app.window, app.window.inbox
    window.resize(*SIZE)
    settle(lambda: inbox.conversations.rowCount() == 7)
    save(window, "inbox")

    def open_conversation(title: str) -> InboxScreen:
        rows = [inbox.conversations.conversation(r).title for r in range(inbox.conversations.rowCount())]
        inbox.conversation_list.setCurrentIndex(inbox.conversations.index(rows.index(title)))
        settle(lambda: inbox.title.text() == title and inbox.messages.rowCount() > 0)
        return inbox

    open_conversation("Sheena Patel")
    inbox.composer.edit.setPlainText("Yes, a signature is needed: someone should be at home.")
    save(window, "thread-reply-read-reaction")
    open_conversation("Camille Martin")
    settle(lambda: inbox.messages.index(0).data(ThumbnailRole) is not None)
    save(window, "thread-image")
    open_conversation("Amara Okafor")
    save(window, "thread-failed-retry")
    open_conversation("Oliver Grant")
    save(window, "thread-document")
    open_conversation("+4915112345678")
    save(window, "window-closed-template-only")
    inbox.choose_template()
    settle(lambda: inbox.findChild(QWidget, "templateDialog") is not None)
    dialog = inbox.findChild(QWidget, "templateDialog")
    assert dialog is not None
    save(dialog, "template-picker")
    dialog.close()
    help_overlay = window.show_help()
    settle(lambda: help_overlay.isVisible())
    save(help_overlay, "shortcuts")
    help_overlay.close()
    screens(window, settle, save)
    open_conversation("Sheena Patel")
    server.kill()
    settle(lambda: window.banner.isVisible())
    save(window, "reconnecting")
    app.close()


def screens(window: object, settle: Callable[[Callable[[], object]], None], save: Callable[[object, str], None]) -> None:
    """Part 2's screens, each with the demo's data: analytics over today, the templates, the setup guide."""
    from desktop.analytics_screen import AnalyticsScreen
    from desktop.setup_screen import SetupScreen
    from desktop.templates_screen import TemplatesScreen
    from desktop.window import MainWindow

    assert isinstance(window, MainWindow)
    analytics, templates, setup = (window.screens[name] for name in ("analytics", "templates", "setup"))
    assert isinstance(analytics, AnalyticsScreen)
    assert isinstance(templates, TemplatesScreen) and isinstance(setup, SetupScreen)
    window.resize(SIZE[0], 1020)
    window.show_screen("analytics")
    analytics.range.setCurrentIndex(analytics.range.findData("today"))
    settle(lambda: analytics.pending == 0 and analytics.cards["volumes"].body.currentIndex() == 1)
    save(window, "analytics")
    window.resize(*SIZE)
    window.show_screen("templates")
    settle(lambda: templates.templates.rowCount() == 4)
    save(window, "templates")
    window.show_screen("setup")
    settle(lambda: len(setup.cards) == 5)
    save(window, "setup")
    window.show_screen("inbox")


if __name__ == "__main__":
    main()
