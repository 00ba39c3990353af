"""The composed parts of the recipes, without a server: SessionGuard, the watch hub's lifetime,
the runtime checks behind the constructors' static types, the package's lazy names."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from zkrecipes import ZkState, ZnodeStat
from zkrecipes.client.client import ZkClient
from zkrecipes.client.handlers.threading import SequentialThreadingHandler
from zkrecipes.exceptions import CancelledError, InvalidTypeError, NoNodeError
from zkrecipes.recipes._sequence import Restart
from zkrecipes.recipes._session_guard import SessionGuard
from zkrecipes.recipes.barrier import DoubleBarrier
from zkrecipes.recipes.election import Election
from zkrecipes.recipes.lease import NonBlockingLease
from zkrecipes.recipes.lock import Lock, ReadLock
from zkrecipes.recipes.semaphore import Semaphore
from zkrecipes.recipes.watchers import DataWatch


class FakeClient:
    """State, listeners and a handler: what SessionGuard and the watch hub use."""

    def __init__(self) -> None:
        self.handler = SequentialThreadingHandler()
        self.state = ZkState.CONNECTED
        self.listeners: list[Callable[[ZkState], Any]] = []

    @property
    def connected(self) -> bool:
        return self.state == ZkState.CONNECTED

    def add_listener(self, listener: Callable[[ZkState], Any]) -> None:
        self.listeners.append(listener)

    def remove_listener(self, listener: Callable[[ZkState], Any]) -> None:
        self.listeners.remove(listener)

    def fire(self, state: ZkState) -> None:
        self.state = state
        for listener in list(self.listeners):
            if listener(state) is True:
                self.listeners.remove(listener)

    def get(self, path: str, watch: object = None) -> tuple[bytes, ZnodeStat]:
        raise NoNodeError(path)

    def exists(self, path: str, watch: object = None) -> ZnodeStat | None:
        return None

    def retry(self, func: Callable[..., Any], *args: Any) -> Any:
        return func(*args)


class Owner:
    """Stands for the recipe object that holds the guard."""


def _guard(
    client: FakeClient, on_lost: Callable[[Any], object] | None = None
) -> tuple[SessionGuard, list[str]]:
    forgotten: list[str] = []

    def forget() -> Callable[[], None]:
        forgotten.append("under the lock")
        return lambda: forgotten.append("after")

    return SessionGuard(client, Owner(), on_lost, forget), forgotten  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- SessionGuard


def test_suspended_then_connected_flips_the_flag_and_wakes() -> None:
    client = FakeClient()
    guard, forgotten = _guard(client)
    guard.start_listening()
    guard.wake.clear()
    client.fire(ZkState.SUSPENDED)
    assert guard.suspended and guard.wake.is_set()
    client.fire(ZkState.CONNECTED)
    assert not guard.suspended and guard.epoch == 0 and forgotten == []


def test_lost_while_held_releases_forgets_and_tells_the_owner_once() -> None:
    client = FakeClient()
    told: list[object] = []
    guard, forgotten = _guard(client, told.append)
    guard.start_listening()
    with guard.lock:
        guard.mark_held(guard.epoch)
    client.fire(ZkState.LOST)
    assert not guard.held and guard.lost and guard.epoch == 1
    assert forgotten == ["under the lock", "after"]
    assert told == [guard.owner]
    assert client.listeners == []  # its job is done: it removed itself
    client.fire(ZkState.LOST)
    assert told == [guard.owner]


def test_lost_while_acquiring_bumps_the_epoch_so_the_round_restarts() -> None:
    client = FakeClient()
    guard, forgotten = _guard(client)
    guard.start_listening()
    epoch = guard.epoch
    client.fire(ZkState.LOST)
    assert forgotten == [] and not guard.lost
    with pytest.raises(Restart):
        guard.begin_round(epoch, "/l")
    with pytest.raises(Restart), guard.lock:
        guard.mark_held(epoch)
    assert not guard.held


def test_a_node_that_survives_the_session_is_not_released_by_lost() -> None:
    client = FakeClient()
    guard, forgotten = _guard(client)
    guard.survives_session = True
    guard.start_listening()
    with guard.lock:
        guard.mark_held(guard.epoch)
    client.fire(ZkState.SUSPENDED)
    client.fire(ZkState.LOST)
    assert guard.held and not guard.suspended and forgotten == []


def test_a_failing_on_lost_callback_is_logged_not_raised() -> None:
    client = FakeClient()

    def broken(owner: object) -> None:
        raise RuntimeError("user error")

    guard, _ = _guard(client, broken)
    guard.start_listening()
    with guard.lock:
        guard.mark_held(guard.epoch)
    client.fire(ZkState.LOST)
    assert guard.lost


def test_one_listener_per_guard_and_stale_ones_remove_themselves() -> None:
    client = FakeClient()
    guard, _ = _guard(client)
    guard.start_listening()
    first = client.listeners[0]
    guard.start_listening()
    assert len(client.listeners) == 1 and client.listeners[0] is not first
    assert first(ZkState.SUSPENDED) is True  # a stale registration asks to be removed
    guard.stop_listening()
    assert client.listeners == [] and not guard.suspended


def test_cancel_wakes_and_makes_the_next_round_raise() -> None:
    client = FakeClient()
    guard, _ = _guard(client)
    guard.wake.clear()
    guard.cancel()
    assert guard.wake.is_set()
    with pytest.raises(CancelledError):
        guard.begin_round(guard.epoch, "/l")


# ---------------------------------------------------------------------------- the watch hub


def test_the_watch_hub_is_per_client_and_does_not_keep_the_client_alive() -> None:
    client = FakeClient()
    first = DataWatch(client, "/a", lambda data, stat: None)  # type: ignore[arg-type]
    second = DataWatch(client, "/b", lambda data, stat: None)  # type: ignore[arg-type]
    assert first._hub is second._hub and len(client.listeners) == 1
    assert first._hub.client is client  # type: ignore[comparison-overlap]
    gone = weakref.ref(client)
    hub = weakref.ref(first._hub)
    del client, first, second
    gc.collect()
    assert gone() is None  # neither the map nor the hub pinned the client
    assert hub() is None  # and the hub went with it


# ---------------------------------------------------------------------------- runtime type checks


@pytest.fixture
def idle() -> Iterator[ZkClient]:
    client = ZkClient("127.0.0.1:1")
    yield client
    client.close()


@pytest.mark.parametrize("identifier", [5, b"me", 1.5])
def test_non_str_identifiers_are_refused(idle: ZkClient, identifier: object) -> None:
    for make in (
        lambda: Lock(idle, "/l", identifier),  # type: ignore[arg-type]
        lambda: ReadLock(idle, "/l", identifier=identifier),  # type: ignore[arg-type]
        lambda: Semaphore(idle, "/s", identifier),  # type: ignore[arg-type]
        lambda: Election(idle, "/e", identifier),  # type: ignore[arg-type]
        lambda: DoubleBarrier(idle, "/db", 2, identifier),  # type: ignore[arg-type]
    ):
        with pytest.raises(InvalidTypeError):
            make()


def test_lease_identifier_is_checked_before_any_request(idle: ZkClient) -> None:
    import datetime

    with pytest.raises(InvalidTypeError):
        NonBlockingLease(idle, "/lease", datetime.timedelta(seconds=5), identifier=5)  # type: ignore[arg-type]


def test_lock_checks_its_patterns_and_callback(idle: ZkClient) -> None:
    with pytest.raises(InvalidTypeError):
        Lock(idle, "/l", extra_lock_patterns=[5])  # type: ignore[list-item]
    with pytest.raises(InvalidTypeError):
        Lock(idle, "/l", on_lost="not callable")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        Semaphore(idle, "/s", on_lost=3)  # type: ignore[arg-type]
    assert Lock(idle, "/l", None).data == b"" and Lock(idle, "/l", "é").data == "é".encode()


def test_package_lists_every_lazily_loaded_name() -> None:
    import zkrecipes.recipes as recipes

    assert sorted(recipes.__all__) == sorted(recipes._MODULES)
