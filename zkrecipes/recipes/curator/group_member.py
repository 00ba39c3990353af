"""GroupMember: Curator's group membership, on Curator's znode layout, with Curator's cached view.

Interoperable with Curator's ``GroupMember`` on the same path: each member is
a :class:`~.persistent_node.PersistentNode` ``<membership_path>/<id>``
(ephemeral, data = the member's payload), kept across session loss. As in
Curator, the group is watched by a :class:`~.curator_cache.CuratorCache` of
the membership path (the path itself is not created by the cache):
``get_current_members()`` answers from memory, and always includes this
member with its current payload (even before its node is cached).

Listeners (``add_listener(callback)``) get the new ``{id: payload}`` map after
each change of the group once the first load is done, on the cache's worker.

SUSPENDED: the view stays as it was (maybe stale); our node lives with the
session. Reconnected: the group is read again and listeners told of the
differences. LOST: our node is created again in the new session; members
whose sessions ended vanish from the view when their nodes go. ``close()``
deletes our node, closes the cache (its watches and session listener) and
drops every listener (apache/curator#1292).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes.curator._group_rules import is_member_change, member_id, members_view
from zkrecipes.recipes.curator.cache_watch_mode import CacheWatchMode
from zkrecipes.recipes.curator.curator_cache import CacheEventType, CuratorCache
from zkrecipes.recipes.curator.persistent_node import PersistentNode

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.recipes._tree_mirror import NodeData

__all__ = ["GroupMember"]

log = logging.getLogger(__name__)

MembersListener = Callable[[dict[str, bytes]], object]


class GroupMember:
    """This process's membership of a group shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, membership_path: str, this_id: str,
                 payload: bytes = b"", *, mode: CacheWatchMode = CacheWatchMode.AUTO) -> None:
        if not isinstance(this_id, str) or not this_id or "/" in this_id:
            raise ValueError(f"member id must be a non-empty str without '/': {this_id!r}")
        self.client = client
        self.membership_path = check_path(membership_path, "membership_path")
        self.this_id = this_id
        self._node = PersistentNode(client, join_path(self.membership_path, this_id), payload)
        self._cache = CuratorCache(client, self.membership_path, mode=mode, create_root=False)
        self._cache.add_listener(self)
        self._lock = client.handler.lock_object()
        self._listeners: list[MembersListener] = []
        self._loaded = False

    def __repr__(self) -> str:
        return f"GroupMember({self.membership_path!r}, {self.this_id!r})"

    def start(self) -> None:
        """Join the group and start watching it (in the background: :meth:`wait_for_initial_create`)."""
        self._node.start()
        self._cache.start()

    def wait_for_initial_create(self, timeout: float | None = None) -> bool:
        """Wait until our member node exists; whether it does."""
        return self._node.wait_for_initial_create(timeout)

    def await_initialized(self, timeout: float | None = None) -> bool:
        """Wait until the group's first load is done; whether it is."""
        return self._cache.await_initialized(timeout)

    def set_this_data(self, data: bytes) -> None:
        """Change our payload."""
        self._node.set_data(data)

    def close(self) -> None:
        """Leave the group (our node is deleted); close the cache; drop the listeners."""
        with self._lock:
            self._listeners.clear()
        self._cache.close()
        self._node.close()

    def __enter__(self) -> GroupMember:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def add_listener(self, listener: MembersListener) -> None:
        """Call ``listener(members)`` after each change of the group."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: MembersListener) -> None:
        """Stop calling ``listener``."""
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def get_current_members(self) -> dict[str, bytes]:
        """Every member's id and payload, from the cache (this member always included), by id."""
        return members_view(self._cache.children(self.membership_path), self.this_id, self._node.get_data())

    @staticmethod
    def id_from_path(path: str) -> str:
        """The member id of a member node's path (Curator's ``idFromPath``)."""
        return member_id(path)

    # ------------------------------------------------------------------ CuratorCacheListener (cache worker)

    def event(self, type: CacheEventType, old_data: NodeData | None,  # noqa: A002 (Curator's name)
              data: NodeData | None) -> None:
        if self._loaded and is_member_change(self.membership_path, data if data is not None else old_data):
            self._tell()

    def initialized(self) -> None:
        self._loaded = True
        self._tell()

    def _tell(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        if not listeners:
            return
        members = self.get_current_members()
        for listener in listeners:
            try:
                listener(members)
            except Exception:
                log.exception("group member listener of %s failed", self.membership_path)
