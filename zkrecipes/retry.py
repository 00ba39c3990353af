"""Retry policies: kazoo's ``KazooRetry`` knobs, tenacity underneath.

:class:`RetryPolicy` calls a function until it returns, retrying on the
errors that mean "try again" — :class:`~zkrecipes.exceptions.ConnectionLoss`,
:class:`~zkrecipes.exceptions.OperationTimeoutError`,
:class:`~zkrecipes.exceptions.ForceRetryError` and, unless ``ignore_expire`` is
false, :class:`~zkrecipes.exceptions.SessionExpiredError` (never
:class:`~zkrecipes.exceptions.ConnectionClosedError`: a closed client is final).
Between tries it sleeps with the policy's ``sleep_func`` (pass the handler's,
e.g. ``gevent.sleep``), on a jittered exponential schedule capped at
``max_delay``.

:class:`ExponentialBackoff` is the same schedule as a small stateful object, for
loops that are not a single function call (the connection's reconnect loop).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

import tenacity

from zkrecipes.client.protocol.checks import check_seconds
from zkrecipes.exceptions import (
    ConnectionClosedError,
    ConnectionLoss,
    ForceRetryError,
    InterruptedError,  # noqa: A004 - kazoo's name
    InvalidArgumentError,
    InvalidTypeError,
    OperationTimeoutError,
    RetryFailedError,
    SessionExpiredError,
)

__all__ = ["DecorrelatedJitter", "ExponentialBackoff", "RetryPolicy"]

_R = TypeVar("_R")

INTERRUPT_CHECK_INTERVAL = 0.1
"""While ``interrupt`` is set, sleeps are cut into slices this long (seconds)."""


def _number(name: str, value: object, *, minimum: float, maximum: float = math.inf) -> float:
    """A finite number within ``[minimum, maximum]`` (the client's duration rule,
    :func:`~zkrecipes.client.protocol.checks.check_seconds`, plus the range)."""
    number = check_seconds(value, name)
    if not minimum <= number <= maximum:
        bounds = f">= {minimum:g}" if maximum == math.inf else f"in [{minimum:g}, {maximum:g}]"
        raise InvalidArgumentError(f"{name} must be {bounds}, got {value!r}")
    return number


_DEFAULT_SCHEDULE = (0.1, 2.0, 0.4, 60.0)
"""RetryPolicy's default ``(delay, backoff, max_jitter, max_delay)`` (kazoo's KazooRetry's)."""


