"""Party member node names, front-end neutral (pure): the one rule for threaded and asyncio parties.

A :class:`~zkrecipes.recipes.party.Party` member is ``<uuid hex>__party__``
(its identifier is the node's data); a
:class:`~zkrecipes.recipes.party.ShallowParty` member is ``<uuid hex>-<identifier>``
(the identifier is in the name, so it must be a valid name segment).
"""

from __future__ import annotations

import uuid

from zkrecipes.exceptions import InvalidArgumentError

__all__ = [
    "PARTY_SUFFIX",
    "is_party_node",
    "is_shallow_node",
    "party_node_name",
    "shallow_identifier",
    "shallow_node_name",
]

PARTY_SUFFIX = "__party__"
_GUID_LENGTH = 32  # uuid4().hex


def party_node_name() -> str:
    """A fresh Party member node name."""
    return uuid.uuid4().hex + PARTY_SUFFIX


def is_party_node(name: str) -> bool:
    return name.endswith(PARTY_SUFFIX)


def shallow_node_name(identifier: str) -> str:
    """A fresh ShallowParty member node name for ``identifier`` (InvalidArgumentError if it cannot be)."""
    if "/" in identifier or "\x00" in identifier:
        raise InvalidArgumentError(f"ShallowParty identifier {identifier!r} cannot be part of a znode name")
    return f"{uuid.uuid4().hex}-{identifier}"


def is_shallow_node(name: str) -> bool:
    return len(name) > _GUID_LENGTH and name[_GUID_LENGTH] == "-"


def shallow_identifier(name: str) -> str:
    """The identifier in a ShallowParty member node name."""
    return name[_GUID_LENGTH + 1:]
