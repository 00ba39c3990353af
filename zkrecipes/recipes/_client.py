"""The client as the recipes see it: a typed Protocol of the public client API they use.

Rule of this module: a recipe may call on its client only what is declared
here, so every recipe runs against any object with this shape — today's
:class:`~zkrecipes.ZkClient`, a test double, a wrapper that counts calls —
and never reaches into a client's private state. Method names, argument
names and argument order are those of ``ZkClient``; the return types are the
precise ones (``get`` gives ``(bytes | None, ZnodeStat)``, ``create`` a ``str`` or,
with ``include_data=True``, ``(str, ZnodeStat)``).

The ``*_async`` methods return a :class:`Pending`, the part of the handler's
async result the recipes use (``get`` with a timeout, ``wait``, ``ready``,
``rawlink``). It is declared here rather than imported so that the recipes do
not depend on how the client spells its result type (a generic
``AsyncResult[T]`` satisfies it, and so does today's untyped one).

Concurrency primitives come from ``client.handler`` (:class:`RecipeHandler`):
events, locks, ``spawn`` and fresh async results, so a recipe runs on
threads or greenlets, whichever the client's handler provides. Nothing here is
public API; the Protocol exists for type checking only (no runtime check).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Literal, Protocol, TypeVar, overload

from zkrecipes.security import ACL
from zkrecipes.states import WatchedEvent, ZkState, ZnodeStat

__all__ = [
    "Event",
    "Pending",
    "RecipeClient",
    "RecipeHandler",
    "RecipeLock",
    "Settable",
    "StateListener",
    "Transaction",
    "WatchFunc",
]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
_TxT = TypeVar("_TxT", bound="Transaction")

#: A one-shot watch callback.
WatchFunc = Callable[[WatchedEvent], object]
#: A session state listener; returning True removes it.
StateListener = Callable[[ZkState], object]


class Pending(Protocol[T_co]):
    """An outstanding request's result (the part of ``AsyncResult`` the recipes use)."""

    @property
    def exception(self) -> BaseException | None:
        """The stored exception, or None (not ready, or ready with a value)."""
        ...

    def get(self, *, timeout: float | None = None) -> T_co:
        """The value, or raise the stored error; ``ZkTimeoutError`` if not ready in ``timeout``.

        Keyword-only here so that any ``get(block=True, timeout=None)`` implementation fits.
        """
        ...

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ready or ``timeout``; return whether it is ready."""
        ...

    def ready(self) -> bool:
        """True once a value or an error is stored."""
        ...

    def rawlink(self, callback: Callable[[Any], object]) -> None:
        """Run ``callback(self)`` once the result is set (on the completion queue)."""
        ...


class Settable(Pending[T], Protocol[T]):
    """A result a recipe produces itself (``handler.async_result()``)."""

    def set(self, value: T) -> None:
        """Store ``value`` and wake every waiter."""
        ...

    def set_exception(self, exception: BaseException) -> None:
        """Store ``exception`` and wake every waiter."""
        ...


class Event(Protocol):
    """A ``threading.Event``-like object from the handler."""

    def set(self) -> None: ...

    def clear(self) -> None: ...

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


class RecipeLock(Protocol):
    """A ``threading.Lock``-like object from the handler (also usable with ``with``)."""

    def acquire(self, blocking: bool = ..., timeout: float = ...) -> bool: ...

    def release(self) -> None: ...

    def __enter__(self) -> object: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class Joinable(Protocol):
    """What ``spawn`` returns (a thread or a greenlet)."""

    def join(self, timeout: float | None = None) -> object: ...


class RecipeHandler(Protocol):
    """The concurrency primitives a recipe takes from ``client.handler``."""

    def event_object(self) -> Event: ...

    def lock_object(self) -> RecipeLock: ...

    def rlock_object(self) -> RecipeLock: ...

    def async_result(self) -> Settable[Any]: ...

    def spawn(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Joinable: ...


class Transaction(Protocol):
    """A write transaction (``client.transaction()``): add operations, then ``commit``.

    ``commit()`` returns one result per operation; when the transaction fails
    every entry is an exception instance and nothing was applied.
    """

    def create(
        self,
        path: str,
        value: bytes = b"",
        acl: list[ACL] | None = None,
        ephemeral: bool = False,
        sequence: bool = False,
        ttl: int | None = None,
        container: bool = False,
    ) -> None: ...

    def delete(self, path: str, version: int = -1) -> None: ...

    def set_data(self, path: str, value: bytes, version: int = -1) -> None: ...

    def check(self, path: str, version: int) -> None: ...

    def commit(self) -> list[Any]: ...

    def __enter__(self: _TxT) -> _TxT: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None: ...


class RecipeClient(Protocol):
    """The public client API the recipes use (see the module docstring)."""

    # ------------------------------------------------------------ session state

    @property
    def handler(self) -> RecipeHandler: ...

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

    def add_listener(self, listener: Callable[[ZkState], Any]) -> None: ...

    def remove_listener(self, listener: Callable[[ZkState], Any]) -> None: ...

    def retry(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``func(*args, **kwargs)`` under the client's command retry policy."""
        ...

    # ------------------------------------------------------------ requests

    @overload
    def create(
        self,
        path: str,
        value: bytes = b"",
        acl: Sequence[ACL] | None = None,
        ephemeral: bool = False,
        sequence: bool = False,
        makepath: bool = False,
        include_data: Literal[False] = False,
        ttl: int | None = None,
        container: bool = False,
        protected: bool = False,
    ) -> str: ...

    @overload
    def create(
        self,
        path: str,
        value: bytes = b"",
        acl: Sequence[ACL] | None = None,
        ephemeral: bool = False,
        sequence: bool = False,
        makepath: bool = False,
        *,
        include_data: Literal[True],
        ttl: int | None = None,
        container: bool = False,
        protected: bool = False,
    ) -> tuple[str, ZnodeStat]: ...

    @overload
    def create_async(
        self,
        path: str,
        value: bytes = b"",
        acl: Sequence[ACL] | None = None,
        ephemeral: bool = False,
        sequence: bool = False,
        makepath: bool = False,
        include_data: Literal[False] = False,
        ttl: int | None = None,
        container: bool = False,
        protected: bool = False,
    ) -> Pending[str]: ...

    @overload
    def create_async(
        self,
        path: str,
        value: bytes = b"",
        acl: Sequence[ACL] | None = None,
        ephemeral: bool = False,
        sequence: bool = False,
        makepath: bool = False,
        *,
        include_data: Literal[True],
        ttl: int | None = None,
        container: bool = False,
        protected: bool = False,
    ) -> Pending[tuple[str, ZnodeStat]]: ...

    def ensure_path(self, path: str, acl: Sequence[ACL] | None = None) -> str | bool: ...

    def ensure_path_async(self, path: str, acl: Sequence[ACL] | None = None) -> Pending[str | bool]: ...

    def exists(self, path: str, watch: WatchFunc | None = None) -> ZnodeStat | None: ...

    def exists_async(self, path: str, watch: WatchFunc | None = None) -> Pending[ZnodeStat | None]: ...

    def get(self, path: str, watch: WatchFunc | None = None) -> tuple[bytes | None, ZnodeStat]: ...

    def get_async(
        self, path: str, watch: WatchFunc | None = None
    ) -> Pending[tuple[bytes | None, ZnodeStat]]: ...

    @overload
    def get_children(
        self, path: str, watch: WatchFunc | None = None, include_data: Literal[False] = False
    ) -> list[str]: ...

    @overload
    def get_children(
        self, path: str, watch: WatchFunc | None = None, *, include_data: Literal[True]
    ) -> tuple[list[str], ZnodeStat]: ...

    @overload
    def get_children_async(
        self, path: str, watch: WatchFunc | None = None, include_data: Literal[False] = False
    ) -> Pending[list[str]]: ...

    @overload
    def get_children_async(
        self, path: str, watch: WatchFunc | None = None, *, include_data: Literal[True]
    ) -> Pending[tuple[list[str], ZnodeStat]]: ...

    def set(self, path: str, value: bytes | None, version: int = -1) -> ZnodeStat: ...

    def delete(self, path: str, version: int = -1, recursive: bool = False) -> bool | None: ...

    def sync(self, path: str) -> str: ...

    def transaction(self) -> Transaction: ...

    def add_watch(self, path: str, callback: Callable[[WatchedEvent], Any], mode: int) -> None: ...

    def remove_watches(
        self, path: str, callback: Callable[[WatchedEvent], Any], watcher_type: int
    ) -> bool: ...
