"""The raw-socket ceilings: GetData with no client library at all.

Encodes a ConnectRequest and GetData requests with :mod:`struct` (the layouts are
ZooKeeper's jute records: every frame is a big-endian int32 length followed by the record).
Two loops:

* :func:`pipelined_get_raw` writes ``count`` requests from one thread while the calling
  thread reads and checks the replies (xid in order, error code 0): the pipelined ceiling;
* :func:`sync_get_raw` sends one request, waits for its reply, and repeats, all in the
  calling thread: the sync ceiling (one round trip per call, no thread hand-off).

What a real client adds on top — per-request objects, result dispatch, callbacks, thread
wake-ups — is what the benchmark compares against these numbers.
"""

from __future__ import annotations

import socket
import struct
import threading
import time

from zkrecipes.exceptions import ConnectionLoss, ProtocolError, SessionExpiredError, ZkTimeoutError

OP_GET_DATA = 4
OP_CLOSE = -11
FIRST_XID = 1
IO_TIMEOUT_S = 60.0

_INT = struct.Struct(">i")
_CONNECT = struct.Struct(">iqiqi16s?")  # version, lastZxid, timeout, sessionId, passwd, readOnly
_REQUEST_HEADER = struct.Struct(">ii")  # xid, opcode
_REPLY_HEADER = struct.Struct(">iqi")  # xid, zxid, err
_CONNECT_REPLY = struct.Struct(">iiqi")  # version, timeout, sessionId, passwd length


def _frame(body: bytes) -> bytes:
    return _INT.pack(len(body)) + body


def encode_connect(timeout_ms: int = 10_000) -> bytes:
    """A framed ConnectRequest for a new session (zero session id and password)."""
    return _frame(_CONNECT.pack(0, 0, timeout_ms, 0, 16, b"\0" * 16, False))


def encode_get_data(xid: int, path: str) -> bytes:
    """A framed GetData request for ``path`` without a watch."""
    raw_path = path.encode("utf-8")
    return _frame(_REQUEST_HEADER.pack(xid, OP_GET_DATA) + _INT.pack(len(raw_path)) + raw_path + b"\0")


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise ConnectionLoss("server closed the connection")
        chunks += chunk
    return bytes(chunks)


def _read_frame(sock: socket.socket) -> bytes:
    (length,) = _INT.unpack(_recv_exact(sock, 4))
    return _recv_exact(sock, length)


def _open_session(hosts: str) -> socket.socket:
    host, _, port = hosts.split(",")[0].split("/")[0].rpartition(":")
    sock = socket.create_connection((host or "127.0.0.1", int(port)), timeout=IO_TIMEOUT_S)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(encode_connect())
        _version, timeout_ms, _session, _pw_len = _CONNECT_REPLY.unpack_from(_read_frame(sock))
        if timeout_ms <= 0:
            raise SessionExpiredError("server refused the new session")
    except BaseException:
        sock.close()
        raise
    return sock


def sync_get_raw(hosts: str, path: str, count: int, expected_value: bytes | None = None,
                 warmup: int = 100) -> float:
    """``count`` GetData requests for ``path``, each sent only once the previous reply is read.

    Returns the seconds the ``count`` round trips took (after ``warmup`` untimed ones). The
    requests are encoded before the clock starts; each reply's xid and error code are
    checked. Raises :class:`ProtocolError` on a wrong reply.
    """
    total = warmup + count
    requests = [encode_get_data(FIRST_XID + index, path) for index in range(total)]
    with _open_session(hosts) as sock:
        recv_into = sock.recv_into
        send = sock.sendall
        buffer = bytearray(1 << 16)
        view = memoryview(buffer)
        unpack_int = _INT.unpack_from
        unpack_reply = _REPLY_HEADER.unpack_from
        start = 0.0
        for index, request in enumerate(requests):
            if index == warmup:
                start = time.perf_counter()
            send(request)
            have = 0
            need = 4
            while have < need:
                got = recv_into(view[have:])
                if not got:
                    raise ConnectionLoss("server closed the connection")
                have += got
                if need == 4 and have >= 4:
                    need = 4 + unpack_int(buffer, 0)[0]
            xid, _zxid, err = unpack_reply(buffer, 4)
            if xid != FIRST_XID + index or err != 0 or have != need:
                raise ProtocolError(f"reply xid {xid} err {err}, expected xid {FIRST_XID + index} err 0")
        elapsed = time.perf_counter() - start
        if expected_value is not None:
            (data_len,) = unpack_int(buffer, 20)
            if bytes(buffer[24:24 + data_len]) != expected_value:
                raise ProtocolError("GetData reply carried the wrong value")
        sock.sendall(_frame(_REQUEST_HEADER.pack(FIRST_XID + total, OP_CLOSE)))
    return elapsed


