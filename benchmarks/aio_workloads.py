"""The asyncio suite's workloads: zkrecipes' AsyncZkClient against aiozk and the threaded client.

Each workload runs for one library in a fresh worker process (``benchmarks.worker``):

``aio``        zkrecipes' :class:`~zkrecipes.aio.AsyncZkClient` on the default event loop;
``aio_uvloop`` the same on uvloop (where installed);
``aiozk``      aiozk's ``ZKClient`` (the only other asyncio client), default event loop;
``zkrecipes``  zkrecipes' threaded ``ZkClient`` doing the sync equivalent (the reference the
               issue's "at least the threaded client" targets compare with);
``raw``        the gets only: pre-encoded GetData over a plain socket, one at a time or
               pipelined (``benchmarks/rawsocket.py``): the ceiling no client can pass.

Timed sections hold only the operations; connecting, creating nodes and a warm-up come first.
Besides the rate, the get workloads report the client process's CPU time per operation
(``cpu_us_per_op``: user + system, all threads), which the machine's other load disturbs less.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks.clients import ClientFactory, close_client
from benchmarks.workloads import VALUE_100, WAIT_S, WARMUP, Measurements, Params, Spec, _rate
from zkrecipes.exceptions import ConfigurationError, ZkTimeoutError

#: The libraries of the suite, in the order a round runs them (A B C alternating).
AIO_LIBRARIES = ("aiozk", "aio", "zkrecipes")


def _run(factory: ClientFactory, body: Callable[[Any], Awaitable[Measurements]]) -> Measurements:
    """Start a client of ``factory.library`` on a fresh loop, run ``body(client)``, close it."""

    async def main() -> Measurements:
        if factory.library == "aiozk":
            import aiozk

            zk: Any = aiozk.ZKClient(factory.hosts, session_timeout=10)
            await asyncio.wait_for(zk.start(), WAIT_S)
            try:
                return await body(zk)
            finally:
                # aiozk's close waits for the CloseSession reply with its own timeout and raises
                # TimeoutError on a loaded machine: the measurement is taken by then; keep it.
                with contextlib.suppress(asyncio.TimeoutError):
                    await zk.close()
        from zkrecipes.aio import AsyncZkClient

        client = AsyncZkClient(factory.hosts, timeout=10.0)
        await client.start(timeout=WAIT_S)
        try:
            return await body(client)
        finally:
            await client.stop()

    if factory.library == "aio_uvloop":
        import uvloop

        return uvloop.run(main())
    return asyncio.run(main())


async def _create(zk: Any, path: str, value: bytes) -> None:
    parent = path.rsplit("/", 1)[0]
    if parent:
        await zk.ensure_path(parent)
    await zk.create(path, value)


class _Clock:
    """Wall and process CPU time of a timed section."""

    def __enter__(self) -> _Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def measurements(self, count: int) -> Measurements:
        return {"ops_per_s": _rate(count, self.wall), "cpu_us_per_op": self.cpu / count * 1e6}


def _raw(factory: ClientFactory, base: str, count: int, pipelined: bool) -> Measurements:
    from benchmarks.rawsocket import pipelined_get_raw, sync_get_raw

    setup = ClientFactory("zkrecipes", "threading", factory.hosts).started()
    try:
        setup.create(base, VALUE_100, makepath=True)
    finally:
        close_client(setup)
    cpu = time.process_time()
    if pipelined:
        elapsed = pipelined_get_raw(factory.hosts, base, count, expected_value=VALUE_100)
    else:
        elapsed = sync_get_raw(factory.hosts, base, count, expected_value=VALUE_100, warmup=WARMUP)
    # The raw loop's CPU includes its connect and warm-up (a few ms): an upper bound.
    return {"ops_per_s": _rate(count, elapsed), "cpu_us_per_op": (time.process_time() - cpu) / count * 1e6}


def awaited_get(factory: ClientFactory, base: str, params: Params) -> Measurements:
    """Sequential awaited ``get`` of a 100-byte node (threaded: sync ``get``): ops/s."""
    count = int(params["count"])
    if factory.library == "raw":
        return _raw(factory, base, count, pipelined=False)
    if factory.library == "zkrecipes":
        client = factory.started()
        try:
            client.create(base, VALUE_100, makepath=True)
            for _ in range(WARMUP):
                client.get(base)
            with _Clock() as clock:
                for _ in range(count):
                    client.get(base)
        finally:
            close_client(client)
        return clock.measurements(count)

    async def body(zk: Any) -> Measurements:
        await _create(zk, base, VALUE_100)
        for _ in range(WARMUP):
            await zk.get(base)
        with _Clock() as clock:
            for _ in range(count):
                await zk.get(base)
        return clock.measurements(count)

    return _run(factory, body)


def gather_get(factory: ClientFactory, base: str, params: Params) -> Measurements:
    """``asyncio.gather`` of ``count`` gets (threaded: ``get_async`` x count, then every result)."""
    count = int(params["count"])
    if factory.library == "raw":
        return _raw(factory, base, count, pipelined=True)
    if factory.library == "zkrecipes":
        client = factory.started()
        try:
            client.create(base, VALUE_100, makepath=True)
            for result in [client.get_async(base) for _ in range(WARMUP)]:
                result.get(timeout=WAIT_S)
            with _Clock() as clock:
                results = [client.get_async(base) for _ in range(count)]
                for result in results:
                    result.get(timeout=WAIT_S)
        finally:
            close_client(client)
        return clock.measurements(count)

    async def body(zk: Any) -> Measurements:
        await _create(zk, base, VALUE_100)
        await asyncio.gather(*(zk.get(base) for _ in range(WARMUP)))
        with _Clock() as clock:
            results = await asyncio.wait_for(asyncio.gather(*(zk.get(base) for _ in range(count))), WAIT_S)
        if len(results) != count or results[-1][0] != VALUE_100:
            raise ConfigurationError("gather returned wrong results")
        return clock.measurements(count)

    return _run(factory, body)


def lock_cycle(factory: ClientFactory, base: str, params: Params) -> Measurements:
    """Uncontended ``Lock`` acquire + release by one client: cycles/s."""
    count = int(params["count"])
    if factory.library == "zkrecipes":
        client = factory.started()
        try:
            lock = client.Lock(base)
            lock.acquire(timeout=WAIT_S)
            lock.release()
            start = time.perf_counter()
            for _ in range(count):
                if not lock.acquire(timeout=WAIT_S):
                    raise ZkTimeoutError("uncontended lock not acquired")
                lock.release()
            elapsed = time.perf_counter() - start
        finally:
            close_client(client)
        return {"cycles_per_s": _rate(count, elapsed)}

    async def body(zk: Any) -> Measurements:
        await zk.ensure_path(base)
        lock = zk.recipes.Lock(base) if factory.library == "aiozk" else zk.Lock(base)
        await lock.acquire(timeout=WAIT_S)
        await lock.release()
        start = time.perf_counter()
        for _ in range(count):
            await lock.acquire(timeout=WAIT_S)
            await lock.release()
        return {"cycles_per_s": _rate(count, time.perf_counter() - start)}

    return _run(factory, body)


def _libraries(*extra: str) -> tuple[str, ...]:
    import importlib.util

    uvloop = ("aio_uvloop",) if importlib.util.find_spec("uvloop") else ()
    return (*AIO_LIBRARIES[:2], *uvloop, *AIO_LIBRARIES[2:], *extra)


AIO_SPECS: tuple[Spec, ...] = (
    Spec("aio_get", awaited_get, "threading", {"count": 5000}, {"count": 50}, _libraries("raw")),
    Spec("aio_gather_get", gather_get, "threading", {"count": 20_000}, {"count": 200}, _libraries("raw")),
    Spec("aio_lock", lock_cycle, "threading", {"count": 300}, {"count": 5}, _libraries()),
)
AIO_SPECS_BY_NAME = {spec.name: spec for spec in AIO_SPECS}
