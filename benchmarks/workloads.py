"""The workloads, each written once against kazoo 2.x's public API.

A workload takes a :class:`~benchmarks.clients.ClientFactory`, a private ZooKeeper path it
may use freely (``base``) and its parameters, and returns a dict of named measurements
(floats). It runs in a fresh worker process (see :mod:`benchmarks.worker`), so nothing —
threads, monkey-patching, memory — carries over between libraries or rounds.

Timed sections contain only the operations being measured; setup (creating nodes, warming
up the connection) happens before the clock starts. Every wait has a timeout.
"""

from __future__ import annotations

import gc
import resource
import statistics
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.clients import ClientFactory, close_client
from zkrecipes.exceptions import ZkTimeoutError

Params = dict[str, Any]
Measurements = dict[str, float]
WAIT_S = 120.0  # upper bound for any single wait inside a workload
VALUE_100 = b"v" * 100
WARMUP = 50


def child_name(index: int) -> str:
    """Name of the ``index``-th child under the shared 10,000-children node."""
    return f"c{index:05d}"


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def sync_get(factory: ClientFactory, base: str, params: Params) -> Measurements:
    """Sequential ``get`` of a 100-byte value: operations per second."""
    count = int(params["count"])
    client = factory.started()
    try:
        client.create(base, VALUE_100, makepath=True)
        for _ in range(WARMUP):
            client.get(base)
        start = time.perf_counter()
        for _ in range(count):
            client.get(base)
        elapsed = time.perf_counter() - start
    finally:
        close_client(client)
    return {"ops_per_s": _rate(count, elapsed)}


