"""ACLs enforced by the server for the world, digest, ip, auth and sasl schemes (plain port):
a client without the right identity gets NoAuthError, one with it gets through."""

from __future__ import annotations

import pytest
from _security import SASL_PASSWORD, ClientMaker, Secured

from zkrecipes.exceptions import InvalidACLError, NoAuthError
from zkrecipes.security import make_acl, make_digest_acl

DIGEST = ("carol", "carols-digest-pw-5150")
SASL_ALICE = {"mechanism": "DIGEST-MD5", "username": "alice", "password": SASL_PASSWORD}


def test_world_read_only(secured: Secured, make_client: ClientMaker, path: str) -> None:
    owner = make_client(secured.plain_hosts)
    owner.create(path, b"public", acl=[make_acl("world", "anyone", read=True)])
    anyone = make_client(secured.plain_hosts)
    assert anyone.get(path)[0] == b"public"
    with pytest.raises(NoAuthError):
        anyone.set(path, b"vandal")
    with pytest.raises(NoAuthError):
        anyone.create(f"{path}/child", b"")


def test_digest(secured: Secured, make_client: ClientMaker, path: str) -> None:
    user, password = DIGEST
    owner = make_client(secured.plain_hosts, auth_data=[("digest", f"{user}:{password}")])
    owner.create(path, b"carol's", acl=[make_digest_acl(user, password, all=True)])
    assert owner.get(path)[0] == b"carol's"
    anonymous = make_client(secured.plain_hosts)
    with pytest.raises(NoAuthError):
        anonymous.get(path)
    wrong = make_client(secured.plain_hosts, auth_data=[("digest", f"{user}:not-the-password")])
    with pytest.raises(NoAuthError):
        wrong.get(path)
    later = make_client(secured.plain_hosts)
    later.add_auth("digest", f"{user}:{password}")
    assert later.get(path)[0] == b"carol's"


def test_ip(secured: Secured, make_client: ClientMaker, path: str) -> None:
    client = make_client(secured.plain_hosts)
    client.create(path, b"")
    client.create(f"{path}/loopback", b"local", acl=[make_acl("ip", "127.0.0.1", all=True)])
    client.create(f"{path}/elsewhere", b"far", acl=[make_acl("ip", "10.255.255.1", all=True)])
    assert client.get(f"{path}/loopback")[0] == b"local"
    with pytest.raises(NoAuthError):
        client.get(f"{path}/elsewhere")


def test_auth_is_every_identity_of_the_creator(secured: Secured, make_client: ClientMaker, path: str) -> None:
    user, password = DIGEST
    owner = make_client(secured.plain_hosts, auth_data=[("digest", f"{user}:{password}")])
    owner.create(path, b"mine", acl=[make_acl("auth", "", all=True)])
    same = make_client(secured.plain_hosts, auth_data=[("digest", f"{user}:{password}")])
    assert same.get(path)[0] == b"mine"
    other = make_client(secured.plain_hosts, auth_data=[("digest", f"dave:{password}")])
    with pytest.raises(NoAuthError):
        other.get(path)
    anonymous = make_client(secured.plain_hosts)
    with pytest.raises(InvalidACLError):  # "auth" with no identity to grant
        anonymous.create(f"{path}-anonymous", b"", acl=[make_acl("auth", "", all=True)])


def test_sasl(secured: Secured, make_client: ClientMaker, path: str) -> None:
    alice = make_client(secured.plain_hosts, sasl_options=SASL_ALICE)
    alice.create(path, b"alice's", acl=[make_acl("sasl", "alice", all=True)])
    bob = make_client(secured.plain_hosts, sasl_options={**SASL_ALICE, "username": "bob",
                                                         "password": "bob-sasl-pw-2218"})
    with pytest.raises(NoAuthError):
        bob.get(path)
    with pytest.raises(NoAuthError):
        make_client(secured.plain_hosts).get(path)
    assert alice.get(path)[0] == b"alice's"
