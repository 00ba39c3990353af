"""What the clock does to a live connection: read timeout, ping, login and close deadlines.

Functions over :class:`~zkrecipes.client.session.parts.SessionParts` (the
numbers are :class:`~zkrecipes.client.session.timers.ConnectionTimers`'):

* open: a silent server is dropped after the read timeout; a ping goes out when
  nothing was written for the ping interval; a read-write server found by the
  probe ends the connection (the session moves there);
* handshake / login: a stop ends the connection at once; the handshake may take
  the connect timeout, the SASL login two thirds of the negotiated timeout;
* closing: the CloseRequest's answer is awaited a bounded time, then the run ends;
* disconnected: requests unsent for a whole session timeout fail, and the session
  is declared LOST once disconnected for the whole session timeout (the tracker's rule).
"""

from __future__ import annotations

import logging

from zkrecipes.client.session.inbound import session_lost
from zkrecipes.client.session.outputs import Drop, Output
from zkrecipes.client.session.parts import SessionParts
from zkrecipes.client.session.state import Phase

__all__ = ["connected_deadlines", "disconnected_deadline", "disconnected_rules", "next_deadline"]

log = logging.getLogger("zkrecipes.connection")


def disconnected_rules(p: SessionParts, now: float, out: list[Output]) -> None:
    """While disconnected: expire old unsent requests; apply the LOST-after-timeout rule."""
    p.fates.expire(now, p.tracker.session_timeout, out)
    if p.tracker.check_timeout(now) is not None:
        log.warning("disconnected for the whole session timeout: session considered lost")
        session_lost(p, out, announced=True)


def disconnected_deadline(p: SessionParts, until: float) -> float:
    """``until``, or earlier if the LOST rule or an unsent request's expiry is due first."""
    deadline = p.tracker.lost_deadline()
    if deadline is not None:
        until = min(until, deadline)
    oldest = p.fates.oldest_unsent()
    if oldest is not None:
        until = min(until, oldest + p.tracker.session_timeout)
    return until


def connected_deadlines(p: SessionParts, now: float) -> list[Output]:
    """Apply what is due at ``now`` on the current connection (a Drop ends it)."""
    out: list[Output] = []
    phase = p.phase.phase
    timers = p.timers
    if phase is Phase.OPEN:
        assert p.protocol is not None
        timers.note_xid(p.protocol.last_xid, now)
        if timers.read_timed_out(now):
            out.append(Drop(f"no bytes from the server for {timers.read_timeout:.2f} s"))
        elif p.rw_found is not None:
            out.append(Drop("moving to a read-write server"))
        elif timers.ping_due(now):
            p.out += p.protocol.ping()
            timers.sent(now)
    elif phase is Phase.HANDSHAKE or phase is Phase.SASL:
        if p.close_requested:
            p.phase.move(Phase.CLOSED)
            out.append(Drop("stopping"))
        elif phase is Phase.SASL and p.login is not None and now >= p.login.deadline:
            out.append(Drop("SASL exchange timed out"))
        elif phase is Phase.HANDSHAKE and timers.read_timed_out(now):
            reason = f"no handshake answer for {timers.read_timeout:.2f} s"
            p.planner.note_error(p.current_host, reason)
            out.append(Drop(reason))
    elif phase is Phase.CLOSING:
        deadline = timers.closing_deadline
        if deadline is not None and now >= deadline:
            p.phase.move(Phase.CLOSED)
            out.append(Drop("no answer to the CloseRequest"))
    return out


def next_deadline(p: SessionParts) -> float | None:
    """When :func:`connected_deadlines` must run next (None: not connected)."""
    phase = p.phase.phase
    if phase is Phase.OPEN:
        return p.timers.next_deadline(pinging=True)
    if phase is Phase.HANDSHAKE:
        return p.timers.next_deadline(pinging=False)
    if phase is Phase.SASL and p.login is not None:
        return p.login.deadline
    if phase is Phase.CLOSING:
        return p.timers.closing_deadline
    return None
