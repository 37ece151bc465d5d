"""The one way the desktop keeps the network off the UI thread: worker threads, results by queued signal.

Every HTTP call and the event stream run on a QThreadPool; what they return (or raise) comes back to
the UI thread through a signal of a QObject that lives there, so Qt queues it into the event loop.
Widgets therefore never wait, and never touch their state from another thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from desktop.client import ClientError

T = TypeVar("T")

THREADS = 6
"""One for the event stream, the rest for requests: a page, a thumbnail and a send may run at once."""


class _Relay(QObject):
    """Lives on the UI thread; its signal, emitted from a worker, is delivered there."""

    delivered = Signal(object, object)


class _Work(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result, error = self._work(), None
        except ClientError as failure:
            result, error = None, failure
        except Exception as bug:  # noqa: BLE001 - shown next to what the agent did, not lost in a thread
            result, error = None, ClientError(f"unexpected {type(bug).__name__}: {bug}")
        try:
            self._relay.delivered.emit(result, error)
        except RuntimeError:
            pass  # the widget that asked is gone; nobody waits for the answer


class Tasks(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(THREADS)

    def run(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[ClientError], None],
        owner: QObject | None = None,
    ) -> None:
        """`work` on a worker thread; then `done(result)` or `failed(error)` on the UI thread.

        With an `owner`, the answer is dropped if the owner was destroyed meanwhile.
        """
        relay = _Relay(owner or self)

        def deliver(result: Any, error: ClientError | None) -> None:
            relay.deleteLater()
            if error is None:
                done(result)
            else:
                failed(error)

        relay.delivered.connect(deliver)
        self._pool.start(_Work(work, relay))

    def relay(self, callback: Callable[[T], None]) -> Callable[[T], None]:
        """A function any thread may call; `callback` runs with its argument on the UI thread."""
        relay = _Relay(self)
        relay.delivered.connect(lambda value, _: callback(value))
        return lambda value: relay.delivered.emit(value, None)

    def run_forever(self, work: Callable[[], None]) -> None:
        """A long job (the event stream) that ends when its own stop() is called."""
        self._pool.start(_Forever(work))

    def wait(self, milliseconds: int = 5000) -> bool:
        return self._pool.waitForDone(milliseconds)


class _Forever(QRunnable):
    def __init__(self, work: Callable[[], None]) -> None:
        super().__init__()
        self._work = work

    def run(self) -> None:
        self._work()


class Latest:
    """One kind of request asked again and again (a click, a reconnect, a `stream.reset`): only the latest counts.

    Answers come back in any order; an older one landing last would put stale data back on the screen, so
    the answer (or refusal) of a request that a newer one superseded is dropped.
    """

    def __init__(self, tasks: Tasks, owner: QObject) -> None:
        self._tasks = tasks
        self._owner = owner
        self._asked = 0
        self._answered = 0

    @property
    def in_flight(self) -> bool:
        """The latest request has not been answered yet."""
        return self._answered != self._asked

    def run(self, work: Callable[[], T], done: Callable[[T], None], failed: Callable[[ClientError], None]) -> None:
        self._asked += 1
        number = self._asked

        def answered(then: Callable[[Any], None]) -> Callable[[Any], None]:
            def deliver(value: Any) -> None:
                if number == self._asked:
                    self._answered = number
                    then(value)

            return deliver

        self._tasks.run(work, answered(done), answered(failed), owner=self._owner)
