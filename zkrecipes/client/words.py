"""Four-letter words (``ruok``, ``envi``, …) over their own short connection to one server."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from zkrecipes.client.handlers.interface import Handler
from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError

__all__ = ["check_word", "exchange"]


def check_word(cmd: object) -> bytes:
    """``cmd`` if it is four bytes, else InvalidTypeError / InvalidArgumentError."""
    if not isinstance(cmd, bytes):
        raise InvalidTypeError("cmd must be bytes, e.g. b'ruok'")
    if len(cmd) != 4:
        raise InvalidArgumentError(f"a four-letter word has 4 bytes, got {cmd!r}")
    return cmd


def exchange(handler: Handler, address: tuple[str, int], server_hostname: str, cmd: bytes,
             timeout: float, ssl_options: Mapping[str, Any]) -> str:
    """Send ``cmd`` and read the answer until the server closes; the text (UTF-8, lenient)."""
    sock = handler.create_connection(address, timeout, server_hostname=server_hostname, **ssl_options)
    try:
        sock.sendall(cmd)
        chunks: list[bytes] = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        with contextlib.suppress(OSError):
            sock.close()
    return b"".join(chunks).decode("utf-8", "replace")
