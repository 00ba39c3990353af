"""kazoo's ``kazoo.security`` names (the same functions and constants, zkrecipes' own)."""

from __future__ import annotations

from zkrecipes.security import (
    ACL,
    ANYONE_ID_UNSAFE,
    AUTH_IDS,
    CREATOR_ALL_ACL,
    OPEN_ACL_UNSAFE,
    READ_ACL_UNSAFE,
    Id,
    Permissions,
    make_acl,
    make_digest_acl,
    make_digest_acl_credential,
)

__all__ = [
    "ACL", "ANYONE_ID_UNSAFE", "AUTH_IDS", "CREATOR_ALL_ACL", "OPEN_ACL_UNSAFE", "READ_ACL_UNSAFE", "Id",
    "Permissions", "make_acl", "make_digest_acl", "make_digest_acl_credential",
]
