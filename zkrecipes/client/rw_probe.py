"""Read-only mode: look for a read-write server in the background.

While the client is connected to a read-only server, a :class:`ReadWriteProbe`
asks the other servers ``isro`` (a four-letter word answered ``rw`` or ``ro``)
with growing pauses (0.1 s doubling up to 60 s, as ZooKeeper's Java client
does). When one answers ``rw`` it calls ``on_found(host)`` once; the
connection then moves there, keeping the session.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zkrecipes.client.hosts import HostPort

if TYPE_CHECKING:
    from zkrecipes.client.handlers.interface import Handler

log = logging.getLogger("zkrecipes.connection")

_FIRST_PAUSE = 0.1
_MAX_PAUSE = 60.0
_PROBE_TIMEOUT = 2.0


class ReadWriteProbe:
    """Background search for a read-write server; :meth:`cancel` ends it promptly."""

    def __init__(
        self,
        handler: Handler,
        candidates: list[HostPort],
        ssl_options: dict[str, Any],
        on_found: Callable[[HostPort], None],
    ) -> None:
        self._handler = handler
        self._candidates = list(candidates)
        self._ssl = ssl_options
        self._on_found = on_found
        self._cancelled = handler.event_object()

    def start(self) -> None:
        """Start probing in ``handler.spawn``."""
        if self._candidates:
            self._handler.spawn(self._run)

    def cancel(self) -> None:
        """Stop probing (the current probe, if any, ends within its timeout)."""
        self._cancelled.set()

    def _run(self) -> None:
        pause = _FIRST_PAUSE
        while not self._cancelled.wait(pause):
            for host in self._candidates:
                if self._cancelled.is_set():
                    return
                if self._is_read_write(host):
                    if not self._cancelled.is_set():
                        log.info("read-write server found: %s", host)
                        self._on_found(host)
                    return
            pause = min(pause * 2, _MAX_PAUSE)

    def _is_read_write(self, host: HostPort) -> bool:
        try:
            sock = self._handler.create_connection(
                (host.host, host.port), _PROBE_TIMEOUT, server_hostname=host.host, **self._ssl
            )
        except Exception:
            return False
        try:
            sock.sendall(b"isro")
            answer = b""
            while len(answer) < 16:
                chunk = sock.recv(16)
                if not chunk:
                    break
                answer += chunk
            return answer.strip() == b"rw"
        except OSError:
            return False
        finally:
            with contextlib.suppress(OSError):
                sock.close()
