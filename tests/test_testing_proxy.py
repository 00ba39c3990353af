"""FaultProxy behaviour against a local echo server (no ZooKeeper needed)."""

from __future__ import annotations

import hashlib
import select
import socket
from collections.abc import Iterator

import pytest

from zkrecipes.exceptions import HarnessError, InvalidArgumentError
from zkrecipes.testing.echo import EchoServer
from zkrecipes.testing.proxy import FaultProxy, ProxyMode

TIMEOUT = 10.0


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    with EchoServer() as server:
        yield server


@pytest.fixture
def proxy(echo: EchoServer) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", echo.port) as fault_proxy:
        yield fault_proxy


def _connect(proxy: FaultProxy) -> socket.socket:
    return socket.create_connection(("127.0.0.1", proxy.listen_port), timeout=TIMEOUT)


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(min(65536, size - len(data)))
        if not chunk:
            raise AssertionError(f"EOF after {len(data)} of {size} bytes")
        data += chunk
    return bytes(data)


def test_bad_mode_and_unknown_connection_are_refused(proxy: FaultProxy) -> None:
    with pytest.raises(InvalidArgumentError):
        proxy.set_mode("sideways")
    with pytest.raises(InvalidArgumentError, match="no open proxy connection"):
        proxy.stall(connection=12345)
    assert proxy.mode is ProxyMode.PASS


def test_half_close_is_forwarded(proxy: FaultProxy) -> None:
    with _connect(proxy) as sock:
        sock.sendall(b"ping")
        sock.shutdown(socket.SHUT_WR)
        assert _read_exactly(sock, 4) == b"ping"
        assert sock.recv(1) == b""  # the echo server's half-close came through
    assert proxy.wait_for_no_connections(TIMEOUT)


def test_one_connection_can_be_stalled_while_another_passes(proxy: FaultProxy) -> None:
    with _connect(proxy) as first, _connect(proxy) as second:
        assert proxy.wait_for_connections(2, TIMEOUT)
        first_id, _ = proxy.connection_ids()
        proxy.stall(connection=first_id)
        first.sendall(b"held")
        second.sendall(b"free")
        assert _read_exactly(second, 4) == b"free"
        first.settimeout(0.3)
        with pytest.raises(TimeoutError):
            first.recv(4)
        proxy.resume(connection=first_id)
        first.settimeout(TIMEOUT)
        assert _read_exactly(first, 4) == b"held"


def test_set_target_moves_new_connections_only(proxy: FaultProxy, echo: EchoServer) -> None:
    with EchoServer() as other, _connect(proxy) as old:
        old.sendall(b"a")
        assert _read_exactly(old, 1) == b"a"
        proxy.set_target("127.0.0.1", other.port)
        assert proxy.target == ("127.0.0.1", other.port)
        with _connect(proxy) as new:
            new.sendall(b"b")
            assert _read_exactly(new, 1) == b"b"
        old.sendall(b"c")
        assert _read_exactly(old, 1) == b"c"
        assert echo.accepted == 1
        assert other.accepted == 1


def test_stall_buffers_are_bounded_and_release_everything(echo: EchoServer) -> None:
    with FaultProxy("127.0.0.1", echo.port, buffer_size=4096) as proxy, _connect(proxy) as sock:
        assert proxy.wait_for_connections(1, TIMEOUT)
        proxy.stall()
        sock.setblocking(False)
        digest = hashlib.sha256()
        sent = 0
        chunk = bytes(range(256)) * 256
        while True:  # send until back-pressure holds for a while: the proxy does not buffer without bound
            try:
                count = sock.send(chunk)
            except BlockingIOError:
                if not select.select([], [sock], [], 0.5)[1]:
                    break
                continue
            digest.update(chunk[:count])
            sent += count
            assert sent < 256 * 1024 * 1024, "the stalled proxy kept accepting data"
        proxy.resume()
        sock.setblocking(True)
        sock.settimeout(TIMEOUT)
        assert hashlib.sha256(_read_exactly(sock, sent)).hexdigest() == digest.hexdigest()


def test_unreachable_target_closes_the_client(echo: EchoServer) -> None:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        dead_port = placeholder.getsockname()[1]  # bound, not listening: connections are refused
        with FaultProxy("127.0.0.1", dead_port) as proxy, _connect(proxy) as sock:
            assert sock.recv(1) == b""
            assert proxy.accepted == 1


def test_closed_proxy_refuses_commands(echo: EchoServer) -> None:
    proxy = FaultProxy("127.0.0.1", echo.port)
    port = proxy.listen_port
    proxy.close()
    proxy.close()  # twice is fine
    with pytest.raises(HarnessError):
        proxy.stall()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT).close()


def test_in_front_of_uses_the_first_host(echo: EchoServer) -> None:
    with FaultProxy.in_front_of(f"127.0.0.1:{echo.port},127.0.0.1:1/chroot") as proxy:
        assert proxy.target == ("127.0.0.1", echo.port)
        assert proxy.hosts == f"127.0.0.1:{proxy.listen_port}"


def test_close_connections_cuts_once_and_keeps_passing(proxy: FaultProxy) -> None:
    with _connect(proxy) as old:
        assert proxy.wait_for_connections(1, TIMEOUT)
        proxy.close_connections()
        try:
            assert old.recv(1) == b""
        except ConnectionResetError:
            pass
    assert proxy.mode is ProxyMode.PASS
    with _connect(proxy) as new:
        new.sendall(b"ok")
        assert _read_exactly(new, 2) == b"ok"


def test_drop_one_connection_leaves_the_others(proxy: FaultProxy) -> None:
    with _connect(proxy) as first, _connect(proxy) as second:
        assert proxy.wait_for_connections(2, TIMEOUT)
        first_id, second_id = proxy.connection_ids()
        proxy.drop(connection=first_id)
        try:
            assert first.recv(1) == b""
        except ConnectionResetError:
            pass
        assert proxy.connection_ids() == [second_id]
        second.sendall(b"alive")
        assert _read_exactly(second, 5) == b"alive"
