"""Calls of PeerCaches.java (ops ``pcache.*``) for the cache, discovery and group tests."""

from __future__ import annotations

from typing import Any

from zkrecipes.testing.curator import CuratorSession

#: One recorded cache event: (type, path, old data, new data); data None when absent.
Seen = tuple[str, str, bytes | None, bytes | None]


def _bytes(value: Any) -> bytes | None:
    return None if value is None else bytes.fromhex(str(value))


def create(peer: CuratorSession, path: str, data: bytes = b"", *, ephemeral: bool = False) -> None:
    """Curator ``create().orSetData().creatingParentContainersIfNeeded()``."""
    peer.call("pcache.create", path=path, hex=data.hex(), ephemeral=ephemeral)


def set_data(peer: CuratorSession, path: str, data: bytes) -> None:
    peer.call("pcache.set", path=path, hex=data.hex())


def delete(peer: CuratorSession, path: str) -> None:
    """Curator ``delete().deletingChildrenIfNeeded()``."""
    peer.call("pcache.delete", path=path)


def cache_start(peer: CuratorSession, cache_id: str, path: str) -> None:
    """Start a Curator ``CuratorCache`` on ``path`` that records its listener's calls."""
    peer.call("pcache.ccache.start", id=cache_id, path=path)


def cache_events(peer: CuratorSession, cache_id: str) -> tuple[int, list[Seen]]:
    """(times ``initialized`` was called, the events heard so far)."""
    reply = peer.call("pcache.ccache.events", id=cache_id)
    events = [(str(e["type"]), str(e["path"]), _bytes(e["old"]), _bytes(e["data"])) for e in reply["events"]]
    return int(reply["initialized"]), events


def cache_close(peer: CuratorSession, cache_id: str) -> None:
    peer.call("pcache.ccache.close", id=cache_id)


def service_cache_start(peer: CuratorSession, cache_id: str, base: str, name: str) -> None:
    """Start a Curator ``ServiceCache`` (``serviceCacheBuilder().name(name)``) of ``base``."""
    peer.call("pcache.scache.start", id=cache_id, base=base, name=name)


def service_cache_ids(peer: CuratorSession, cache_id: str) -> list[str]:
    """The ids of that ServiceCache's ``getInstances()``, sorted."""
    return sorted(str(i["id"]) for i in peer.call("pcache.scache.instances", id=cache_id)["instances"])


def service_cache_close(peer: CuratorSession, cache_id: str) -> None:
    peer.call("pcache.scache.close", id=cache_id)


def provider_picks(peer: CuratorSession, provider_id: str, base: str, name: str, n: int) -> list[str | None]:
    """``n`` ``getInstance()`` ids from a Curator round-robin ServiceProvider (made on first use)."""
    picks = peer.call("pcache.provider.pick", id=provider_id, base=base, name=name, n=n)["picks"]
    return [None if p is None else str(p) for p in picks]
