"""RetryPolicy and ExponentialBackoff, with a fake clock and a recording sleep (no real sleeping)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkrecipes import exceptions as exc
from zkrecipes.retry import ExponentialBackoff, RetryPolicy


class FakeTime:
    """A clock that only moves when the policy sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


def mid(lo: float, hi: float) -> float:
    """A 'random' source that always returns the midpoint: no jitter."""
    return (lo + hi) / 2


def failing(times: int, error: Callable[[], BaseException], result: Any = "ok") -> Callable[..., Any]:
    calls = {"n": 0}

    def func(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] <= times:
            raise error()
        return (result, args, kwargs)

    func.calls = calls  # type: ignore[attr-defined]
    return func


def policy(fake: FakeTime, **kwargs: Any) -> RetryPolicy:
    kwargs.setdefault("uniform", mid)
    return RetryPolicy(sleep_func=fake.sleep, clock=fake.clock, **kwargs)


def test_success_needs_no_sleep_and_passes_arguments() -> None:
    fake = FakeTime()
    func = failing(0, exc.ConnectionLoss)
    assert policy(fake, max_tries=3)(func, 1, 2, key="v") == ("ok", (1, 2), {"key": "v"})
    assert fake.sleeps == []
    assert func.calls["n"] == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "error",
    [exc.ConnectionLoss, exc.OperationTimeoutError, exc.ForceRetryError, exc.SessionExpiredError],
)
def test_retryable_errors_are_retried(error: Callable[[], BaseException]) -> None:
    fake = FakeTime()
    func = failing(2, error)
    p = policy(fake, max_tries=5)
    assert p(func)[0] == "ok"
    assert func.calls["n"] == 3  # type: ignore[attr-defined]
    assert len(fake.sleeps) == 2
    assert p.attempts == 3


def test_session_expiry_not_retried_when_ignore_expire_false() -> None:
    fake = FakeTime()
    func = failing(1, exc.SessionExpiredError)
    with pytest.raises(exc.SessionExpiredError):
        policy(fake, max_tries=5, ignore_expire=False)(func)
    assert func.calls["n"] == 1  # type: ignore[attr-defined]
    assert fake.sleeps == []


def test_connection_closed_is_never_retried() -> None:
    fake = FakeTime()
    func = failing(1, exc.ConnectionClosedError)
    with pytest.raises(exc.ConnectionClosedError):
        policy(fake, max_tries=5)(func)
    assert func.calls["n"] == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("error", [exc.NoNodeError, exc.BadVersionError, ValueError, exc.RetryFailedError])
def test_other_errors_propagate_unchanged(error: Callable[[], BaseException]) -> None:
    fake = FakeTime()
    func = failing(1, error)
    with pytest.raises(error):  # type: ignore[call-overload]
        policy(fake, max_tries=5)(func)
    assert func.calls["n"] == 1  # type: ignore[attr-defined]


def test_tries_exhausted_raise_retry_failed_with_cause() -> None:
    fake = FakeTime()
    func = failing(100, exc.ConnectionLoss)
    with pytest.raises(exc.RetryFailedError, match="too many") as info:
        policy(fake, max_tries=3)(func)
    assert isinstance(info.value.__cause__, exc.ConnectionLoss)
    assert func.calls["n"] == 3  # type: ignore[attr-defined]
    assert len(fake.sleeps) == 2


def test_default_is_a_single_try() -> None:
    fake = FakeTime()
    func = failing(1, exc.ConnectionLoss)
    with pytest.raises(exc.RetryFailedError):
        policy(fake)(func)
    assert func.calls["n"] == 1  # type: ignore[attr-defined]
    assert fake.sleeps == []


def test_backoff_grows_geometrically() -> None:
    fake = FakeTime()
    with pytest.raises(exc.RetryFailedError):
        policy(fake, max_tries=6, delay=0.1, backoff=3, max_jitter=0.4)(failing(100, exc.ConnectionLoss))
    assert fake.sleeps == pytest.approx([0.1, 0.3, 0.9, 2.7, 8.1])


