"""Server errors against a real ZooKeeper: the Java client's message, the path and the operation.

``zk_client`` is chrooted (the test's chroot): the error names the client's path,
not the server's.
"""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from zkrecipes import exceptions as exc
from zkrecipes.aio import AsyncZkClient


def test_get_of_a_missing_node(zk_client: Any) -> None:
    with pytest.raises(exc.NoNodeError) as caught:
        zk_client.get("/missing")
    assert str(caught.value) == "KeeperErrorCode = NoNode for /missing"
    assert caught.value.operation == "getData" and caught.value.path == "/missing"
    assert caught.value.code == -101
    back = pickle.loads(pickle.dumps(caught.value))
    assert (str(back), back.path, back.operation) == (str(caught.value), "/missing", "getData")


def test_a_client_without_chroot_names_the_full_path(zk_client_factory: Any, zk_chroot: str) -> None:
    root = zk_client_factory(chroot=False)
    with pytest.raises(exc.NoNodeError) as caught:
        root.get_children(f"{zk_chroot}/missing")
    assert str(caught.value) == f"KeeperErrorCode = NoNode for {zk_chroot}/missing"
    assert (caught.value.path, caught.value.operation) == (f"{zk_chroot}/missing", "getChildren")


@pytest.mark.parametrize(("call", "error", "text", "operation"), [
    (lambda zk: zk.create("/e"), exc.NodeExistsError, "NodeExists", "create"),
    (lambda zk: zk.create("/e", include_data=True), exc.NodeExistsError, "NodeExists", "create2"),
    (lambda zk: zk.set("/e", b"x", version=7), exc.BadVersionError, "BadVersion", "setData"),
    (lambda zk: zk.delete("/e"), exc.NotEmptyError, "Directory not empty", "delete"),
    (lambda zk: zk.get_acls("/e/nope"), exc.NoNodeError, "NoNode", "getACL"),
])
def test_errors_of_each_operation(zk_client: Any, call: Any, error: type[Exception], text: str,
                                  operation: str) -> None:
    zk_client.create("/e")
    zk_client.create("/e/child")
    with pytest.raises(error) as caught:
        call(zk_client)
    path = "/e/nope" if operation == "getACL" else "/e"
    assert str(caught.value) == f"KeeperErrorCode = {text} for {path}"
    assert (caught.value.path, caught.value.operation) == (path, operation)  # type: ignore[attr-defined]


def test_an_error_inside_a_multi_step_operation_names_its_request(zk_client: Any) -> None:
    zk_client.create("/eph", ephemeral=True)
    with pytest.raises(exc.NoChildrenForEphemeralsError) as caught:
        zk_client.create("/eph/a/b", makepath=True)
    assert caught.value.operation == "create" and caught.value.path == "/eph/a"
    assert str(caught.value) == "KeeperErrorCode = NoChildrenForEphemerals for /eph/a"


async def test_asyncio_get_of_a_missing_node(zk_aio_client: AsyncZkClient) -> None:
    with pytest.raises(exc.NoNodeError) as caught:
        await zk_aio_client.get("/missing")
    assert str(caught.value) == "KeeperErrorCode = NoNode for /missing"
    assert (caught.value.path, caught.value.operation) == ("/missing", "getData")
