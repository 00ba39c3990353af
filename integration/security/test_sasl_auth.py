"""SASL DIGEST-MD5 against the secured server: the right password logs in, a wrong one fails
the start at once with AuthFailedError (plain and TLS ports)."""

from __future__ import annotations

import pytest
from _security import SASL_PASSWORD, ClientMaker, Secured

from zkrecipes import KeeperState
from zkrecipes.exceptions import AuthFailedError


@pytest.mark.parametrize("port", ["plain", "tls"])
def test_the_right_password_logs_in(secured: Secured, make_client: ClientMaker, port: str) -> None:
    sasl = {"mechanism": "DIGEST-MD5", "username": "alice", "password": SASL_PASSWORD}
    if port == "tls":
        client = make_client(secured.tls_hosts, sasl_options=sasl, **secured.mutual_tls())
    else:
        client = make_client(secured.plain_hosts, sasl_options=sasl)
    assert ("sasl", "alice") in {(i.auth_scheme, i.user) for i in client.whoami()}


@pytest.mark.parametrize("port", ["plain", "tls"])
def test_a_wrong_password_is_an_auth_failure(secured: Secured, make_client: ClientMaker, port: str) -> None:
    sasl = {"mechanism": "DIGEST-MD5", "username": "alice", "password": "not-alices-password"}
    extra = secured.mutual_tls() if port == "tls" else {}
    hosts = secured.tls_hosts if port == "tls" else secured.plain_hosts
    client = make_client(hosts, start=False, sasl_options=sasl, **extra)
    with pytest.raises(AuthFailedError):
        client.start(timeout=120)  # the refusal ends the wait, not this timeout
    assert client.client_state is KeeperState.AUTH_FAILED
    with pytest.raises(AuthFailedError):
        client.get("/")
