"""Both front ends against a real server: a request before ``start()`` says so; after a stop, "closed".

The refusal is local (nothing reaches the server), so the same client then
starts and serves normally: the message tells the fix, and the fix works.
"""

from __future__ import annotations

from typing import Any

import pytest

from zkrecipes.exceptions import ConnectionClosedError
from zkrecipes.testing import ClientFactory

NOT_STARTED = r"^client not started: call start\(\) first \(getData /a\)$"


def test_threaded_client_before_start_then_after_stop(zk_client_factory: ClientFactory) -> None:
    zk = zk_client_factory(start=False)
    with pytest.raises(ConnectionClosedError, match=NOT_STARTED):
        zk.get("/a")
    zk.start(timeout=30)
    zk.create("/a", b"ok")
    assert zk.get("/a")[0] == b"ok"
    zk.stop()
    with pytest.raises(ConnectionClosedError, match=r"^Connection has been closed$") as info:
        zk.get("/a")
    assert (info.value.operation, info.value.path) == ("getData", "/a")


async def test_asyncio_client_before_start_then_after_stop(zk_aio_client_factory: Any) -> None:
    zk = await zk_aio_client_factory(start=False)
    with pytest.raises(ConnectionClosedError, match=NOT_STARTED):
        await zk.get("/a")
    await zk.start(timeout=30)
    await zk.create("/a", b"ok")
    assert (await zk.get("/a"))[0] == b"ok"
    await zk.stop()
    with pytest.raises(ConnectionClosedError, match=r"^Connection has been closed$"):
        await zk.get("/a")
