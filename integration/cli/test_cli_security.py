"""The ``zkrecipes`` command over TLS, with digest auth and with a SASL login, against real servers.

One dedicated server (module scope) has a TLS port with a self-signed certificate
made with keytool (as ``python -m zkrecipes.testing serve --tls`` does) and SASL
logins (a JAAS ``Server`` section with ZooKeeper's DigestLoginModule, as in
integration/client/test_sasl.py); digest auth runs on the session's server.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli_helpers import run_cli

from zkrecipes import ZkClient
from zkrecipes.security import make_acl, make_digest_acl
from zkrecipes.testing import ZooKeeperServer
from zkrecipes.testing.serve import self_signed_tls

START = 30.0
JAAS = """Server {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    user_alice="secret";
};
"""
_PROVIDER = "org.apache.zookeeper.server.auth.SASLAuthenticationProvider"


@dataclasses.dataclass(frozen=True)
class Secure:
    """The dedicated server, the CA file that signs it, and alice's client certificate and key."""

    server: ZooKeeperServer
    ca: Path
    client_cert: Path | None  # None without openssl
    client_key: Path | None


def _openssl_cert(directory: Path, name: str, cn: str) -> tuple[Path, Path] | None:
    """A self-signed EC certificate and key (PEM) for ``CN=cn``; None without openssl."""
    if shutil.which("openssl") is None:
        return None
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-subj", f"/CN={cn}", "-days", "1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture(scope="module")
def secure_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secure]:
    """One server with a TLS port (client certificates wanted, alice's trusted) and SASL logins
    (one JVM: this file's share of CI time)."""
    if shutil.which("keytool") is None:
        pytest.skip("keytool (JDK) not installed")
    tmp = tmp_path_factory.mktemp("cli-secure")
    tls, cert = self_signed_tls(tmp)
    alice = _openssl_cert(tmp, "alice", "alice")
    if alice is not None:
        assert tls.truststore is not None and tls.truststore_password is not None
        subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", "alice", "-file", str(alice[0]),
                        "-storetype", "PKCS12", "-keystore", tls.truststore,
                        "-storepass", tls.truststore_password], check=True, capture_output=True, timeout=60)
    jaas = tmp / "jaas.conf"
    jaas.write_text(JAAS)
    with ZooKeeperServer(tls=dataclasses.replace(tls, client_auth="want"),
                         extra_config=[f"authProvider.1={_PROVIDER}"],
                         extra_jvm_flags=[f"-Djava.security.auth.login.config={jaas}"]) as server:
        yield Secure(server, cert, *(alice or (None, None)))


def _admin(hosts: str, **kwargs: object) -> ZkClient:
    client = ZkClient(hosts, **kwargs)  # type: ignore[arg-type]
    client.start(timeout=START)
    return client


def test_get_over_tls_with_the_ca(secure_server: Secure) -> None:
    server, cert = secure_server.server, secure_server.ca
    path = f"/cli-tls-{uuid.uuid4().hex}"
    admin = _admin(server.hosts)  # the plain port of the same server
    try:
        admin.create(path, b"over tls")
        done = run_cli(f"127.0.0.1:{server.tls_port}", "--ca", str(cert), "get", path)
        assert (done.returncode, done.stdout) == (0, b"over tls\n"), done.stderr
        done = run_cli(f"127.0.0.1:{server.tls_port}", "--ca", str(cert), "--json", "stat", path)
        assert done.returncode == 0, done.stderr
    finally:
        admin.delete(path)
        admin.stop()
        admin.close()


def test_tls_with_a_ca_that_does_not_sign_the_server_gets_no_session(
        secure_server: Secure, tmp_path: Path) -> None:
    server = secure_server.server
    other = _openssl_cert(tmp_path, "other", "localhost")
    if other is None:
        pytest.skip("openssl not installed (it makes the other CA quickly)")
    other_ca = other[0]
    started = time.monotonic()
    done = run_cli(f"127.0.0.1:{server.tls_port}", "--ca", str(other_ca), "--timeout", "1", "get", "/")
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert b"cannot connect to ZooKeeper" in done.stderr
    assert time.monotonic() - started < 25  # bounded by --timeout, not hanging


def test_client_certificate_gives_the_x509_identity(secure_server: Secure) -> None:
    if secure_server.client_cert is None or secure_server.client_key is None:
        pytest.skip("openssl not installed (it makes the client certificate)")
    server, ca = secure_server.server, secure_server.ca
    tls_hosts = f"127.0.0.1:{server.tls_port}"
    mine = ["--cert", str(secure_server.client_cert), "--key", str(secure_server.client_key)]
    path = f"/cli-x509-{uuid.uuid4().hex}"
    done = run_cli(tls_hosts, "--ca", str(ca), *mine, "create", path, "alice's")
    assert done.returncode == 0, done.stderr
    done = run_cli(tls_hosts, "--ca", str(ca), *mine, "acl", "set", path, "x509:CN=alice:cdrwa")
    assert done.returncode == 0, done.stderr
    done = run_cli(tls_hosts, "--ca", str(ca), *mine, "get", path)
    assert (done.returncode, done.stdout) == (0, b"alice's\n"), done.stderr
    without = run_cli(tls_hosts, "--ca", str(ca), "get", path)  # TLS, but no certificate: no identity
    assert without.returncode == 1 and f"NoAuth for {path}".encode() in without.stderr
    done = run_cli(tls_hosts, "--ca", str(ca), *mine, "delete", path)
    assert done.returncode == 0, done.stderr


def test_digest_auth_reaches_a_node_with_a_digest_acl(cli_hosts: str, zk_client: ZkClient) -> None:
    zk_client.create("/secret", b"for alice", acl=[make_digest_acl("alice", "secret", all=True)])
    done = run_cli(cli_hosts, "--digest", "alice:secret", "get", "/secret")
    assert (done.returncode, done.stdout) == (0, b"for alice\n"), done.stderr
    refused = run_cli(cli_hosts, "get", "/secret")
    assert refused.returncode == 1
    assert b"NoAuth for /secret" in refused.stderr
    wrong = run_cli(cli_hosts, "--digest", "alice:wrong", "get", "/secret")
    assert wrong.returncode == 1 and b"NoAuth for /secret" in wrong.stderr
    done = run_cli(cli_hosts, "--digest", "alice:secret", "delete", "/secret")
    assert done.returncode == 0, done.stderr


def test_sasl_login_reaches_a_node_with_a_sasl_acl(secure_server: Secure) -> None:
    sasl_server = secure_server.server
    path = f"/cli-sasl-{uuid.uuid4().hex}"
    alice = _admin(sasl_server.hosts,
                   sasl_options={"mechanism": "DIGEST-MD5", "username": "alice", "password": "secret"})
    try:
        alice.create(path, b"for sasl alice", acl=[make_acl("sasl", "alice", all=True)])
        done = run_cli(sasl_server.hosts, "--sasl", "alice:secret", "get", path)
        assert (done.returncode, done.stdout) == (0, b"for sasl alice\n"), done.stderr
        anonymous = run_cli(sasl_server.hosts, "get", path)
        assert anonymous.returncode == 1 and f"NoAuth for {path}".encode() in anonymous.stderr
        refused = run_cli(sasl_server.hosts, "--sasl", "alice:wrong", "get", path)
        assert refused.returncode == 3, (refused.stdout, refused.stderr)
        assert b"authentication failed" in refused.stderr
    finally:
        alice.delete(path)
        alice.stop()
        alice.close()
