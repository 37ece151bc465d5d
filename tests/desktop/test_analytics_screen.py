"""The Analytics screen against a real `wahub serve` sandbox: figures read back from the chart series."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from PySide6.QtCore import QDate, QPointF, Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from desktop.analytics_screen import AnalyticsScreen, ReportCard
from desktop.window import MainWindow
from tests.desktop.support import open_screen, waits
from tests.e2e.support import ADMIN_KEY, WahubServer, conversations, customer_writes, eventually, reaches

HELLO_WORLD = {"type": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}}
NOT_ON_WHATSAPP = "15550009999"


def bars(card: ReportCard) -> dict[str, dict[str, float]]:
    """Each bar set's values by category, as the chart series hold them."""
    categories = card.categories()
    return {s.label(): {c: s.at(i) for i, c in enumerate(categories)} for s in card.bar_sets()}


def shows_chart(card: ReportCard) -> bool:
    return card.body.currentIndex() == 1


def table_rows(card: ReportCard) -> list[list[str]]:
    model = card.table_view.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def sent(api: httpx.Client, to: str, message: dict[str, object]) -> str:
    answer = api.post("/v1/messages", json={"to": f"+{to}", **message})
    assert answer.status_code in (200, 201, 202), answer.text
    message_id: str = answer.json()["id"]
    return message_id


def test_sends_and_statuses_show_with_their_exact_numbers_and_the_period_and_number_change_them(
    qtbot: QtBot, wahub: WahubServer, tmp_path: Path
) -> None:
    api, simulator = wahub.api(), wahub.simulator()
    customer_writes(simulator, "16505551234", "Is my order on its way?", name="Sheena")
    customer_writes(simulator, "447700900123", "Do you ship to London?", name="Oliver")
    eventually(lambda: {"16505551234", "447700900123"} <= set(conversations(api)))
    assert simulator.post("/_sim/recipients/not-on-whatsapp", json={"wa_id": NOT_ON_WHATSAPP}).status_code == 200
    reply = sent(api, "16505551234", {"type": "text", "text": {"body": "Yes, it ships today."}})
    template = sent(api, "16505550007", HELLO_WORLD)
    undeliverable = sent(api, NOT_ON_WHATSAPP, HELLO_WORLD)
    for message_id, status in ((reply, "read"), (template, "read"), (undeliverable, "failed")):
        reaches(api, message_id, status)
    today = datetime.now(UTC).date().isoformat()

    screen = open_screen(qtbot, wahub, ADMIN_KEY, "analytics")
    assert isinstance(screen, AnalyticsScreen)
    screen.range.setCurrentIndex(screen.range.findData("today"))
    volumes, funnel, failures = screen.cards["volumes"], screen.cards["funnel"], screen.cards["failures"]
    waits(qtbot, lambda: bars(volumes) == {"Inbound": {today: 2.0}, "Outbound": {today: 3.0}})
    waits(qtbot, lambda: screen.pending == 0)
    assert bars(funnel) == {
        "Messages": {"queued": 3.0, "sent 67%": 2.0, "delivered 100%": 2.0, "read 100%": 2.0, "failed 33%": 1.0}
    }
    assert list(bars(failures)["Failed messages"].values()) == [1.0]
    assert failures.table.rows[0][0] == 131026
    performance = api.get("/v1/analytics/templates", params={"from": f"{today}T00:00:00"}).json()["templates"]
    assert table_rows(screen.cards["templates"]) == [
        [
            t["name"],
            t["language"],
            str(t["sent"]),
            str(t["delivered"]),
            str(t["read"]),
            str(t["failed"]),
            f"{t['read_rate']:.0%}",
        ]
        for t in performance
    ]
    assert [row[0] for row in table_rows(screen.cards["templates"])] == ["hello_world"]
    assert not shows_chart(screen.cards["closing-windows"]), "nobody's window closes within 2 hours"
    heat = screen.cards["heatmap"].model
    assert sum(heat.index(r, c).data() and int(heat.index(r, c).data()) or 0 for r in range(7) for c in range(24)) == 2

    chart = volumes.chart
    series = chart.series()[0]
    point = volumes.chart_view.mapFromScene(chart.mapToPosition(QPointF(0, 1), series))
    qtbot.mouseMove(volumes.chart_view.viewport(), point)
    waits(qtbot, lambda: volumes.hover.text() == f"{today} · Inbound: 2")

    volumes.export_button.click()
    dialog = volumes.findChild(QFileDialog, "exportDialog")
    assert dialog is not None
    exported = tmp_path / "volumes.csv"
    dialog.selectFile(str(exported))
    dialog.accept()
    assert exported.read_text() == f"day,inbound,outbound\n{today},2,3\n"

    screen.number.setCurrentIndex(1)
    waits(qtbot, lambda: screen.pending == 0)
    assert screen.requests["funnel"][2] == screen.number.currentData() is not None
    assert bars(funnel)["Messages"]["queued"] == 3.0, "every message of the test went through this number"

    screen.range.setCurrentIndex(screen.range.findData("custom"))
    long_ago = QDate.currentDate().addDays(-60)
    screen.last_day.setDate(long_ago.addDays(5))
    screen.first_day.setDate(long_ago)
    waits(qtbot, lambda: screen.pending == 0 and not shows_chart(volumes))
    for card in screen.cards.values():
        assert not shows_chart(card) and card.empty.text() == card.report.empty, card.report.name
        assert not card.export_button.isEnabled()


def test_a_customer_about_to_lose_the_window_is_listed_and_one_click_opens_their_thread(
    qtbot: QtBot, wahub: WahubServer
) -> None:
    wrote_at = datetime.now(UTC) - timedelta(hours=23)
    customer_writes(wahub.simulator(), "447700900123", "Is the blue one back in stock?", name="Oliver", at=wrote_at)
    eventually(lambda: "447700900123" in conversations(wahub.api()))

    screen = open_screen(qtbot, wahub, ADMIN_KEY, "analytics")
    assert isinstance(screen, AnalyticsScreen)
    closing = screen.cards["closing-windows"]
    waits(qtbot, lambda: shows_chart(closing) and len(table_rows(closing)) == 1)
    assert "Oliver" in " ".join(table_rows(closing)[0])

    view = closing.table_view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(view.model().index(0, 0)).center())

    window = screen.window()
    assert isinstance(window, MainWindow) and window.inbox is not None
    assert window.stack.currentWidget() is window.inbox
    waits(qtbot, lambda: window.inbox.title.text() == "Oliver" and window.inbox.messages.rowCount() == 1)
    assert window.inbox.messages.index(0).data() == "Is the blue one back in stock?"
    assert re.fullmatch(r"\d+m left", window.inbox.badge.text()), "under an hour left to answer freely"
