"""GroupMember on asyncio: Curator's group membership, on Curator's layout, with Curator's cached view.

The asyncio form of :class:`zkrecipes.recipes.curator.GroupMember`, same
znodes: this member is a :class:`~.persistent_node.PersistentNode`
``<membership_path>/<id>`` (ephemeral, data = the payload), kept across session
loss; the group is watched by a :class:`~.curator_cache.CuratorCache` of the
membership path (not created by the cache). ``get_current_members()``
answers from memory by the shared rule
(:func:`zkrecipes.recipes.curator._group_rules.members_view`: this member is
always included). Listeners (plain or coroutine ``listener(members)``) get the
new ``{id: payload}`` after each change once the first load is done, on the
cache's task.

SUSPENDED: the view stays (maybe stale); our node lives with the session.
Reconnected: the group is read again and listeners told of the differences.
LOST: our node is created again in the new session. **Cancellation / close**:
a cancelled ``start()`` closes the member; ``await close()`` closes the cache
(its watches and session listener), deletes our node, drops every listener.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes.curator.curator_cache import CuratorCache
from zkrecipes.aio.recipes.curator.persistent_node import PersistentNode
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes.curator._group_rules import is_member_change, member_id, members_view
from zkrecipes.recipes.curator.cache_watch_mode import CacheWatchMode
from zkrecipes.recipes.curator.curator_cache import CacheEventType

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.recipes._tree_mirror import NodeData

__all__ = ["GroupMember"]

log = logging.getLogger(__name__)

MembersListener = Callable[[dict[str, bytes]], Any]


class GroupMember:
    """This process's membership of a group shared with Curator processes, on asyncio."""

    def __init__(self, client: AsyncRecipeClient, membership_path: str, this_id: str,
                 payload: bytes = b"", *, mode: CacheWatchMode = CacheWatchMode.AUTO) -> None:
        if not isinstance(this_id, str) or not this_id or "/" in this_id:
            raise ValueError(f"member id must be a non-empty str without '/': {this_id!r}")
        self.client = client
        self.membership_path = check_path(membership_path, "membership_path")
        self.this_id = this_id
        self._node = PersistentNode(client, join_path(self.membership_path, this_id), payload)
        self._cache = CuratorCache(client, self.membership_path, mode=mode, create_root=False)
        self._cache.add_listener(self)
        self._listeners: list[MembersListener] = []
        self._loaded = False

    def __repr__(self) -> str:
        return f"GroupMember({self.membership_path!r}, {self.this_id!r})"

    async def start(self) -> None:
        """Join the group and start watching it (in the background: :meth:`wait_for_initial_create`)."""
        try:
            await self._node.start()
            await self._cache.start()
        except BaseException:
            await self.close()
            raise

    async def wait_for_initial_create(self, timeout: float | None = None) -> bool:
        """Wait until our member node exists; whether it does."""
        return await self._node.wait_for_initial_create(timeout)

    async def wait_initialized(self, timeout: float | None = None) -> bool:
        """Wait until the group's first load is done; whether it is."""
        return await self._cache.wait_initialized(timeout)

    async def set_this_data(self, data: bytes) -> None:
        """Change our payload."""
        await self._node.set_data(data)

    async def close(self) -> None:
        """Leave the group (our node is deleted); close the cache; drop the listeners."""
        self._listeners.clear()
        await self._cache.close()
        await self._node.close()

    async def __aenter__(self) -> GroupMember:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    def add_listener(self, listener: MembersListener) -> None:
        """Call ``listener(members)`` (plain or coroutine) after each change of the group."""
        self._listeners.append(listener)

    def remove_listener(self, listener: MembersListener) -> None:
        """Stop calling ``listener``."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def get_current_members(self) -> dict[str, bytes]:
        """Every member's id and payload, from the cache (this member always included), by id."""
        return members_view(self._cache.children(self.membership_path), self.this_id, self._node.get_data())

    @staticmethod
    def id_from_path(path: str) -> str:
        """The member id of a member node's path (Curator's ``idFromPath``)."""
        return member_id(path)

    # ------------------------------------------------------------------ the cache's listener (its task)

    async def event(self, type: CacheEventType, old_data: NodeData | None,  # noqa: A002 (Curator's name)
                    data: NodeData | None) -> None:
        if self._loaded and is_member_change(self.membership_path, data if data is not None else old_data):
            await self._tell()

    async def initialized(self) -> None:
        self._loaded = True
        await self._tell()

    async def _tell(self) -> None:
        if not self._listeners:
            return
        members = self.get_current_members()
        for listener in list(self._listeners):
            try:
                outcome = listener(members)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                log.exception("group member listener of %s failed", self.membership_path)
