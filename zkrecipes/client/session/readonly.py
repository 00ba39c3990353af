"""Read-only mode decisions: which servers are acceptable, when to look for a read-write one.

A read-only server is refused unless the client allows read-only mode. While
connected to one (and other servers are configured), the transport asks the
other servers ``isro`` in the background, pausing :func:`probe_pauses` between
rounds (0.1 s doubling up to 60 s, as ZooKeeper's Java client does); a server
answering ``rw`` is reported with
:meth:`~zkrecipes.client.session.machine.SessionMachine.read_write_server_found`,
and the session moves there (the current connection is dropped, that server
is tried first, the session is kept).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final

from zkrecipes.client.hosts import HostPort

__all__ = ["PROBE_TIMEOUT", "accept_server", "is_read_write_answer", "probe_candidates", "probe_pauses"]

#: Seconds one ``isro`` probe (connect, ask, read) may take.
PROBE_TIMEOUT: Final = 2.0
#: What a probe sends.
PROBE_COMMAND: Final = b"isro"
_FIRST_PAUSE: Final = 0.1
_MAX_PAUSE: Final = 60.0


def accept_server(server_read_only: bool, read_only_allowed: bool) -> bool:
    """False when the server is read-only and the client requires a read-write one."""
    return read_only_allowed or not server_read_only


def probe_candidates(server_read_only: bool, hosts: Sequence[HostPort], current: HostPort | None
                     ) -> list[HostPort]:
    """The servers to probe for read-write mode (empty: no probe)."""
    if not server_read_only or len(hosts) < 2:
        return []
    return [h for h in hosts if h != current]


def probe_pauses() -> Iterator[float]:
    """The pauses before each probe round: 0.1, 0.2, 0.4, … capped at 60 s (forever)."""
    pause = _FIRST_PAUSE
    while True:
        yield pause
        pause = min(pause * 2, _MAX_PAUSE)


def is_read_write_answer(answer: bytes) -> bool:
    """True when a server's answer to ``isro`` says it is read-write."""
    return answer.strip() == b"rw"
