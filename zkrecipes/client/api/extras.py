"""Operations beyond kazoo's core, defined once: persistent watches, watch removal,
ephemerals, children count, whoami, reconfig.

Same shape as :mod:`.nodes` (``scripts/gen_api.py`` reads both).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zkrecipes.client import validation as v
from zkrecipes.client.api.steps import Call, Context
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
from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError, make_error
from zkrecipes.states import WatchedEvent, ZnodeStat

__all__ = [
    "add_watch", "get_all_children_number", "get_ephemerals", "reconfig", "remove_all_watches",
    "remove_watches", "whoami",
]


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


def _local_removal(ctx: Context, path: str, wtype: int, callback: object) -> Callable[[int, Any], bool]:
    remove = ctx.remove_local_watchers

    def convert(err: int, result: Any) -> bool:
        # A converter runs on the I/O side, the only place that may touch the watches.
        if err:
            raise make_error(err)
        remove(path, wtype, callback)
        return True

    return convert


def add_watch(ctx: Context, path: str, callback: Callable[[WatchedEvent], Any], mode: int) -> Call[None]:
    """Add a persistent (or persistent-recursive) watch calling ``callback`` on every event.

    It stays until removed with :meth:`remove_watches`/:meth:`remove_all_watches`
    or the session ends; it is restored after reconnects.
    """
    path = v.check_path(path)
    v.check_callable(callback, "callback")
    return Call(AddWatchRequest(path, _enum_value(mode, AddWatchMode, "mode"), callback))


def remove_watches(
    ctx: Context, path: str, callback: Callable[[WatchedEvent], Any], watcher_type: int
) -> Call[bool]:
    """Remove ``callback``'s watches of ``watcher_type`` on ``path``; True.

    The server checks a watch of that type exists (else NoWatcherError);
    then the callback's local registration is removed.
    """
    path = v.check_path(path)
    v.check_callable(callback, "callback")
    wtype = _enum_value(watcher_type, WatcherType, "watcher_type")
    return Call(CheckWatchesRequest(path, wtype), _local_removal(ctx, path, wtype, callback))


def remove_all_watches(ctx: Context, path: str, watcher_type: int) -> Call[bool]:
    """Remove every watch of ``watcher_type`` this session has on ``path`` (server and local)."""
    path = v.check_path(path)
    wtype = _enum_value(watcher_type, WatcherType, "watcher_type")
    return Call(RemoveWatchesRequest(path, wtype), _local_removal(ctx, path, wtype, None))


def get_ephemerals(ctx: Context, prefix: str = "/") -> Call[list[str]]:
    """Paths of this session's ephemeral nodes under ``prefix``."""
    return Call(GetEphemeralsRequest(v.check_path(prefix, name="prefix")))


def get_all_children_number(ctx: Context, path: str) -> Call[int]:
    """The number of all descendants of ``path``."""
    return Call(GetAllChildrenNumberRequest(v.check_path(path)))


def whoami(ctx: Context) -> Call[list[ClientInfo]]:
    """The identities this session is authenticated as (``ClientInfo(auth_scheme, user)``)."""
    return Call(WhoAmIRequest())


def reconfig(
    ctx: Context, joining: str | None, leaving: str | None, new_members: str | None, from_config: int = -1
) -> Call[tuple[bytes, ZnodeStat]]:
    """Reconfigure the ensemble; return the new config ``(data, ZnodeStat)``."""
    return Call(ReconfigRequest(
        _server_list(joining, "joining"),
        _server_list(leaving, "leaving"),
        _server_list(new_members, "new_members"),
        v.check_int(from_config, "from_config"),
    ))
