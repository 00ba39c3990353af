"""ACLs: ``ACL``, ``Id``, ``Permissions`` and the helpers kazoo users know.

``make_digest_acl_credential`` computes ZooKeeper's digest scheme id
(``user:base64(sha1(user:password))``), as the server's DigestAuthenticationProvider does.
"""

from __future__ import annotations

import base64
import hashlib
from typing import NamedTuple


class Permissions:
    """Permission bits of an ACL entry."""

    READ = 1
    WRITE = 2
    CREATE = 4
    DELETE = 8
    ADMIN = 16
    ALL = 31


class Id(NamedTuple):
    """An identity: a ``scheme`` (world, auth, digest, ip, sasl, x509) and its ``id``."""

    scheme: str
    id: str


class ACL(NamedTuple):
    """One ACL entry: permission bits for an :class:`Id`."""

    perms: int
    id: Id

    @property
    def acl_list(self) -> list[str]:
        """The names of the permissions this entry grants (kazoo compatible)."""
        names = []
        if self.perms == Permissions.ALL:
            return ["ALL"]
        for name in ("READ", "WRITE", "CREATE", "DELETE", "ADMIN"):
            if self.perms & getattr(Permissions, name):
                names.append(name)
        return names


ANYONE_ID_UNSAFE = Id("world", "anyone")
AUTH_IDS = Id("auth", "")
OPEN_ACL_UNSAFE: list[ACL] = [ACL(Permissions.ALL, ANYONE_ID_UNSAFE)]
CREATOR_ALL_ACL: list[ACL] = [ACL(Permissions.ALL, AUTH_IDS)]
READ_ACL_UNSAFE: list[ACL] = [ACL(Permissions.READ, ANYONE_ID_UNSAFE)]


def make_acl(
    scheme: str,
    credential: str,
    read: bool = False,
    write: bool = False,
    create: bool = False,
    delete: bool = False,
    admin: bool = False,
    all: bool = False,  # noqa: A002 - kazoo's argument name
) -> ACL:
    """Build an :class:`ACL` from a scheme, a credential and permission flags."""
    if all:
        perms = Permissions.ALL
    else:
        perms = 0
        if read:
            perms |= Permissions.READ
        if write:
            perms |= Permissions.WRITE
        if create:
            perms |= Permissions.CREATE
        if delete:
            perms |= Permissions.DELETE
        if admin:
            perms |= Permissions.ADMIN
    return ACL(perms, Id(scheme, credential))


def make_digest_acl_credential(username: str, password: str) -> str:
    """Return ``username:base64(sha1("username:password"))``, the digest scheme's id."""
    raw = f"{username}:{password}".encode()
    digest = base64.b64encode(hashlib.sha1(raw).digest()).decode().strip()
    return f"{username}:{digest}"


def make_digest_acl(
    username: str,
    password: str,
    read: bool = False,
    write: bool = False,
    create: bool = False,
    delete: bool = False,
    admin: bool = False,
    all: bool = False,  # noqa: A002 - kazoo's argument name
) -> ACL:
    """Build a digest-scheme :class:`ACL` for ``username``/``password``."""
    cred = make_digest_acl_credential(username, password)
    return make_acl("digest", cred, read=read, write=write, create=create,
                    delete=delete, admin=admin, all=all)
