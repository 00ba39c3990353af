"""Support for the asyncio recipe tests (imported by the other ``test_aio_recipes_*`` files).

:class:`GatedClient` wraps a real ``AsyncZkClient`` as the recipes' client
Protocol and holds one operation *after* the server applied it: the request's
reply is "not seen yet" while the test cancels the awaiting task — the
in-flight cancellation, made deterministic; ``release`` delivers the reply late
(to work a shielded request kept running). Everything else passes through.
"""

from __future__ import annotations

import asyncio
from typing import Any

from zkrecipes import exceptions as exc
from zkrecipes.aio import AsyncZkClient

WAIT = 20.0


async def until(predicate: Any, timeout: float = WAIT, message: str = "condition") -> None:
    """Poll the coroutine function ``predicate`` until true (each poll is a server read)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not await predicate():
        assert loop.time() < end, f"{message}: not met in time"
        await asyncio.sleep(0.02)


async def children(zk: AsyncZkClient, path: str) -> list[str]:
    try:
        return sorted(await zk.get_children(path))
    except exc.NoNodeError:
        return []


class GatedClient:
    """``zk`` as seen by a recipe, with ``method`` held after it was applied (once, or every time)."""

    def __init__(self, zk: AsyncZkClient, method: str, *, match: str = "") -> None:
        self._zk = zk
        self._method = method
        self._match = match
        self.reached = asyncio.Event()
        self.release = asyncio.Event()  # set it to deliver the held reply (late)
        self.armed = True
        self.calls: list[tuple[Any, ...]] = []

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._zk, name)
        if name != self._method:
            return real

        async def gated(*args: Any, **kwargs: Any) -> Any:
            result = await real(*args, **kwargs)
            if self.armed and (not self._match or self._match in str(args[0])):
                self.armed = False
                self.calls.append(args)
                self.reached.set()
                await self.release.wait()  # the reply is late: a cancellation, or release, ends this
            return result

        return gated


async def test_the_gate_holds_an_applied_request(zk_aio_client: AsyncZkClient) -> None:
    gated = GatedClient(zk_aio_client, "create")
    task = asyncio.ensure_future(gated.create("/gated", b"x"))
    await asyncio.wait_for(gated.reached.wait(), WAIT)
    assert await zk_aio_client.exists("/gated") is not None and not task.done()
    task.cancel()
    await asyncio.wait({task})
    assert task.cancelled()
    assert await gated.create("/gated-2") == "/gated-2"  # disarmed: passes through
