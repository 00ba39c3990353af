"""AsyncZkClient over TLS and with a SASL DIGEST-MD5 login, against dedicated real servers."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from zkrecipes import KeeperState, ZkState
from zkrecipes.aio import AsyncZkClient
from zkrecipes.exceptions import AuthFailedError, NoAuthError, ZkTimeoutError
from zkrecipes.security import make_acl
from zkrecipes.testing import TlsOptions, ZooKeeperServer

START = 30.0
PASSWORD = "test-secret"
SASL_ALICE = {"mechanism": "DIGEST-MD5", "username": "alice", "password": "secret"}
JAAS = """Server {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    user_alice="secret";
};
"""
_PROVIDER = "org.apache.zookeeper.server.auth.SASLAuthenticationProvider"


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ZooKeeperServer, Path]]:
    if shutil.which("keytool") is None:
        pytest.skip("keytool (JDK) not installed")
    tmp = tmp_path_factory.mktemp("tls")
    keystore, truststore, cert = tmp / "ks.p12", tmp / "ts.p12", tmp / "zk.pem"
    for args in (
        ["-genkeypair", "-alias", "zk", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
         "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", str(keystore)],
        ["-exportcert", "-rfc", "-alias", "zk", "-keystore", str(keystore), "-file", str(cert)],
        ["-importcert", "-noprompt", "-alias", "zk", "-file", str(cert), "-storetype", "PKCS12",
         "-keystore", str(truststore)],
    ):
        command = ["keytool", *args, "-storepass", PASSWORD]
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    tls = TlsOptions(str(keystore), PASSWORD, str(truststore), PASSWORD, client_auth="none")
    with ZooKeeperServer(tls=tls) as server:
        yield server, cert


@pytest.fixture(scope="module")
def sasl_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZooKeeperServer]:
    jaas = tmp_path_factory.mktemp("sasl") / "jaas.conf"
    jaas.write_text(JAAS)
    server = ZooKeeperServer(extra_config=[f"authProvider.1={_PROVIDER}"],
                             extra_jvm_flags=[f"-Djava.security.auth.login.config={jaas}"])
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_tls_session_crud_and_a_four_letter_word(tls_server: tuple[ZooKeeperServer, Path]) -> None:
    server, cert = tls_server
    assert server.tls_port is not None
    async with AsyncZkClient(f"127.0.0.1:{server.tls_port}", use_ssl=True, ca=str(cert),
                             verify_certs=True, check_hostname=True) as zk:
        assert zk.connected
        await zk.ensure_path("/tls")
        await zk.set("/tls", b"secret")
        assert (await zk.get("/tls"))[0] == b"secret"
        assert await zk.command(b"ruok") == "imok"


async def test_tls_with_an_untrusted_certificate_never_connects(
        tls_server: tuple[ZooKeeperServer, Path]) -> None:
    server, _ = tls_server
    zk = AsyncZkClient(f"127.0.0.1:{server.tls_port}", use_ssl=True, verify_certs=True)
    with pytest.raises(ZkTimeoutError):
        await zk.start(timeout=2.0)
    assert zk.state is ZkState.LOST


async def test_sasl_login_and_acl(sasl_server: ZooKeeperServer) -> None:
    async with AsyncZkClient(sasl_server.hosts, sasl_options=SASL_ALICE) as alice, \
            AsyncZkClient(sasl_server.hosts) as anonymous:
        assert ("sasl", "alice") in {(i.auth_scheme, i.user) for i in await alice.whoami()}
        path = await alice.create("/sasl-aio-", b"mine", acl=[make_acl("sasl", "alice", all=True)],
                                  sequence=True)
        assert (await alice.get(path))[0] == b"mine"
        with pytest.raises(NoAuthError):
            await anonymous.get(path)
        await alice.delete(path)


async def test_refused_sasl_login_fails_start_at_once(sasl_server: ZooKeeperServer) -> None:
    zk = AsyncZkClient(sasl_server.hosts,
                       sasl_options={"mechanism": "DIGEST-MD5", "username": "alice", "password": "wrong"})
    with pytest.raises(AuthFailedError):
        await zk.start(timeout=120)  # the refusal ends the wait, not this timeout
    assert zk.client_state is KeeperState.AUTH_FAILED
    with pytest.raises(AuthFailedError):
        await zk.get("/")
