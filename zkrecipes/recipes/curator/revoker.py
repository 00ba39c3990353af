"""Revoker and RevocationListener: asking a lock's holder to let go (Curator's revocation).

Interoperable with Curator: :meth:`Revoker.attempt_revoke` writes the bytes
``__REVOKE__`` into a lock node (a Curator or zkrecipes holder that made its
mutex revocable is told); a node already gone is fine. Whether the holder
releases is up to it: revocation is a request, not a forced release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes.curator._revocation_rules import REVOKE_MESSAGE

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.recipes.curator.inter_process_mutex import InterProcessMutex

__all__ = ["RevocationListener", "Revoker"]


class RevocationListener(Protocol):
    """Told when someone asks for the lock."""

    def revocation_requested(self, forlock: InterProcessMutex) -> None:
        """Another process asked for ``forlock``."""


class Revoker:
    """Curator's ``Revoker`` (a namespace for :meth:`attempt_revoke`)."""

    @staticmethod
    def attempt_revoke(client: RecipeClient, path: str) -> None:
        """Ask the holder of the lock node ``path`` to release it."""
        try:
            client.retry(client.set, check_path(path), REVOKE_MESSAGE)
        except NoNodeError:
            pass
