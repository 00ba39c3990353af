"""TLS with client certificates on ZooKeeper's Netty TLS port (``ssl.clientAuth=need``).

Accepted: a client certificate signed by the CA the server trusts, with the
key in the clear or encrypted (``keyfile_password``). Rejected, with a start
timeout whose message names the host and says why: a server certificate from
a CA the client does not trust, no client certificate, a client certificate
from another CA, an expired client certificate, a host name the server
certificate does not name (``check_hostname``), a wrong ``keyfile_password``,
an expired server certificate (on a second server).
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

import pytest
from _security import ClientMaker, Secured
from _waits import wait_until

from zkrecipes import ZkState
from zkrecipes.exceptions import ZkTimeoutError
from zkrecipes.testing import TlsOptions, ZooKeeperServer


def refused(make_client: ClientMaker, hosts: str, **kwargs: object) -> str:
    """The message of the start timeout of a client whose connections are all refused.

    The start is not waited out: once the first attempt has failed (its error is
    recorded), ``start(timeout=0)`` gives up at once with the same message.
    """
    client = make_client(hosts, start=False, **kwargs)
    client.start_async()
    wait_until(client, lambda: bool(client._transport.connect_errors), message="a refused attempt")
    with pytest.raises(ZkTimeoutError) as info:
        client.start(timeout=0)
    assert client.state is ZkState.LOST
    return str(info.value)


def test_mutual_tls_is_accepted(secured: Secured, make_client: ClientMaker) -> None:
    client = make_client(secured.tls_hosts, **secured.mutual_tls())
    client.create("/tls-node", b"over tls", ephemeral=True)
    assert client.get("/tls-node")[0] == b"over tls"


def test_mutual_tls_with_an_encrypted_key(secured: Secured, make_client: ClientMaker) -> None:
    kwargs = secured.mutual_tls(keyfile=str(secured.certs.client_key_encrypted),
                                keyfile_password=secured.certs.key_password)
    client = make_client(secured.tls_hosts, **kwargs)
    assert client.exists("/") is not None


def test_a_server_certificate_from_an_untrusted_ca_is_refused(
        secured: Secured, make_client: ClientMaker) -> None:
    message = refused(make_client, secured.tls_hosts, **secured.mutual_tls(ca=str(secured.certs.other_ca)))
    assert f"{secured.tls_hosts}: TLS certificate verify failed" in message, message


def test_no_client_certificate_is_refused(secured: Secured, make_client: ClientMaker) -> None:
    message = refused(make_client, secured.tls_hosts, **secured.mutual_tls(certfile=None, keyfile=None))
    assert f"{secured.tls_hosts}: TLS handshake refused by the server" in message, message


@pytest.mark.parametrize("which", ["other CA", "expired"])
def test_a_client_certificate_the_server_does_not_accept_is_refused(
        secured: Secured, make_client: ClientMaker, which: str) -> None:
    certs = secured.certs
    cert, key = ((certs.other_client_cert, certs.other_client_key) if which == "other CA"
                 else (certs.expired_client_cert, certs.expired_client_key))
    message = refused(make_client, secured.tls_hosts,
                      **secured.mutual_tls(certfile=str(cert), keyfile=str(key)))
    assert f"{secured.tls_hosts}: TLS handshake refused by the server" in message, message


def test_a_host_name_the_certificate_does_not_name_is_refused(
        secured: Secured, make_client: ClientMaker) -> None:
    hosts = f"localhost:{secured.server.tls_port}"  # the certificate names IP 127.0.0.1 only
    message = refused(make_client, hosts, **secured.mutual_tls())
    assert f"{hosts}: TLS certificate verify failed: Hostname mismatch" in message, message
    client = make_client(hosts, **secured.mutual_tls(check_hostname=False))  # verified, any name
    assert client.exists("/") is not None


def test_a_wrong_keyfile_password_is_refused(secured: Secured, make_client: ClientMaker) -> None:
    kwargs = secured.mutual_tls(keyfile=str(secured.certs.client_key_encrypted), keyfile_password="wrong")
    message = refused(make_client, secured.tls_hosts, **kwargs)
    assert "cannot load the client certificate or key" in message, message
    assert "wrong" not in message.replace("wrong keyfile_password", "")


@pytest.fixture(scope="module")
def expired_server(secured: Secured) -> Iterator[ZooKeeperServer]:
    certs = secured.certs
    tls = TlsOptions(str(certs.expired_server_keystore), certs.store_password, str(certs.ca), None,
                     client_auth="need")
    with ZooKeeperServer(tls=tls) as server:
        warm_up(server.tls_port or 0)
        yield server


def warm_up(port: int) -> None:
    """One TLS handshake, whatever its outcome: the JVM's first one is slow (not in test time)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
        try:
            with context.wrap_socket(raw) as tls:
                tls.recv(1)
        except OSError:
            pass  # refused: no client certificate (ssl.SSLError is an OSError)


def test_an_expired_server_certificate_is_refused(
        secured: Secured, expired_server: ZooKeeperServer, make_client: ClientMaker) -> None:
    hosts = f"127.0.0.1:{expired_server.tls_port}"
    message = refused(make_client, hosts, **secured.mutual_tls())
    assert f"{hosts}: TLS certificate verify failed: certificate has expired" in message, message
