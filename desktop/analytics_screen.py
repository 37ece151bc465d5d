"""The Analytics screen: every report of /v1/analytics as a chart or table, for one period and number.

The period (today, 7 days, 30 days or custom days) and the business number apply to every chart; each
chart shows its figures on hover, says so when the period has nothing, and exports its table as CSV.
Tables (desktop.analytics_data) and their Qt models are separate from the widgets that draw them. The
"about to lose the window" list opens a conversation's thread in the inbox with one click.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import msgspec
from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt, QTimeZone
from PySide6.QtGui import QColor, QCursor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop.analytics_data import REPORTS, WEEKDAYS, Report, Table, period
from desktop.client import ClientError, Conversation
from desktop.session import Session
from desktop.tasks import Latest
from desktop.window import MainWindow

Index = QModelIndex | QPersistentModelIndex
RANGES = (("Today", "today"), ("Last 7 days", "7d"), ("Last 30 days", "30d"), ("Custom…", "custom"))
BAR_SETS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "volumes": ("day", (("Inbound", "inbound"), ("Outbound", "outbound"))),
    "funnel": ("step", (("Messages", "count"),)),
    "failures": ("code", (("Failed messages", "count"),)),
    "response-times": ("day", (("Median (s)", "median_seconds"), ("90th percentile (s)", "p90_seconds"))),
    "pricing": ("category", (("Messages", "count"),)),
}
"""Which reports are bar charts: their category column, and each bar set's label and value column."""
COLOURS = ("#25d366", "#128c7e", "#34b7f1", "#ece5dd", "#c0392b")


class TableModel(QAbstractTableModel):
    def __init__(self, table: Table | None = None) -> None:
        super().__init__()
        self.table = table or Table((), [])

    def show(self, table: Table) -> None:
        self.beginResetModel()
        self.table = table
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.table.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.table.columns[section].replace("_", " ")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        value = self.table.rows[index.row()][index.column()]
        if isinstance(value, float):
            return f"{value:.0%}" if self.table.columns[index.column()].endswith("rate") else f"{value:g}"
        return "" if value is None else str(value)