def test_jitter_stays_within_bounds() -> None:
    fake = FakeTime()
    bounds: list[tuple[float, float]] = []
    rng = random.Random(1234)

    def uniform(lo: float, hi: float) -> float:
        bounds.append((lo, hi))
        return rng.uniform(lo, hi)

    with pytest.raises(exc.RetryFailedError):
        policy(fake, max_tries=9, delay=1.0, backoff=2, max_jitter=0.25, max_delay=1e9, uniform=uniform)(
            failing(100, exc.ConnectionLoss)
        )
    assert set(bounds) == {(0.75, 1.25)}
    assert len(fake.sleeps) == 8
    for i, slept in enumerate(fake.sleeps):
        assert 0.75 * 2**i <= slept <= 1.25 * 2**i
    assert len(set(fake.sleeps)) == len(fake.sleeps)  # actually jittered


def test_max_delay_caps_every_sleep() -> None:
    fake = FakeTime()
    with pytest.raises(exc.RetryFailedError):
        policy(
            fake, max_tries=8, delay=1.0, backoff=10, max_jitter=0.5, max_delay=5.0,
            uniform=lambda lo, hi: hi,  # always the largest jitter
        )(failing(100, exc.ConnectionLoss))
    assert fake.sleeps[0] == pytest.approx(1.5)
    assert fake.sleeps[1:] == [5.0] * 6


def test_deadline_stops_before_a_sleep_would_cross_it() -> None:
    fake = FakeTime()
    func = failing(100, exc.ConnectionLoss)
    with pytest.raises(exc.RetryFailedError, match="deadline") as info:
        policy(fake, max_tries=-1, delay=1.0, backoff=1, max_jitter=0.0, deadline=3.5)(func)
    # t=0 fail, sleep 1; t=1 fail, sleep 1; t=2 fail, sleep 1; t=3 fail, 3+1 >= 3.5: stop.
    assert fake.sleeps == [1.0, 1.0, 1.0]
    assert func.calls["n"] == 4  # type: ignore[attr-defined]
    assert isinstance(info.value.__cause__, exc.ConnectionLoss)


def test_deadline_counts_time_spent_in_the_function() -> None:
    fake = FakeTime()

    def slow() -> None:
        fake.now += 2.0  # each call takes 2 s
        raise exc.ConnectionLoss()

    with pytest.raises(exc.RetryFailedError):
        policy(fake, max_tries=-1, delay=0.5, backoff=1, max_jitter=0.0, deadline=5.0)(slow)
    # t=2 fail (2.5 < 5) sleep; t=4.5 fail (5.0 >= 5): stop.
    assert fake.sleeps == [0.5]


@pytest.mark.parametrize("unlimited", [-1, None])
def test_unlimited_tries(unlimited: int | None) -> None:
    fake = FakeTime()
    func = failing(60, exc.ForceRetryError)
    assert policy(fake, max_tries=unlimited, max_delay=1.0)(func)[0] == "ok"
    assert func.calls["n"] == 61  # type: ignore[attr-defined]
    assert max(fake.sleeps) <= 1.0


def test_interrupt_stops_during_sleep() -> None:
    fake = FakeTime()
    checks = {"n": 0}

    def interrupt() -> bool:
        checks["n"] += 1
        return checks["n"] >= 3

    func = failing(100, exc.ConnectionLoss)
    with pytest.raises(exc.InterruptedError):
        policy(fake, max_tries=-1, delay=1.0, max_jitter=0.0, interrupt=interrupt)(func)
    assert func.calls["n"] == 1  # type: ignore[attr-defined]
    assert fake.sleeps == pytest.approx([0.1, 0.1, 0.1])  # sliced sleep, checked after each slice


def test_interrupt_false_sleeps_the_whole_delay_in_slices() -> None:
    fake = FakeTime()
    func = failing(1, exc.ConnectionLoss)
    policy(fake, max_tries=2, delay=0.35, max_jitter=0.0, interrupt=lambda: False)(func)
    assert all(s <= 0.1 + 1e-12 for s in fake.sleeps)
    assert sum(fake.sleeps) == pytest.approx(0.35)


