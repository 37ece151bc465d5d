"""The line between an API process and its worker processes (`wahub serve --role api|worker`).

The API process listens on a Unix socket named after the data directory; each worker process connects to it.
Down the line go wake-ups: a webhook POST was stored, a message was queued, so the worker claims new
work at once instead of polling the database. Up the line come the live events the worker's use cases
publish (a message applied, a status moved), which the API process publishes to its own event stream:
SSE clients of the API see what the worker applied, numbered and resumable there; and the reports of
the worker's loops, which the API's /metrics count as if the loops ran there.

Nothing on the line is needed for correctness: the work is in the shared database, and a worker that
misses a wake-up finds the work on its next poll; events published while the line is down are lost to
live clients (the API's stream then has a gap, which a client that reloads state after a reset covers).
Frames are a 4-byte big-endian length and a msgpack body.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import socket
import struct
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Literal

import msgspec

from application.dispatch_outbound import DispatchReport
from application.ports import LiveEvents
from application.process_inbox_event import InboxReport
from application.records import LiveEvent
from entrypoints.http.metrics import Metrics

log = logging.getLogger("wahub.link")

SOCKET_NAME = "wahub-link.sock"
RECONNECT_SECONDS = 0.2
Queue = Literal["inbox", "outbox"]


class Hello(msgspec.Struct, tag="hello", tag_field="frame"):
    """The API's first frame to a worker: where the sandbox's simulator plays Meta (None: Meta itself)."""

    simulator_url: str | None


class Wake(msgspec.Struct, tag="wake", tag_field="frame"):
    queue: Queue


class Published(msgspec.Struct, tag="published", tag_field="frame"):
    type: str
    data: dict[str, object]


class Applied(msgspec.Struct, tag="applied", tag_field="frame"):
    """What one pass of the worker's inbox loop applied: counted in the API process's /metrics."""

    report: InboxReport


class Dispatched(msgspec.Struct, tag="dispatched", tag_field="frame"):
    report: DispatchReport


Frame = Hello | Wake | Published | Applied | Dispatched
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Frame)
_LENGTH = struct.Struct(">I")


def link_address(data_dir: Path) -> str:
    """On Linux an abstract socket (no file to go stale, no 108-byte path limit); elsewhere a file in the data dir.

    Named after the data directory: the processes sharing one database share one line, and a second API
    process on the same data directory is refused (address in use) rather than splitting the workers.
    """
    if sys.platform == "linux":
        return "\0wahub-link-" + hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:32]
    return str(data_dir / SOCKET_NAME)


def _framed(frame: Frame) -> bytes:
    body = _encoder.encode(frame)
    return _LENGTH.pack(len(body)) + body


async def _read(reader: asyncio.StreamReader) -> Frame:
    (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    return _decoder.decode(await reader.readexactly(length))


class ApiLink:
    """The API side: wakes every connected worker, publishes what they publish."""

    def __init__(self, address: str, live_events: LiveEvents, metrics: Metrics, simulator_url: str | None) -> None:
        self._address = address
        self._live = live_events
        self._metrics = metrics
        self._hello = _framed(Hello(simulator_url=simulator_url))
        self._workers: set[asyncio.StreamWriter] = set()
        self._pending: set[Queue] = set()
        self._server: asyncio.AbstractServer | None = None

    async def listen(self) -> None:
        if not self._address.startswith("\0"):
            Path(self._address).unlink(missing_ok=True)  # left by an API process that was killed
        self._server = await asyncio.start_unix_server(self._serve, path=self._address)

    def start(self) -> list[asyncio.Task[None]]:
        """What the API process runs in the background: the line's listener."""
        return [asyncio.create_task(self._serve_forever(), name="link to the workers")]

    async def _serve_forever(self) -> None:
        assert self._server is not None, "listen() first"
        try:
            await self._server.serve_forever()
        finally:
            self.close()

    def wake(self, queue: Queue) -> None:
        """Coalesced: however many POSTs arrive in one turn of the event loop, one frame per queue goes out."""
        if not self._pending:
            asyncio.get_running_loop().call_soon(self._flush)
        self._pending.add(queue)

    def _flush(self) -> None:
        frames = b"".join(_framed(Wake(queue=queue)) for queue in sorted(self._pending))
        self._pending.clear()
        for writer in self._workers:
            writer.write(frames)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(self._hello)
        self._workers.add(writer)
        try:
            while True:
                frame = await _read(reader)
                if isinstance(frame, Published):
                    await self._live.publish(frame.type, frame.data)
                elif isinstance(frame, Applied):
                    self._metrics.applied(frame.report)
                elif isinstance(frame, Dispatched):
                    self._metrics.dispatched(frame.report)
        except (asyncio.IncompleteReadError, ConnectionError, msgspec.DecodeError):
            pass  # the worker stopped (or died): it reconnects when it is back
        finally:
            self._workers.discard(writer)
            writer.close()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in self._workers:
                writer.close()
            if not self._address.startswith("\0"):
                Path(self._address).unlink(missing_ok=True)
            self._server = None


