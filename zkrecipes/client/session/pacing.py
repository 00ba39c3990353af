"""Reconnect pacing and host order: which host to try next, and when.

The :class:`ReconnectPlanner` walks the hosts round after round
(:class:`~zkrecipes.client.hosts.HostIterator`, reshuffled each round when
asked to). Rules:

* a failed attempt (no session reached) moves straight to the next host; a
  round in which every host failed ends with one backoff delay;
* after a connection that reached a session drops, the next attempt waits one
  backoff delay (like ZooKeeper's Java client, so that two clients presenting
  the same session do not fight over it); a connection served longer than a
  third of the session timeout resets the backoff;
* delays come from the connection RetryPolicy's knobs (``delay``, ``backoff``,
  ``max_jitter``, ``max_delay``) and are capped at a third of the session
  timeout (at least 0.1 s), so that a server back in time is found in time;
* a read-write server found while on a read-only one is tried first, at once.

It also keeps the last error of each host's latest failed attempt
(:attr:`ReconnectPlanner.connect_errors`, texts passed in by the transport or
the session), so that a start that times out can say what every host answered.

Pure: no clock (``now`` is passed in), randomness injectable.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Sequence
from typing import Any

from zkrecipes.client.hosts import HostIterator, HostPort
from zkrecipes.retry import ExponentialBackoff

__all__ = ["ReconnectPlanner", "connect_error_text", "connect_timeout", "start_timeout_message"]


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
    ``Name or service not known``, ``timed out``, …"""
    if isinstance(exc, OSError):
        if isinstance(exc.errno, int) and exc.errno > 0:  # asyncio's own text adds the address
            return os.strerror(exc.errno)
        if isinstance(exc.strerror, str) and exc.strerror:  # getaddrinfo's errors
            return exc.strerror
    text = str(exc)
    if text:
        return text
    return "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__


def connect_timeout(session_timeout: float, n_hosts: int) -> float:
    """Seconds one connection attempt (TCP, TLS, handshake) may take."""
    return max(session_timeout / max(1, n_hosts), 1.0)


def _backoff(policy: Any, uniform: Callable[[float, float], float]) -> ExponentialBackoff:
    if policy is None:
        return ExponentialBackoff(uniform=uniform)
    return ExponentialBackoff(policy.delay, policy.backoff, policy.max_jitter, policy.max_delay,
                              uniform=uniform)


class ReconnectPlanner:
    """Decides the next host and the pause before it (see the module docstring)."""

    __slots__ = ("_backoff", "_errors", "_established", "_hosts", "_pause", "_preferred", "_round",
                 "_wait_until")

    def __init__(self, hosts: Sequence[HostPort], randomize: bool, policy: Any = None,
                 rng: random.Random | None = None) -> None:
        self._hosts = HostIterator(hosts, randomize, rng)
        uniform = random.uniform if rng is None else rng.uniform
        self._backoff = _backoff(policy, uniform)
        self._round: list[HostPort] = []
        self._established = False
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
        if served is not None:
            self._established = True
            if served > session_timeout / 3:
                self._backoff.reset()
            if self._preferred is None:
                self._pause = self._next_pause(session_timeout)
        if not self._round and not self._established:
            self._pause = self._next_pause(session_timeout)

    def _next_pause(self, session_timeout: float) -> float:
        return min(self._backoff.next_delay(), max(0.1, session_timeout / 3))
