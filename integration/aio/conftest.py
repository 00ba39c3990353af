"""The asyncio tests of the basics, faults, scale, cancellation, TLS and SASL run on every event loop.

``zk_event_loop`` is ``"asyncio"`` (the default loop) and, where uvloop is installed,
``"uvloop"`` (issue 11: the client works on uvloop). The autouse fixture sets the event-loop
policy for the test (the plugin runs each coroutine test with ``asyncio.run``, which asks the
policy for its loop) and restores the previous one afterwards.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Modules whose coroutine tests run once per event loop.
PER_LOOP_MODULES = frozenset({
    "test_aio_basics", "test_aio_faults", "test_aio_scale", "test_aio_cancel", "test_aio_tls_sasl",
})

LOOPS: tuple[str, ...] = ("asyncio", "uvloop") if importlib.util.find_spec("uvloop") else ("asyncio",)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if Path(str(metafunc.definition.fspath)).stem not in PER_LOOP_MODULES:
        return
    if "zk_event_loop" in metafunc.fixturenames:
        metafunc.parametrize("zk_event_loop", LOOPS, ids=list(LOOPS))


@pytest.fixture
def zk_event_loop() -> str:
    """The event loop this test runs on: "asyncio" (default) or "uvloop"."""
    return "asyncio"


@pytest.fixture(autouse=True)
def _zk_event_loop_policy(zk_event_loop: str) -> Iterator[None]:
    if zk_event_loop != "uvloop":
        yield
        return
    import uvloop

    previous = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    try:
        yield
    finally:
        asyncio.set_event_loop_policy(previous)