def sync_set(factory: ClientFactory, base: str, params: Params) -> Measurements:
    """Sequential ``set`` of a 100-byte value (each one fsynced by the server): ops/s."""
    count = int(params["count"])
    client = factory.started()
    try:
        client.create(base, VALUE_100, makepath=True)
        for _ in range(WARMUP // 5):
            client.set(base, VALUE_100)
        start = time.perf_counter()
        for _ in range(count):
            client.set(base, VALUE_100)
        elapsed = time.perf_counter() - start
    finally:
        close_client(client)
    return {"ops_per_s": _rate(count, elapsed)}


def create_delete(factory: ClientFactory, base: str, params: Params) -> Measurements:
    """Sequential ``create`` then ``delete`` of one node: pairs per second."""
    count = int(params["count"])
    client = factory.started()
    try:
        client.create(base, b"", makepath=True)
        node = f"{base}/n"
        start = time.perf_counter()
        for _ in range(count):
            client.create(node, VALUE_100)
            client.delete(node)
        elapsed = time.perf_counter() - start
    finally:
        close_client(client)
    return {"pairs_per_s": _rate(count, elapsed)}


def pipelined_get(factory: ClientFactory, base: str, params: Params) -> Measurements:
    """``count`` ``get_async`` calls issued back to back, then all awaited: ops/s."""
    count = int(params["count"])
    client = factory.started()
    try:
        client.create(base, VALUE_100, makepath=True)
        for result in [client.get_async(base) for _ in range(WARMUP)]:
            result.get(timeout=WAIT_S)
        start = time.perf_counter()
        results = [client.get_async(base) for _ in range(count)]
        for result in results:
            result.get(timeout=WAIT_S)
        elapsed = time.perf_counter() - start
        last_value = results[-1].get(timeout=WAIT_S)[0]
    finally:
        close_client(client)
    if last_value != VALUE_100:
        raise AssertionError("pipelined get returned the wrong value")
    return {"ops_per_s": _rate(count, elapsed)}


def get_children(factory: ClientFactory, base: str, params: Params) -> Measurements:
    """``get_children`` of the shared node with ``children`` children: median ms per call."""
    path, expected, repeats = str(params["path"]), int(params["children"]), int(params["repeats"])
    client = factory.started()
    try:
        client.get_children(path)
        timings = []
        for _ in range(repeats):
            start = time.perf_counter()
            children = client.get_children(path)
            timings.append(time.perf_counter() - start)
            if len(children) != expected:
                raise AssertionError(f"expected {expected} children, got {len(children)}")
    finally:
        close_client(client)
    return {"ms_per_call": statistics.median(timings) * 1000.0}


def lock_uncontended(factory: ClientFactory, base: str, params: Params) -> Measurements:
    """``Lock.acquire()`` + ``release()`` by one client, nobody else waiting: cycles/s."""
    count = int(params["count"])
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


def lock_contended(factory: ClientFactory, base: str, params: Params) -> Measurements:
    """``workers`` clients in ``workers`` threads cycling one lock: total cycles/s."""
    count, workers = int(params["count"]), int(params["workers"])
    clients = [factory.started() for _ in range(workers)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers + 1, timeout=WAIT_S)
    holders = [0]

    def cycle(client: Any) -> None:
        try:
            lock = client.Lock(base)
            barrier.wait()
            for _ in range(count):
                if not lock.acquire(timeout=WAIT_S):
                    raise ZkTimeoutError("contended lock not acquired")
                holders[0] += 1
                if holders[0] != 1:
                    raise AssertionError("two holders of one lock")
                holders[0] -= 1
                lock.release()
        except BaseException as exc:
            errors.append(exc)

    try:
        clients[0].ensure_path(base)
        threads = [threading.Thread(target=cycle, args=(client,), daemon=True) for client in clients]
        for thread in threads:
            thread.start()
        barrier.wait()
        start = time.perf_counter()
        for thread in threads:
            thread.join(timeout=WAIT_S * 4)
        elapsed = time.perf_counter() - start
        if any(thread.is_alive() for thread in threads):
            raise ZkTimeoutError("contended lock workers did not finish")
    finally:
        for client in clients:
            close_client(client)
    if errors:
        raise errors[0]
    return {"cycles_per_s": _rate(count * workers, elapsed)}


def watch_latency(factory: ClientFactory, base: str, params: Params) -> Measurements:
    """Time from a ``set`` by one client to the watch callback in another: p50/p99 ms."""
    count = int(params["count"])
    watcher, writer = factory.started(), factory.started()
    fired = threading.Event()
    fired_at = [0.0]

    def on_event(event: Any) -> None:
        fired_at[0] = time.perf_counter()
        fired.set()

    latencies = []
    try:
        writer.create(base, VALUE_100, makepath=True)
        for index in range(count + WARMUP // 5):
            fired.clear()
            watcher.get(base, watch=on_event)
            start = time.perf_counter()
            writer.set(base, VALUE_100)
            if not fired.wait(WAIT_S):
                raise ZkTimeoutError("watch did not fire")
            if index >= WARMUP // 5:
                latencies.append(fired_at[0] - start)
    finally:
        close_client(watcher)
        close_client(writer)
    return {"p50_ms": _percentile(latencies, 0.5) * 1000.0, "p99_ms": _percentile(latencies, 0.99) * 1000.0}


def connect_close(factory: ClientFactory, base: str, params: Params) -> Measurements:
    """``start()`` (new session) then ``stop()`` + ``close()``: median ms per cycle."""
    count = int(params["count"])
    timings = []
    for _ in range(count):
        client = factory.new()
        start = time.perf_counter()
        client.start(timeout=WAIT_S)
        close_client(client)
        timings.append(time.perf_counter() - start)
    return {"ms_per_cycle": statistics.median(timings) * 1000.0}


def _rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()


def _peak_rss_mib() -> float:
    """This process image's peak RSS (``VmHWM``; ``ru_maxrss`` would carry the parent's over exec)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    raise OSError("/proc/self/status has no VmHWM line")


def watch_memory(factory: ClientFactory, base: str, params: Params) -> Measurements:
    """Memory held per registered ``DataWatch`` (``watches`` of them, on existing nodes).

    With ``trace`` the Python heap growth is measured with tracemalloc (exact, excludes the
    interpreter's own overhead); without, the RSS growth and the process's peak RSS.
    """
    count, path, trace = int(params["watches"]), str(params["path"]), bool(params["trace"])
    client = factory.started()
    called = threading.Event()
    calls = [0]
    counter_lock = threading.Lock()

    def on_data(data: Any, stat: Any) -> None:
        with counter_lock:
            calls[0] += 1
            if calls[0] >= count:
                called.set()

    paths = [f"{path}/{child_name(index)}" for index in range(count)]
    watches: list[Any] = [None] * count
    try:
        client.get(paths[0])
        # Warm-up, for both libraries: one DataWatch on the parent outside the
        # measured window, so one-off costs (lazy imports, per-client state) are
        # not charged to the measured watches.
        warm_up = client.DataWatch(path, lambda data, stat: None)
        gc.collect()
        if trace:
            tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0] if trace else _rss_bytes()
        for index, node in enumerate(paths):
            watches[index] = client.DataWatch(node, on_data)
        if not called.wait(WAIT_S * 2):
            raise ZkTimeoutError(f"only {calls[0]} of {count} DataWatch callbacks ran")
        gc.collect()
        after = tracemalloc.get_traced_memory()[0] if trace else _rss_bytes()
        del warm_up
        if trace:
            tracemalloc.stop()
        peak_rss_mib = _peak_rss_mib()
    finally:
        close_client(client)
    if trace:
        return {"bytes_per_watch": (after - before) / count}
    return {"rss_bytes_per_watch": (after - before) / count, "peak_rss_mib": peak_rss_mib}


def raw_pipelined_get(factory: ClientFactory, base: str, params: Params) -> Measurements:
    """The ceiling: pre-encoded pipelined GetData over a plain socket (no client library)."""
    from benchmarks.rawsocket import pipelined_get_raw

    setup = ClientFactory("kazoo", "threading", factory.hosts).started()
    try:
        setup.create(base, VALUE_100, makepath=True)
    finally:
        close_client(setup)
    count = int(params["count"])
    elapsed = pipelined_get_raw(factory.hosts, base, count, expected_value=VALUE_100)
    return {"ops_per_s": _rate(count, elapsed)}


def raw_sync_get(factory: ClientFactory, base: str, params: Params) -> Measurements:
    """The sync ceiling: one GetData over a plain socket, wait for its reply, repeat."""
    from benchmarks.rawsocket import sync_get_raw

    setup = ClientFactory("kazoo", "threading", factory.hosts).started()
    try:
        setup.create(base, VALUE_100, makepath=True)
    finally:
        close_client(setup)
    count = int(params["count"])
    elapsed = sync_get_raw(factory.hosts, base, count, expected_value=VALUE_100, warmup=WARMUP)
    return {"ops_per_s": _rate(count, elapsed)}


Workload = Callable[[ClientFactory, str, Params], Measurements]


@dataclass(frozen=True, slots=True)
class Spec:
    """A workload as the runner schedules it: function, handler, full and quick parameters."""

    name: str
    function: Workload
    handler: str
    full: Params
    quick: Params
    libraries: tuple[str, ...] = ("zkrecipes", "kazoo")


CHILDREN = 10_000
SPECS: tuple[Spec, ...] = (
    Spec("sync_get", sync_get, "threading", {"count": 5000}, {"count": 50}),
    Spec("sync_get_gevent", sync_get, "gevent", {"count": 5000}, {"count": 50}),
    Spec("raw_sync_get", raw_sync_get, "threading", {"count": 5000}, {"count": 50}, ("raw",)),
    Spec("sync_set", sync_set, "threading", {"count": 1000}, {"count": 20}),
    Spec("create_delete", create_delete, "threading", {"count": 500}, {"count": 10}),
    Spec("pipelined_get", pipelined_get, "threading", {"count": 50_000}, {"count": 200}),
    Spec("pipelined_get_gevent", pipelined_get, "gevent", {"count": 50_000}, {"count": 200}),
    Spec("raw_pipelined_get", raw_pipelined_get, "threading", {"count": 50_000}, {"count": 200}, ("raw",)),
    Spec("get_children", get_children, "threading", {"children": CHILDREN, "repeats": 15},
         {"children": 30, "repeats": 3}),
    Spec("lock_uncontended", lock_uncontended, "threading", {"count": 300}, {"count": 5}),
    Spec("lock_contended", lock_contended, "threading", {"count": 75, "workers": 4},
         {"count": 3, "workers": 4}),
    Spec("watch_latency", watch_latency, "threading", {"count": 1000}, {"count": 20}),
    Spec("connect_close", connect_close, "threading", {"count": 50}, {"count": 3}),
    Spec("watch_memory", watch_memory, "threading", {"watches": CHILDREN, "trace": True},
         {"watches": 30, "trace": True}),
    Spec("watch_rss", watch_memory, "threading", {"watches": CHILDREN, "trace": False},
         {"watches": 30, "trace": False}),
)
SPECS_BY_NAME = {spec.name: spec for spec in SPECS}
