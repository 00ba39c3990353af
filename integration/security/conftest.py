"""One secured ZooKeeper for the security tests (package scope), and a client factory.

The server has a plain client port and a Netty TLS port that needs a client
certificate signed by the test CA (``ssl.clientAuth=need``); it runs the SASL
authentication provider with a JAAS ``Server`` section (DIGEST-MD5 users alice
and bob). Certificates come from :func:`zkrecipes.testing.tls.make_certificates`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from _security import JAAS, SASL_PROVIDER, START, ClientMaker, Secured

from zkrecipes import ZkClient
from zkrecipes.testing import TlsOptions, ZooKeeperServer
from zkrecipes.testing.client_fixtures import make_handler
from zkrecipes.testing.tls import make_certificates, openssl_available


@pytest.fixture(scope="package")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secured]:
    if not openssl_available():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("the openssl command is not installed (scripts/bootstrap.sh installs it)")
        pytest.skip("the openssl command is not installed")
    base = tmp_path_factory.mktemp("security")
    certs = make_certificates(base / "certs")
    jaas = base / "jaas.conf"
    jaas.write_text(JAAS)
    tls = TlsOptions(str(certs.server_keystore), certs.store_password, str(certs.ca), None,
                     client_auth="need")
    server = ZooKeeperServer(tls=tls, extra_config=[f"authProvider.1={SASL_PROVIDER}"],
                             extra_jvm_flags=[f"-Djava.security.auth.login.config={jaas}"])
    server.start()
    try:
        secured = Secured(server, certs)
        warm = ZkClient(secured.tls_hosts, **secured.mutual_tls())  # the JVM's first TLS handshake
        warm.start(timeout=START)                                    # is slow: not in a test's time
        warm.stop()
        warm.close()
        yield secured
    finally:
        server.stop()


@pytest.fixture
def make_client(zk_handler_name: str) -> Iterator[ClientMaker]:
    """``make_client(hosts, start=True, **kwargs)``: clients of the test's handler, stopped after."""
    clients: list[ZkClient] = []

    def make(hosts: str, start: bool = True, **kwargs: Any) -> ZkClient:
        kwargs.setdefault("timeout", 10.0)
        client = ZkClient(hosts, handler=make_handler(zk_handler_name), **kwargs)
        clients.append(client)
        if start:
            client.start(timeout=START)
        return client

    yield make
    for client in clients:
        client.stop()
        client.close()


@pytest.fixture
def path() -> str:
    return f"/security-{uuid.uuid4().hex}"
