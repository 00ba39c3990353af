"""Extras beyond kazoo: get_all_children_number, whoami async, reconfig on standalone,
listeners bookkeeping, set_hosts."""

from __future__ import annotations

from typing import Any

import pytest
from _client_helpers import WAIT

from zkrecipes import ZkState
from zkrecipes import exceptions as exc


def test_get_all_children_number_counts_descendants(zk_client: Any) -> None:
    zk_client.create("/n/a/b", makepath=True)
    zk_client.create("/n/c")
    zk_client.create("/n/a/d")
    assert zk_client.get_all_children_number("/n") == 4
    assert zk_client.get_all_children_number("/n/a") == 2
    assert zk_client.get_all_children_number("/n/c") == 0
    with pytest.raises(exc.NoNodeError):
        zk_client.get_all_children_number("/absent")


def test_whoami_async(zk_client: Any) -> None:
    infos = zk_client.whoami_async().get(timeout=WAIT)
    assert infos and all(hasattr(i, "auth_scheme") and hasattr(i, "user") for i in infos)


def test_reconfig_refused_on_standalone_server(zk_client: Any) -> None:
    with pytest.raises((exc.ReconfigDisabledError, exc.UnimplementedError, exc.NoAuthError,
                        exc.BadArgumentsError)):
        zk_client.reconfig(joining=None, leaving="99", new_members=None)
    assert zk_client.connected


def test_add_and_remove_listener(zk_client: Any) -> None:
    calls: list[ZkState] = []

    def listener(state: ZkState) -> None:
        calls.append(state)

    zk_client.add_listener(listener)
    zk_client.remove_listener(listener)
    zk_client.remove_listener(listener)  # removing twice is harmless
    zk_client.stop()
    assert calls == []
    with pytest.raises(exc.InvalidTypeError):
        zk_client.add_listener("not callable")


def test_listener_sees_lost_on_stop(zk_client: Any) -> None:
    states: list[ZkState] = []
    done = zk_client.handler.event_object()

    def listener(state: ZkState) -> None:
        states.append(state)
        done.set()

    zk_client.add_listener(listener)
    zk_client.stop()
    assert done.wait(WAIT)
    assert states == [ZkState.LOST]
    assert zk_client.state == ZkState.LOST


def test_set_hosts_with_same_cluster(zk_client: Any, zk_hosts: str, zk_chroot: str) -> None:
    zk_client.create("/sh", b"1")
    zk_client.set_hosts(zk_hosts + zk_chroot)
    assert zk_client.get("/sh")[0] == b"1"
