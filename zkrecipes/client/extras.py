"""Operations beyond kazoo's core: persistent watches, watch removal, ephemerals,
children count, whoami, multi-read, reconfig, four-letter words."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

from zkrecipes.client import validation as v
from zkrecipes.client.core import ClientCore
from zkrecipes.client.handlers.interface import AsyncResult
from zkrecipes.client.protocol.opcodes import AddWatchMode, WatcherType
from zkrecipes.client.protocol.records import ClientInfo
from zkrecipes.client.protocol.requests import (
    AddWatchRequest,
    CheckWatchesRequest,
    GetAllChildrenNumberRequest,
    GetEphemeralsRequest,
    ReconfigRequest,
    RemoveWatchesRequest,
    WhoAmIRequest,
)
from zkrecipes.client.transaction import MultiReadBuilder
from zkrecipes.exceptions import (
    ConnectionLoss,
    InvalidArgumentError,
    InvalidTypeError,
    ZkException,
    make_error,
)
from zkrecipes.states import WatchedEvent, ZnodeStat

_VERSION = re.compile(r"zookeeper\.version=(\d+)\.(\d+)\.(\d+)")


def _enum_value(value: object, enum_type: type[AddWatchMode] | type[WatcherType], name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTypeError(f"Invalid type for {name!r} ({enum_type.__name__} expected)")
    try:
        return int(enum_type(value))
    except ValueError:
        raise InvalidArgumentError(f"invalid {name} {value!r}") from None


def _server_list(value: object, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(x, str) for x in value):
        return ",".join(value)
    raise InvalidTypeError(f"Invalid type for {name!r} (a string, a list of strings or None expected)")


class ExtraOperations(ClientCore):
    """ZooKeeper 3.5+/3.6+ features on the same client."""

    def add_watch(self, path: str, callback: Callable[[WatchedEvent], Any], mode: int) -> None:
        """Add a persistent (or persistent-recursive) watch calling ``callback`` on every event.

        It stays until removed with :meth:`remove_watches`/:meth:`remove_all_watches`
        or the session ends; it is restored after reconnects.
        """
        self.add_watch_async(path, callback, mode).get()

    def add_watch_async(self, path: str, callback: Callable[[WatchedEvent], Any], mode: int) -> AsyncResult:
        """Asynchronous :meth:`add_watch`."""
        v.check_path(path)
        v.check_callable(callback, "callback")
        return self._submit(AddWatchRequest(path, _enum_value(mode, AddWatchMode, "mode"), callback))

    def remove_watches(self, path: str, callback: Callable[[WatchedEvent], Any], watcher_type: int) -> bool:
        """Remove ``callback``'s watches of ``watcher_type`` on ``path``; True.

        The server checks a watch of that type exists (else NoWatcherError);
        then the callback's local registration is removed.
        """
        result: bool = self.remove_watches_async(path, callback, watcher_type).get()
        return result

    def remove_watches_async(
        self, path: str, callback: Callable[[WatchedEvent], Any], watcher_type: int
    ) -> AsyncResult:
        """Asynchronous :meth:`remove_watches`."""
        v.check_path(path)
        v.check_callable(callback, "callback")
        wtype = _enum_value(watcher_type, WatcherType, "watcher_type")
        return self._submit(CheckWatchesRequest(path, wtype), self._local_removal(path, wtype, callback))

    def remove_all_watches(self, path: str, watcher_type: int) -> bool:
        """Remove every watch of ``watcher_type`` this session has on ``path`` (server and local)."""
        result: bool = self.remove_all_watches_async(path, watcher_type).get()
        return result

    def remove_all_watches_async(self, path: str, watcher_type: int) -> AsyncResult:
        """Asynchronous :meth:`remove_all_watches`."""
        v.check_path(path)
        wtype = _enum_value(watcher_type, WatcherType, "watcher_type")
        return self._submit(RemoveWatchesRequest(path, wtype), self._local_removal(path, wtype, None))

    def _local_removal(self, path: str, wtype: int, callback: object) -> Callable[[int, Any], bool]:
        connection = self._connection

        def convert(err: int, result: Any) -> bool:
            # Runs in the I/O loop, the only place that touches the protocol.
            if err:
                raise make_error(err)
            connection.remove_local_watchers(path, wtype, callback)
            return True

        return convert

    def get_ephemerals(self, prefix: str = "/") -> list[str]:
        """Paths of this session's ephemeral nodes under ``prefix``."""
        result: list[str] = self.get_ephemerals_async(prefix).get()
        return result

    def get_ephemerals_async(self, prefix: str = "/") -> AsyncResult:
        """Asynchronous :meth:`get_ephemerals`."""
        return self._submit(GetEphemeralsRequest(v.check_path(prefix, name="prefix")))

    def get_all_children_number(self, path: str) -> int:
        """The number of all descendants of ``path``."""
        result: int = self.get_all_children_number_async(path).get()
        return result

    def get_all_children_number_async(self, path: str) -> AsyncResult:
        """Asynchronous :meth:`get_all_children_number`."""
        return self._submit(GetAllChildrenNumberRequest(v.check_path(path)))

    def whoami(self) -> list[ClientInfo]:
        """The identities this session is authenticated as (``ClientInfo(auth_scheme, user)``)."""
        result: list[ClientInfo] = self.whoami_async().get()
        return result

    def whoami_async(self) -> AsyncResult:
        """Asynchronous :meth:`whoami`."""
        return self._submit(WhoAmIRequest())

    def multi_read(self) -> MultiReadBuilder:
        """A read-only multi builder (``get``, ``get_children``, then ``commit()``)."""
        return MultiReadBuilder(self)  # type: ignore[arg-type]

    def reconfig(
        self, joining: str | None, leaving: str | None, new_members: str | None, from_config: int = -1
    ) -> tuple[bytes, ZnodeStat]:
        """Reconfigure the ensemble; return the new config ``(data, ZnodeStat)``."""
        reply = self.reconfig_async(joining, leaving, new_members, from_config)
        result: tuple[bytes, ZnodeStat] = reply.get()
        return result

    def reconfig_async(
        self, joining: str | None, leaving: str | None, new_members: str | None, from_config: int = -1
    ) -> AsyncResult:
        """Asynchronous :meth:`reconfig`."""
        request = ReconfigRequest(
            _server_list(joining, "joining"),
            _server_list(leaving, "leaving"),
            _server_list(new_members, "new_members"),
            v.check_int(from_config, "from_config"),
        )
        return self._submit(request)

    # -------------------------------------------------------- four-letter words

    def command(self, cmd: bytes = b"ruok") -> str:
        """Send a four-letter word to the current server over its own short connection.

        Returns the server's text answer. Raises ConnectionLoss when not connected.
        """
        if not isinstance(cmd, bytes):
            raise InvalidTypeError("cmd must be bytes, e.g. b'ruok'")
        if len(cmd) != 4:
            raise InvalidArgumentError(f"a four-letter word has 4 bytes, got {cmd!r}")
        server = self._connection.current_server
        if not self.connected or server is None or server[1] is None:
            raise ConnectionLoss("No connection to server")
        host, peer = server
        sock = self.handler.create_connection(
            (str(peer[0]), int(peer[1])), max(self.session_timeout, 1.0),
            server_hostname=host.host, **self._ssl_options(),
        )
        try:
            sock.sendall(cmd)
            chunks: list[bytes] = []
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            with contextlib.suppress(OSError):
                sock.close()
        return b"".join(chunks).decode("utf-8", "replace")

    def server_version(self, retries: int = 3) -> tuple[int, ...]:
        """The current server's version, e.g. ``(3, 8, 0)`` (from ``envi``)."""
        for _ in range(1 + max(0, retries)):
            match = _VERSION.search(self.command(b"envi"))
            if match:
                return tuple(int(x) for x in match.groups())
        raise ZkException(f"unable to read the server version after {1 + max(0, retries)} tries")
