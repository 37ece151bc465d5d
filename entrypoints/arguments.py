"""Argument types shared by the `wahub` subcommands: refused at parse time, in one line."""

from __future__ import annotations

import argparse


def tcp_port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (1-65535)")
    return int(text)