class HeatmapModel(QAbstractTableModel):
    """Seven weekdays by 24 hours; the darker the cell, the more customer messages."""

    def __init__(self) -> None:
        super().__init__()
        self.counts = [[0] * 24 for _ in WEEKDAYS]

    def show(self, table: Table) -> None:
        self.beginResetModel()
        self.counts = [[0] * 24 for _ in WEEKDAYS]
        for weekday, hour, count in table.rows:
            self.counts[WEEKDAYS.index(weekday)][hour] = count
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(WEEKDAYS)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else 24

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return str(section) if orientation == Qt.Orientation.Horizontal else WEEKDAYS[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        count = self.counts[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{WEEKDAYS[index.row()]} {index.column():02d}:00 · {count} customer messages"
        if role == Qt.ItemDataRole.DisplayRole:
            return str(count) if count else ""
        if role == Qt.ItemDataRole.BackgroundRole and count:
            busiest = max(max(row) for row in self.counts)
            return QColor.fromRgbF(0.07, 0.55, 0.49, 0.15 + 0.85 * count / busiest)
        return None


class ReportCard(QFrame):
    """One report: its chart (or table), an empty state, the figure under the mouse, and CSV export."""

    def __init__(self, report: Report) -> None:
        super().__init__()
        self.report = report
        self.table = Table((), [])
        self.answer: dict[str, Any] = {}
        self.setObjectName(f"report-{report.name}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumHeight(260)
        self.title = QLabel(f"<b>{report.title}</b>")
        self.hover = QLabel()
        self.hover.setObjectName("hoverFigure")
        self.hover.setStyleSheet("color: #667781;")
        self.export_button = QPushButton("Export CSV")
        self.export_button.setObjectName("exportCsv")
        self.export_button.clicked.connect(self.choose_export)
        self.empty = QLabel(report.empty)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #667781;")
        self.chart = QChart()
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.model: TableModel | HeatmapModel = HeatmapModel() if report.name == "heatmap" else TableModel()
        self.table_view = QTableView()
        self.table_view.setModel(self.model)
        self.table_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table_view.setMouseTracking(True)
        self.table_view.entered.connect(lambda index: self.hover.setText(str(index.data(Qt.ItemDataRole.ToolTipRole))))
        self.table_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.body = QStackedWidget()
        self.body.addWidget(self.empty)
        self.body.addWidget(self.chart_view if report.name in BAR_SETS else self.table_view)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.hover)

    def show_table(self, table: Table, answer: dict[str, Any]) -> None:
        self.table = table
        self.answer = answer
        self.hover.setText("")
        self.body.setCurrentIndex(1 if table.rows else 0)
        self.export_button.setEnabled(bool(table.rows))
        if self.report.name == "pricing" and table.rows:
            self.title.setText(
                f"<b>{self.report.title}</b> · estimated cost {answer['estimated_cost']:.2f} {answer['currency']}"
            )
        if self.report.name in BAR_SETS:
            self._draw_bars(table)
        else:
            self.model.show(table)

    def bar_sets(self) -> list[QBarSet]:
        series = self.chart.series()
        if not series or not isinstance(series[0], QBarSeries | QStackedBarSeries):
            return []
        return list(series[0].barSets())

    def categories(self) -> list[str]:
        axes = self.chart.axes(Qt.Orientation.Horizontal)
        return list(axes[0].categories()) if axes and isinstance(axes[0], QBarCategoryAxis) else []

    def _draw_bars(self, table: Table) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        category_column, sets = BAR_SETS[self.report.name]
        categories = [self._category(row) for row in table.rows]
        series = QStackedBarSeries() if self.report.name == "volumes" else QBarSeries()
        for colour, (label, column) in zip(COLOURS, sets, strict=False):
            bar_set = QBarSet(label)
            bar_set.setColor(QColor(colour))
            for value in table.column(column):
                bar_set.append(float(value or 0))
            series.append(bar_set)
        series.hovered.connect(self._hovered)
        self.chart.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append(categories)
        y_axis = QValueAxis()
        y_axis.setLabelFormat("%g")
        self.chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
        top = max((sum(s.at(i) for s in series.barSets()) for i in range(len(categories))), default=0.0)
        y_axis.setRange(0, max(top * 1.1, 1.0))
        self.chart.legend().setVisible(len(sets) > 1)

    def _category(self, row: tuple[Any, ...]) -> str:
        columns = self.table.columns
        if self.report.name == "funnel":
            step, _, rate = row
            return step if rate is None else f"{step} {rate:.0%}"
        if self.report.name == "pricing":
            return f"{row[0]} / {row[1]}"
        return str(row[columns.index(BAR_SETS[self.report.name][0])])

    def _hovered(self, status: bool, index: int, bar_set: QBarSet) -> None:
        if not status:
            return
        row = self.table.rows[index]
        label = self.categories()[index]
        if self.report.name == "failures":
            label = f"{row[0]} {row[1]}"
        if self.report.name == "pricing" and row[3] is not None:
            label = f"{label} (≈ {row[3]:.2f})"
        text = f"{label} · {bar_set.label()}: {bar_set.at(index):g}"
        self.hover.setText(text)
        QToolTip.showText(QCursor.pos(), text, self.chart_view)

    def choose_export(self) -> QFileDialog:
        dialog = QFileDialog(self, f"Export {self.report.title} as CSV", f"{self.report.name}.csv", "CSV (*.csv)")
        dialog.setObjectName("exportDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.fileSelected.connect(self.export_csv)
        dialog.open()
        return dialog

    def export_csv(self, path: str) -> None:
        Path(path).write_text(self.table.csv(), encoding="utf-8")
        self.hover.setText(f"Exported {len(self.table.rows)} rows to {path}")


class AnalyticsScreen(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.setObjectName("analyticsScreen")
        self.session = session
        self.range = QComboBox()
        self.range.setObjectName("dateRange")
        for label, choice in RANGES:
            self.range.addItem(label, choice)
        self.range.setCurrentIndex(1)
        today = QDate.currentDate()
        self.first_day = QDateEdit(today.addDays(-6))
        self.first_day.setObjectName("firstDay")
        self.last_day = QDateEdit(today)
        self.last_day.setObjectName("lastDay")
        for edit in (self.first_day, self.last_day):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.hide()
            edit.dateChanged.connect(self.load)
        self.number = QComboBox()
        self.number.setObjectName("numberFilter")
        self.number.addItem("All numbers", None)
        for number in session.phone_numbers:
            shown = f"+{number.display_phone_number}" if number.display_phone_number else number.phone_number_id
            self.number.addItem(f"{shown} {number.verified_name}".strip(), number.phone_number_id)
        self.range.currentIndexChanged.connect(self._range_changed)
        self.number.currentIndexChanged.connect(self.load)
        self.error = QLabel()
        self.error.setObjectName("analyticsError")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        refresh = QPushButton("Refresh")
        refresh.setObjectName("refreshAnalytics")
        refresh.clicked.connect(self.load)
        tools = QHBoxLayout()
        tools.addWidget(QLabel("Period"))
        tools.addWidget(self.range)
        tools.addWidget(self.first_day)
        tools.addWidget(self.last_day)
        tools.addWidget(QLabel("Number"))
        tools.addWidget(self.number)
        tools.addStretch(1)
        tools.addWidget(refresh)
        self.cards = {report.name: ReportCard(report) for report in REPORTS}
        self.closing = self.cards["closing-windows"]
        self.closing.table_view.clicked.connect(self._open_thread)
        self.closing.table_view.setToolTip("Click a conversation to open its thread")
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        for position, card in enumerate(self.cards.values()):
            grid.addWidget(card, position // 2, position % 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.error)
        layout.addWidget(scroll, 1)
        self.requests: dict[str, tuple[datetime, datetime, str | None]] = {}
        """What each card was last asked for: its period and number, as sent."""
        self._latest = {name: Latest(session.tasks, self) for name in self.cards}
        """Per card: a newer period, number or refresh supersedes an answer still on its way."""
        session.reload.connect(self.load)
        self.load()

    def _range_changed(self) -> None:
        custom = self.range.currentData() == "custom"
        self.first_day.setVisible(custom)
        self.last_day.setVisible(custom)
        self.load()

    def period(self) -> tuple[datetime, datetime]:
        now = datetime.now().astimezone()
        first, last = (QDate(edit.date()) for edit in (self.first_day, self.last_day))
        chosen = period(
            self.range.currentData(),
            now,
            date(first.year(), first.month(), first.day()),
            date(last.year(), last.month(), last.day()),
        )
        return chosen.since, chosen.until

    def load(self) -> None:
        since, until = self.period()
        number = self.number.currentData()
        if until <= since:
            self.error.setText("The first day must not be after the last day.")
            return
        self.error.setText("")
        for card in self.cards.values():
            self.requests[card.report.name] = (since, until, number)
            self._ask(card, since, until, number)

    @property
    def pending(self) -> int:
        """Cards still waiting for the answer to what they were last asked."""
        return sum(latest.in_flight for latest in self._latest.values())

    def _ask(self, card: ReportCard, since: datetime, until: datetime, number: str | None) -> None:
        name, zone = card.report.name, bytes(QTimeZone.systemTimeZoneId().data()).decode() or "UTC"

        def answered(answer: dict[str, Any]) -> None:
            card.show_table(card.report.table(answer), answer)

        self._latest[name].run(
            lambda: self.session.client.analytics(name, since, until, number, zone), answered, self._failed
        )

    def _failed(self, error: ClientError) -> None:
        self.error.setText(str(error))

    def _open_thread(self, index: QModelIndex) -> None:
        """The closing conversation's thread, in the inbox, ready for the reply that keeps the window open."""
        conversation = msgspec.convert(self.closing.answer["conversations"][index.row()], Conversation)
        window = self.window()
        if isinstance(window, MainWindow) and window.inbox is not None:
            window.show_screen("inbox")
            window.inbox.open(conversation)
