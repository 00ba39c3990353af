"""The pure rules the sync and asyncio revocation and service providers share."""

from __future__ import annotations

from typing import Any

import pytest

from zkrecipes.recipes.curator._down_instances import DownInstances
from zkrecipes.recipes.curator._revocation_rules import REVOKE_MESSAGE, contender_data, is_revocation
from zkrecipes.recipes.curator.cache_watch_mode import CacheWatchMode
from zkrecipes.recipes.curator.provider_strategies import RoundRobinStrategy
from zkrecipes.recipes.curator.service_instance import ServiceInstance
from zkrecipes.recipes.curator.service_provider_builder import ServiceProviderBuilder


def test_revocable_node_is_empty_and_only_the_message_is_a_request() -> None:
    assert REVOKE_MESSAGE == b"__REVOKE__"  # Curator's bytes
    assert contender_data(b"host", revocable=True) == b""
    assert contender_data(b"host", revocable=False) == b"host"
    assert is_revocation(b"__REVOKE__")
    assert not is_revocation(b"") and not is_revocation(None) and not is_revocation(b"__REVOKE__ ")


def _instances(*ids: str) -> list[ServiceInstance]:
    return [ServiceInstance("svc", id=i, address="h") for i in ids]


def test_down_instances_are_left_out_until_their_time() -> None:
    a, b, c = _instances("a", "b", "c")
    down = DownInstances()
    assert down.usable([a, b, c], 0.0) == [a, b, c]
    down.note(b, 10.0, 30.0)
    assert down.usable([a, b, c], 39.9) == [a, c]
    assert down.usable([a, b, c], 40.0) == [a, b, c]  # expired: forgotten
    down.note(a, 50.0, 5.0)
    down.note(a, 52.0, 5.0)  # a second error moves the time on
    assert down.usable([a, b], 56.0) == [b]


class _Source:
    def __init__(self) -> None:
        self.asked: dict[str, Any] = {}

    def service_provider(self, service_name: str, strategy: Any = None, *, cached: bool = False,
                         down_seconds: float = 30.0, mode: CacheWatchMode = CacheWatchMode.AUTO) -> str:
        self.asked = {"name": service_name, "strategy": strategy, "cached": cached,
                      "down_seconds": down_seconds, "mode": mode}
        return "provider"


def test_one_builder_for_both_front_ends_asks_its_discovery_for_a_cached_provider() -> None:
    source = _Source()
    strategy = RoundRobinStrategy()
    built = (ServiceProviderBuilder(source).service_name("svc").provider_strategy(strategy)
             .down_instance_seconds(2.5).watch_mode(CacheWatchMode.ONE_SHOT).build())
    assert built == "provider"
    assert source.asked == {"name": "svc", "strategy": strategy, "cached": True, "down_seconds": 2.5,
                            "mode": CacheWatchMode.ONE_SHOT}
    with pytest.raises(ValueError):
        ServiceProviderBuilder(source).build()
