"""One signed-in session: the client, the worker threads, who the key is, and the live event stream.

Screens get the session and subscribe to its signals; only the session follows `/v1/events`, so
one connection serves every screen and one banner reports its state.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Signal

from desktop.client import Me, PhoneNumber, WahubClient
from desktop.drafts import Drafts
from desktop.events import STREAM_RESET, ConnectionState, EventFollower, StreamEvent
from desktop.tasks import Tasks


class Session(QObject):
    event_received = Signal(object)
    """A StreamEvent from /v1/events (never stream.reset: that becomes `reload`)."""
    connection_changed = Signal(object)
    """A ConnectionState: connected, or reconnecting after a delay."""
    reload = Signal()
    """What a screen shows may be stale (a reconnect, or the stream said `stream.reset`): fetch it again."""

    def __init__(
        self, client: WahubClient, me: Me, phone_numbers: list[PhoneNumber], settings: QSettings, tasks: Tasks
    ) -> None:
        super().__init__()
        self.client = client
        self.me = me
        self.phone_numbers = phone_numbers
        self.settings = settings
        self.drafts = Drafts(settings)
        self.tasks = tasks
        self.connected = True
        self._follower: EventFollower | None = None
        self._stale = True
        """Until the stream is open, events may have been missed: each (re)connection reloads the screens."""

    @property
    def live(self) -> bool:
        """The event stream is open, and the screens were told to fetch again what they showed before it was."""
        return not self._stale

    def may(self, action: str) -> bool:
        return action in self.me.actions

    def follow_events(self) -> None:
        self._follower = EventFollower(
            f"{self.client.server_url}/v1/events",
            self.client.event_stream_headers(),
            on_event=self.tasks.relay(self._on_event),
            on_state=self.tasks.relay(self._on_state),
        )
        self.tasks.run_forever(self._follower.follow)

    def close(self) -> None:
        if self._follower is not None:
            self._follower.stop()
        self.tasks.wait()
        self.client.close()

    def _on_event(self, event: StreamEvent) -> None:
        if event.type == STREAM_RESET:
            self.reload.emit()
        else:
            self.event_received.emit(event)

    def _on_state(self, state: ConnectionState) -> None:
        self.connected = state.connected
        self.connection_changed.emit(state)
        if not state.connected:
            self._stale = True
        elif self._stale:
            self._stale = False
            self.reload.emit()
