"""Curator-style contender nodes on asyncio: protected create with container parents, wait for first place.

The twin of ``recipes/curator/_create.py`` for the asyncio leadership recipes
(the naming and ordering rules are the pure ``_ordering`` / ``_leader_rules``):

* :func:`create_contender` creates ``<path>/_c_<uuid>-<name><seq>`` (ephemeral
  sequential); on NoNode it makes the missing ancestors as CONTAINER nodes and
  tries again; after a connection loss it first looks for the node of the
  earlier try by its prefix (one of another session is deleted, never
  adopted). **Cancellation**: if it is cancelled or fails, a clean-up task of
  its own deletes any node of that prefix (listing after the create, answered
  in order, finds a create cut off in flight), so no orphan node stays.
* :func:`wait_first` waits until our node is first in the recipe's order,
  watching only the node just before ours.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes._nodes import find_own_node, reap, settle
from zkrecipes.client.protocol.paths import join_path, split_path
from zkrecipes.exceptions import NodeExistsError, NoNodeError
from zkrecipes.recipes._retrying import is_retryable
from zkrecipes.recipes.curator._ordering import NodeGone, new_protected_prefix, standard_verdict

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.states import ZnodeStat

__all__ = ["Created", "create_contender", "ensure_containers", "wait_first"]

#: ``(node name, its prefix, its stat)``.
Created = tuple[str, str, "ZnodeStat"]


async def ensure_containers(client: AsyncRecipeClient, path: str) -> None:
    """Create each missing ancestor of ``path`` (not ``path`` itself) as a container.

    Each create goes through the client's retry policy: it is idempotent (an
    existing node is what we want).
    """
    current = ""
    for part in [part for part in split_path(path)[0].split("/") if part]:
        current = f"{current}/{part}"
        try:
            await client.retry(client.create, current, b"", container=True)
        except NodeExistsError:
            pass


async def create_contender(client: AsyncRecipeClient, parent: str, name: str, data: bytes) -> Created:
    """Our new ephemeral sequential ``parent/_c_<uuid>-<name><seq>`` (see the module docstring)."""
    prefix = new_protected_prefix()
    tried = False
    attempt = 0
    try:
        while True:
            try:
                if tried:
                    try:
                        found = await find_own_node(client, parent, prefix, True)
                    except NoNodeError:
                        found = None  # the parent went (a container): nothing to find
                    if found is not None:
                        return found[0], prefix, found[1]
                tried = True
                created, stat = await client.create(join_path(parent, prefix + name), data, ephemeral=True,
                                                    sequence=True, include_data=True)
                return str(created).rsplit("/", 1)[-1], prefix, stat
            except NoNodeError:
                tried = False  # nothing was created: make the parents
                await ensure_containers(client, join_path(parent, prefix + name))
            except Exception as error:
                if not is_retryable(error):
                    raise
                attempt += 1
                await asyncio.sleep(min(1.0, 0.05 * 2 ** attempt))
    except BaseException:
        if tried:
            await settle(reap(client, parent, prefix))
        raise


async def wait_first(client: AsyncRecipeClient, parent: str, ours: str,
                     order: Callable[[Iterable[str]], list[str]], wake: asyncio.Event,
                     watcher: Callable[[Any], None], note: Callable[[str], None] | None = None) -> None:
    """Return once ``ours`` is first in ``order``; :class:`NodeGone` when it (or the parent) is gone.

    ``wake`` is set by ``watcher`` (the data watch on the node before ours)
    and by the caller's session listener; it is cleared before each listing.
    ``note(path)`` is told each node we watch (so a close can remove the watch).
    """
    while True:
        wake.clear()
        try:
            children = await client.get_children(parent)
        except NoNodeError:
            raise NodeGone(ours) from None
        verdict = standard_verdict(order(children), ours)
        if verdict.holds:
            return
        assert verdict.watch is not None
        watched = join_path(parent, verdict.watch)
        if note is not None:
            note(watched)
        try:
            await client.get(watched, watch=watcher)
        except NoNodeError:
            continue
        await wake.wait()
