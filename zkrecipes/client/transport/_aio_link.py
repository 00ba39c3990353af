"""One asyncio connection of the asyncio transport: its protocol object and how it is opened.

:class:`Link` only forwards: bytes to ``on_data(link, data)``, "writable
again" to ``on_writable()``, and the connection's end to :attr:`Link.ended`
(a future: True when the server closed it). It decides nothing.

It is a :class:`asyncio.BufferedProtocol`: the loop reads into one buffer allocated per
connection (``recv_into``), and each read is handed on as a ``memoryview`` of what arrived,
valid only during the ``on_data`` call (the session copies what it keeps).
With a plain ``Protocol`` the selector loop allocates a 256 KiB buffer for every read (an
``mmap``, an ``mremap`` and a ``munmap`` per reply for a sequential caller).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import Awaitable, Callable
from typing import cast

from zkrecipes.client.hosts import HostPort

__all__ = ["Link", "SocketOpener", "open_link"]

log = logging.getLogger("zkrecipes.connection")

SocketOpener = Callable[[HostPort, float], Awaitable[socket.socket]]
"""A replacement for opening TCP (tests): a connected socket to ``host`` within ``timeout`` s."""


#: Bytes one read may take (asyncio's own read size for stream protocols).
READ_SIZE = 256 * 1024


class Link(asyncio.BufferedProtocol):
    """The protocol object of one connection (see the module docstring)."""

    def __init__(self, on_data: Callable[[Link, memoryview], None], on_writable: Callable[[], None]) -> None:
        self._buffer = memoryview(bytearray(READ_SIZE))
        self._on_data = on_data
        self._on_writable = on_writable
        self.transport: asyncio.Transport | None = None
        self.ended: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (create_connection), but not necessarily an asyncio.Transport
        # subclass: uvloop's TCPTransport/SSL transports only provide the same methods.
        self.transport = cast(asyncio.Transport, transport)

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._buffer

    def buffer_updated(self, nbytes: int) -> None:
        # No copy: the session decodes every complete frame before it returns (values are
        # copied out) and copies a partial frame's bytes; the next read reuses the buffer.
        if not self.ended.done():
            self._on_data(self, self._buffer[:nbytes])

    def eof_received(self) -> bool | None:
        self.end(True)
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None:
            log.info("connection lost: %s", exc)
        self.end(exc is None)

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        self._on_writable()

    def end(self, closed_by_peer: bool) -> None:
        """The connection is over (once): its connect task goes on."""
        if not self.ended.done():
            self.ended.set_result(closed_by_peer)

    def abort(self) -> None:
        """Close now (unsent bytes are discarded)."""
        self.end(False)
        if self.transport is not None:
            self.transport.abort()


async def open_link(host: HostPort, timeout: float, context: ssl.SSLContext | None,
                    open_socket: SocketOpener | None, on_data: Callable[[Link, memoryview], None],
                    on_writable: Callable[[], None]) -> tuple[asyncio.Transport, Link]:
    """Open TCP (TLS with ``context``: SNI and hostname checks use ``host.host``) within ``timeout``.

    Raises ``OSError`` / ``TimeoutError`` / ``ssl.SSLError`` when it fails.
    """
    loop = asyncio.get_running_loop()
    hostname = host.host if context is not None else None

    def factory() -> Link:
        return Link(on_data, on_writable)

    async def connect() -> tuple[asyncio.Transport, Link]:
        if open_socket is not None:
            sock = await open_socket(host, timeout)
            return await loop.create_connection(factory, sock=sock, ssl=context, server_hostname=hostname)
        return await loop.create_connection(factory, host.host, host.port, ssl=context,
                                            server_hostname=hostname)

    return await asyncio.wait_for(connect(), timeout)