def test_copy_is_independent_and_equal() -> None:
    fake = FakeTime()
    original = policy(fake, max_tries=4, delay=0.2, backoff=3, max_jitter=0.1, max_delay=9.0,
                      deadline=30.0, ignore_expire=False, interrupt=lambda: False)
    clone = original.copy()
    assert clone is not original
    for attr in ("max_tries", "delay", "backoff", "max_jitter", "max_delay", "sleep_func",
                 "deadline", "ignore_expire", "interrupt", "clock", "uniform", "retry_exceptions"):
        assert getattr(clone, attr) == getattr(original, attr), attr
    with pytest.raises(exc.SessionExpiredError):  # ignore_expire=False survived the copy
        clone(failing(1, exc.SessionExpiredError))
    assert clone.attempts == 1 and original.attempts == 0


def test_reset_clears_attempts() -> None:
    fake = FakeTime()
    p = policy(fake, max_tries=3)
    p(failing(2, exc.ConnectionLoss))
    assert p.attempts == 3
    p.reset()
    assert p.attempts == 0


def test_uses_the_given_sleep_func_only() -> None:
    slept: list[float] = []
    p = RetryPolicy(max_tries=3, sleep_func=slept.append, uniform=mid)
    p(failing(2, exc.ConnectionLoss))
    assert slept == pytest.approx([0.1, 0.2])


def test_policy_shared_by_threads() -> None:
    p = RetryPolicy(max_tries=10, delay=0.0, sleep_func=lambda s: None)
    results: list[Any] = []
    lock = threading.Lock()

    def run() -> None:
        value = p(failing(5, exc.ConnectionLoss))[0]
        with lock:
            results.append(value)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == ["ok"] * 4


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"max_tries": 0}, exc.InvalidArgumentError),
        ({"max_tries": -2}, exc.InvalidArgumentError),
        ({"max_tries": "3"}, exc.InvalidTypeError),
        ({"max_tries": True}, exc.InvalidTypeError),
        ({"delay": -0.1}, exc.InvalidArgumentError),
        ({"delay": "1"}, exc.InvalidTypeError),
        ({"backoff": 0.5}, exc.InvalidArgumentError),
        ({"max_jitter": 1.5}, exc.InvalidArgumentError),
        ({"max_jitter": -0.1}, exc.InvalidArgumentError),
        ({"max_delay": float("nan")}, exc.InvalidArgumentError),
        ({"deadline": -1}, exc.InvalidArgumentError),
        ({"sleep_func": 3}, exc.InvalidTypeError),
        ({"interrupt": "yes"}, exc.InvalidTypeError),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        RetryPolicy(**kwargs)


def test_calling_a_non_callable_is_rejected() -> None:
    with pytest.raises(exc.InvalidTypeError):
        RetryPolicy()(42)  # type: ignore[arg-type]


# ------------------------------------------------------------ ExponentialBackoff


def test_backoff_sequence_cap_and_reset() -> None:
    b = ExponentialBackoff(delay=0.5, backoff=2, max_jitter=0.0, max_delay=3.0)
    assert [b.next_delay() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    b.reset()
    assert b.next_delay() == 0.5


@settings(max_examples=200, deadline=None)
@given(
    delay=st.floats(0, 10),
    backoff=st.floats(1, 10),
    jitter=st.floats(0, 1),
    max_delay=st.floats(0, 100),
    steps=st.integers(1, 60),
    seed=st.integers(0, 2**32),
)
def test_backoff_always_within_bounds(
    delay: float, backoff: float, jitter: float, max_delay: float, steps: int, seed: int
) -> None:
    rng = random.Random(seed)
    b = ExponentialBackoff(delay, backoff, jitter, max_delay, uniform=rng.uniform)
    base = min(delay, max_delay)
    for _ in range(steps):
        d = b.next_delay()
        assert 0 <= d <= max_delay
        assert d >= min(base * (1 - jitter), max_delay) - 1e-9
        assert d <= base * (1 + jitter) + 1e-9
        base = min(base * backoff, max_delay)
