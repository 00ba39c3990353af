"""Micro-benchmark of the sans-IO protocol core: GetData request encode + reply decode.

Prints operations per second (not a test, no thresholds)::

    .venv/bin/python benchmarks/bench_protocol.py [--seconds 2] [--profile]

* ``encode``     ``ZkProtocol.send(GetDataRequest)`` alone;
* ``decode``     ``ZkProtocol.receive_data`` of one GetData reply (header+data+stat);
* ``pipelined``  send 1000 requests, then decode their 1000 replies from one buffer
                 fed in 64 KiB chunks (what the I/O loop does under load).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import struct
import time
from collections.abc import Callable

from zkrecipes.client.protocol import GetDataRequest, ZkProtocol

PATH = "/benchmark/node-0001"
DATA = b"x" * 100
STAT = struct.pack(">qqqqiiiqiiq", 1, 2, 3, 4, 5, 6, 7, 0, len(DATA), 0, 9)
BATCH = 1000


def _reply(xid: int) -> bytes:
    body = struct.pack(">iqi", xid, 100 + xid, 0) + struct.pack(">i", len(DATA)) + DATA + STAT
    return struct.pack(">i", len(body)) + body


def _connected() -> ZkProtocol:
    p = ZkProtocol(session_timeout_ms=10000, chroot="/bench")
    p.connect()
    body = struct.pack(">iiq", 0, 10000, 1) + struct.pack(">i", 16) + bytes(16) + b"\x00"
    p.receive_data(struct.pack(">i", len(body)) + body)
    return p


def bench_encode(seconds: float) -> float:
    p = _connected()
    send = p.send
    count = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for _ in range(BATCH):
            send(GetDataRequest(PATH))
        p.connection_lost()
        count += BATCH
    return count / seconds


def bench_pipelined(seconds: float) -> float:
    p = _connected()
    count = 0
    elapsed = 0.0
    while elapsed < seconds:
        first = p.last_xid + 1
        stream = b"".join(_reply(first + i) for i in range(BATCH))
        t0 = time.perf_counter()
        for _ in range(BATCH):
            p.send(GetDataRequest(PATH))
        for off in range(0, len(stream), 65536):
            p.receive_data(stream[off:off + 65536])
        elapsed += time.perf_counter() - t0
        count += BATCH
    return count / elapsed


def bench_decode(seconds: float) -> float:
    """Decode only: replies are prepared outside the timed region."""
    p = _connected()
    count = 0
    elapsed = 0.0
    while elapsed < seconds:
        for _ in range(BATCH):
            p.send(GetDataRequest(PATH))
        first = p.last_xid - BATCH + 1
        replies = [_reply(first + i) for i in range(BATCH)]
        receive = p.receive_data
        t0 = time.perf_counter()
        for data in replies:
            receive(data)
        elapsed += time.perf_counter() - t0
        count += BATCH
    return count / elapsed


BENCHES: dict[str, Callable[[float], float]] = {
    "encode": bench_encode,
    "decode": bench_decode,
    "pipelined": bench_pipelined,
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--profile", action="store_true", help="cProfile the pipelined benchmark")
    args = parser.parse_args()
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(bench_pipelined, args.seconds)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
        return
    for name, bench in BENCHES.items():
        print(f"{name:10s} {bench(args.seconds):12,.0f} ops/s")


if __name__ == "__main__":
    main()
