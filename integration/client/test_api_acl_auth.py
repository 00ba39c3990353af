"""ACLs with digest auth, NoAuth failures, auth_data, default_acl and whoami."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from zkrecipes import exceptions as exc
from zkrecipes.security import (
    ACL,
    OPEN_ACL_UNSAFE,
    READ_ACL_UNSAFE,
    Id,
    Permissions,
    make_digest_acl,
    make_digest_acl_credential,
)

SECRET_ACL = [make_digest_acl("alice", "s3cret", all=True)]


class Owner:
    """A client authenticated as digest alice:s3cret plus the nodes it must clean up."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.paths: list[str] = []

    def create_protected(self, path: str, value: bytes, acl: list[ACL]) -> None:
        self.client.create(path, value, acl=acl)
        self.paths.append(path)


@pytest.fixture
def alice(zk_client_factory: Any) -> Iterator[Owner]:
    """alice's client; deletes what she protected at the end.

    Nodes readable only by alice cannot be removed by the fixture's recursive
    delete of the chroot (listing them needs READ), so alice removes them.
    """
    owner = Owner(zk_client_factory())
    owner.client.add_auth("digest", "alice:s3cret")
    yield owner
    for path in reversed(owner.paths):
        try:
            owner.client.delete(path, recursive=True)
        except exc.NoNodeError:
            pass


def test_digest_acl_denies_others_and_allows_after_add_auth(alice: Owner, zk_client_factory: Any) -> None:
    alice.create_protected("/secret", b"classified", SECRET_ACL)
    assert alice.client.get("/secret")[0] == b"classified"

    stranger = zk_client_factory()
    with pytest.raises(exc.NoAuthError):
        stranger.get("/secret")
    with pytest.raises(exc.NoAuthError):
        stranger.set("/secret", b"overwrite")
    assert stranger.exists("/secret") is not None  # exists needs no permission

    stranger.add_auth("digest", "alice:wrong-password")  # digest auth never fails; wrong id
    with pytest.raises(exc.NoAuthError):
        stranger.get("/secret")

    stranger.add_auth("digest", "alice:s3cret")
    assert stranger.get("/secret")[0] == b"classified"
    assert stranger.connected


def test_auth_data_on_constructor(alice: Owner, zk_client_factory: Any) -> None:
    alice.create_protected("/ctor", b"x", SECRET_ACL)
    friend = zk_client_factory(auth_data=[("digest", "alice:s3cret")])
    assert friend.get("/ctor")[0] == b"x"


def test_get_and_set_acls(alice: Owner) -> None:
    alice.create_protected("/acl", b"", OPEN_ACL_UNSAFE)
    client = alice.client
    acls, stat = client.get_acls("/acl")
    assert list(acls) == OPEN_ACL_UNSAFE and stat.aversion == 0
    new_stat = client.set_acls("/acl", SECRET_ACL, version=0)
    assert new_stat.aversion == 1
    acls, _ = client.get_acls("/acl")
    assert acls == [ACL(Permissions.ALL, Id("digest", make_digest_acl_credential("alice", "s3cret")))]
    assert acls[0].acl_list == ["ALL"]
    with pytest.raises(exc.BadVersionError):
        client.set_acls("/acl", OPEN_ACL_UNSAFE, version=0)


def test_read_only_acl_denies_write(zk_client: Any) -> None:
    zk_client.create("/ro", b"r", acl=READ_ACL_UNSAFE)
    assert zk_client.get("/ro")[0] == b"r"
    with pytest.raises(exc.NoAuthError):
        zk_client.set("/ro", b"w")
    with pytest.raises(exc.NoAuthError):
        zk_client.create("/ro/child", b"")
    zk_client.delete("/ro")  # delete is checked on the parent's ACL


def test_default_acl_applies_to_creates(zk_client_factory: Any) -> None:
    owner = zk_client_factory(default_acl=SECRET_ACL, auth_data=[("digest", "alice:s3cret")])
    owner.create("/dflt", b"d")
    try:
        acls, _ = owner.get_acls("/dflt")
        assert acls == SECRET_ACL
        anonymous = zk_client_factory()
        with pytest.raises(exc.NoAuthError):
            anonymous.get("/dflt")
    finally:
        owner.delete("/dflt")


def test_invalid_acl_rejected_by_server(zk_client: Any) -> None:
    bad = [ACL(Permissions.ALL, Id("digest", "no-colon-here"))]
    with pytest.raises(exc.InvalidACLError):
        zk_client.create("/badacl", b"", acl=bad)
    assert zk_client.exists("/badacl") is None


def test_whoami_reports_auth(zk_client: Any) -> None:
    infos = zk_client.whoami()
    assert any(i.auth_scheme == "ip" and i.user == "127.0.0.1" for i in infos), infos
    zk_client.add_auth("digest", "bob:pw")
    infos = zk_client.whoami()
    assert any(i.auth_scheme == "digest" and i.user == "bob" for i in infos), infos
