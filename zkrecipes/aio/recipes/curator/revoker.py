"""Revoker on asyncio: ask a lock's holder to let go (Curator's revocation), awaited.

The asyncio form of :class:`zkrecipes.recipes.curator.Revoker`, on the same rule
(:mod:`~zkrecipes.recipes.curator._revocation_rules`): ``await
Revoker.attempt_revoke(zk, node_path)`` writes the revoke message into a lock
node — a Curator, threaded or asyncio holder that made its mutex revocable is
told; a node already gone is fine. Revocation is a request: whether the
holder releases is up to it. A cancelled call may or may not have written it
(a second request is harmless).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes.curator._revocation_rules import REVOKE_MESSAGE

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["Revoker"]


class Revoker:
    """Curator's ``Revoker`` on asyncio (a namespace for :meth:`attempt_revoke`)."""

    @staticmethod
    async def attempt_revoke(client: AsyncRecipeClient, path: str) -> None:
        """Ask the holder of the lock node ``path`` to release it (absent node: nothing to do)."""
        try:
            await client.retry(client.set, check_path(path), REVOKE_MESSAGE)
        except NoNodeError:
            pass
