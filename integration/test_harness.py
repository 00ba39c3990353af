"""The real-ZooKeeper test harness against real servers: standalone, ensemble, fault proxy."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kazoo.client import KazooClient

from zkrecipes.exceptions import ServerStartError
from zkrecipes.testing import FaultProxy, TlsOptions, ZooKeeperEnsemble, ZooKeeperServer, parse_mode
from zkrecipes.testing.echo import EchoServer
from zkrecipes.testing.selection import ZooKeeperTarget

TIMEOUT = 30.0
MIB = 1024 * 1024


def _four_letter_via(port: int, cmd: bytes, timeout: float = TIMEOUT) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(cmd)
        return _read_to_eof(sock)


def _read_to_eof(sock: socket.socket) -> bytes:
    data = bytearray()
    while chunk := sock.recv(65536):
        data += chunk
    return bytes(data)


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(min(65536, size - len(data)))
        if not chunk:
            raise AssertionError(f"EOF after {len(data)} of {size} bytes")
        data += chunk
    return bytes(data)


def _kazoo(hosts: str) -> KazooClient:
    client = KazooClient(hosts=hosts, timeout=10.0)
    client.start(timeout=TIMEOUT)
    return client


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    with EchoServer() as server:
        yield server


@pytest.fixture
def echo_proxy(echo: EchoServer) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", echo.port) as proxy:
        yield proxy


# ------------------------------------------------------------------ standalone server


def test_server_answers_four_letter_words(zk_server: ZooKeeperTarget) -> None:
    assert zk_server.four_letter("ruok") == "imok"
    srvr = zk_server.four_letter("srvr")
    assert parse_mode(srvr) in ("standalone", "leader", "follower")
    assert "Zookeeper version:" in srvr
    assert "Mode:" in zk_server.four_letter("stat")
    conf = zk_server.four_letter("conf")
    assert "clientPort=" in conf


def test_hosts_accept_a_real_client(zk_hosts: str, zk_chroot: str) -> None:
    client = _kazoo(zk_hosts)
    try:
        client.create(f"{zk_chroot}/node", b"value", makepath=True)
        assert client.get(f"{zk_chroot}/node")[0] == b"value"
    finally:
        client.delete(zk_chroot, recursive=True)
        client.stop()
        client.close()


def test_netty_server_restart_keeps_port_and_data(tmp_path: Path) -> None:
    with ZooKeeperServer(netty=True) as server:
        port, work_dir = server.port, server.work_dir
        assert "Using org.apache.zookeeper.server.NettyServerCnxnFactory" in server.log_tail(5000)
        client = _kazoo(server.hosts)
        try:
            client.create("/survives", b"restart")
        finally:
            client.stop()
            client.close()
        server.restart(TIMEOUT)
        assert (server.port, server.work_dir) == (port, work_dir)
        assert server.mode() == "standalone"
        client = _kazoo(server.hosts)
        try:
            assert client.get("/survives")[0] == b"restart"
        finally:
            client.stop()
            client.close()
        server.kill()
        assert not server.running
    assert work_dir is not None and not work_dir.exists()


def test_bad_config_line_gives_server_start_error_with_log() -> None:
    server = ZooKeeperServer(extra_config=["server.1=not-a-server-line"])
    with pytest.raises(ServerStartError) as info:
        server.start(TIMEOUT)
    message = str(info.value)
    assert "exited with code" in message
    assert "Invalid config" in message or "ConfigException" in message
    assert not server.running


@pytest.mark.skipif(shutil.which("keytool") is None, reason="keytool (JDK) not installed")
def test_tls_port_serves_tls(tmp_path: Path) -> None:
    import ssl

    keystore, truststore, cert = tmp_path / "ks.p12", tmp_path / "ts.p12", tmp_path / "zk.pem"
    password = "test-secret"
    for args in (
        ["-genkeypair", "-alias", "zk", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
         "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", str(keystore)],
        ["-exportcert", "-rfc", "-alias", "zk", "-keystore", str(keystore), "-file", str(cert)],
        ["-importcert", "-noprompt", "-alias", "zk", "-file", str(cert), "-storetype", "PKCS12",
         "-keystore", str(truststore)],
    ):
        command = ["keytool", *args, "-storepass", password]
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    tls = TlsOptions(str(keystore), password, str(truststore), password, client_auth="none")
    with ZooKeeperServer(tls=tls) as server:
        assert server.tls_port is not None and server.tls_hosts == f"127.0.0.1:{server.tls_port}"
        context = ssl.create_default_context(cafile=str(cert))
        with socket.create_connection(("127.0.0.1", server.tls_port), timeout=TIMEOUT) as raw, \
                context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
            sock.sendall(b"ruok")
            assert _read_to_eof(sock) == b"imok"


# ------------------------------------------------------------------ ensemble


def test_ensemble_elects_one_leader(zk_ensemble: ZooKeeperEnsemble) -> None:
    leader = zk_ensemble.wait_for_leader(TIMEOUT)
    followers = zk_ensemble.followers()
    assert sorted([leader, *followers]) == [0, 1, 2]
    assert zk_ensemble.hosts.count(",") == 2
    assert zk_ensemble.hosts_of([2, 0]) == f"{zk_ensemble.member(2).hosts},{zk_ensemble.member(0).hosts}"
    for index in range(3):
        assert zk_ensemble.four_letter(index, "ruok") == "imok"


def test_killing_the_leader_elects_another_and_restart_rejoins(zk_ensemble: ZooKeeperEnsemble) -> None:
    old = zk_ensemble.wait_for_leader(TIMEOUT)
    zk_ensemble.kill_member(old)
    assert zk_ensemble.mode(old) is None
    new = zk_ensemble.wait_for_leader(TIMEOUT, exclude=[old])
    assert new != old
    others = [i for i in range(3) if i != old]
    zk_ensemble.wait_serving(others, TIMEOUT)
    for index in others:
        assert zk_ensemble.mode(index) in ("leader", "follower")
    client = _kazoo(zk_ensemble.hosts_of(others))
    path = f"/t-{uuid.uuid4().hex}"
    try:
        client.create(path, b"written without the old leader")  # the quorum still commits
    finally:
        client.stop()
        client.close()
    zk_ensemble.restart_member(old, TIMEOUT)
    assert zk_ensemble.mode(old) in ("leader", "follower")
    client = _kazoo(zk_ensemble.hosts_of([old]))
    try:
        client.sync(path)
        assert client.get(path)[0] == b"written without the old leader"
        client.delete(path)
    finally:
        client.stop()
        client.close()


@pytest.mark.ensemble
def test_reconfig_ensemble_has_dynamic_membership() -> None:
    with ZooKeeperEnsemble(3, reconfig_enabled=True, super_password="harness") as ensemble:
        conf = ensemble.four_letter(0, "conf")
        for index in range(3):
            assert f"participant;127.0.0.1:{ensemble.member(index).port}" in conf
        assert ensemble.super_auth == ("digest", "super:harness")
        assert ensemble.leader() is not None


# ------------------------------------------------------------------ fault proxy


def _round_trip(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sender = threading.Thread(target=sock.sendall, args=(payload,))
        sender.start()
        received = _read_exactly(sock, len(payload))
        sender.join(TIMEOUT)
        return received


def test_proxy_carries_one_mib_both_ways_intact(echo_proxy: FaultProxy) -> None:
    payload = os.urandom(MIB)
    received = _round_trip(echo_proxy.listen_port, payload)
    assert hashlib.sha256(received).hexdigest() == hashlib.sha256(payload).hexdigest()


def test_stall_holds_bytes_until_resume(echo_proxy: FaultProxy) -> None:
    with socket.create_connection(("127.0.0.1", echo_proxy.listen_port), timeout=TIMEOUT) as sock:
        assert echo_proxy.wait_for_connections(1, TIMEOUT)
        echo_proxy.stall()
        sock.sendall(b"held bytes")
        sock.settimeout(0.5)
        with pytest.raises(TimeoutError):
            sock.recv(64)
        assert echo_proxy.connections == 1  # still open
        echo_proxy.resume()
        sock.settimeout(TIMEOUT)
        assert _read_exactly(sock, 10) == b"held bytes"


def test_drop_closes_both_sides(echo_proxy: FaultProxy, echo: EchoServer) -> None:
    with socket.create_connection(("127.0.0.1", echo_proxy.listen_port), timeout=TIMEOUT) as sock:
        assert echo_proxy.wait_for_connections(1, TIMEOUT) and echo.wait_accepted(1, TIMEOUT)
        echo_proxy.drop()
        try:
            assert sock.recv(64) == b""
        except ConnectionResetError:
            pass
        assert echo_proxy.connections == 0
    with socket.create_connection(("127.0.0.1", echo_proxy.listen_port), timeout=TIMEOUT) as again:
        assert again.recv(64) == b""  # still dropping: closed at once
    echo_proxy.resume()
    assert _round_trip(echo_proxy.listen_port, b"back") == b"back"


def test_blackhole_never_answers(echo_proxy: FaultProxy, echo: EchoServer) -> None:
    echo_proxy.blackhole()
    with socket.create_connection(("127.0.0.1", echo_proxy.listen_port), timeout=TIMEOUT) as sock:
        assert echo_proxy.wait_for_accepted(1, TIMEOUT)
        sock.sendall(b"anyone?")
        sock.settimeout(0.5)
        with pytest.raises(TimeoutError):
            sock.recv(64)
        assert echo_proxy.connections == 1
    assert echo.accepted == 0  # nothing was forwarded


def test_proxy_in_front_of_real_zookeeper(fault_proxy: FaultProxy, zk_server: ZooKeeperTarget) -> None:
    answer = _four_letter_via(fault_proxy.listen_port, b"srvr").decode()
    assert parse_mode(answer) is not None
    assert _four_letter_via(fault_proxy.listen_port, b"ruok") == b"imok"


def test_stall_and_blackhole_with_real_zookeeper(fault_proxy: FaultProxy) -> None:
    with socket.create_connection(("127.0.0.1", fault_proxy.listen_port), timeout=TIMEOUT) as sock:
        assert fault_proxy.wait_for_connections(1, TIMEOUT)
        fault_proxy.stall()
        sock.sendall(b"ruok")
        sock.settimeout(0.5)
        with pytest.raises(TimeoutError):
            sock.recv(64)
        fault_proxy.resume()
        sock.settimeout(TIMEOUT)
        assert _read_to_eof(sock) == b"imok"
    fault_proxy.blackhole()
    with socket.create_connection(("127.0.0.1", fault_proxy.listen_port), timeout=TIMEOUT) as sock:
        sock.sendall(b"ruok")
        sock.settimeout(0.5)
        with pytest.raises(TimeoutError):
            sock.recv(64)


def test_one_mib_node_through_proxy_with_a_real_client(fault_proxy: FaultProxy, zk_chroot: str) -> None:
    payload = os.urandom(MIB - 4096)  # under jute.maxbuffer with the request's framing
    client = _kazoo(fault_proxy.hosts)
    try:
        client.create(f"{zk_chroot}/big", payload, makepath=True)
        data, stat = client.get(f"{zk_chroot}/big")
        assert stat.dataLength == len(payload)
        assert hashlib.sha256(data).hexdigest() == hashlib.sha256(payload).hexdigest()
        client.delete(zk_chroot, recursive=True)
    finally:
        client.stop()
        client.close()
