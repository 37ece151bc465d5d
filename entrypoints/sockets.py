"""Listening sockets bound before anything starts, so a taken port stops us with one line naming it."""

from __future__ import annotations

import errno
import socket


class PortUnavailable(OSError):
    """The port is taken or not ours to bind; the message names it and the setting that chooses it."""


def listening_socket(host: str, port: int, chosen_by: str) -> socket.socket:
    """A TCP socket bound to `host:port` and listening; port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            taken = f"port {port} on {host} is already in use; stop what listens there or choose another ({chosen_by})"
            raise PortUnavailable(taken) from None
        raise PortUnavailable(f"cannot listen on {host}:{port} ({chosen_by}): {error.strerror or error}") from None
    return sock
