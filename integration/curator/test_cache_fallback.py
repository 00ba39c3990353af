"""CuratorCache on a server without persistent watches: ``addWatch`` answered UNIMPLEMENTED.

The server here is 3.8 (it has them), so the client is wrapped: every call goes to
the real client except ``add_watch``, which raises what ZooKeeper < 3.6 answers.
AUTO then falls back to one-shot watches; PERSISTENT reports the error.
"""

from __future__ import annotations

import threading
from typing import Any

from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.exceptions import UnimplementedError
from zkrecipes.recipes.curator import CacheWatchMode, CuratorCache


class OldServer:
    """The real client, except that ``add_watch`` fails as on a server older than 3.6."""

    def __init__(self, client: ZkClient) -> None:
        self._client = client
        self.add_watch_calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def add_watch(self, *args: Any, **kwargs: Any) -> None:
        self.add_watch_calls += 1
        raise UnimplementedError("addWatch: unknown request type")


def test_auto_falls_back_to_one_shot_watches(zk_client: ZkClient) -> None:
    old = OldServer(zk_client)
    zk_client.create("/old/a", b"1", makepath=True)
    with CuratorCache(old, "/old") as cache:  # type: ignore[arg-type]
        assert cache.await_initialized(10)
        assert cache.watch_mode is CacheWatchMode.ONE_SHOT and old.add_watch_calls == 1
        zk_client.set("/old/a", b"2")
        zk_client.create("/old/b/c", b"3", makepath=True)
        wait_until(zk_client, lambda: getattr(cache.get("/old/a"), "data", None) == b"2"
                   and getattr(cache.get("/old/b/c"), "data", None) == b"3", message="changes seen")


def test_persistent_mode_reports_the_missing_feature(zk_client: ZkClient) -> None:
    faults: list[BaseException] = []
    reported = threading.Event()

    def fault(error: BaseException) -> None:
        faults.append(error)
        reported.set()

    cache = CuratorCache(OldServer(zk_client), "/old", mode=CacheWatchMode.PERSISTENT)  # type: ignore[arg-type]
    cache.add_fault_listener(fault)
    cache.start()
    assert reported.wait(10)
    assert isinstance(faults[0], UnimplementedError) and not cache.await_initialized(0)
    cache.close()
