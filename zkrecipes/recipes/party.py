"""Party and ShallowParty: a live membership list of the processes in a group.

Each member owns one ephemeral node under the party path, so membership follows
session liveness: a member whose session ends leaves the party by itself.

Failure semantics (Curator style):

* **SUSPENDED** — nothing changes locally. The member's node lives as long as
  the session does; other members keep seeing it.
* **LOST** — the session expired, so the server removed the member's node. A
  member that had joined (and not left) re-joins automatically once the client
  is CONNECTED with its new session; between LOST and that moment it is absent
  from the party.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import (
    NodeExistsError,
    NoNodeError,
    ZkException,
)
from zkrecipes.recipes._checks import check_identifier, check_str_path
from zkrecipes.recipes._party_names import (
    PARTY_SUFFIX,
    is_party_node,
    is_shallow_node,
    party_node_name,
    shallow_identifier,
    shallow_node_name,
)
from zkrecipes.states import ZkState

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["Party", "ShallowParty"]


class _BaseParty:
    """Shared join/leave/len logic; subclasses choose the node name and iteration."""

    def __init__(self, client: RecipeClient, path: str, identifier: str | None = None) -> None:
        check_str_path(path, "party path")
        check_identifier(identifier)
        self.client = client
        self.path = path.rstrip("/") or "/"
        self.data: bytes = (identifier or "").encode("utf-8")
        self.participating = False
        self.node = ""
        self.create_path = ""
        self._ensured_path = False
        self._lost = False
        self._listening = False
        self._auto_rejoin = True
        self._leave_tries = 0
        self._session_at_leave: int | None = None

    # ------------------------------------------------------------- public API

    def join(self) -> None:
        """Join the party: create this member's ephemeral node (idempotent).

        Guarantees on return: the node exists and is owned by the current
        session. Retries on connection loss without creating a second node (the
        node name is unique to this object, so a retried create that meets its
        own node counts as success).
        """
        self.client.retry(self._inner_join)
        if self._auto_rejoin and not self._listening:
            self._listening = True
            self.client.add_listener(self._session_listener)

    def leave(self) -> bool:
        """Leave the party; return True if this member's node was deleted now.

        After this returns the member's node is gone and no automatic re-join
        happens after a session loss.
        """
        self.participating = False
        if self._listening:
            self._listening = False
            self.client.remove_listener(self._session_listener)
        self._leave_tries = 0
        client_id = self.client.client_id
        self._session_at_leave = client_id[0] if client_id else None
        result: bool = self.client.retry(self._inner_leave)
        return result

    def __len__(self) -> int:
        """The number of members currently in the party (one read)."""
        self._ensure_parent()
        return len(self._member_nodes())

    def __iter__(self) -> Iterator[str]:
        raise NotImplementedError

    # -------------------------------------------------------------- internals

    def _ensure_parent(self) -> None:
        if not self._ensured_path:
            self.client.ensure_path(self.path)
            self._ensured_path = True

    def _inner_join(self) -> None:
        self._ensure_parent()
        try:
            self.client.create(self.create_path, self.data, ephemeral=True)
        except NodeExistsError:
            # Our own node from an attempt whose reply was lost; the name is
            # unique to this member so it cannot belong to anyone else.
            pass
        self.participating = True

    def _inner_leave(self) -> bool:
        self._leave_tries += 1
        try:
            self.client.delete(self.create_path)
        except NoNodeError:
            # On a retry, NoNode is what our own earlier delete (reply lost) leaves: the
            # name is unique to this member. Say "deleted now" only on the first try's NoNode.
            return self._leave_tries > 1 and self._deleted_before_retry()
        return True

    def _deleted_before_retry(self) -> bool:
        """After a lost delete reply: True (deleted by this leave) unless the session ended meanwhile."""
        return self._session_at_leave is not None and self.client.client_id is not None and (
            self.client.client_id[0] == self._session_at_leave)

    def _member_nodes(self) -> list[str]:
        children: list[str] = self.client.retry(self.client.get_children, self.path)
        return [c for c in children if self._is_member_node(c)]

    def _is_member_node(self, name: str) -> bool:
        return True

    def _session_listener(self, state: ZkState) -> None:
        if state == ZkState.LOST:
            self._lost = True
        elif state == ZkState.CONNECTED and self._lost:
            self._lost = False
            if self.participating:
                self.client.handler.spawn(self._rejoin)

    def _rejoin(self) -> None:
        try:
            if self.participating:
                self.client.retry(self._inner_join)
        except ZkException:
            # The next CONNECTED after another LOST tries again.
            self._lost = True


class Party(_BaseParty):
    """A party whose members publish an identifier as their node's data.

    ``join()`` creates ``<path>/<uuid>__party__`` (ephemeral) holding the
    identifier; iterating yields every member's identifier (one read per member).
    """

    _NODE_SUFFIX = PARTY_SUFFIX

    def __init__(self, client: RecipeClient, path: str, identifier: str | None = None) -> None:
        super().__init__(client, path, identifier)
        self.node = party_node_name()
        self.create_path = join_path(self.path, self.node)

    def _is_member_node(self, name: str) -> bool:
        return is_party_node(name)

    def __iter__(self) -> Iterator[str]:
        """Yield the identifier of every member present now (members leaving
        while iterating are skipped)."""
        self._ensure_parent()
        for child in self._member_nodes():
            try:
                data, _ = self.client.retry(self.client.get, join_path(self.path, child))
            except NoNodeError:
                continue
            yield (data or b"").decode("utf-8")


class ShallowParty(_BaseParty):
    """A party whose members' identifiers are part of their node names.

    ``join()`` creates ``<path>/<uuid hex>-<identifier>``; listing members is a
    single ``get_children``. The identifier must therefore be a valid znode name
    segment (no ``/``), else :class:`~zkrecipes.exceptions.InvalidArgumentError`.
    """

    def __init__(self, client: RecipeClient, path: str, identifier: str | None = None) -> None:
        super().__init__(client, path, identifier)
        self.node = shallow_node_name(self.data.decode("utf-8"))
        self.create_path = join_path(self.path, self.node)

    def _is_member_node(self, name: str) -> bool:
        return is_shallow_node(name)

    def __iter__(self) -> Iterator[str]:
        """Yield the identifier of every member present now (one read)."""
        self._ensure_parent()
        for child in self._member_nodes():
            yield shallow_identifier(child)
