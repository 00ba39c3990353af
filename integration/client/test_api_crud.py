"""Node CRUD through the public ZkClient API against a real server, on both handlers."""

from __future__ import annotations

import re
from typing import Any

import pytest

from zkrecipes import KeeperState, ZkState, ZnodeStat
from zkrecipes import exceptions as exc


def test_connected_properties(zk_client: Any) -> None:
    assert zk_client.connected is True
    assert zk_client.state == ZkState.CONNECTED
    assert zk_client.client_state == KeeperState.CONNECTED
    session_id, password = zk_client.client_id
    assert isinstance(session_id, int) and session_id != 0
    assert isinstance(password, bytes) and len(password) == 16


def test_create_get_set_delete_roundtrip(zk_client: Any) -> None:
    assert zk_client.create("/node", b"v0") == "/node"
    data, stat = zk_client.get("/node")
    assert data == b"v0"
    assert isinstance(stat, ZnodeStat)
    assert (stat.version, stat.dataLength, stat.numChildren) == (0, 2, 0)
    assert stat.owner_session_id is None

    stat1 = zk_client.set("/node", b"value-1")
    assert isinstance(stat1, ZnodeStat)
    assert stat1.version == 1 and stat1.dataLength == 7
    assert zk_client.get("/node")[0] == b"value-1"

    with pytest.raises(exc.BadVersionError):
        zk_client.set("/node", b"x", version=0)
    assert zk_client.set("/node", b"v2", version=1).version == 2
    with pytest.raises(exc.BadVersionError):
        zk_client.delete("/node", version=1)
    zk_client.delete("/node", version=2)
    assert zk_client.exists("/node") is None
    with pytest.raises(exc.NoNodeError):
        zk_client.get("/node")


def test_create_defaults_and_errors(zk_client: Any) -> None:
    zk_client.create("/empty")
    assert zk_client.get("/empty")[0] == b""
    with pytest.raises(exc.NodeExistsError):
        zk_client.create("/empty", b"again")
    with pytest.raises(exc.NoNodeError):
        zk_client.create("/missing/child", b"")
    assert zk_client.create("/deep/er/path", b"d", makepath=True) == "/deep/er/path"
    assert zk_client.get("/deep/er/path")[0] == b"d"
    assert zk_client.exists("/deep/er") is not None


def test_create_include_data_returns_stat(zk_client: Any) -> None:
    path, stat = zk_client.create("/withstat", b"abc", include_data=True)
    assert path == "/withstat"
    assert isinstance(stat, ZnodeStat)
    assert stat.dataLength == 3 and stat.version == 0
    assert stat == zk_client.exists("/withstat")


def test_sequential_names_increase(zk_client: Any) -> None:
    zk_client.create("/seq")
    names = [zk_client.create("/seq/item-", b"", sequence=True) for _ in range(3)]
    for name in names:
        assert re.fullmatch(r"/seq/item-\d{10}", name), name
    counters = [int(name[-10:]) for name in names]
    assert counters == sorted(counters) and len(set(counters)) == 3


def test_ephemeral_owned_by_session(zk_client: Any) -> None:
    zk_client.create("/eph", b"", ephemeral=True)
    stat = zk_client.exists("/eph")
    assert stat is not None and stat.ephemeralOwner == zk_client.client_id[0]
    with pytest.raises(exc.NoChildrenForEphemeralsError):
        zk_client.create("/eph/child", b"")


def test_ensure_path_is_idempotent(zk_client: Any) -> None:
    zk_client.ensure_path("/a/b/c")
    zk_client.ensure_path("/a/b/c")
    zk_client.ensure_path("/a/b")
    assert zk_client.exists("/a/b/c") is not None


def test_get_children_and_include_data(zk_client: Any) -> None:
    zk_client.create("/p")
    for name in ("x", "y", "z"):
        zk_client.create(f"/p/{name}")
    assert sorted(zk_client.get_children("/p")) == ["x", "y", "z"]
    children, stat = zk_client.get_children("/p", include_data=True)
    assert sorted(children) == ["x", "y", "z"]
    assert isinstance(stat, ZnodeStat) and stat.numChildren == 3
    with pytest.raises(exc.NoNodeError):
        zk_client.get_children("/nope")


