"""The three sequential queues, on both handlers (gevent unpatched, in-process).

Every wait is on an event with a timeout; nothing sleeps to synchronise.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from zkrecipes.client.handlers import CallbackKind, SequentialGeventHandler, SequentialThreadingHandler
from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError

WAIT = 10.0  # generous, bounded


@pytest.fixture(params=["threading", "gevent"])
def handler(request: pytest.FixtureRequest) -> Iterator[Any]:
    h: Any
    h = SequentialThreadingHandler() if request.param == "threading" else SequentialGeventHandler()
    h.start()
    yield h
    h.stop(timeout=WAIT)


def _wait_all(events: list[Any]) -> None:
    for ev in events:
        assert ev.wait(WAIT), "callback did not run in time"


def test_start_and_stop_are_idempotent(handler: Any) -> None:
    handler.start()
    assert handler.running
    handler.stop()
    handler.stop()
    assert not handler.running
    handler.start()
    assert handler.running


def test_each_kind_runs_in_dispatch_order_under_concurrent_producers(
    handler: Any,
) -> None:
    producers, per_producer = 4, 200
    seen: dict[CallbackKind, list[tuple[int, int]]] = {kind: [] for kind in CallbackKind}
    in_flight = dict.fromkeys(CallbackKind, 0)
    overlaps: list[CallbackKind] = []
    done = {kind: handler.event_object() for kind in CallbackKind}
    total = producers * per_producer

    def record(kind: CallbackKind, producer: int, seq: int) -> None:
        in_flight[kind] += 1
        if in_flight[kind] > 1:
            overlaps.append(kind)
        seen[kind].append((producer, seq))
        in_flight[kind] -= 1
        if len(seen[kind]) == total:
            done[kind].set()

    def produce(producer: int) -> None:
        for seq in range(per_producer):
            for kind in CallbackKind:
                handler.dispatch_callback(kind, record, kind, producer, seq)
            if seq % 50 == 0:
                handler.sleep_func(0)  # let gevent producers interleave

    spawned = [handler.spawn(produce, p) for p in range(producers)]
    for s in spawned:
        s.join(WAIT)
    _wait_all(list(done.values()))
    assert overlaps == []
    for kind in CallbackKind:
        assert len(seen[kind]) == total
        for p in range(producers):
            assert [seq for prod, seq in seen[kind] if prod == p] == list(range(per_producer))


def test_single_producer_order_is_total(handler: Any) -> None:
    out: list[int] = []
    done = handler.event_object()
    for i in range(300):
        handler.dispatch_callback(CallbackKind.WATCH, out.append, i)
    handler.dispatch_callback(CallbackKind.WATCH, done.set)
    assert done.wait(WAIT)
    assert out == list(range(300))


@pytest.mark.parametrize("blocked", list(CallbackKind))
def test_a_blocked_queue_holds_back_only_itself(handler: Any, blocked: CallbackKind) -> None:
    gate = handler.event_object()
    entered = handler.event_object()
    after_blocked = handler.event_object()

    def block() -> None:
        entered.set()
        gate.wait(WAIT)

    handler.dispatch_callback(blocked, block)
    handler.dispatch_callback(blocked, after_blocked.set)
    assert entered.wait(WAIT)
    others = {kind: handler.event_object() for kind in CallbackKind if kind is not blocked}
    for kind, ev in others.items():
        handler.dispatch_callback(kind, ev.set)
    _wait_all(list(others.values()))
    assert not after_blocked.is_set()  # still held behind the blocked callback
    gate.set()
    assert after_blocked.wait(WAIT)


def test_callback_waiting_on_result_completed_elsewhere(handler: Any) -> None:
    """A completion callback may block on another result; the "I/O loop" completes it."""
    inner = handler.async_result()
    outer = handler.async_result()
    got = handler.async_result()

    def on_outer(result: Any) -> None:
        got.set(inner.get(timeout=WAIT))

    outer.rawlink(on_outer)
    outer.set("go")
    handler.spawn(inner.set, 42)
    assert got.get(timeout=WAIT) == 42


def test_exceptions_are_logged_and_worker_survives(
    handler: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="zkrecipes.handlers")
    done = handler.event_object()

    def boom() -> None:
        raise RuntimeError("callback failure 1234")

    for kind in CallbackKind:
        handler.dispatch_callback(kind, boom)
    events = {kind: handler.event_object() for kind in CallbackKind}
    for kind, ev in events.items():
        handler.dispatch_callback(kind, ev.set)
    _wait_all(list(events.values()))
    handler.dispatch_callback(CallbackKind.WATCH, done.set)
    assert done.wait(WAIT)
    failures = [r for r in caplog.records if r.name == "zkrecipes.handlers" and r.exc_info]
    assert len(failures) == 3
    assert all("callback failure 1234" in str(r.exc_info[1]) for r in failures if r.exc_info)


def test_stop_from_inside_a_callback_drains_and_restarts(handler: Any) -> None:
    stopped = handler.event_object()
    ran_after: list[int] = []
    drained = handler.event_object()

    def stopper() -> None:
        handler.stop(timeout=WAIT)
        stopped.set()

    handler.dispatch_callback(CallbackKind.SESSION, stopper)
    for i in range(5):
        handler.dispatch_callback(CallbackKind.SESSION, ran_after.append, i)
    handler.dispatch_callback(CallbackKind.SESSION, drained.set)
    assert stopped.wait(WAIT)
    assert drained.wait(WAIT)
    assert ran_after == list(range(5))
    assert not handler.running
    handler.start()
    again = handler.event_object()
    handler.dispatch_callback(CallbackKind.SESSION, again.set)
    assert again.wait(WAIT)


def test_stop_drains_queued_callbacks(handler: Any) -> None:
    out: list[int] = []
    gate = handler.event_object()
    handler.dispatch_callback(CallbackKind.WATCH, gate.wait, WAIT)
    for i in range(50):
        handler.dispatch_callback(CallbackKind.WATCH, out.append, i)
    handler.spawn(gate.set)
    handler.stop(timeout=WAIT)
    assert out == list(range(50))


def test_dispatch_on_a_stopped_handler_runs_inline(handler: Any) -> None:
    handler.stop()
    out: list[str] = []
    handler.dispatch_callback(CallbackKind.WATCH, out.append, "now")
    assert out == ["now"]


def test_dispatch_rejects_bad_input(handler: Any) -> None:
    with pytest.raises(InvalidTypeError):
        handler.dispatch_callback(CallbackKind.WATCH, "not callable")
    with pytest.raises(InvalidArgumentError):
        handler.dispatch_callback("watch", print)
    handler.stop()
    with pytest.raises(InvalidArgumentError):
        handler.dispatch_callback("watch", print)


def test_primitives(handler: Any) -> None:
    ev = handler.event_object()
    assert not ev.wait(0.001)
    lock = handler.lock_object()
    assert lock.acquire(False)
    assert not lock.acquire(False)
    lock.release()
    rlock = handler.rlock_object()
    with rlock, rlock:
        pass
    joined = handler.spawn(ev.set)
    joined.join(WAIT)
    assert ev.is_set()
    handler.sleep_func(0)
    with pytest.raises(InvalidTypeError):
        handler.spawn(42)


def test_stop_is_bounded_when_a_callback_is_stuck(
    handler: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="zkrecipes.handlers")
    gate = handler.event_object()
    entered = handler.event_object()
    after: list[str] = []

    def stuck() -> None:
        entered.set()
        gate.wait(WAIT)

    handler.dispatch_callback(CallbackKind.COMPLETION, stuck)
    handler.dispatch_callback(CallbackKind.COMPLETION, after.append, "drained later")
    old_done = handler.event_object()
    handler.dispatch_callback(CallbackKind.COMPLETION, old_done.set)
    assert entered.wait(WAIT)
    handler.stop(timeout=0.05)  # returns although the worker is still busy
    assert not handler.running
    assert any("did not finish" in r.getMessage() for r in caplog.records)
    finished = handler.event_object()
    handler.start()  # a fresh set of workers; the old one finishes in the background
    handler.dispatch_callback(CallbackKind.COMPLETION, finished.set)
    assert finished.wait(WAIT)
    assert after == []
    gate.set()
    assert old_done.wait(WAIT)  # the old worker drained its own queue once unblocked
    assert after == ["drained later"]
