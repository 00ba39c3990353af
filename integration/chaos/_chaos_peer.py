"""A malicious ZooKeeper peer: a real TCP server that speaks just enough of the protocol.

:class:`FakePeer` listens on loopback and serves **one** connection with a
script (a function of the connected socket), then stops listening, so a client
that lists it first and a real server next moves on to the real one. The
helpers build the frames a script sends: a ConnectResponse, reply headers, a
GetData reply, a notification. ``sent`` counts the bytes the script managed to
push (the client's memory bound is checked against it).
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable

from zkrecipes.client.protocol.records import ConnectRequest, ConnectResponse, ReplyHeader, WatcherEvent

LEN = struct.Struct(">i")
HEADER = struct.Struct(">ii")  # request header: xid, type
PING_XID, WATCH_XID = -2, -1
OP_PING = 11
OP_EXISTS = 3
PASSWORD = b"p" * 16
SESSION = 0x4242
WAIT = 15.0


def read_exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("the client closed the connection")
        data += chunk
    return data


def read_frame(sock: socket.socket) -> bytes:
    (length,) = LEN.unpack(read_exactly(sock, 4))
    return read_exactly(sock, length)


def frame(body: bytes) -> bytes:
    return LEN.pack(len(body)) + body


def connect_response(timeout_ms: int = 4000, session: int = SESSION) -> bytes:
    return frame(ConnectResponse(0, timeout_ms, session, PASSWORD, False).to_bytes())


def reply(xid: int, body: bytes = b"", err: int = 0, zxid: int = 1) -> bytes:
    return frame(ReplyHeader(xid, zxid, err).to_bytes() + body)


def stat_bytes() -> bytes:
    """A Stat record (czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner,
    dataLength, numChildren, pzxid)."""
    return struct.pack(">qqqqiiiqiiq", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1)


def get_data_reply(xid: int, data: bytes) -> bytes:
    return reply(xid, LEN.pack(len(data)) + data + stat_bytes())


def notification(path: str, event_type: int = 3, state: int = 3) -> bytes:
    return reply(WATCH_XID, WatcherEvent(event_type, state, path).to_bytes(), zxid=-1)


class Conversation:
    """The server side of one connection: the handshake done, then requests read one by one."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sent = 0

    def handshake(self, timeout_ms: int = 4000) -> ConnectRequest:
        request, _ = ConnectRequest.read(read_frame(self.sock))
        self.send(connect_response(timeout_ms))
        return request

    def next_request(self) -> tuple[int, int, bytes]:
        """The next request that is not a ping nor an exists (the client's check of its chroot;
        both are answered, the node exists): (xid, opcode, body)."""
        while True:
            body = read_frame(self.sock)
            xid, opcode = HEADER.unpack_from(body)
            if xid == PING_XID and opcode == OP_PING:
                self.send(reply(PING_XID))
                continue
            if opcode == OP_EXISTS:
                self.send(reply(xid, stat_bytes()))
                continue
            return xid, opcode, body[HEADER.size:]

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)
        self.sent += len(data)


class FakePeer:
    """Serve one connection with ``script(conversation)`` on a thread; ``hosts`` is where it listens."""

    def __init__(self, script: Callable[[Conversation], None]) -> None:
        self._script = script
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(1)
        self._listener.settimeout(WAIT)
        self.conversation: Conversation | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake-peer", daemon=True)
        self._thread.start()

    @property
    def hosts(self) -> str:
        return f"127.0.0.1:{self._listener.getsockname()[1]}"

    def _serve(self) -> None:
        try:
            sock, _ = self._listener.accept()
        except OSError as exc:
            self.error = exc
            self.done.set()
            return
        finally:
            self._listener.close()  # one connection only: the client must move on
        sock.settimeout(WAIT)
        self.conversation = Conversation(sock)
        try:
            self._script(self.conversation)
        except (EOFError, OSError):
            pass  # the client hung up: what a script that provokes a drop expects
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.done.set()
            try:
                sock.close()
            except OSError:
                pass

    def close(self) -> None:
        try:
            self._listener.close()
        except OSError:
            pass
        self._thread.join(WAIT)
