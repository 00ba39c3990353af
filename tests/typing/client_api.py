"""Type-level tests of the public client API: checked by mypy, never run or collected by pytest.

``mypy tests/typing`` (strict, ``warn_unused_ignores``) must pass: each
``assert_type`` pins a revealed type, and each ``# type: ignore[code]`` marks a
misuse that must stay an error (an unused ignore fails the check).
"""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from zkrecipes import ZkClient, ZnodeStat
from zkrecipes.client.config import ClientConfig
from zkrecipes.client.handlers.interface import AsyncResult
from zkrecipes.client.protocol.records import ClientInfo
from zkrecipes.recipes.lock import Lock, ReadLock
from zkrecipes.recipes.queue import Queue
from zkrecipes.recipes.watchers import DataWatch
from zkrecipes.security import ACL


def results(zk: ZkClient, flag: bool) -> None:
    assert_type(zk.create("/a"), str)
    assert_type(zk.create("/a", b"v", ephemeral=True, sequence=True), str)
    assert_type(zk.create("/a", include_data=False), str)
    assert_type(zk.create("/a", include_data=True), tuple[str, ZnodeStat])
    assert_type(zk.create("/a", include_data=flag), str | tuple[str, ZnodeStat])
    assert_type(zk.create_async("/a").get(), str)
    assert_type(zk.create_async("/a", include_data=True).get(), tuple[str, ZnodeStat])
    assert_type(zk.ensure_path("/a"), str | bool)  # issue 10: the created path, as kazoo
    assert_type(zk.exists("/a"), ZnodeStat | None)
    assert_type(zk.exists_async("/a").get(), ZnodeStat | None)
    assert_type(zk.get("/a"), tuple[bytes | None, ZnodeStat])
    assert_type(zk.get_async("/a"), AsyncResult[tuple[bytes | None, ZnodeStat]])
    assert_type(zk.get_async("/a").get(), tuple[bytes | None, ZnodeStat])
    assert_type(zk.get_children("/a"), list[str])
    assert_type(zk.get_children("/a", include_data=True), tuple[list[str], ZnodeStat])
    assert_type(zk.get_children_async("/a").get(), list[str])
    assert_type(zk.get_children_async("/a", include_data=True).get(), tuple[list[str], ZnodeStat])
    assert_type(zk.get_acls("/a"), tuple[list[ACL], ZnodeStat])
    assert_type(zk.set("/a", b"v"), ZnodeStat)
    assert_type(zk.set_async("/a", b"v", version=3).get(), ZnodeStat)
    assert_type(zk.delete("/a", recursive=True), bool | None)  # issue 10: None once deleted, as kazoo
    assert_type(zk.sync("/a"), str)
    assert_type(zk.add_auth("digest", "u:p"), bool)
    assert_type(zk.whoami(), list[ClientInfo])
    assert_type(zk.get_all_children_number("/"), int)
    assert_type(zk.get_ephemerals(), list[str])
    assert_type(zk.config, ClientConfig)


def builders(zk: ZkClient) -> None:
    tx = zk.transaction()
    tx.create("/a", b"v")
    tx.check("/b", 3)
    assert_type(tx.commit(), list[Any])
    assert_type(tx.commit_async().get(), list[Any])
    reads = zk.multi_read()
    reads.get("/a")
    assert_type(reads.commit(), list[Any])


def recipes(zk: ZkClient) -> None:
    assert_type(zk.Lock("/l"), Lock)
    assert_type(zk.Lock("/l", identifier="me"), Lock)
    assert_type(zk.ReadLock("/rw"), ReadLock)
    assert_type(zk.Queue("/q"), Queue)
    assert_type(zk.DataWatch("/d"), DataWatch)


def misuse(zk: ZkClient) -> None:
    zk.get(b"/a")  # type: ignore[arg-type]
    zk.create(b"/a")  # type: ignore[call-overload]
    zk.set("/a", "text")  # type: ignore[arg-type]
    zk.set("/a", b"v", version="1")  # type: ignore[arg-type]
    zk.delete("/a", version="1")  # type: ignore[arg-type]
    zk.exists_async(b"/a")  # type: ignore[arg-type]
    zk.Lock("/l", identifier=5)  # type: ignore[arg-type]
    zk.Lock(b"/l")  # type: ignore[arg-type]
    zk.Lock()  # type: ignore[call-arg]
    ZkClient(timeout="10")  # type: ignore[arg-type]
