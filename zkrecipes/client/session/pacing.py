"""Reconnect pacing and host order: which host to try next, and when.

The :class:`ReconnectPlanner` walks the hosts round after round
(:class:`~zkrecipes.client.hosts.HostIterator`, reshuffled each round when
asked to). Rules:

* the first attempt after a connection that reached a session drops is
  **immediate**, to the next host of the round (the same host again when there
  is only one): the session is alive on the server for the whole session
  timeout, and every moment spent waiting is a moment requests are stalled and
  the session draws nearer to expiry;
* a failed attempt (no session reached) moves straight to the next host; a
  round in which every host failed ends with one backoff delay; a connection
  that dropped again before it lived :func:`healthy_after` is followed by a
  backoff delay too, not an immediate attempt;
* backoff delays are "decorrelated jitter" (:class:`~zkrecipes.retry.DecorrelatedJitter`):
  the first in ``[50 ms, 150 ms]``, each later one in ``[50 ms, 3 * previous]``,
  all capped by :func:`pause_cap`: ``min(1 s, session timeout / 10)`` (at least
  50 ms);
* a connection that reached a session and lived :func:`healthy_after`
  (a quarter of the cap) resets the backoff: the next drop is met by an
  immediate attempt again;
* a read-write server found while on a read-only one is tried first, at once.

Why these numbers. The server keeps a session for its timeout after the last
heartbeat, and the client declares it LOST after being disconnected that long
(:mod:`.deadlines`; pacing never waits past that deadline). A cap of a tenth of
the session timeout leaves at least ten attempts within it, so a server that is
back is found within ``cap + connect time`` — at most a tenth of the session's
grace spent waiting — and the absolute 1 s bound keeps that true for long
timeouts (a handshake a second is no load for a ZooKeeper server, and waiting
longer saves nothing worth an application's stall). The 50 ms floor keeps a
refusing server from being hammered, the jitter spreads many clients cut off at
once, and the healthy-connection rule bounds the reconnect rate against a
server that accepts and drops at once: at most one immediate attempt per
``healthy_after`` seconds, then the backoff. The same rule settles two clients
presenting one session (a process restarted with a saved ``client_id`` while the
old one lives): the server closes whichever connection held the session, each
takes it back once at once, and from then on both back off.

A ``connection_retry`` :class:`~zkrecipes.retry.RetryPolicy` with its own
``delay``/``backoff``/``max_jitter``/``max_delay`` knobs (anything but the
defaults, see :attr:`~zkrecipes.retry.RetryPolicy.default_schedule`) replaces the
backoff delays by its jittered exponential schedule, capped at ``max_delay`` and
a third of the session timeout (at least 0.1 s); the immediate first attempt and
the reset rule stay.

It also keeps the last error of each host's latest failed attempt
(:attr:`ReconnectPlanner.connect_errors`, texts passed in by the transport or
the session), so that a start that times out can say what every host answered.

Pure: no clock (``now`` is passed in), randomness injectable.
"""

from __future__ import annotations

import os
import random
import ssl
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from zkrecipes.client.hosts import HostIterator, HostPort
from zkrecipes.retry import DecorrelatedJitter, ExponentialBackoff

__all__ = ["BASE_DELAY", "MAX_PAUSE", "ReconnectPlanner", "connect_error_text", "connect_timeout",
           "healthy_after", "pause_cap", "start_timeout_message"]

#: The floor of every backoff delay of the default schedule (seconds).
BASE_DELAY = 0.05
#: The longest backoff delay of the default schedule, whatever the session timeout (seconds).
MAX_PAUSE = 1.0


def start_timeout_message(timeout: float, errors: dict[HostPort, str]) -> str:
    """``Connection time-out after 5 s (127.0.0.1:2181: Connection refused; …)``: a start
    that reached no session, naming each host tried and its last error."""
    if errors:
        tried = "; ".join(f"{host}: {error}" for host, error in errors.items())
    else:
        tried = "no connection attempt finished"
    return f"Connection time-out after {timeout:g} s ({tried})"


def connect_error_text(exc: BaseException) -> str:
    """A short text for a failed connection attempt: ``Connection refused``,
    ``Name or service not known``, ``timed out``, ``TLS certificate verify failed: certificate
    has expired``, …"""
    if isinstance(exc, ssl.SSLError):  # its errno is OpenSSL's, not an OS error number
        return _tls_error_text(exc)
    if isinstance(exc, OSError):
        if isinstance(exc.errno, int) and exc.errno > 0:  # asyncio's own text adds the address
            return os.strerror(exc.errno)
        if isinstance(exc.strerror, str) and exc.strerror:  # getaddrinfo's errors
            return exc.strerror
    text = str(exc)
    if text:
        return text
    return "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__


def _tls_error_text(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return f"TLS certificate verify failed: {exc.verify_message}"
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str) and reason:
        words = reason.replace("_", " ").lower()
        alert = words.partition("alert ")[2]
        if alert:  # the server's answer to our handshake (often: our client certificate)
            return f"TLS handshake refused by the server: {alert}"
        return f"TLS error: {words}"
    text = str(exc.strerror or exc)
    if "PEM lib" in text:
        return "TLS error: cannot load the client certificate or key (wrong keyfile_password?)"
    return f"TLS error: {text}"


def connect_timeout(session_timeout: float, n_hosts: int) -> float:
    """Seconds one connection attempt (TCP, TLS, handshake) may take."""
    return max(session_timeout / max(1, n_hosts), 1.0)