class WorkerLink:
    """The worker side: connects (and reconnects) to the API process, hands wake-ups to `on_wake`."""

    def __init__(self, address: str) -> None:
        self._address = address
        self._reader = asyncio.StreamReader()
        self._writer: asyncio.StreamWriter | None = None
        self._hello = Hello(simulator_url=None)
        self.on_wake: Callable[[Queue], None] = lambda queue: None

    async def hello(self) -> Hello:
        """Waits until the API process answers: a worker started first (or alone) waits for it."""
        while True:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError, msgspec.DecodeError):
                reader, writer = await asyncio.open_unix_connection(sock=_connected(self._address))
                frame = await _read(reader)
                if isinstance(frame, Hello):
                    self._reader, self._writer, self._hello = reader, writer, frame
                    return frame
                writer.close()
            await asyncio.sleep(RECONNECT_SECONDS)

    async def run(self, first: Hello) -> None:
        """Follows the line; when the API process goes away, waits for the next one.

        Returns when the next one's simulator plays Meta at another address than the first's: this
        process's Cloud API client was built for the first, so it must be restarted.
        """
        while True:
            if self._writer is None:
                if await self.hello() != first:
                    log.error("the API process's simulator moved (%s): restart this worker", self._hello.simulator_url)
                    return
                self.on_wake("inbox")  # whatever was stored while the line was down
                self.on_wake("outbox")
            try:
                while True:
                    frame = await _read(self._reader)
                    if isinstance(frame, Wake):
                        self.on_wake(frame.queue)
            except (asyncio.IncompleteReadError, ConnectionError, msgspec.DecodeError):
                log.warning("the API process went away; reconnecting")
                self._writer = None

    def publish(self, type: str, data: dict[str, object]) -> None:
        self._send(Published(type=type, data=data))

    def applied(self, report: InboxReport) -> None:
        self._send(Applied(report=report))

    def dispatched(self, report: DispatchReport) -> None:
        self._send(Dispatched(report=report))

    def _send(self, frame: Frame) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(_framed(frame))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _connected(address: str) -> socket.socket:
    """Connected by the socket module: uvloop refuses abstract addresses; a local connect does not block."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(1.0)
        sock.connect(address)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


class RelayedLiveEvents:
    """A worker's LiveEvents: every publication goes up the line to the API process, which numbers it."""

    def __init__(self, link: WorkerLink) -> None:
        self._link = link

    async def publish(self, type: str, data: dict[str, object]) -> LiveEvent:
        self._link.publish(type, data)
        return LiveEvent(id=0, type=type, data=data)

    def subscribe(self, after: int | None) -> AsyncIterator[LiveEvent]:
        raise NotImplementedError("a worker process serves no event stream; the API process does")
