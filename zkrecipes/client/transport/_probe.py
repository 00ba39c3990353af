"""The read-only probe's socket I/O: ask other servers ``isro`` in the background.

The decisions (who to probe, the pauses, what counts as read-write, what to do
once one is found) are the session layer's (:mod:`zkrecipes.client.session.readonly`);
this only runs them on ``handler.spawn``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from zkrecipes.client.hosts import HostPort
from zkrecipes.client.session.readonly import PROBE_COMMAND, PROBE_TIMEOUT, is_read_write_answer, probe_pauses

if TYPE_CHECKING:
    from zkrecipes.client.handlers.interface import Handler

__all__ = ["ProbeRunner", "ReadWriteProbe"]

log = logging.getLogger("zkrecipes.connection")


class ReadWriteProbe:
    """Background search for a read-write server; :meth:`cancel` ends it promptly.

    Calls ``on_found(host)`` at most once, never after :meth:`cancel`.
    """

    def __init__(self, handler: Handler, candidates: list[HostPort], ssl_options: Mapping[str, Any],
                 on_found: Callable[[HostPort], None]) -> None:
        self._handler = handler
        self._candidates = list(candidates)
        self._ssl = dict(ssl_options)
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
        for pause in probe_pauses():
            if self._cancelled.wait(pause):
                return
            for host in self._candidates:
                if self._cancelled.is_set():
                    return
                if self._is_read_write(host):
                    if not self._cancelled.is_set():
                        log.info("read-write server found: %s", host)
                        self._on_found(host)
                    return

    def _is_read_write(self, host: HostPort) -> bool:
        try:
            sock = self._handler.create_connection(
                (host.host, host.port), PROBE_TIMEOUT, server_hostname=host.host, **self._ssl)
        except Exception:
            return False
        try:
            sock.sendall(PROBE_COMMAND)
            answer = b""
            while len(answer) < 16:
                chunk = sock.recv(16)
                if not chunk:
                    break
                answer += chunk
            return is_read_write_answer(answer)
        except OSError:
            return False
        finally:
            with contextlib.suppress(OSError):
                sock.close()


class ProbeRunner:
    """At most one :class:`ReadWriteProbe` at a time, for one transport."""

    __slots__ = ("_handler", "_on_found", "_probe", "_ssl")

    def __init__(self, handler: Handler, ssl_options: Mapping[str, Any],
                 on_found: Callable[[HostPort], None]) -> None:
        self._handler = handler
        self._ssl = ssl_options
        self._on_found = on_found
        self._probe: ReadWriteProbe | None = None

    def start(self, candidates: list[HostPort]) -> None:
        """Probe ``candidates`` (stopping any earlier probe)."""
        self.stop()
        self._probe = ReadWriteProbe(self._handler, candidates, self._ssl, self._on_found)
        self._probe.start()

    def stop(self) -> None:
        """Stop the current probe, if any."""
        if self._probe is not None:
            self._probe.cancel()
            self._probe = None
