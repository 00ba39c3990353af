"""Recursive delete: walk the subtree with pipelined reads, delete deepest first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zkrecipes.exceptions import NoNodeError, NotEmptyError

if TYPE_CHECKING:
    from zkrecipes.client.handlers.interface import AsyncResult
    from zkrecipes.client.operations import NodeOperations

_ATTEMPTS = 3


def _child(parent: str, name: str) -> str:
    return f"/{name}" if parent == "/" else f"{parent}/{name}"


def _walk(client: NodeOperations, root: str) -> list[list[str]]:
    """The existing nodes of the subtree, level by level (each level read in one batch)."""
    levels: list[list[str]] = []
    level = [root]
    while level:
        replies = [(path, client.get_children_async(path)) for path in level]
        found: list[str] = []
        following: list[str] = []
        for path, reply in replies:
            try:
                children = reply.get()
            except NoNodeError:
                continue
            found.append(path)
            following.extend(_child(path, c) for c in children)
        if found:
            levels.append(found)
        level = following
    return levels


def _delete_levels(client: NodeOperations, levels: list[list[str]]) -> None:
    for level in reversed(levels):
        replies = [client.delete_async(path) for path in level if path != "/"]
        for reply in replies:
            try:
                reply.get()
            except NoNodeError:
                pass


def delete_tree(client: NodeOperations, root: str, result: AsyncResult) -> None:
    """Delete ``root`` and everything below it; set ``result`` to True or an error.

    Nodes that vanish meanwhile are fine; a node that gains children while
    being deleted makes the walk start again (up to 3 times, then
    NotEmptyError). ``"/"`` itself is never deleted, only its children.
    """
    try:
        for attempt in range(_ATTEMPTS):
            try:
                _delete_levels(client, _walk(client, root))
                break
            except NotEmptyError:
                if attempt == _ATTEMPTS - 1:
                    raise
    except Exception as exc:
        result.set_exception(exc)
        return
    value: Any = True
    result.set(value)
