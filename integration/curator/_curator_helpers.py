"""Helpers of the Curator interop suite: waiting for a condition, reading trees."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from zkrecipes import ZkClient
from zkrecipes.exceptions import NoNodeError, ZkException
from zkrecipes.recipes.curator._ordering import is_protected_name

T = TypeVar("T")

def children_info(zk: ZkClient, path: str) -> list[tuple[str, bytes, bool]]:
    """(name, data, ephemeral) of each child of ``path``, sorted by name."""
    found = []
    for name in sorted(zk.get_children(path)):
        data, stat = zk.get(f"{path}/{name}")
        found.append((name, data or b"", stat.ephemeralOwner != 0))
    return found


def protected_suffix(name: str) -> str:
    """The part after ``_c_<uuid>-`` of a Curator-protected name (asserts it is one)."""
    assert is_protected_name(name), name
    return name[40:]


def run_in_thread(func: Callable[[], T]) -> tuple[threading.Thread, list[T | BaseException]]:
    """Start ``func`` in a thread; the list receives its result or exception."""
    out: list[T | BaseException] = []

    def body() -> None:
        try:
            out.append(func())
        except BaseException as exc:  # reported to the test
            out.append(exc)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, out


def kids(zk: ZkClient, path: str) -> list[str]:
    """The children of ``path``; [] when it is gone (an empty container vanishes within ~1 s)."""
    try:
        return zk.get_children(path)
    except NoNodeError:
        return []


def n_children(zk: ZkClient, path: str) -> int:
    """How many children ``path`` has; -1 while the client cannot tell (e.g. its session just expired)."""
    try:
        return len(zk.get_children(path))
    except ZkException:
        return -1
