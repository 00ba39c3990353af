"""Type-level tests of the instrumentation hook: checked by mypy, never run or collected by pytest."""

from __future__ import annotations

from typing_extensions import assert_type

from zkrecipes import ZkClient
from zkrecipes.aio import AsyncZkClient
from zkrecipes.observe import Observer, RequestEvent


class Latency(Observer):
    def on_request(self, event: RequestEvent, token: object) -> None:
        assert_type(event.latency, float)
        assert_type(event.path, str | None)
        assert_type(event.ok, bool)


def attach(zk: ZkClient, azk: AsyncZkClient) -> None:
    observer = Latency()
    zk.add_observer(observer)
    azk.add_observer(observer)
    assert_type(zk.remove_observer(observer), bool)
    assert_type(azk.remove_observer(observer), bool)
    zk.add_observer(42)  # type: ignore[arg-type]
    ZkClient(observers=[observer])
