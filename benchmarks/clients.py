"""Client factories: the one place where the two libraries differ.

Every workload is written once against kazoo 2.x's public API, which zkrecipes mirrors, and
receives a :class:`ClientFactory` that builds a *started* client of one library with one
handler. ``stand_in`` lets the harness run both sides with kazoo (used to debug the
benchmarks themselves before the zkrecipes client existed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zkrecipes.exceptions import ConfigurationError

LIBRARIES = ("zkrecipes", "kazoo")
#: The asyncio suite's clients (benchmarks/aio_workloads.py builds them itself).
ASYNC_LIBRARIES = ("aio", "aio_uvloop", "aiozk")
HANDLERS = ("threading", "gevent")
CONNECT_TIMEOUT_S = 30.0


def _handler(library: str, handler: str) -> Any:
    if library == "kazoo":
        if handler == "gevent":
            from kazoo.handlers.gevent import SequentialGeventHandler

            return SequentialGeventHandler()
        from kazoo.handlers.threading import SequentialThreadingHandler

        return SequentialThreadingHandler()
    if handler == "gevent":
        from zkrecipes.handlers import SequentialGeventHandler  # type: ignore[import-not-found,unused-ignore]

        return SequentialGeventHandler()
    from zkrecipes.handlers import SequentialThreadingHandler  # type: ignore[import-not-found,unused-ignore]

    return SequentialThreadingHandler()


@dataclass(frozen=True, slots=True)
class ClientFactory:
    """Builds started clients of ``library`` (``"zkrecipes"`` or ``"kazoo"``) on ``hosts``."""

    library: str
    handler: str
    hosts: str
    stand_in: str | None = None  # build this library's clients instead (debugging only)

    def __post_init__(self) -> None:
        if self.library not in LIBRARIES and self.library not in (*ASYNC_LIBRARIES, "raw"):
            raise ConfigurationError(f"unknown library {self.library!r}; expected one of {LIBRARIES}")
        if self.handler not in HANDLERS:
            raise ConfigurationError(f"unknown handler {self.handler!r}; expected one of {HANDLERS}")

    @property
    def effective_library(self) -> str:
        return self.stand_in or self.library

    def new(self) -> Any:
        """An unstarted client (for workloads that time ``start()`` themselves)."""
        library = self.effective_library
        handler = _handler(library, self.handler)
        if library == "kazoo":
            from kazoo.client import KazooClient

            return KazooClient(hosts=self.hosts, timeout=10.0, handler=handler)
        if library == "zkrecipes":
            from zkrecipes import ZkClient

            return ZkClient(hosts=self.hosts, timeout=10.0, handler=handler)
        raise ConfigurationError(f"library {library!r} has no client")

    def started(self) -> Any:
        """A connected client; raises the library's timeout error if it cannot connect."""
        client = self.new()
        client.start(timeout=CONNECT_TIMEOUT_S)
        return client


def close_client(client: Any) -> None:
    """Stop and close a client, whatever state it is in."""
    try:
        client.stop()
    finally:
        client.close()


def library_version(library: str) -> str:
    """The installed version of ``library`` ("" when it is not importable)."""
    try:
        if library in ("kazoo", "aiozk"):
            from importlib.metadata import version

            return version(library)
        import zkrecipes

        return str(zkrecipes.__version__)
    except Exception:
        return ""
