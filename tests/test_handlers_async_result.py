"""AsyncResult semantics on both handlers (gevent unpatched, in-process)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from zkrecipes.client.handlers import (
    AsyncResult,
    CallbackKind,
    SequentialGeventHandler,
    SequentialThreadingHandler,
)
from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError, NoNodeError, ZkTimeoutError

WAIT = 10.0


@pytest.fixture(params=["threading", "gevent"])
def handler(request: pytest.FixtureRequest) -> Iterator[Any]:
    h: Any = SequentialThreadingHandler() if request.param == "threading" else SequentialGeventHandler()
    h.start()
    yield h
    h.stop(timeout=WAIT)


def _os_thread(target: Any, *args: Any) -> threading.Thread:
    """A real OS thread even for the gevent tests (the process is not patched)."""
    t = threading.Thread(target=target, args=args, daemon=True)
    t.start()
    return t


def test_satisfies_the_protocol(handler: Any) -> None:
    assert isinstance(handler.async_result(), AsyncResult)
    assert handler.timeout_exception is ZkTimeoutError


def test_value_roundtrip(handler: Any) -> None:
    r = handler.async_result()
    assert not r.ready() and not r.successful() and r.exception is None
    r.set({"a": 1})
    assert r.ready() and r.successful() and r.exception is None
    assert r.get() == {"a": 1}
    assert r.get_nowait() == {"a": 1}
    assert r.value == {"a": 1}
    assert r.wait(0) is True


def test_set_without_value_stores_none(handler: Any) -> None:
    r = handler.async_result()
    r.set()
    assert r.successful() and r.get() is None


def test_exception_roundtrip(handler: Any) -> None:
    r = handler.async_result()
    err = NoNodeError("/x")
    r.set_exception(err)
    assert r.ready() and not r.successful() and r.exception is err
    with pytest.raises(NoNodeError) as info:
        r.get()
    assert info.value is err


def test_timeouts(handler: Any) -> None:
    r = handler.async_result()
    with pytest.raises(ZkTimeoutError):
        r.get(timeout=0.01)
    with pytest.raises(TimeoutError):  # also the builtin
        r.get(timeout=0)
    with pytest.raises(ZkTimeoutError):
        r.get(block=False)
    with pytest.raises(ZkTimeoutError):
        r.get_nowait()
    assert r.wait(0.01) is False
    assert r.wait(0) is False
    assert r._waiters in (None, [])  # timed-out waiters are forgotten


def test_bad_input(handler: Any) -> None:
    r = handler.async_result()
    with pytest.raises(InvalidTypeError):
        r.set_exception("not an exception")
    with pytest.raises(InvalidTypeError):
        r.set_exception(ValueError)  # a class, not an instance
    with pytest.raises(InvalidTypeError):
        r.rawlink(42)
    with pytest.raises(InvalidTypeError):
        r.get(timeout="1")
    with pytest.raises(InvalidArgumentError):
        r.wait(-1)
    with pytest.raises(InvalidArgumentError):
        r.get(timeout=float("nan"))
    assert not r.ready()


def test_later_set_wins_and_relinks(handler: Any) -> None:
    r = handler.async_result()
    calls: list[Any] = []
    second = handler.event_object()

    def cb(result: Any) -> None:
        calls.append(result.exception or result.value)
        if len(calls) == 2:
            second.set()

    gate = handler.event_object()
    handler.dispatch_callback(CallbackKind.COMPLETION, gate.wait, WAIT)  # hold the queue
    r.rawlink(cb)
    r.set(1)
    boom = RuntimeError("later")
    r.set_exception(boom)
    gate.set()
    assert second.wait(WAIT)
    # Callbacks read the result when they run, so both see the later outcome.
    assert calls == [boom, boom]
    with pytest.raises(RuntimeError):
        r.get()


def test_rawlink_runs_on_completion_worker_once(handler: Any) -> None:
    r = handler.async_result()
    ran = handler.event_object()
    where: list[Any] = []
    caller = handler._current_worker()

    def cb(result: Any) -> None:
        where.append((result, handler._current_worker()))
        ran.set()

    r.rawlink(cb)
    r.rawlink(cb)  # same callback twice: registered once
    assert where == []
    r.set("v")
    assert ran.wait(WAIT)
    flush = handler.async_result()
    flushed = handler.event_object()
    flush.rawlink(lambda _r: flushed.set())
    flush.set()
    assert flushed.wait(WAIT)  # everything queued before has run
    assert len(where) == 1
    assert where[0][0] is r
    assert where[0][1] is not caller


def test_rawlink_after_ready_runs_only_that_callback_once(handler: Any) -> None:
    r = handler.async_result()
    first: list[Any] = []
    late: list[Any] = []
    done_first = handler.event_object()
    done_late = handler.event_object()
    r.rawlink(lambda res: (first.append(res.value), done_first.set()))
    r.set(7)
    assert done_first.wait(WAIT)
    r.rawlink(lambda res: (late.append(res.value), done_late.set()))
    assert done_late.wait(WAIT)
    fence = handler.event_object()
    handler.dispatch_callback(CallbackKind.COMPLETION, fence.set)
    assert fence.wait(WAIT)
    assert first == [7]
    assert late == [7]


def test_unlink(handler: Any) -> None:
    r = handler.async_result()
    calls: list[str] = []
    r.rawlink(lambda _r: calls.append("kept"))

    def dropped(_r: Any) -> None:
        calls.append("dropped")

    r.rawlink(dropped)
    r.unlink(dropped)
    r.unlink(dropped)  # absent: no error
    r.set()
    fence = handler.event_object()
    handler.dispatch_callback(CallbackKind.COMPLETION, fence.set)
    assert fence.wait(WAIT)
    assert calls == ["kept"]


def test_linked_callback_runs_inline_when_handler_stopped(handler: Any) -> None:
    handler.stop()
    r = handler.async_result()
    seen: list[Any] = []
    r.rawlink(seen.append)
    r.set(3)
    assert seen == [r]


def test_set_from_another_thread_wakes_waiter(handler: Any) -> None:
    r = handler.async_result()
    started = threading.Event()

    def producer() -> None:
        started.wait(WAIT)
        r.set("from thread")

    t = _os_thread(producer)
    started.set()
    assert r.get(timeout=WAIT) == "from thread"
    t.join(WAIT)


def test_many_waiters_all_woken(handler: Any) -> None:
    r = handler.async_result()
    results: list[Any] = []
    waiters = [handler.spawn(lambda: results.append(r.get(timeout=WAIT))) for _ in range(5)]
    handler.sleep_func(0)
    _os_thread(r.set, "all")
    for w in waiters:
        w.join(WAIT)
    assert results == ["all"] * 5


def test_blocking_get_from_os_thread_set_in_main(handler: Any) -> None:
    """A plain OS thread may block on a result (gevent: it waits on an OS lock)."""
    r = handler.async_result()
    got: list[Any] = []
    t = _os_thread(lambda: got.append(r.get(timeout=WAIT)))
    r.set("x")
    t.join(WAIT)
    assert got == ["x"]


def test_concurrent_sets_and_links_stress(handler: Any) -> None:
    """Each of many results linked from a thread racing its set gets exactly one call."""
    n = 500
    results = [handler.async_result() for _ in range(n)]
    counts = [0] * n
    done = handler.event_object()
    remaining = [n]
    lock = threading.Lock()

    def make_cb(i: int) -> Any:
        def cb(_r: Any) -> None:
            counts[i] += 1
            with lock:
                remaining[0] -= 1
                if remaining[0] == 0:
                    done.set()

        return cb

    callbacks = [make_cb(i) for i in range(n)]

    def setter() -> None:
        for r in results:
            r.set(1)

    t = _os_thread(setter)
    for r, cb in zip(results, callbacks, strict=True):
        r.rawlink(cb)
    t.join(WAIT)
    assert done.wait(WAIT)
    fence = handler.event_object()
    handler.dispatch_callback(CallbackKind.COMPLETION, fence.set)
    assert fence.wait(WAIT)
    assert counts == [1] * n
