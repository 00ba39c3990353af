"""The asyncio watch loop (``aio/recipes/_watch_loop.py``) against a test double of the client Protocol."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from zkrecipes.aio.recipes._watch_loop import STOP, WatchLoop
from zkrecipes.states import EventType, KeeperState, WatchedEvent, ZkState


class FakeClient:
    """Only what the loop uses: listeners and retry (which just awaits)."""

    def __init__(self) -> None:
        self.listeners: list[Callable[[ZkState], Any]] = []

    def add_listener(self, listener: Callable[[ZkState], Any]) -> None:
        self.listeners.append(listener)

    def remove_listener(self, listener: Callable[[ZkState], Any]) -> None:
        self.listeners.remove(listener)

    async def retry(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await func(*args, **kwargs)

    def state(self, state: ZkState) -> None:
        for listener in list(self.listeners):
            listener(state)


class Script:
    """A read step returning scripted items and recording how it was called."""

    def __init__(self, *items: Any) -> None:
        self.items = list(items)
        self.calls: list[tuple[WatchedEvent | None, bool]] = []

    async def __call__(self, watcher: Any, event: WatchedEvent | None, reread: bool) -> Any:
        self.calls.append((event, reread))
        return self.items.pop(0)


async def _until(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0)

    await asyncio.wait_for(poll(), 5)


def _event() -> WatchedEvent:
    return WatchedEvent(EventType.CHANGED, KeeperState.CONNECTED, "/p")


def test_first_read_at_once_then_only_new_states_on_wake_ups() -> None:
    async def run() -> None:
        client = FakeClient()
        read = Script("first", None, "second", STOP)
        loop: WatchLoop[str] = WatchLoop(client, "/p", read)  # type: ignore[arg-type]
        assert await loop.next_item() == "first" and len(client.listeners) == 1
        waiting = asyncio.ensure_future(loop.next_item())
        await asyncio.sleep(0)
        assert not waiting.done()  # nothing happened: no read
        loop.watcher(_event())      # a change that reads as "not new" …
        await _until(lambda: len(read.calls) == 2)
        assert not waiting.done() and read.calls[1][0] is not None
        client.state(ZkState.SUSPENDED)
        client.state(ZkState.CONNECTED)  # … then a reconnect: a re-read
        assert await asyncio.wait_for(waiting, 5) == "second" and read.calls[2] == (None, True)
        loop.watcher(_event())
        assert await asyncio.wait_for(loop.next_item(), 5) is STOP
        assert loop.stopped and client.listeners == []

    asyncio.run(run())


def test_session_lost_may_end_the_watch_and_close_stops_calls() -> None:
    async def run() -> None:
        client = FakeClient()
        loop: WatchLoop[str] = WatchLoop(client, "/p", Script("a"), lambda: False)  # type: ignore[arg-type]
        assert await loop.next_item() == "a"
        client.state(ZkState.LOST)
        client.state(ZkState.CONNECTED)
        assert await asyncio.wait_for(loop.next_item(), 5) is STOP
        calls: list[str] = []
        other: WatchLoop[str] = WatchLoop(client, "/q", Script("x", "y"))  # type: ignore[arg-type]
        other.start_calling(calls.append, "test")
        await asyncio.wait_for(other.first_call(), 5)
        await other.close()
        other.watcher(_event())
        await asyncio.sleep(0)
        assert calls == ["x"] and other.stopped and client.listeners == []

    asyncio.run(run())


def test_a_false_return_stops_and_a_raising_call_does_not() -> None:
    async def run() -> None:
        client = FakeClient()
        seen: list[str] = []

        async def call(item: str) -> bool:
            seen.append(item)
            if item == "boom":
                raise RuntimeError(item)
            return item != "last"

        loop: WatchLoop[str] = WatchLoop(client, "/p", Script("boom", "last"))  # type: ignore[arg-type]
        loop.start_calling(call, "test")
        await asyncio.wait_for(loop.first_call(), 5)
        loop.watcher(_event())
        await _until(lambda: loop.stopped)
        assert seen == ["boom", "last"] and client.listeners == []

    asyncio.run(run())
