"""Party and ShallowParty on asyncio (``zkrecipes.recipes.party`` with ``await``).

Same layout as the threaded recipes, so threaded and asyncio members are one
party: a :class:`Party` member is the ephemeral ``<path>/<uuid hex>__party__``
holding its identifier; a :class:`ShallowParty` member is
``<path>/<uuid hex>-<identifier>`` (one listing reads every member).

* SUSPENDED: nothing changes (the node lives as long as the session).
* LOST: the node is gone; a member that joined (and has not left) joins again
  once the client is CONNECTED with its new session (``rejoined`` is set then).
* **Cancellation**: a cancelled :meth:`join` leaves no node behind (the create
  may have been in flight: the node is deleted in a task of its own, awaited
  shielded); a cancelled :meth:`leave` still deletes the node (same task).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from zkrecipes.aio.recipes._nodes import delete_own_node, settle, spawn
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NodeExistsError, NoNodeError, ZkException
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
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["Party", "ShallowParty"]

log = logging.getLogger(__name__)


class _BaseParty:
    """Shared join/leave/count; subclasses choose the node name and what members yield."""

    def __init__(self, client: AsyncRecipeClient, path: str, identifier: str | None = None) -> None:
        check_str_path(path, "party path")
        check_identifier(identifier)
        self.client = client
        self.path = path.rstrip("/") or "/"
        self.data: bytes = (identifier or "").encode("utf-8")
        self.participating = False
        self.node = ""
        self.create_path = ""
        self.rejoined = asyncio.Event()
        self._ensured_path = False
        self._lost = False
        self._listening = False
        self._auto_rejoin = True

    async def join(self) -> None:
        """Join: create this member's ephemeral node (idempotent); on return it exists in this session."""
        try:
            await self.client.retry(self._inner_join)
        except BaseException:
            if not self.participating:
                await self._withdraw()
            raise
        if self._auto_rejoin and not self._listening:
            self._listening = True
            self.client.add_listener(self._session_listener)

    async def leave(self) -> bool:
        """Leave the party; True if this member's node was there (and is gone now). No re-join after."""
        self.participating = False
        if self._listening:
            self._listening = False
            self.client.remove_listener(self._session_listener)
        try:
            was_there = await self.client.retry(self.client.exists, self.create_path) is not None
        except NoNodeError:  # pragma: no cover - exists does not raise it
            was_there = False
        await self._withdraw()
        return was_there

    async def _withdraw(self) -> None:
        deleting = delete_own_node(self.client, self.path, self.node, self.node)
        await settle(spawn(deleting, f"zkrecipes-leave-{self.path}"))

    async def count(self) -> int:
        """The number of members now (one read)."""
        await self._ensure_parent()
        return len(await self._member_nodes())

    async def members(self) -> list[str]:
        """The identifiers of the members present now."""
        raise NotImplementedError

    async def __aiter__(self) -> AsyncIterator[str]:
        for member in await self.members():
            yield member

    async def _ensure_parent(self) -> None:
        if not self._ensured_path:
            await self.client.ensure_path(self.path)
            self._ensured_path = True

    async def _inner_join(self) -> None:
        await self._ensure_parent()
        try:
            await self.client.create(self.create_path, self.data, ephemeral=True)
        except NodeExistsError:
            pass  # our own node from an attempt whose reply was lost: the name is ours alone
        self.participating = True

    async def _member_nodes(self) -> list[str]:
        children: list[str] = await self.client.retry(self.client.get_children, self.path)
        return [c for c in children if self._is_member_node(c)]

    def _is_member_node(self, name: str) -> bool:
        return True

    async def _session_listener(self, state: ZkState) -> None:
        if state == ZkState.LOST:
            self._lost = True
            self.rejoined.clear()
        elif state == ZkState.CONNECTED and self._lost:
            self._lost = False
            if self.participating:
                spawn(self._rejoin(), f"zkrecipes-rejoin-{self.path}")

    async def _rejoin(self) -> None:
        try:
            if self.participating:
                await self.client.retry(self._inner_join)
                self.rejoined.set()
        except ZkException as error:
            log.warning("party %s: re-join after LOST failed (%r); the next CONNECTED tries again",
                        self.path, error)
            self._lost = True


class Party(_BaseParty):
    """A party whose members publish an identifier as their node's data (one read per member)."""

    _NODE_SUFFIX = PARTY_SUFFIX

    def __init__(self, client: AsyncRecipeClient, path: str, identifier: str | None = None) -> None:
        super().__init__(client, path, identifier)
        self.node = party_node_name()
        self.create_path = join_path(self.path, self.node)

    def _is_member_node(self, name: str) -> bool:
        return is_party_node(name)

    async def members(self) -> list[str]:
        """The identifier of every member present now (members leaving meanwhile are skipped)."""
        await self._ensure_parent()
        found: list[str] = []
        for child in await self._member_nodes():
            try:
                data, _ = await self.client.retry(self.client.get, join_path(self.path, child))
            except NoNodeError:
                continue
            found.append((data or b"").decode("utf-8"))
        return found


class ShallowParty(_BaseParty):
    """A party whose members' identifiers are part of their node names (one listing)."""

    def __init__(self, client: AsyncRecipeClient, path: str, identifier: str | None = None) -> None:
        super().__init__(client, path, identifier)
        self.node = shallow_node_name(self.data.decode("utf-8"))
        self.create_path = join_path(self.path, self.node)

    def _is_member_node(self, name: str) -> bool:
        return is_shallow_node(name)

    async def members(self) -> list[str]:
        """The identifier of every member present now (one read)."""
        await self._ensure_parent()
        return [shallow_identifier(child) for child in await self._member_nodes()]
