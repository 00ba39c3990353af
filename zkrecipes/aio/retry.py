"""The command retry on asyncio: the same :class:`~zkrecipes.retry.RetryPolicy`, awaited.

:func:`retry_async` honours every knob of the policy (``max_tries``, ``delay``,
``backoff``, ``max_jitter``, ``max_delay``, ``deadline``, ``ignore_expire``,
``interrupt``) and its ``is_retryable`` rule, with tenacity's
``AsyncRetrying`` underneath and ``asyncio.sleep`` instead of the policy's
``sleep_func`` (a blocking sleep would stall the loop). A cancelled await
stops the loop at once (the cancellation propagates, never retried).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import tenacity

from zkrecipes.exceptions import InterruptedError as ZkInterruptedError
from zkrecipes.exceptions import RetryFailedError
from zkrecipes.retry import INTERRUPT_CHECK_INTERVAL, ExponentialBackoff, RetryPolicy

__all__ = ["retry_async"]

R = TypeVar("R")


async def retry_async(policy: RetryPolicy, func: Callable[..., Awaitable[R] | R], *args: Any,
                      **kwargs: Any) -> R:
    """Await ``func(*args, **kwargs)`` until it succeeds under ``policy``; return its result.

    Raises the first non-retryable error unchanged, RetryFailedError (the last
    error as its cause) when tries or the deadline run out, InterruptedError
    when ``policy.interrupt`` returns True during a sleep.
    """
    backoff = ExponentialBackoff(policy.delay, policy.backoff, policy.max_jitter, policy.max_delay,
                                 uniform=policy.uniform)
    clock = policy.clock
    stop_at = None if policy.deadline is None else clock() + policy.deadline
    why: list[str] = []

    def should_stop(state: tenacity.RetryCallState) -> bool:
        if policy.max_tries not in (None, -1) and state.attempt_number >= policy.max_tries:
            why.append(f"too many retry attempts ({state.attempt_number})")
            return True
        upcoming = state.upcoming_sleep or 0.0
        if stop_at is not None and clock() + upcoming >= stop_at:
            why.append(f"retry deadline of {policy.deadline} s exceeded")
            return True
        return False

    async def sleep(seconds: float) -> None:
        interrupt = policy.interrupt
        if interrupt is None:
            await asyncio.sleep(seconds)
            return
        remaining = seconds
        while True:
            chunk = min(INTERRUPT_CHECK_INTERVAL, remaining)
            if chunk > 0:
                await asyncio.sleep(chunk)
            remaining -= chunk
            if interrupt():
                raise ZkInterruptedError("retry interrupted")
            if remaining <= 0:
                return

    async def attempt() -> R:
        outcome = func(*args, **kwargs)
        if inspect.isawaitable(outcome):
            return await outcome
        return outcome

    def count(state: tenacity.RetryCallState) -> None:
        policy.attempts = state.attempt_number

    retrying = tenacity.AsyncRetrying(
        sleep=sleep, stop=should_stop, wait=lambda state: backoff.next_delay(),
        retry=tenacity.retry_if_exception(policy.is_retryable), before=count, reraise=False)
    try:
        return await retrying(attempt)
    except tenacity.RetryError as exc:
        last = exc.last_attempt.exception()
        raise RetryFailedError(why[-1] if why else "retries exhausted") from last
