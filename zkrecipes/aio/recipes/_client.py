"""The asyncio client as the asyncio recipes see it: a typed Protocol (the twin of ``recipes/_client.py``).

Rule of this module: an asyncio recipe may call on its client only what is
declared here, so every recipe runs against any object with this shape —
:class:`~zkrecipes.aio.AsyncZkClient`, a test double, a wrapper — and the
recipes import nothing of the client module (no ``aio.client`` ↔
``aio.recipes`` import cycle, not even under ``TYPE_CHECKING``). Names,
arguments and argument order are those of ``AsyncZkClient``; every request is
a coroutine.

Node data is declared ``bytes | None`` (None: a node with null data, as
ZooKeeper and kazoo tell it from empty data), so recipe code handles both
(``data or b""`` where null and empty mean the same). Nothing here is public
API; the Protocol exists for type checking only (no runtime check).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Literal, Protocol, TypeVar, overload

from zkrecipes.security import ACL
from zkrecipes.states import WatchedEvent, ZkState, ZnodeStat

__all__ = ["AsyncRecipeClient", "AsyncRecipeTransaction", "StateListener", "WatchFunc"]

_TxT = TypeVar("_TxT", bound="AsyncRecipeTransaction")

#: A one-shot watch callback: a plain callable or a coroutine function (run on the WATCH queue).
WatchFunc = Callable[[WatchedEvent], Any]
#: A session state listener (plain or coroutine); returning True removes it.
StateListener = Callable[[ZkState], Any]


class AsyncRecipeTransaction(Protocol):
    """A write transaction (``client.transaction()``): add operations, then ``await commit()``.

    ``commit()`` returns one result per operation; when the transaction fails
    every entry is an exception instance and nothing was applied.
    """

    def create(self, path: str, value: bytes = b"", acl: list[ACL] | None = None, ephemeral: bool = False,
               sequence: bool = False, ttl: int | None = None, container: bool = False) -> None: ...

    def delete(self, path: str, version: int = -1) -> None: ...

    def set_data(self, path: str, value: bytes, version: int = -1) -> None: ...

    def check(self, path: str, version: int) -> None: ...

    async def commit(self) -> list[Any]: ...

    async def __aenter__(self: _TxT) -> _TxT: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None: ...


class AsyncRecipeClient(Protocol):
    """The public asyncio client API the asyncio recipes use (see the module docstring)."""

    # ------------------------------------------------------------ session state

    @property
    def state(self) -> ZkState:
        """CONNECTED, SUSPENDED or LOST."""
        ...

    @property
    def connected(self) -> bool:
        """True while connected with a live session."""
        ...

    @property
    def client_id(self) -> tuple[int, bytes] | None:
        """``(session_id, password)`` while a session exists, else None."""
        ...

    def add_listener(self, listener: StateListener) -> None: ...

    def remove_listener(self, listener: StateListener) -> None: ...

    async def retry(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Await ``func(*args, **kwargs)`` under the client's command retry policy."""
        ...

    # ------------------------------------------------------------ requests

    @overload
    async def create(
        self, path: str, value: bytes = b"", acl: Sequence[ACL] | None = None, ephemeral: bool = False,
        sequence: bool = False, makepath: bool = False, include_data: Literal[False] = False,
        ttl: int | None = None, container: bool = False, protected: bool = False,
    ) -> str: ...

    @overload
    async def create(
        self, path: str, value: bytes = b"", acl: Sequence[ACL] | None = None, ephemeral: bool = False,
        sequence: bool = False, makepath: bool = False, *, include_data: Literal[True],
        ttl: int | None = None, container: bool = False, protected: bool = False,
    ) -> tuple[str, ZnodeStat]: ...

    async def ensure_path(self, path: str, acl: Sequence[ACL] | None = None) -> bool: ...

    async def exists(self, path: str, watch: WatchFunc | None = None) -> ZnodeStat | None: ...

    async def get(self, path: str, watch: WatchFunc | None = None) -> tuple[bytes | None, ZnodeStat]: ...

    @overload
    async def get_children(
        self, path: str, watch: WatchFunc | None = None, include_data: Literal[False] = False,
    ) -> list[str]: ...

    @overload
    async def get_children(
        self, path: str, watch: WatchFunc | None = None, *, include_data: Literal[True],
    ) -> tuple[list[str], ZnodeStat]: ...

    async def set(self, path: str, value: bytes, version: int = -1) -> ZnodeStat: ...

    async def delete(self, path: str, version: int = -1, recursive: bool = False) -> bool: ...

    async def sync(self, path: str) -> str: ...

    def transaction(self) -> AsyncRecipeTransaction: ...

    async def add_watch(self, path: str, callback: Callable[[WatchedEvent], Any], mode: int) -> None: ...

    async def remove_watches(self, path: str, callback: Callable[[WatchedEvent], Any],
                             watcher_type: int) -> bool: ...