def test_delete_not_empty_and_recursive(zk_client: Any) -> None:
    zk_client.create("/tree/a/b", makepath=True)
    zk_client.create("/tree/c")
    with pytest.raises(exc.NotEmptyError):
        zk_client.delete("/tree")
    zk_client.delete("/tree", recursive=True)
    assert zk_client.exists("/tree") is None
    with pytest.raises(exc.NoNodeError):
        zk_client.delete("/tree")


def test_sync_returns_path(zk_client: Any) -> None:
    zk_client.create("/synced")
    assert zk_client.sync("/synced") == "/synced"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        # issue 10: "relative", "/trailing/", "/a//b" are normalised as kazoo does (test_compat_paths)
        (lambda c: c.create("/a/./b", b""), exc.InvalidPathError),
        (lambda c: c.create("/a/..", b""), exc.InvalidPathError),
        (lambda c: c.create("..", b""), exc.InvalidPathError),
        (lambda c: c.get("/bad\x00char"), exc.InvalidPathError),
        (lambda c: c.create(42, b""), exc.InvalidTypeError),
        (lambda c: c.create("/s", "text not bytes"), exc.InvalidTypeError),
        (lambda c: c.set("/s", "text"), exc.InvalidTypeError),
        (lambda c: c.set("/s", b"", version="1"), exc.InvalidTypeError),
        (lambda c: c.get_children(None), exc.InvalidTypeError),
        (lambda c: c.create("/s", b"", acl="open"), exc.InvalidTypeError),
    ],
    ids=["dot", "trailing-dotdot", "bare-dotdot", "nul", "path-int", "value-str",
         "set-value-str", "version-str", "path-none", "acl-str"],
)
def test_bad_input_raises_specific_error_and_session_survives(zk_client: Any, call: Any,
                                                              error: type[Exception]) -> None:
    session = zk_client.client_id
    with pytest.raises(error):
        call(zk_client)
    assert zk_client.create("/after", b"ok") == "/after"
    assert zk_client.client_id == session


def test_stop_then_requests_fail_and_restart_opens_new_session(zk_client: Any) -> None:
    zk_client.create("/persist", b"p")
    old_session = zk_client.client_id[0]
    zk_client.stop()
    assert zk_client.connected is False
    with pytest.raises(exc.ConnectionClosedError):
        zk_client.get("/persist")
    with pytest.raises(exc.ConnectionClosedError):
        zk_client.create_async("/x", b"").get(timeout=30)
    zk_client.start(timeout=30)
    assert zk_client.connected and zk_client.client_id[0] != old_session
    assert zk_client.get("/persist")[0] == b"p"
    zk_client.restart()
    assert zk_client.state == ZkState.CONNECTED
    assert zk_client.get("/persist")[0] == b"p"


def test_request_outstanding_at_stop_fails_with_connection_closed(zk_client: Any) -> None:
    zk_client.create("/busy")
    results = [zk_client.get_async("/busy") for _ in range(200)]
    zk_client.stop()
    for result in results:
        assert result.wait(30), "a request outstanding at stop() never completed"
        if not result.successful():
            assert isinstance(result.exception, exc.ConnectionClosedError | exc.ConnectionLoss)


def test_command_and_server_version(zk_client: Any) -> None:
    assert zk_client.command(b"ruok") == "imok"
    assert "Zxid" in zk_client.command(b"srvr")
    version = zk_client.server_version()
    assert isinstance(version, tuple) and version[:1] == (3,) and all(isinstance(v, int) for v in version)


def test_retry_runs_the_call(zk_client: Any) -> None:
    zk_client.create("/r", b"retry")
    assert zk_client.retry(zk_client.get, "/r")[0] == b"retry"
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise exc.ConnectionLoss()
        return "done"

    assert zk_client.retry(flaky) == "done"
    assert len(calls) == 3


def test_requests_before_start_fail_with_connection_closed(zk_client_factory: Any) -> None:
    client = zk_client_factory(start=False)
    assert client.connected is False and client.client_id is None
    assert client.state == ZkState.LOST
    with pytest.raises(exc.ConnectionClosedError):
        client.get("/")