class ExponentialBackoff:
    """Jittered, capped exponential delays: ``delay, delay*backoff, …`` up to ``max_delay``.

    Each delay is the current base multiplied by a factor drawn uniformly from
    ``[1 - max_jitter, 1 + max_jitter]``, then capped at ``max_delay``; the base
    grows by ``backoff`` after each delay and is itself capped at ``max_delay``.
    """

    __slots__ = ("_current", "_uniform", "backoff", "delay", "max_delay", "max_jitter")

    def __init__(
        self,
        delay: float = 0.1,
        backoff: float = 2,
        max_jitter: float = 0.4,
        max_delay: float = 60.0,
        *,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self.delay = _number("delay", delay, minimum=0.0)
        self.backoff = _number("backoff", backoff, minimum=1.0)
        self.max_jitter = _number("max_jitter", max_jitter, minimum=0.0, maximum=1.0)
        self.max_delay = _number("max_delay", max_delay, minimum=0.0)
        self._uniform = uniform
        self._current = min(self.delay, self.max_delay)

    def next_delay(self) -> float:
        """Return the next delay (seconds, ``0 <= d <= max_delay``) and advance."""
        jitter = self._uniform(1.0 - self.max_jitter, 1.0 + self.max_jitter)
        result = min(self._current * jitter, self.max_delay)
        self._current = min(self._current * self.backoff, self.max_delay)
        return result

    def reset(self) -> None:
        """Start again from ``delay``."""
        self._current = min(self.delay, self.max_delay)


class DecorrelatedJitter:
    """Growing random delays with a floor: each one drawn from ``[base, 3 * previous]``, capped.

    The "decorrelated jitter" schedule: the first delay lies in ``[base, 3 * base]``,
    each later one in ``[base, 3 * previous]``, every one clipped to the ``cap``
    passed to :meth:`next_delay` (so ``min(base, cap) <= d <= cap`` always). The
    delays grow about twofold per step on average, never fall below ``base`` (a
    server refusing every connection is not hammered) and are spread out, so that
    many clients cut off together do not come back in lockstep.
    """

    __slots__ = ("_previous", "_uniform", "base")

    def __init__(self, base: float = 0.05, *,
                 uniform: Callable[[float, float], float] = random.uniform) -> None:
        self.base = _number("base", base, minimum=0.0)
        self._uniform = uniform
        self._previous = self.base

    def next_delay(self, cap: float) -> float:
        """Return the next delay (seconds, within ``[min(base, cap), cap]``) and advance."""
        floor = min(self.base, cap)
        ceiling = max(floor, min(cap, self._previous * 3.0))
        delay = min(max(self._uniform(floor, ceiling), floor), ceiling)
        self._previous = delay
        return delay

    def reset(self) -> None:
        """Start again from ``base``."""
        self._previous = self.base


class RetryPolicy:
    """Call a function until it succeeds, kazoo ``KazooRetry`` style.

    :param max_tries: total number of calls (1 = no retry); ``-1`` or ``None``
        means unlimited (then bound it with ``deadline``). 0 and values below -1
        are rejected.
    :param delay: the first sleep before jitter (seconds).
    :param backoff: multiplier applied to the sleep after each retry (>= 1).
    :param max_jitter: each sleep is scaled by a factor in ``[1-j, 1+j]`` (0..1).
    :param max_delay: no sleep is longer than this (seconds).
    :param sleep_func: how to sleep (``time.sleep``; pass ``handler.sleep_func``).
    :param deadline: give up (``RetryFailedError``) when the next sleep would
        end more than ``deadline`` seconds after the first call started.
    :param ignore_expire: retry on ``SessionExpiredError`` too (default True).
    :param interrupt: called during sleeps (at least every 0.1 s and once per
        sleep); returning True stops the loop with
        :class:`~zkrecipes.exceptions.InterruptedError`.
    :param clock: monotonic clock used for ``deadline`` (tests pass a fake one).
    :param uniform: random source for the jitter (tests pass a fixed one).

    Errors that are not retryable propagate unchanged. When tries or the
    deadline are exhausted, :class:`RetryFailedError` is raised with the last
    error as its ``__cause__``. Each call keeps its own state, so one policy may
    be used by several threads at once; :attr:`attempts` reports the calls made
    by the most recent one.
    """

    RETRY_EXCEPTIONS: tuple[type[BaseException], ...] = (
        ConnectionLoss,
        OperationTimeoutError,
        ForceRetryError,
    )
    EXPIRED_EXCEPTIONS: tuple[type[BaseException], ...] = (SessionExpiredError,)

    def __init__(
        self,
        max_tries: int | None = 1,
        delay: float = 0.1,
        backoff: float = 2,
        max_jitter: float = 0.4,
        max_delay: float = 60.0,
        sleep_func: Callable[[float], Any] = time.sleep,
        deadline: float | None = None,
        ignore_expire: bool = True,
        interrupt: Callable[[], bool] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        if max_tries is not None and (isinstance(max_tries, bool) or not isinstance(max_tries, int)):
            raise InvalidTypeError(f"max_tries must be an int or None, not {type(max_tries).__name__}")
        if max_tries is not None and max_tries != -1 and max_tries < 1:
            raise InvalidArgumentError(f"max_tries must be >= 1, or -1/None for unlimited, got {max_tries}")
        # Validates delay/backoff/max_jitter/max_delay once, here.
        ExponentialBackoff(delay, backoff, max_jitter, max_delay, uniform=uniform)
        if deadline is not None:
            deadline = _number("deadline", deadline, minimum=0.0)
        for name, func in (("sleep_func", sleep_func), ("clock", clock), ("uniform", uniform)):
            if not callable(func):
                raise InvalidTypeError(f"{name} must be callable")
        if interrupt is not None and not callable(interrupt):
            raise InvalidTypeError("interrupt must be callable or None")
        self.max_tries: int | None = max_tries
        self.delay = float(delay)
        self.backoff = float(backoff)
        self.max_jitter = float(max_jitter)
        self.max_delay = float(max_delay)
        self.sleep_func = sleep_func
        self.deadline = deadline
        self.ignore_expire = bool(ignore_expire)
        self.interrupt = interrupt
        self.clock = clock
        self.uniform = uniform
        self.retry_exceptions: tuple[type[BaseException], ...] = self.RETRY_EXCEPTIONS + (
            self.EXPIRED_EXCEPTIONS if ignore_expire else ()
        )
        self.attempts = 0

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(max_tries={self.max_tries}, delay={self.delay}, backoff={self.backoff}, "
            f"max_jitter={self.max_jitter}, max_delay={self.max_delay}, deadline={self.deadline}, "
            f"ignore_expire={self.ignore_expire})"
        )

    @property
    def default_schedule(self) -> bool:
        """True when ``delay``, ``backoff``, ``max_jitter`` and ``max_delay`` are the defaults.

        A connection policy with the default schedule lets the reconnect loop use
        its own, session-aware pacing (:mod:`zkrecipes.client.session.pacing`);
        any other knob value is honoured as given.
        """
        return (self.delay, self.backoff, self.max_jitter, self.max_delay) == _DEFAULT_SCHEDULE

    def copy(self) -> RetryPolicy:
        """A new policy with the same settings (and no attempt count)."""
        clone = RetryPolicy(
            max_tries=self.max_tries,
            delay=self.delay,
            backoff=self.backoff,
            max_jitter=self.max_jitter,
            max_delay=self.max_delay,
            sleep_func=self.sleep_func,
            deadline=self.deadline,
            ignore_expire=self.ignore_expire,
            interrupt=self.interrupt,
            clock=self.clock,
            uniform=self.uniform,
        )
        clone.retry_exceptions = self.retry_exceptions
        return clone

    def reset(self) -> None:
        """Forget the attempt count (each call starts afresh anyway)."""
        self.attempts = 0

    def is_retryable(self, exc: BaseException) -> bool:
        """True if ``exc`` asks for another try under this policy."""
        return isinstance(exc, self.retry_exceptions) and not isinstance(exc, ConnectionClosedError)

    def __call__(self, func: Callable[..., _R], *args: Any, **kwargs: Any) -> _R:
        """Call ``func(*args, **kwargs)`` until it returns; return its result.

        Raises the first non-retryable error unchanged, :class:`RetryFailedError`
        when tries or the deadline run out, :class:`InterruptedError` when
        ``interrupt`` returns True during a sleep.
        """
        if not callable(func):
            raise InvalidTypeError(f"retry needs a callable, not {type(func).__name__}")
        self.reset()
        backoff = ExponentialBackoff(
            self.delay, self.backoff, self.max_jitter, self.max_delay, uniform=self.uniform
        )
        stop_at = None if self.deadline is None else self.clock() + self.deadline
        why: list[str] = []

        def count_attempt(state: tenacity.RetryCallState) -> None:
            self.attempts = state.attempt_number

        def next_wait(state: tenacity.RetryCallState) -> float:
            return backoff.next_delay()

        def should_stop(state: tenacity.RetryCallState) -> bool:
            if self.max_tries not in (None, -1) and state.attempt_number >= self.max_tries:
                why.append(f"too many retry attempts ({state.attempt_number})")
                return True
            upcoming = state.upcoming_sleep or 0.0
            if stop_at is not None and self.clock() + upcoming >= stop_at:
                why.append(f"retry deadline of {self.deadline} s exceeded")
                return True
            return False

        retrying = tenacity.Retrying(
            sleep=self._sleep,
            stop=should_stop,
            wait=next_wait,
            retry=tenacity.retry_if_exception(self.is_retryable),
            before=count_attempt,
            reraise=False,
        )
        try:
            return retrying(func, *args, **kwargs)
        except tenacity.RetryError as exc:
            last = exc.last_attempt.exception()
            raise RetryFailedError(why[-1] if why else "retries exhausted") from last

    def _sleep(self, seconds: float) -> None:
        interrupt = self.interrupt
        if interrupt is None:
            self.sleep_func(seconds)
            return
        remaining = seconds
        while True:
            chunk = min(INTERRUPT_CHECK_INTERVAL, remaining)
            if chunk > 0:
                self.sleep_func(chunk)
            remaining -= chunk
            if interrupt():
                raise InterruptedError("retry interrupted")
            if remaining <= 0:
                return
