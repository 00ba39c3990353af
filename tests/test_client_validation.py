"""Argument checks: every bad argument raises a specific error before anything is sent.

The client is never started: a call that passes validation is queued to a
closed connection and its result fails with ConnectionClosedError, so a test
can tell "rejected by validation" (raised at call time) from "accepted".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from zkrecipes import AddWatchMode, WatcherType, ZkClient
from zkrecipes.exceptions import (
    ConfigurationError,
    ConnectionClosedError,
    DataTooLargeError,
    InvalidArgumentError,
    InvalidCallableError,
    InvalidPathError,
    InvalidTypeError,
    ZkTimeoutError,
)
from zkrecipes.security import OPEN_ACL_UNSAFE, make_digest_acl


@pytest.fixture
def client() -> Iterator[ZkClient]:
    c = ZkClient("127.0.0.1:1/app")
    yield c
    c.stop()


def accepted(result: Any) -> None:
    """A call that passed validation: its result fails with ConnectionClosedError."""
    assert result.wait(5)
    assert isinstance(result.exception, ConnectionClosedError)


def test_valid_calls_reach_the_connection(client: ZkClient) -> None:
    accepted(client.create_async("/a", b"v", acl=OPEN_ACL_UNSAFE, ephemeral=True, sequence=True))
    accepted(client.create_async("/q/", sequence=True))
    accepted(client.create_async("/t", ttl=1000))
    accepted(client.create_async("/c", container=True))
    accepted(client.get_async("/a", watch=lambda e: None))
    accepted(client.exists_async("/a"))
    accepted(client.get_children_async("/", include_data=True))
    accepted(client.set_async("/a", b"", version=3))
    accepted(client.delete_async("/a", version=-1))
    accepted(client.set_acls_async("/a", [make_digest_acl("u", "p", all=True)]))
    accepted(client.get_acls_async("/a"))
    accepted(client.sync_async("/a"))
    accepted(client.add_watch_async("/a", lambda e: None, AddWatchMode.PERSISTENT_RECURSIVE))
    accepted(client.remove_all_watches_async("/a", WatcherType.ANY))
    accepted(client.get_ephemerals_async())
    accepted(client.whoami_async())
    accepted(client.add_auth_async("digest", "u:p"))


@pytest.mark.parametrize("path", [b"/a", None, 1, ["/a"]])
def test_path_type(client: ZkClient, path: Any) -> None:
    for call in (client.get_async, client.exists_async, client.get_children_async, client.sync_async,
                 client.get_acls_async, client.delete_async, client.create_async, client.ensure_path_async):
        with pytest.raises(InvalidTypeError):
            call(path)


# Issue 10: "", "a", "/a/", "//a" are normalised as kazoo does now (see test_protocol_paths).
@pytest.mark.parametrize("path", ["/a/../b", "/a/./b", "..", "/a\x00b", "/a\ud800"])
def test_invalid_paths(client: ZkClient, path: str) -> None:
    for call in (client.get_async, client.exists_async, client.create_async, client.delete_async):
        with pytest.raises(InvalidPathError):
            call(path)
    with pytest.raises(InvalidPathError):
        client.set_async(path, b"")


def test_sequential_path_may_end_with_slash_only_for_sequence(client: ZkClient) -> None:
    # Issue 10: without sequence the trailing slash is dropped (kazoo), no longer refused.
    accepted(client.create_async("/q/"))
    accepted(client.create_async("/q/", sequence=True))


@pytest.mark.parametrize("value", ["text", 1, [b"x"], object()])
def test_value_must_be_bytes(client: ZkClient, value: Any) -> None:
    with pytest.raises(InvalidTypeError):
        client.create_async("/a", value)
    with pytest.raises(InvalidTypeError):
        client.set_async("/a", value)


def test_data_too_large(client: ZkClient) -> None:
    accepted(client.create_async("/a", b"x" * (1024 * 1024 - 1024)))
    with pytest.raises(DataTooLargeError):
        client.create_async("/a", b"x" * (1024 * 1024 + 1))
    with pytest.raises(DataTooLargeError):
        client.set_async("/a", b"x" * (1024 * 1024 + 1))
    tx = client.transaction()
    tx.set_data("/a", b"x" * 600_000)
    with pytest.raises(DataTooLargeError):
        tx.set_data("/b", b"x" * 600_000)


@pytest.mark.parametrize("version", ["1", 1.0, None, True])
def test_version_type(client: ZkClient, version: Any) -> None:
    with pytest.raises(InvalidTypeError):
        client.set_async("/a", b"", version=version)
    with pytest.raises(InvalidTypeError):
        client.delete_async("/a", version=version)


@pytest.mark.parametrize("version", [-2, 2**31])
def test_version_range(client: ZkClient, version: int) -> None:
    with pytest.raises(InvalidArgumentError):
        client.set_async("/a", b"", version=version)


@pytest.mark.parametrize("acl", ["world:anyone", OPEN_ACL_UNSAFE[0], [("world", "anyone")], [None]])
def test_acl_type(client: ZkClient, acl: Any) -> None:
    with pytest.raises(InvalidTypeError):
        client.create_async("/a", acl=acl)
    with pytest.raises(InvalidTypeError):
        client.set_acls_async("/a", acl)


@pytest.mark.parametrize(
    "name", ["ephemeral", "sequence", "makepath", "include_data", "container", "protected"]
)
def test_create_bool_flags(client: ZkClient, name: str) -> None:
    with pytest.raises(InvalidTypeError):
        client.create_async("/a", **{name: 1})


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"ttl": 0}, InvalidArgumentError),
        ({"ttl": -5}, InvalidArgumentError),
        ({"ttl": 2**40}, InvalidArgumentError),
        ({"ttl": 1.5}, InvalidTypeError),
        ({"ttl": "1"}, InvalidTypeError),
        ({"ttl": 10, "ephemeral": True}, InvalidArgumentError),
        ({"ttl": 10, "container": True}, InvalidArgumentError),
        ({"container": True, "ephemeral": True}, InvalidArgumentError),
        ({"container": True, "sequence": True}, InvalidArgumentError),
    ],
)
def test_create_mode_combinations(client: ZkClient, kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        client.create_async("/a", **kwargs)


def test_watch_must_be_callable(client: ZkClient) -> None:
    for call in (client.get_async, client.exists_async, client.get_children_async):
        with pytest.raises(InvalidTypeError):
            call("/a", watch="nope")
    with pytest.raises(InvalidCallableError):
        client.add_watch_async("/a", None, AddWatchMode.PERSISTENT)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        client.add_listener("nope")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        client.add_listener(42)  # type: ignore[arg-type]


def test_watch_modes_and_types(client: ZkClient) -> None:
    cb = lambda e: None  # noqa: E731
    with pytest.raises(InvalidArgumentError):
        client.add_watch_async("/a", cb, 7)
    with pytest.raises(InvalidTypeError):
        client.add_watch_async("/a", cb, "PERSISTENT")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        client.remove_watches_async("/a", cb, 9)
    with pytest.raises(InvalidArgumentError):
        client.remove_all_watches_async("/a", 0)


def test_auth_and_misc_types(client: ZkClient) -> None:
    with pytest.raises(InvalidTypeError):
        client.add_auth_async("digest", b"u:p")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        client.add_auth_async(None, "u:p")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        client.command("ruok")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        client.command(b"ruokk")
    with pytest.raises(InvalidTypeError):
        client.reconfig_async(1, None, None)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        client.delete_async("/a", recursive="yes")  # type: ignore[arg-type]


def test_constructor_checks() -> None:
    with pytest.raises(ConfigurationError):
        ZkClient("")
    with pytest.raises(ConfigurationError):
        ZkClient("a:1", timeout=0)
    with pytest.raises(InvalidTypeError):
        ZkClient("a:1", timeout="10")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        ZkClient("a:1", auth_data=[("digest",)])  # type: ignore[list-item]
    with pytest.raises(InvalidTypeError):
        ZkClient("a:1", client_id=(1, "pw"))  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        ZkClient("a:1", sasl_options={"mechanism": "DIGEST-MD5"})
    with pytest.raises(TypeError):
        ZkClient("a:1", no_such_option=1)
    from zkrecipes.handlers import SequentialThreadingHandler

    with pytest.raises(ConfigurationError):
        ZkClient("a:1", handler=SequentialThreadingHandler)  # type: ignore[arg-type]


def test_set_hosts_cannot_change_chroot(client: ZkClient) -> None:
    client.set_hosts("b:2,c:3/app")
    assert client.hosts == [("b", 2), ("c", 3)]
    with pytest.raises(ConfigurationError):
        client.set_hosts("b:2/other")


def test_unstarted_client_state() -> None:
    c = ZkClient("127.0.0.1:1")
    assert c.state == "LOST" and c.client_state == "CLOSED"
    assert not c.connected and c.client_id is None
    with pytest.raises(ConnectionClosedError):
        c.get("/")


def test_start_times_out_and_stops() -> None:
    # Port 1 on loopback refuses connections: start gives up after its timeout.
    c = ZkClient("127.0.0.1:1", timeout=2.0)
    with pytest.raises(ZkTimeoutError):
        c.start(timeout=0.5)
    assert c.client_state == "CLOSED"
    with pytest.raises(ConnectionClosedError):
        c.get("/")
