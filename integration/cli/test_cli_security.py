"""The ``zkrecipes`` command over TLS, with digest auth and with a SASL login, against real servers.

One dedicated server (module scope) has a TLS port with a self-signed certificate
made with keytool (as ``python -m zkrecipes.testing serve --tls`` does) and SASL
logins (a JAAS ``Server`` section with ZooKeeper's DigestLoginModule, as in
integration/client/test_sasl.py); digest auth runs on the session's server.
"""

from __future__ import annotations

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


@pytest.fixture(scope="module")
def secure_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ZooKeeperServer, Path]]:
    """One server with a TLS port and SASL logins (one JVM: this file's share of CI time)."""
    if shutil.which("keytool") is None:
        pytest.skip("keytool (JDK) not installed")
    tmp = tmp_path_factory.mktemp("cli-secure")
    tls, cert = self_signed_tls(tmp)
    jaas = tmp / "jaas.conf"
    jaas.write_text(JAAS)
    with ZooKeeperServer(tls=tls, extra_config=[f"authProvider.1={_PROVIDER}"],
                         extra_jvm_flags=[f"-Djava.security.auth.login.config={jaas}"]) as server:
        yield server, cert


def _admin(hosts: str, **kwargs: object) -> ZkClient:
    client = ZkClient(hosts, **kwargs)  # type: ignore[arg-type]
    client.start(timeout=START)
    return client


def test_get_over_tls_with_the_ca(secure_server: tuple[ZooKeeperServer, Path]) -> None:
    server, cert = secure_server
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
        secure_server: tuple[ZooKeeperServer, Path], tmp_path: Path) -> None:
    server, _ = secure_server
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed (it makes the other CA quickly)")
    other_ca = tmp_path / "other-ca.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-subj", "/CN=localhost", "-days", "1", "-keyout", str(tmp_path / "other.key"),
                    "-out", str(other_ca)], check=True, capture_output=True, timeout=60)
    started = time.monotonic()
    done = run_cli(f"127.0.0.1:{server.tls_port}", "--ca", str(other_ca), "--timeout", "1", "get", "/")
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert b"cannot connect to ZooKeeper" in done.stderr
    assert time.monotonic() - started < 25  # bounded by --timeout, not hanging


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


def test_sasl_login_reaches_a_node_with_a_sasl_acl(secure_server: tuple[ZooKeeperServer, Path]) -> None:
    sasl_server, _ = secure_server
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
