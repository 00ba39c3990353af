"""The asyncio revocation watch and make_revocable, against a fake client (no server)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from zkrecipes.aio.recipes.curator._revocation_watch import watch_revocation
from zkrecipes.aio.recipes.curator.inter_process_mutex import InterProcessMutex
from zkrecipes.exceptions import NoNodeError
from zkrecipes.states import EventType, WatchedEvent


class _Node:
    """A fake client holding one node's data; ``get`` records the watch it was given."""

    def __init__(self, data: bytes) -> None:
        self.data: bytes | None = data
        self.watch: Callable[[WatchedEvent], None] | None = None
        self.reads = 0

    async def get(self, path: str, watch: Callable[[WatchedEvent], None] | None = None) -> tuple[bytes, Any]:
        self.reads += 1
        if self.data is None:
            raise NoNodeError(path)
        self.watch = watch
        return self.data, None

    def write(self, data: bytes | None) -> None:
        self.data = data
        watch, self.watch = self.watch, None
        assert watch is not None
        kind = EventType.DELETED if data is None else EventType.CHANGED
        watch(WatchedEvent(kind, None, "/l/n"))  # type: ignore[arg-type]


async def _until(condition: Callable[[], bool]) -> None:
    """Yield to the read tasks until ``condition`` holds (bounded)."""
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0)

    await asyncio.wait_for(poll(), 5)


async def test_each_revoke_write_is_told_and_the_watch_is_set_again() -> None:
    node = _Node(b"")
    told: list[str] = []

    async def hook() -> None:
        told.append("revoke")

    watch_revocation(node, "/l/n", lambda: hook)  # type: ignore[arg-type]
    await _until(lambda: node.watch is not None)
    assert told == []
    node.write(b"__REVOKE__")
    await _until(lambda: told == ["revoke"] and node.watch is not None)
    node.write(b"other")  # not a request: read (and watched again), not told
    await _until(lambda: node.reads == 3 and node.watch is not None)
    node.write(b"__REVOKE__")
    await _until(lambda: told == ["revoke", "revoke"] and node.watch is not None)
    node.write(None)  # released: the DELETED event reads nothing, sets nothing
    assert node.reads == 4 and node.watch is None


async def test_a_hook_removed_meanwhile_is_not_told() -> None:
    node = _Node(b"__REVOKE__")
    hooks: list[Callable[[], object] | None] = [None]
    watch_revocation(node, "/l/n", lambda: hooks[0])  # type: ignore[arg-type]
    await _until(lambda: node.watch is not None)  # read the message with no hook: nothing to call
    hooks[0] = lambda: hooks.append(None)
    node.write(b"__REVOKE__")
    await _until(lambda: len(hooks) == 2)  # the hook of the moment is the one told


async def test_a_node_gone_ends_the_watch_quietly() -> None:
    node = _Node(b"")
    node.data = None
    watch_revocation(node, "/l/n", lambda: None)  # type: ignore[arg-type]
    await _until(lambda: node.reads == 1)
    assert node.watch is None


class _Client:
    def add_listener(self, listener: Any) -> None: ...

    def remove_listener(self, listener: Any) -> None: ...


def test_make_revocable_takes_an_object_or_a_callable() -> None:
    mutex = InterProcessMutex(_Client(), "/l")  # type: ignore[arg-type]
    seen: list[object] = []

    class Listener:
        def revocation_requested(self, forlock: object) -> None:
            seen.append(("object", forlock))

    mutex.make_revocable(Listener())
    hook = mutex._internals.on_revoke
    assert hook is not None
    hook()
    mutex.make_revocable(lambda forlock: seen.append(("callable", forlock)))
    hook = mutex._internals.on_revoke
    assert hook is not None
    hook()
    assert seen == [("object", mutex), ("callable", mutex)]
    mutex.make_revocable(None)
    assert mutex._internals.on_revoke is None
    with pytest.raises(TypeError):
        mutex.make_revocable(42)
