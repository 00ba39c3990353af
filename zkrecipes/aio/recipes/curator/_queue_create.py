"""Creating a queue's nodes as Curator does, on asyncio: missing parents as containers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkrecipes.aio.recipes.curator._contender import ensure_containers
from zkrecipes.exceptions import NodeExistsError, NoNodeError
from zkrecipes.recipes.curator._encoding import local_address

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["create_path", "ensure_containers"]


async def create_path(client: AsyncRecipeClient, path: str) -> None:
    """Create ``path`` with the default data (the local address) if absent (Curator's queue ``start()``)."""
    for _ in range(8):  # a container parent may be reaped between our creates
        try:
            await client.retry(client.create, path, local_address())
            return
        except NodeExistsError:
            return
        except NoNodeError:
            await ensure_containers(client, path)
    raise NoNodeError(f"could not create {path}: its parents kept vanishing")
