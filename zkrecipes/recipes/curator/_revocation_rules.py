"""The revocation rules both front ends drive (pure): the message, a revocable node's data, the check.

Curator's ``Revoker`` asks a holder to let go by writing :data:`REVOKE_MESSAGE`
into its lock node; a mutex made revocable creates its node with empty data
(as Curator's does) and watches it, and a write of exactly that message is a
request (anything else is not).
"""

from __future__ import annotations

__all__ = ["REVOKE_MESSAGE", "contender_data", "is_revocation"]

#: The bytes Curator's ``Revoker`` writes into a holder's node to ask for the lock.
REVOKE_MESSAGE = b"__REVOKE__"


def contender_data(data: bytes, revocable: bool) -> bytes:
    """What our lock node holds: empty for a revocable mutex (Curator's layout), else ``data``."""
    return b"" if revocable else data


def is_revocation(data: bytes | None) -> bool:
    """True when a lock node's data is a revocation request."""
    return data == REVOKE_MESSAGE
