"""Drive a :class:`SessionMachine` without sockets: a fake clock, recording results and a
scripted ZooKeeper built from the protocol's own records.

:class:`Driver` plays the transport (it applies the machine's outputs exactly as
``ThreadedTransport`` does, minus the sockets); :class:`FakeServer` plays the
server: it splits the client's bytes into frames, answers them in order and
buffers its answer until the test delivers it (whole, or in pieces).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

from zkrecipes.client.hosts import HostPort
from zkrecipes.client.protocol.records import ConnectRequest, ConnectResponse, ReplyHeader, WatcherEvent
from zkrecipes.client.session import (
    Complete,
    ConnectTo,
    Dispatch,
    Drop,
    Finished,
    LoginFailed,
    Opened,
    Output,
    SessionMachine,
    StartProbe,
    StateChanged,
    StopProbe,
    Wait,
)
from zkrecipes.states import ZkState

LEN = struct.Struct(">i")
HEAD = struct.Struct(">ii")
STAT = struct.pack(">qqqqiiiqiiq", 1, 2, 3, 4, 0, 0, 0, 0, 1, 0, 5)
PASSWORD = b"p" * 16
HOSTS = [HostPort("zk1", 2181), HostPort("zk2", 2181), HostPort("zk3", 2181)]

OP_GET_DATA = 4
OP_CLOSE = -11
OP_SASL = 102


class Policy:
    """The connection RetryPolicy knobs the planner reads."""

    def __init__(self, delay: float = 0.05, backoff: float = 2.0, max_jitter: float = 0.0,
                 max_delay: float = 1.0) -> None:
        self.delay, self.backoff, self.max_jitter, self.max_delay = delay, backoff, max_jitter, max_delay


class FakeResult:
    """An AsyncResult stand-in that records every completion (to check exactly-once)."""

    def __init__(self, tag: Any = None) -> None:
        self.tag = tag
        self.calls: list[tuple[str, Any]] = []

    def set(self, value: Any = None) -> None:
        self.calls.append(("value", value))

    def set_exception(self, exc: BaseException) -> None:
        self.calls.append(("error", exc))

    @property
    def done(self) -> bool:
        return bool(self.calls)

    @property
    def value(self) -> Any:
        assert self.calls and self.calls[0][0] == "value", self.calls
        return self.calls[0][1]

    @property
    def error(self) -> BaseException:
        assert self.calls and self.calls[0][0] == "error", self.calls
        exc = self.calls[0][1]
        assert isinstance(exc, BaseException)
        return exc


def split_frames(data: bytes) -> list[bytes]:
    """Whole frames (bodies) of a byte string the client wrote."""
    frames = []
    off = 0
    while off < len(data):
        (length,) = LEN.unpack_from(data, off)
        frames.append(data[off + 4:off + 4 + length])
        off += 4 + length
    assert off == len(data), "the client wrote a partial frame"
    return frames


def framed(body: bytes) -> bytes:
    return LEN.pack(len(body)) + body


def reply(xid: int, zxid: int = 0, err: int = 0, body: bytes = b"") -> bytes:
    return framed(ReplyHeader(xid, zxid, err).to_bytes() + body)


def get_data_body(data: bytes) -> bytes:
    return LEN.pack(len(data)) + data + STAT


def notification(event_type: int, path: str, state: int = 3) -> bytes:
    return reply(-1, -1, 0, WatcherEvent(event_type, state, path).to_bytes())


def request_path(body: bytes) -> str:
    (length,) = LEN.unpack_from(body, 8)
    return body[12:12 + length].decode()


@dataclass
class FakeServer:
    """One ZooKeeper, many connections: sessions by id, an answer buffer per connection."""

    timeout_ms: int = 3000
    read_only: bool = False
    sessions: dict[int, bytes] = field(default_factory=dict)
    next_session: int = 0x100
    out: bytearray = field(default_factory=bytearray)
    handshake_pending: bool = True
    last_xid: int = 0
    zxid: int = 10
    seen: list[bytes] = field(default_factory=list)  # every non-connect frame, in wire order
    closed_sessions: list[int] = field(default_factory=list)
    current_session: int = 0
    auth_ok: bool = True
    connect_request: ConnectRequest | None = None

    def new_connection(self) -> None:
        self.out = bytearray()
        self.handshake_pending = True
        self.last_xid = 0

    def feed(self, data: bytes) -> None:
        """Take what the client wrote; queue the answers (in order)."""
        for body in split_frames(data):
            if self.handshake_pending:
                self.handshake_pending = False
                self._connect(body)
                continue
            self.seen.append(body)
            xid, opcode = HEAD.unpack_from(body, 0)
            if xid > 0:
                assert xid > self.last_xid, f"xid {xid} after {self.last_xid}: wire order != xid order"
                self.last_xid = xid
                self.zxid += 1
            if xid == -2:
                self.out += reply(-2, -1)
            elif xid == -4:
                self.out += reply(-4, -1, 0 if self.auth_ok else -115)
            elif xid == -8:
                self.out += reply(-8, -1)
            elif opcode == OP_GET_DATA:
                path = request_path(body)
                self.out += reply(xid, self.zxid, 0, get_data_body(path.encode()))
            elif opcode == OP_CLOSE:
                self.out += reply(xid, self.zxid)
                assert self.connect_request is not None
                self.closed_sessions.append(self.current_session)
                self.sessions.pop(self.current_session, None)
            else:
                self.out += reply(xid, self.zxid, -101)  # NONODE for anything else

    def _connect(self, body: bytes) -> None:
        request, _ = ConnectRequest.read(body)
        self.connect_request = request
        if request.session_id and request.session_id not in self.sessions:
            self.out += framed(ConnectResponse(0, 0, 0, b"\0" * 16, False).to_bytes())
            self.current_session = 0
            return
        session_id = request.session_id
        if not session_id:
            session_id = self.next_session
            self.next_session += 1
            self.sessions[session_id] = PASSWORD
        self.current_session = session_id
        response = ConnectResponse(0, self.timeout_ms, session_id, PASSWORD, self.read_only)
        self.out += framed(response.to_bytes())

    def take(self, size: int | None = None) -> bytes:
        """Up to ``size`` bytes of the queued answers (all by default)."""
        if size is None:
            size = len(self.out)
        data = bytes(self.out[:size])
        del self.out[:size]
        return data


class Driver:
    """Plays the transport for one machine: clock, outputs, and the bytes to the server."""

    def __init__(self, machine: SessionMachine, server: FakeServer | None = None, now: float = 100.0) -> None:
        self.m = machine
        self.server = server
        self.now = now
        self.states: list[ZkState] = []
        self.dispatched: list[tuple[Any, Any]] = []
        self.outputs: list[Output] = []
        self.dropped: list[str] = []
        self.login_failed = 0
        self.probing: list[Any] = []
        self.connected = False
        self.direct_open = False
        self.finished = False
        self.host: HostPort | None = None

    def apply(self, outputs: list[Output]) -> bool:
        dropped = False
        for output in outputs:
            self.outputs.append(output)
            if type(output) is Complete:
                if output.error is None:
                    output.result.set(output.value)
                else:
                    output.result.set_exception(output.error)
            elif type(output) is Dispatch:
                self.dispatched += [(w, output.event) for w in output.watchers]
            elif type(output) is StateChanged:
                self.states.append(output.state)
            elif type(output) is Opened:
                self.direct_open = True
            elif type(output) is Drop:
                self.dropped.append(output.reason)
                dropped = True
            elif type(output) is LoginFailed:
                self.login_failed += 1
            elif type(output) is StartProbe:
                self.probing.append(output.candidates)
            elif type(output) is StopProbe:
                self.probing.append(None)
        return dropped

    # ------------------------------------------------------------ steps

    def poll(self) -> ConnectTo | Wait | Finished:
        action, outputs = self.m.poll(self.now)
        self.apply(outputs)
        if type(action) is Finished:
            self.finished = True
        return action

    def connect(self) -> None:
        """Poll until a ConnectTo (advancing the clock through waits), then connect."""
        for _ in range(1000):
            action = self.poll()
            if type(action) is ConnectTo:
                self.host = action.host
                self.m.connection_made(self.now)
                self.connected = True
                if self.server is not None:
                    self.server.new_connection()
                self.flush()
                return
            assert type(action) is Wait and action.until is not None, action
            self.now = max(self.now, action.until)
        raise AssertionError("never connected")

    def flush(self) -> bytes:
        """Hand what the machine has to send to the server; return it."""
        data, refused = self.m.data_to_send(self.now)
        self.apply(refused)
        if data and self.server is not None and self.connected:
            self.server.feed(data)
        return data

    def deliver(self, size: int | None = None) -> bool:
        """Give the client (part of) the server's answers; True if the machine dropped."""
        assert self.server is not None
        data = self.server.take(size)
        if not data:
            return False
        if self.apply(self.m.receive_data(data, self.now)):
            self.lose()
            return True
        self.flush()
        return False

    def tick(self) -> bool:
        if self.apply(self.m.tick(self.now)):
            self.lose()
            return True
        self.flush()
        return False

    def lose(self, closed_by_peer: bool = False) -> None:
        """The connection is gone (after a Drop, or the server/network cut it)."""
        self.connected = self.direct_open = False
        self.apply(self.m.connection_lost(self.now, closed_by_peer))

    def submit(self, request: Any, tag: Any = None) -> FakeResult:
        result = FakeResult(tag)
        self.m.submit(request, result, None, self.now)
        self.flush()
        return result
