"""The hub's own rules, the callback-queue timing, attaching, and the recipe times (fake clocks)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from zkrecipes.client.config import ClientConfig
from zkrecipes.observe import Observer, RecipePhase, RequestEvent
from zkrecipes.observe._frames import FrameSizes
from zkrecipes.observe._recipe_times import RecipeTimes, recipe_name, timed_acquire
from zkrecipes.observe.attach import add_observer, hub_of, remove_observer
from zkrecipes.observe.hub import ObserverHub
from zkrecipes.observe.recorder import RecordingObserver


class Clock:
    def __init__(self) -> None:
        self.now = 10.0

    def __call__(self) -> float:
        return self.now


class OnlyRequests:
    """A duck-typed observer (no Observer base) with one method."""

    def __init__(self) -> None:
        self.events: list[RequestEvent] = []

    def on_request(self, event: RequestEvent, token: object) -> None:
        self.events.append(event)


def test_only_overridden_methods_are_called_and_a_duck_observer_works() -> None:
    hub = ObserverHub("t", Clock())
    duck = OnlyRequests()
    hub.add(duck)
    hub.add(duck)  # idempotent
    assert hub.observers == [duck]
    assert hub._by_method["on_state"] == [] and hub._by_method["on_request"] == [duck]
    hub.submitted(_Req("/a"), result := object(), 1.0)
    hub.outputs([_complete(result)])
    assert [e.path for e in duck.events] == ["/a"]


def test_an_observer_that_raises_is_logged_and_the_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(Observer):
        def on_request(self, event: RequestEvent, token: object) -> None:
            raise RuntimeError("boom")

    hub = ObserverHub("t", Clock())
    recorder = RecordingObserver()
    hub.add(Broken())
    hub.add(recorder)
    with caplog.at_level(logging.ERROR, logger="zkrecipes.observe"):
        hub.submitted(_Req("/a"), result := object(), 1.0)
        hub.outputs([_complete(result)])
    assert len(recorder.requests) == 1
    assert "failed" in caplog.text


def test_the_token_of_the_start_comes_back_at_the_end_and_removal_stops_events() -> None:
    class Tokens(Observer):
        def __init__(self) -> None:
            self.pairs: list[tuple[str | None, object]] = []

        def on_request_start(self, start: Any) -> object:
            return ("token", start.path)

        def on_request(self, event: RequestEvent, token: object) -> None:
            self.pairs.append((event.path, token))

    hub = ObserverHub("t", Clock())
    tokens = Tokens()
    hub.add(tokens)
    hub.submitted(_Req("/x"), first := object(), 1.0)
    hub.outputs([_complete(first)])
    assert tokens.pairs == [("/x", ("token", "/x"))]
    assert hub.remove(tokens) and not hub.remove(tokens) and not hub
    hub.submitted(_Req("/y"), second := object(), 1.0)
    hub.outputs([_complete(second)])
    assert len(tokens.pairs) == 1


def test_callback_timing_with_a_fake_clock() -> None:
    clock = Clock()
    hub = ObserverHub("t", clock)
    recorder = RecordingObserver()
    hub.add(recorder)
    ran: list[int] = []

    def work(n: int) -> None:
        clock.now += 0.5  # runs half a second
        ran.append(n)

    func, args = hub.queues.wrap("watch", work, (1,))
    func2, args2 = hub.queues.wrap("watch", work, (2,))
    assert hub.queue_depths() == {"watch": 2}
    clock.now += 2.0  # waits two seconds in the queue
    func(*args)
    func2(*args2)
    assert ran == [1, 2]
    first, second = recorder.callbacks
    assert (first.queue, first.wait, first.run, first.depth, first.failed) == ("watch", 2.0, 0.5, 1, False)
    assert (second.wait, second.depth) == (2.5, 0)
    assert hub.queue_depths() == {"watch": 0}


def test_a_failing_callback_is_reported_and_still_raises() -> None:
    hub = ObserverHub("t", Clock())
    recorder = RecordingObserver()
    hub.add(recorder)

    def fail() -> None:
        raise ValueError("x")

    func, args = hub.queues.wrap("completion", fail, ())
    with pytest.raises(ValueError):
        func(*args)
    assert recorder.callbacks[0].failed


def test_asyncio_callback_timing_includes_the_awaited_coroutine() -> None:
    clock = Clock()
    hub = ObserverHub("t", clock)
    recorder = RecordingObserver()
    hub.add(recorder)

    async def slow() -> None:
        await asyncio.sleep(0)
        clock.now += 3.0

    def plain() -> None:
        clock.now += 1.0

    async def main() -> None:
        func, args = hub.queues.wrap_async("watch", slow, ())
        outcome = func(*args)
        assert outcome is not None
        await outcome
        func, args = hub.queues.wrap_async("watch", plain, ())
        assert func(*args) is None

    asyncio.run(main())
    assert [(e.run, e.failed) for e in recorder.callbacks] == [(3.0, False), (1.0, False)]


def test_frame_sizes_across_any_split() -> None:
    data = b"".join(len(body).to_bytes(4, "big") + body for body in (b"a" * 3, b"", b"b" * 300))
    for cut in range(len(data) + 1):
        counter = FrameSizes()
        assert counter.feed(data[:cut]) + counter.feed(data[cut:]) == [7, 4, 304]


class _Transport:
    def __init__(self) -> None:
        self.hub: Any = "unset"

    def set_observer(self, hub: Any) -> None:
        self.hub = hub


class _Handler:
    observer: Any = None


class _Queue:
    observer: Any = None


class _Client:
    def __init__(self) -> None:
        self._transport = _Transport()
        self.handler = _Handler()
        self._session_queue = _Queue()
        self._watch_queue = _Queue()


def test_attach_installs_one_hub_everywhere_and_the_last_removal_uninstalls_it() -> None:
    client = _Client()
    first, second = RecordingObserver(), RecordingObserver()
    add_observer(client, first)
    hub = hub_of(client)
    assert hub is not None
    assert client._transport.hub is hub and client.handler.observer is hub
    assert client._session_queue.observer is hub and client._watch_queue.observer is hub
    add_observer(client, second)
    assert hub_of(client) is hub and hub.observers == [first, second]
    assert remove_observer(client, first) and hub_of(client) is hub
    assert remove_observer(client, second)
    assert hub_of(client) is None and client._transport.hub is None and client.handler.observer is None
    assert not remove_observer(client, second)


def test_client_config_takes_observers() -> None:
    recorder = RecordingObserver()
    config = ClientConfig.from_kazoo_args("127.0.0.1:2181", observers=[recorder])
    assert config.observers == (recorder,)
    assert ClientConfig.from_kazoo_args("127.0.0.1:2181").observers == ()
    with pytest.raises(TypeError):
        ClientConfig.from_kazoo_args("127.0.0.1:2181", observer=[recorder])


class _RecipeClient:
    def __init__(self) -> None:
        self._observer_hub: ObserverHub | None = None


def test_recipe_times_report_wait_hold_and_lost_only_when_observed() -> None:
    client = _RecipeClient()
    times = RecipeTimes(client, "lock", "/l")
    times.acquiring()
    times.acquired(True)
    times.ended()  # nobody observes: nothing happens, nothing fails
    hub = ObserverHub("t")
    recorder = RecordingObserver()
    hub.add(recorder)
    client._observer_hub = hub
    times.acquiring()
    times.acquired(True)
    times.acquired(True)  # held already: not a second acquisition
    times.ended(lost=True)
    times.ended()  # not held any more: nothing
    times.acquiring()
    times.acquired(False, TimeoutError("t"))
    phases = [(e.recipe, e.path, e.phase) for e in recorder.recipes]
    assert phases == [("lock", "/l", RecipePhase.ACQUIRED), ("lock", "/l", RecipePhase.LOST),
                      ("lock", "/l", RecipePhase.FAILED)]
    assert all(e.wait >= 0 and e.hold >= 0 for e in recorder.recipes)
    assert isinstance(recorder.recipes[2].error, TimeoutError)


def test_timed_acquire_and_recipe_names() -> None:
    client = _RecipeClient()
    hub = ObserverHub("t")
    recorder = RecordingObserver()
    hub.add(recorder)
    client._observer_hub = hub
    times = RecipeTimes(client, "semaphore", "/s")

    async def yes() -> bool:
        return True

    async def boom() -> bool:
        raise KeyError("k")

    async def main() -> None:
        assert await timed_acquire(times, yes())
        times.ended()
        with pytest.raises(KeyError):
            await timed_acquire(times, boom())

    asyncio.run(main())
    phases = [e.phase for e in recorder.recipes]
    assert phases == [RecipePhase.ACQUIRED, RecipePhase.RELEASED, RecipePhase.FAILED]

    class WriteLock:
        pass

    assert recipe_name(WriteLock()) == "write_lock"


class _Req:
    opcode = 4

    def __init__(self, path: str) -> None:
        self.path = path


def _complete(result: object) -> Any:
    """The failure of a request (a reply is ended by ``received``; failures by ``outputs``)."""
    from zkrecipes.client.session.outputs import Complete
    from zkrecipes.exceptions import ConnectionLoss

    return Complete(result, None, ConnectionLoss("connection lost"))


def test_a_client_without_observers_holds_none_on_every_hot_path() -> None:
    from zkrecipes import ZkClient
    from zkrecipes.aio import AsyncZkClient

    zk = ZkClient("127.0.0.1:1")
    assert hub_of(zk) is None and zk._transport._observer is None and zk.handler.observer is None
    assert zk._transport._session.observer is None
    recorder = RecordingObserver()
    zk.add_observer(recorder)
    hub = hub_of(zk)
    assert hub is not None and zk._transport._session.observer is hub and zk.handler.observer is hub
    assert zk.remove_observer(recorder)
    assert zk._transport._session.observer is None and zk.handler.observer is None
    azk = AsyncZkClient("127.0.0.1:1", observers=[recorder])
    hub = hub_of(azk)
    assert hub is not None and azk._watch_queue.observer is hub and azk._session_queue.observer is hub
    assert azk.transport._session.observer is hub
