"""The session core's request path without sockets: submit, encode, decode, apply (CPU only).

Drives a :class:`SessionMachine` the way a transport does — ``submit``, then
``data_to_send``, then ``receive_data`` of pre-built replies, then the outputs
applied (completions set, the hub told first as both transports do) — for
batches of pipelined getData requests. No server, no threads, no I/O: the
measured time is the core's own work per request, which is where the hook
sits, and it is far steadier than a round trip on a loaded machine.
"""

from __future__ import annotations

import struct
import time
from typing import Any

from zkrecipes.client.hosts import HostPort
from zkrecipes.client.protocol.records import ConnectResponse
from zkrecipes.client.protocol.requests import GetDataRequest
from zkrecipes.client.session.machine import SessionMachine
from zkrecipes.client.session.outputs import Complete, ConnectTo

__all__ = ["core_requests_per_s"]

_STAT = struct.pack(">qqqqiiiqiiq", 1, 2, 3, 4, 0, 0, 0, 0, 100, 0, 5)
_VALUE = b"x" * 100


class _Result:
    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: Any = None

    def set(self, value: Any = None) -> None:
        self.value = value

    def set_exception(self, exc: BaseException) -> None:
        self.value = exc


def _frame(body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + body


def _replies(first_xid: int, count: int) -> bytes:
    body = len(_VALUE).to_bytes(4, "big") + _VALUE + _STAT
    xids = range(first_xid, first_xid + count)
    return b"".join(_frame(struct.pack(">iqi", xid, 7, 0) + body) for xid in xids)


def _apply(machine: SessionMachine, hub: Any, outputs: list[Any]) -> None:
    if hub is not None:
        hub.outputs(outputs)
    for output in outputs:
        if type(output) is Complete:
            if output.error is None:
                output.result.set(output.value)
            else:
                output.result.set_exception(output.error)


def core_requests_per_s(observers: list[Any], count: int = 20_000, batch: int = 100) -> float:
    """Requests per CPU-second through the core, pipelined ``batch`` at a time."""
    from zkrecipes.observe.hub import ObserverHub

    machine = SessionMachine(hosts=[HostPort("zk", 2181)], chroot="", session_timeout=10.0)
    hub = None
    if observers:
        hub = ObserverHub("bench")
        for observer in observers:
            hub.add(observer)
        machine.observer = hub
    now = 0.0
    machine.start(now)
    action, _ = machine.poll(now)
    assert isinstance(action, ConnectTo)
    machine.connection_made(now)
    machine.data_to_send(now)
    connected = _frame(ConnectResponse(0, 10000, 0x42, b"p" * 16).to_bytes())
    _apply(machine, hub, machine.receive_data(connected, now))
    machine.data_to_send(now)
    request = GetDataRequest("/overhead")
    chunks = [_replies(first, batch) for first in range(1, count + 1, batch)]
    start = time.thread_time()  # this thread's CPU time: steadier than the wall clock on a busy machine
    for chunk in chunks:
        for _ in range(batch):
            machine.submit(request, _Result(), None, now)
        machine.data_to_send(now)
        _apply(machine, hub, machine.receive_data(chunk, now))
    elapsed = time.thread_time() - start
    return len(chunks) * batch / elapsed