def _own_schedule(policy: Any) -> bool:
    """True when ``policy`` sets backoff knobs of its own (a bare knob holder counts)."""
    return policy is not None and not getattr(policy, "default_schedule", False)


def pause_cap(session_timeout: float, policy: Any = None) -> float:
    """The longest backoff delay at ``session_timeout``: ``min(1 s, timeout / 10)``, at least
    50 ms; with a policy's own schedule, ``min(max_delay, max(0.1 s, timeout / 3))``."""
    if _own_schedule(policy):
        return float(min(policy.max_delay, max(0.1, session_timeout / 3)))
    return min(MAX_PAUSE, max(BASE_DELAY, session_timeout / 10))


def healthy_after(session_timeout: float, policy: Any = None) -> float:
    """How long a connection must have served a session to reset the backoff (a quarter of
    :func:`pause_cap`)."""
    return pause_cap(session_timeout, policy) / 4


class _Schedule(Protocol):
    def next_delay(self, cap: float) -> float: ...

    def reset(self) -> None: ...


class _PolicySchedule:
    """A RetryPolicy's own jittered exponential delays, clipped to the cap."""

    __slots__ = ("_backoff",)

    def __init__(self, policy: Any, uniform: Callable[[float, float], float]) -> None:
        self._backoff = ExponentialBackoff(policy.delay, policy.backoff, policy.max_jitter,
                                           policy.max_delay, uniform=uniform)

    def next_delay(self, cap: float) -> float:
        return min(self._backoff.next_delay(), cap)

    def reset(self) -> None:
        self._backoff.reset()


def _schedule(policy: Any, uniform: Callable[[float, float], float]) -> _Schedule:
    if _own_schedule(policy):
        return _PolicySchedule(policy, uniform)
    return DecorrelatedJitter(BASE_DELAY, uniform=uniform)


class ReconnectPlanner:
    """Decides the next host and the pause before it (see the module docstring)."""

    __slots__ = ("_backoff", "_errors", "_established", "_fresh", "_hosts", "_pause", "_policy",
                 "_preferred", "_round", "_wait_until")

    def __init__(self, hosts: Sequence[HostPort], randomize: bool, policy: Any = None,
                 rng: random.Random | None = None) -> None:
        self._hosts = HostIterator(hosts, randomize, rng)
        uniform = random.uniform if rng is None else rng.uniform
        self._policy = policy
        self._backoff = _schedule(policy, uniform)
        self._round: list[HostPort] = []
        self._established = False
        self._fresh = True  # the next drop of a served connection is met at once
        self._pause = 0.0
        self._wait_until: float | None = None
        self._preferred: HostPort | None = None
        self._errors: dict[HostPort, str] = {}

    @property
    def connect_errors(self) -> dict[HostPort, str]:
        """Each host whose latest attempt failed, with that attempt's error (a copy)."""
        return dict(self._errors)

    def note_error(self, host: HostPort | None, error: str, replace: bool = True) -> None:
        """Remember ``error`` as ``host``'s last (unless ``replace`` is false and it has one)."""
        if host is not None and (replace or host not in self._errors):
            self._errors[host] = error

    def clear_error(self, host: HostPort | None) -> None:
        """A new attempt on ``host`` began: forget its previous error."""
        if host is not None:
            self._errors.pop(host, None)

    @property
    def hosts(self) -> list[HostPort]:
        """The current host list (a copy)."""
        return self._hosts.hosts

    def set_hosts(self, hosts: Sequence[HostPort], randomize: bool | None = None) -> None:
        """Use ``hosts`` from the next round on."""
        self._hosts.set_hosts(hosts)
        if randomize is not None:
            self._hosts.randomize = randomize

    def reset(self) -> None:
        """A new run: a fresh round, the backoff from its first delay, no pause."""
        self._backoff.reset()
        self._round = []
        self._established = False
        self._fresh = True
        self._pause = 0.0
        self._wait_until = None
        self._preferred = None
        self._errors.clear()

    def prefer(self, host: HostPort) -> None:
        """Try ``host`` first, without a pause, as soon as the current connection ends."""
        self._preferred = host
        self._round = []  # a new round starts with it

    def next_host(self, now: float, session_timeout: float) -> HostPort | float:
        """The host to try now, or the time to wait until before asking again."""
        if self._wait_until is not None:
            if now < self._wait_until:
                return self._wait_until
            self._wait_until = None
        if not self._round:
            hosts = self._hosts.round()
            target, self._preferred = self._preferred, None
            if target is not None:
                hosts = [target] + [h for h in hosts if h != target]
                self._pause = 0.0
            self._round = hosts
            self._established = False
        if self._pause > 0:
            self._wait_until = now + self._pause
            self._pause = 0.0
            return self._wait_until
        return self._round.pop(0)

    def attempt_ended(self, served: float | None, session_timeout: float) -> None:
        """An attempt is over: ``served`` seconds with a session, or None if it reached none."""
        cap = pause_cap(session_timeout, self._policy)
        if served is not None:
            self._established = True
            if served >= healthy_after(session_timeout, self._policy):
                self._backoff.reset()
                self._fresh = True
            if self._preferred is None:
                self._pause = 0.0 if self._fresh else self._backoff.next_delay(cap)
            self._fresh = False
        if not self._round and not self._established:
            self._fresh = False
            self._pause = self._backoff.next_delay(cap)