def pipelined_get_raw(hosts: str, path: str, count: int, expected_value: bytes | None = None) -> float:
    """Send ``count`` pipelined GetData requests for ``path``; return the seconds they took.

    The clock runs from the first request byte written to the last reply parsed. Raises
    :class:`ProtocolError` on an out-of-order xid or an error reply, and
    :class:`ZkTimeoutError` if the server stops answering for ``IO_TIMEOUT_S``.
    """
    host, _, port = hosts.split(",")[0].split("/")[0].rpartition(":")
    requests = b"".join(encode_get_data(FIRST_XID + index, path) for index in range(count))
    with socket.create_connection((host or "127.0.0.1", int(port)), timeout=IO_TIMEOUT_S) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(encode_connect())
        _version, timeout_ms, _session, _pw_len = _CONNECT_REPLY.unpack_from(_read_frame(sock))
        if timeout_ms <= 0:
            raise SessionExpiredError("server refused the new session")
        write_error: list[BaseException] = []

        def writer() -> None:
            try:
                sock.sendall(requests)
            except OSError as exc:
                write_error.append(exc)

        thread = threading.Thread(target=writer, daemon=True)
        start = time.perf_counter()
        thread.start()
        try:
            elapsed = _read_replies(sock, count, expected_value, start)
        except TimeoutError as exc:
            raise ZkTimeoutError("server stopped answering pipelined GetData") from exc
        thread.join(IO_TIMEOUT_S)
        if write_error:
            raise ConnectionLoss(f"writing requests failed: {write_error[0]}")
        sock.sendall(_frame(_REQUEST_HEADER.pack(FIRST_XID + count, OP_CLOSE)))
    return elapsed


def _read_replies(sock: socket.socket, count: int, expected_value: bytes | None, start: float) -> float:
    buffer = bytearray()
    offset = 0
    expected_xid = FIRST_XID
    last_body = b""
    while expected_xid < FIRST_XID + count:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise ConnectionLoss("server closed the connection")
        buffer += chunk
        view = memoryview(buffer)
        while len(buffer) - offset >= 4:
            (length,) = _INT.unpack_from(view, offset)
            if len(buffer) - offset - 4 < length:
                break
            xid, _zxid, err = _REPLY_HEADER.unpack_from(view, offset + 4)
            if xid != expected_xid or err != 0:
                raise ProtocolError(f"reply xid {xid} err {err}, expected xid {expected_xid} err 0")
            expected_xid += 1
            if expected_xid == FIRST_XID + count:
                last_body = bytes(view[offset + 4 + _REPLY_HEADER.size : offset + 4 + length])
            offset += 4 + length
        view.release()
        del buffer[:offset]
        offset = 0
    elapsed = time.perf_counter() - start
    if expected_value is not None:
        (data_len,) = _INT.unpack_from(last_body, 0)
        if last_body[4 : 4 + data_len] != expected_value:
            raise ProtocolError("GetData reply carried the wrong value")
    return elapsed
