"""The read-only probe's I/O on asyncio: ask other servers ``isro`` in a background task.

The decisions (who to probe, the pauses, what counts as read-write) are the
session layer's (:mod:`zkrecipes.client.session.readonly`); this runs them as
one task, the asyncio twin of :mod:`._probe`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Callable

from zkrecipes.client.hosts import HostPort
from zkrecipes.client.session.readonly import PROBE_COMMAND, PROBE_TIMEOUT, is_read_write_answer, probe_pauses

__all__ = ["AsyncioReadWriteProbe"]

log = logging.getLogger("zkrecipes.connection")


class AsyncioReadWriteProbe:
    """Background search for a read-write server; :meth:`cancel` ends it at once.

    Calls ``on_found(host)`` at most once, never after :meth:`cancel`.
    """

    def __init__(self, candidates: list[HostPort], ssl_context: ssl.SSLContext | None,
                 on_found: Callable[[HostPort], None]) -> None:
        self._candidates = list(candidates)
        self._ssl = ssl_context
        self._on_found = on_found
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start probing in a task of the running loop."""
        if self._candidates:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="zkrecipes-rw-probe")

    def cancel(self) -> None:
        """Stop probing."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        for pause in probe_pauses():
            await asyncio.sleep(pause)
            for host in self._candidates:
                if await self._is_read_write(host):
                    log.info("read-write server found: %s", host)
                    self._task = None
                    self._on_found(host)
                    return

    async def _is_read_write(self, host: HostPort) -> bool:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(
                host.host, host.port, ssl=self._ssl,
                server_hostname=host.host if self._ssl is not None else None), PROBE_TIMEOUT)
        except (OSError, TimeoutError, ssl.SSLError):
            return False
        try:
            writer.write(PROBE_COMMAND)
            answer = await asyncio.wait_for(reader.read(16), PROBE_TIMEOUT)
            return is_read_write_answer(answer)
        except (OSError, TimeoutError):
            return False
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


class ProbeSlot:
    """At most one running :class:`AsyncioReadWriteProbe`: a new one cancels the old one."""

    def __init__(self) -> None:
        self._probe: AsyncioReadWriteProbe | None = None

    def start(self, candidates: list[HostPort], ssl_context: ssl.SSLContext | None,
              on_found: Callable[[HostPort], None]) -> None:
        """Cancel the running probe (if any) and start one over ``candidates``."""
        self.stop()
        self._probe = AsyncioReadWriteProbe(candidates, ssl_context, on_found)
        self._probe.start()

    def stop(self) -> None:
        """Cancel the running probe, if any (idempotent)."""
        if self._probe is not None:
            self._probe.cancel()
            self._probe = None
