"""GroupMember's view of the group, front-end neutral (pure: no client, no I/O).

Curator's ``GroupMember`` answers ``getCurrentMembers()`` from a CuratorCache of
the membership path: every cached child is a member, its id the node's name,
its payload the node's data (null data reads as empty); this member is always
in the view with its current payload, even before its node is cached. A
cache event matters to the group only for a direct child of that path.
"""

from __future__ import annotations

from collections.abc import Iterable

from zkrecipes.client.protocol.paths import split_path
from zkrecipes.recipes._tree_mirror import NodeData

__all__ = ["is_member_change", "member_id", "members_view"]


def member_id(path: str) -> str:
    """The member id of a member node's path (Curator's ``idFromPath``)."""
    return split_path(path)[1]


def is_member_change(membership_path: str, node: NodeData | None) -> bool:
    """Whether a cache event on ``node`` changes the group (a direct child of the membership path)."""
    return node is not None and split_path(node.path)[0] == membership_path


def members_view(children: Iterable[NodeData], this_id: str, payload: bytes) -> dict[str, bytes]:
    """``{id: payload}`` of the cached children, this member included, sorted by id."""
    members = {member_id(node.path): node.data or b"" for node in children}
    members.setdefault(this_id, payload)
    return dict(sorted(members.items()))
