"""State listener registry of a (never started) client: set semantics, order, removal."""

from __future__ import annotations

from typing import Any

import pytest

from zkrecipes import ZkClient, ZkState
from zkrecipes.exceptions import InvalidCallableError


def test_listeners_are_a_set_kept_in_registration_order() -> None:
    client = ZkClient("127.0.0.1:9")
    seen: list[tuple[str, ZkState]] = []

    def first(state: ZkState) -> None:
        seen.append(("first", state))

    def second(state: ZkState) -> bool:
        seen.append(("second", state))
        return True  # removed after its first call

    client.add_listener(first)
    client.add_listener(second)
    client.add_listener(first)  # already there: kept once, in its first place
    assert client.state_listeners == [first, second]
    client._fire_listeners(ZkState.SUSPENDED)  # what the SESSION queue runs
    client._fire_listeners(ZkState.CONNECTED)
    assert seen == [("first", ZkState.SUSPENDED), ("second", ZkState.SUSPENDED), ("first", ZkState.CONNECTED)]
    assert client.state_listeners == [first]
    client.remove_listener(first)
    client.remove_listener(first)  # no error when absent
    assert client.state_listeners == []


def test_many_listeners_add_and_remove() -> None:
    client = ZkClient("127.0.0.1:9")
    listeners: list[Any] = [lambda state, i=i: i for i in range(5000)]
    for listener in listeners:
        client.add_listener(listener)
    for listener in listeners[::2]:
        client.remove_listener(listener)
    assert client.state_listeners == listeners[1::2]


def test_a_non_callable_listener_is_refused() -> None:
    client = ZkClient("127.0.0.1:9")
    with pytest.raises(InvalidCallableError):
        client.add_listener("not callable")  # type: ignore[arg-type]
