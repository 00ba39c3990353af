"""GroupMember: Curator's group membership, on Curator's znode layout.

Interoperable with Curator's ``GroupMember`` on the same path: each member is
a :class:`~.persistent_node.PersistentNode` ``<membership_path>/<id>``
(ephemeral, data = the member's payload), kept across session loss.
``get_current_members()`` reads the group now (Curator answers from a cache;
zkrecipes has no CuratorCache yet). SUSPENDED/LOST as PersistentNode's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes.curator.persistent_node import PersistentNode

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["GroupMember"]


class GroupMember:
    """This process's membership of a group shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, membership_path: str, this_id: str,
                 payload: bytes = b"") -> None:
        if not isinstance(this_id, str) or not this_id or "/" in this_id:
            raise ValueError(f"member id must be a non-empty str without '/': {this_id!r}")
        self.client = client
        self.membership_path = check_path(membership_path, "membership_path")
        self.this_id = this_id
        self._node = PersistentNode(client, join_path(self.membership_path, this_id), payload)

    def __repr__(self) -> str:
        return f"GroupMember({self.membership_path!r}, {self.this_id!r})"

    def start(self) -> None:
        """Join the group (in the background; see :meth:`wait_for_initial_create`)."""
        self._node.start()

    def wait_for_initial_create(self, timeout: float | None = None) -> bool:
        """Wait until our member node exists; whether it does."""
        return self._node.wait_for_initial_create(timeout)

    def set_this_data(self, data: bytes) -> None:
        """Change our payload."""
        self._node.set_data(data)

    def close(self) -> None:
        """Leave the group (our node is deleted)."""
        self._node.close()

    def __enter__(self) -> GroupMember:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get_current_members(self) -> dict[str, bytes]:
        """Every member's id and payload, read now."""
        try:
            ids = self.client.retry(self.client.get_children, self.membership_path)
        except NoNodeError:
            return {}
        members = {}
        for member in sorted(ids):
            try:
                data, _stat = self.client.retry(self.client.get, join_path(self.membership_path, member))
            except NoNodeError:
                continue
            members[member] = data or b""
        return members
