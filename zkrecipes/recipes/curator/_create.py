"""Creating nodes as Curator does: missing parents become containers; protected creates recover.

* :func:`ensure_containers` creates every missing ancestor of a path as a
  CONTAINER node (Curator's ``creatingParentContainersIfNeeded``). The server
  deletes a container once it has had children and is empty again, so
  callers never remember "the path exists": each create that fails with
  NoNode makes the parents again and retries.
* :func:`create_protected` creates ``<parent>/<prefix><name>`` (a fresh
  ``_c_<uuid>-`` prefix, sequential, ephemeral unless told otherwise). After a
  connection loss the node of the earlier try is found again by its prefix
  (an ephemeral one only if owned by the current session, else it is deleted)
  before creating again: exactly one node, or an error.

Every request is bounded by the caller's :class:`Deadline` (``LockTimeout``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path, split_path
from zkrecipes.exceptions import NodeExistsError, NoNodeError
from zkrecipes.recipes._deadline import Deadline, bounded
from zkrecipes.recipes._nodes import find_own_node
from zkrecipes.recipes._retrying import raise_unless_retryable

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.states import ZnodeStat

__all__ = ["create_protected", "create_with_containers", "ensure_containers"]


def ensure_containers(client: RecipeClient, path: str, deadline: Deadline) -> None:
    """Create each missing ancestor of ``path`` (not ``path`` itself) as a container."""
    parent = split_path(path)[0]
    parts = [part for part in parent.split("/") if part]
    current = ""
    for part in parts:
        current = f"{current}/{part}"
        try:
            bounded(client.create_async(current, b"", container=True), deadline, f"create of {path}")
        except NodeExistsError:
            pass


def create_with_containers(client: RecipeClient, path: str, data: bytes, deadline: Deadline, *,
                           ephemeral: bool = False, sequence: bool = False) -> tuple[str, ZnodeStat]:
    """Create ``path`` (making container parents on NoNode); ``(created path, stat)``.

    Not protected: a retry after a connection loss may find NodeExists
    (non-sequential) — the caller decides what that means.
    """
    what = f"create of {path}"
    for _ in range(8):  # a container parent may vanish between our mkdirs and the create
        try:
            created, stat = bounded(client.create_async(path, data, ephemeral=ephemeral, sequence=sequence,
                                                        include_data=True), deadline, what)
            return str(created), stat
        except NoNodeError:
            ensure_containers(client, path, deadline)
    raise NoNodeError(f"{what}: the parent kept vanishing")


def create_protected(client: RecipeClient, parent: str, prefix: str, name: str, data: bytes,
                     deadline: Deadline, *, ephemeral: bool = True,
                     tried: bool = False) -> tuple[str, ZnodeStat]:
    """Create the sequential ``parent/<prefix><name>``; ``(node name, stat)`` (see the module docstring).

    ``tried``: a create of this prefix was already sent and its outcome is
    unknown (look for its node before creating again).
    """
    path = join_path(parent, prefix + name)
    what = f"create of {path}"
    attempt = 0
    while True:
        try:
            if tried:
                try:
                    found = find_own_node(client, parent, prefix, ephemeral, deadline, what)
                except NoNodeError:
                    found = None  # the parent vanished (a container): nothing to find
                if found is not None:
                    return found
            tried = True
            created, stat = create_with_containers(client, path, data, deadline,
                                                   ephemeral=ephemeral, sequence=True)
            return created.rsplit("/", 1)[-1], stat
        except NoNodeError:
            raise
        except Exception as error:
            raise_unless_retryable(error, deadline, f"{what}: not done in {deadline.timeout}s")
            attempt += 1
            if not client.connected:
                # Queued requests wait for the reconnect; a brief pause keeps a flapping link calm.
                client.handler.event_object().wait(deadline.capped(min(1.0, 0.05 * 2 ** attempt)))
