"""The sync state stream (``_leader_stream``) on a real handler, without a server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from zkrecipes.client.handlers.threading import SequentialThreadingHandler
from zkrecipes.recipes.curator._leader_stream import LeaderStateStream
from zkrecipes.recipes.curator.leadership_state import LeadershipState, LeaderStatus


class FakeClient:
    """Only what the stream takes from a client: its handler."""

    def __init__(self, handler: Any) -> None:
        self.handler = handler


@pytest.fixture
def handler() -> Iterator[SequentialThreadingHandler]:
    handler = SequentialThreadingHandler()
    handler.start()
    yield handler
    handler.stop()


def test_iterator_yields_current_then_changes_and_ends_after_closed(handler: Any) -> None:
    stream = LeaderStateStream(FakeClient(handler))  # type: ignore[arg-type]
    states = stream.iterate(timeout=10)
    assert next(states) == LeadershipState(LeaderStatus.PENDING)
    stream.publish(LeadershipState(LeaderStatus.LEADER, 7))
    stream.resign()
    stream.close()
    assert list(states) == [LeadershipState(LeaderStatus.LEADER, 7),
                            LeadershipState(LeaderStatus.RESIGNED, 7),
                            LeadershipState(LeaderStatus.CLOSED, 7)]


def test_iterator_ends_when_the_timeout_passes_without_a_state(handler: Any) -> None:
    stream = LeaderStateStream(FakeClient(handler))  # type: ignore[arg-type]
    assert list(stream.iterate(timeout=0)) == [LeadershipState(LeaderStatus.PENDING)]


def test_a_blocked_reader_is_woken_by_a_publication(handler: Any) -> None:
    stream = LeaderStateStream(FakeClient(handler))  # type: ignore[arg-type]
    got: list[LeadershipState] = []
    reading = threading.Event()

    def read() -> None:
        for state in stream.iterate(timeout=30):
            got.append(state)
            reading.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert reading.wait(10)
    stream.publish(LeadershipState(LeaderStatus.LEADER, 3))
    stream.close()
    reader.join(10)
    assert [s.status for s in got] == [LeaderStatus.PENDING, LeaderStatus.LEADER, LeaderStatus.CLOSED]


def test_callbacks_run_on_the_handlers_callback_queue_in_order(handler: Any) -> None:
    stream = LeaderStateStream(FakeClient(handler))  # type: ignore[arg-type]
    seen: list[tuple[LeadershipState, str]] = []
    done = threading.Event()

    def callback(state: LeadershipState) -> None:
        seen.append((state, threading.current_thread().name))
        if state.status is LeaderStatus.CLOSED:
            done.set()

    def failing(state: LeadershipState) -> None:
        raise RuntimeError("a bad callback is logged, not fatal")

    stream.add_callback(failing)
    stream.add_callback(callback)
    for epoch in (1, 2):
        stream.publish(LeadershipState(LeaderStatus.LEADER, epoch))
        stream.resign()
    stream.close()
    assert done.wait(10)
    assert [state.epoch for state, _thread in seen] == [1, 1, 2, 2, 2]
    assert {name for _state, name in seen} == {"zkrecipes-watch-worker"}
    stream.publish(LeadershipState(LeaderStatus.LEADER, 3))  # after close: nothing (callbacks dropped)
    assert len(seen) == 5
    with pytest.raises(TypeError):
        stream.add_callback(None)  # type: ignore[arg-type]
