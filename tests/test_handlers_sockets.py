"""create_connection (plain and TLS), select and socketpair on both handlers.

The TLS server runs on a real OS thread with a self-signed certificate made by
the ``cryptography`` package if installed, else by the ``openssl`` command.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zkrecipes.client.handlers import SequentialGeventHandler, SequentialThreadingHandler
from zkrecipes.exceptions import ConfigurationError, InvalidArgumentError, InvalidTypeError

WAIT = 10.0
KEY_PASSWORD = "s3cret"


@pytest.fixture(params=["threading", "gevent"])
def handler(request: pytest.FixtureRequest) -> Iterator[Any]:
    h: Any = SequentialThreadingHandler() if request.param == "threading" else SequentialGeventHandler()
    h.start()
    yield h
    h.stop(timeout=WAIT)


# ------------------------------------------------------------------ plain TCP


class EchoServer:
    """Accepts connections on a real OS thread and echoes one message each.

    With ``context`` it speaks TLS and records the SNI names it received.
    """

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self.context = context
        self.sni: list[str | None] = []
        self.errors: list[BaseException] = []
        if context is not None:
            context.sni_callback = self._on_sni
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(WAIT)
        self.address: tuple[str, int] = self.listener.getsockname()[:2]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _on_sni(self, _sock: Any, name: str | None, _ctx: Any) -> None:
        self.sni.append(name)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            try:
                conn.settimeout(WAIT)
                if self.context is not None:
                    conn = self.context.wrap_socket(conn, server_side=True)
                data = conn.recv(64)
                conn.sendall(data)
            except (OSError, ssl.SSLError) as exc:
                self.errors.append(exc)
            finally:
                conn.close()

    def close(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux
        except OSError:
            pass
        self.listener.close()
        self.thread.join(WAIT)
        assert not self.thread.is_alive()


@pytest.fixture
def echo_server() -> Iterator[EchoServer]:
    server = EchoServer()
    yield server
    server.close()


def _roundtrip(sock: Any) -> bytes:
    sock.sendall(b"hello")
    chunks = b""
    while len(chunks) < 5:
        data = sock.recv(64)
        if not data:
            break
        chunks += data
    return chunks


def test_plain_connection_sets_nodelay_and_works(handler: Any, echo_server: EchoServer) -> None:
    sock = handler.create_connection(echo_server.address, WAIT)
    try:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        assert not sock.get_inheritable()
        assert sock.gettimeout() == WAIT
        assert _roundtrip(sock) == b"hello"
    finally:
        sock.close()


def test_refused_connection_raises_oserror(handler: Any) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    with pytest.raises(ConnectionRefusedError):
        handler.create_connection(("127.0.0.1", port), WAIT)


@pytest.mark.parametrize(
    ("address", "timeout", "error"),
    [
        ("127.0.0.1:2181", 1.0, InvalidTypeError),
        (("127.0.0.1",), 1.0, InvalidTypeError),
        ((b"127.0.0.1", 2181), 1.0, InvalidTypeError),
        (("127.0.0.1", "2181"), 1.0, InvalidTypeError),
        (("127.0.0.1", True), 1.0, InvalidTypeError),
        (("127.0.0.1", 0), 1.0, InvalidArgumentError),
        (("127.0.0.1", 70000), 1.0, InvalidArgumentError),
        (("", 2181), 1.0, InvalidArgumentError),
        (("127.0.0.1", 2181), 0, InvalidArgumentError),
        (("127.0.0.1", 2181), -1, InvalidArgumentError),
        (("127.0.0.1", 2181), "1", InvalidTypeError),
    ],
)
def test_create_connection_rejects_bad_arguments(
    handler: Any, address: Any, timeout: Any, error: type[Exception]
) -> None:
    with pytest.raises(error):
        handler.create_connection(address, timeout)


def test_inconsistent_tls_options_are_configuration_errors(handler: Any, echo_server: EchoServer) -> None:
    with pytest.raises(ConfigurationError):
        handler.create_connection(
            echo_server.address, WAIT, use_ssl=True, verify_certs=False, check_hostname=True
        )
    with pytest.raises(ConfigurationError):
        handler.create_connection(echo_server.address, WAIT, use_ssl=True, keyfile="/nonexistent.key")


# ------------------------------------------------------------------------- TLS


def _make_cert(directory: Path, name: str, *, password: str | None = None) -> tuple[Path, Path]:
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    try:
        return _make_cert_cryptography(cert, key, password)
    except ImportError:
        pass
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("neither the cryptography package nor the openssl command is available")
    cmd = [
        openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ]
    cmd += ["-passout", f"pass:{password}"] if password else ["-nodes"]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    return cert, key


def _make_cert_cryptography(cert: Path, key: Path, password: str | None) -> tuple[Path, Path]:
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256())
    )
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    key.write_bytes(
        private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return cert, key


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("tls")
    server_cert, server_key = _make_cert(directory, "server")
    client_cert, client_key = _make_cert(directory, "client", password=KEY_PASSWORD)
    return {"server_cert": server_cert, "server_key": server_key,
            "client_cert": client_cert, "client_key": client_key}


def _tls_server(certs: dict[str, Path], *, require_client_cert: bool = False) -> EchoServer:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certs["server_cert"], certs["server_key"])
    if require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(certs["client_cert"])
    return EchoServer(context)


def test_tls_verified_with_hostname_check_and_sni(handler: Any, certs: dict[str, Path]) -> None:
    server = _tls_server(certs)
    try:
        sock = handler.create_connection(
            server.address, WAIT, use_ssl=True, ca=str(certs["server_cert"]),
            check_hostname=True, server_hostname="localhost",
        )
        try:
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
            assert sock.version() in ("TLSv1.2", "TLSv1.3")
            assert _roundtrip(sock) == b"hello"
        finally:
            sock.close()
        assert server.sni == ["localhost"]
    finally:
        server.close()


def test_tls_rejects_untrusted_certificate(handler: Any, certs: dict[str, Path]) -> None:
    server = _tls_server(certs)
    try:
        with pytest.raises(ssl.SSLCertVerificationError):
            handler.create_connection(server.address, WAIT, use_ssl=True)  # system CAs only
    finally:
        server.close()


def test_tls_rejects_wrong_hostname(handler: Any, certs: dict[str, Path]) -> None:
    server = _tls_server(certs)
    try:
        with pytest.raises(ssl.SSLCertVerificationError):
            handler.create_connection(
                server.address, WAIT, use_ssl=True, ca=str(certs["server_cert"]),
                check_hostname=True, server_hostname="not-localhost.example",
            )
    finally:
        server.close()


def test_tls_without_verification(handler: Any, certs: dict[str, Path]) -> None:
    server = _tls_server(certs)
    try:
        sock = handler.create_connection(server.address, WAIT, use_ssl=True, verify_certs=False)
        try:
            assert _roundtrip(sock) == b"hello"
        finally:
            sock.close()
    finally:
        server.close()


def test_tls_client_certificate_with_encrypted_key(handler: Any, certs: dict[str, Path]) -> None:
    server = _tls_server(certs, require_client_cert=True)
    try:
        sock = handler.create_connection(
            server.address, WAIT, use_ssl=True, ca=str(certs["server_cert"]),
            certfile=str(certs["client_cert"]), keyfile=str(certs["client_key"]),
            keyfile_password=KEY_PASSWORD,
        )
        try:
            assert _roundtrip(sock) == b"hello"
        finally:
            sock.close()
        with pytest.raises(ssl.SSLError):
            handler.create_connection(
                server.address, WAIT, use_ssl=True, ca=str(certs["server_cert"]),
                certfile=str(certs["client_cert"]), keyfile=str(certs["client_key"]),
                keyfile_password="wrong",
            )
    finally:
        server.close()


# --------------------------------------------------------- select, socketpair


def test_socketpair_and_select(handler: Any) -> None:
    a, b = handler.socketpair()
    try:
        assert handler.select([a], [], [], 0) == ([], [], [])
        b.sendall(b"x")
        readable, writable, exceptional = handler.select([a], [a, b], [a], WAIT)
        assert readable == [a]
        assert {id(s) for s in writable} == {id(a), id(b)}
        assert exceptional == []
        assert a.recv(1) == b"x"
        assert handler.select([a.fileno()], [], [], 0) == ([], [], [])
    finally:
        a.close()
        b.close()


def test_select_rejects_bad_input(handler: Any) -> None:
    a, b = handler.socketpair()
    b.close()
    with pytest.raises(InvalidArgumentError):
        handler.select([a], [], [], -1)
    with pytest.raises(InvalidTypeError):
        handler.select([a], [], [], "soon")
    with pytest.raises(InvalidTypeError):
        handler.select(["not a socket"], [], [], 0)
    a.close()
    with pytest.raises(InvalidArgumentError):
        handler.select([a], [], [], 0)  # closed: fileno() is -1
