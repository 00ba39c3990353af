"""The differential harness: one scenario, written against kazoo's public API, run twice.

A scenario is a function ``scenario(env) -> result``. ``env.ns`` is the
namespace of names a kazoo user imports (``KazooClient``, ``NoNodeError``,
``Lock``, …): once kazoo's own (:func:`kazoo_namespace`), once
``zkrecipes.compat`` (:func:`compat_namespace`). Each run gets a fresh chroot
of its own on the same server; the results are reduced to what a user
observes (:func:`observe`: return values, exception classes, event tuples,
node trees) and compared (:func:`same`): an exception matches when the
zkrecipes one *is an instance of* the class kazoo raised (looked up by name in
the compat namespace, else a builtin), everything else by equality.

``@scenario(differs="why")`` marks a deliberate difference: the test asserts
that the two results differ (the reason is listed in docs/migrating-from-kazoo.md).
"""

from __future__ import annotations

import builtins
import enum
import importlib
import pkgutil
import types
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from _waits import WAIT, Recorder

__all__ = [
    "SCENARIOS", "WAIT", "Env", "Raised", "Recorder", "Scenario", "catch", "compat_namespace",
    "kazoo_namespace", "observe", "same", "scenario",
]

#: The digest identity scenarios protect nodes with (the clean-up client authenticates as it).
DIGEST_USER, DIGEST_PASSWORD = "user", "pw"

#: Session timeout (s) of the scenarios' clients: short, so that stop/expiry scenarios end quickly.
SESSION_TIMEOUT = 10.0


@dataclass(frozen=True)
class Scenario:
    name: str
    func: Callable[[Env], Any]
    differs: str | None = None
    handlers: tuple[str, ...] = ("threading", "gevent")


SCENARIOS: dict[str, Scenario] = {}


def scenario(func: Callable[[Env], Any] | None = None, *, differs: str | None = None,
             handlers: tuple[str, ...] = ("threading", "gevent")) -> Any:
    """Register ``func`` (its name, without a ``s_`` prefix, is the scenario's id)."""

    def register(f: Callable[[Env], Any]) -> Callable[[Env], Any]:
        name = f.__module__.removeprefix("_compat_s_") + "." + f.__name__.removeprefix("s_")
        assert name not in SCENARIOS, name
        SCENARIOS[name] = Scenario(name, f, differs, handlers)
        return f

    return register(func) if func is not None else register


@dataclass(frozen=True)
class Raised:
    """An exception a scenario raised (or caught and returned)."""

    exc: BaseException

    def __repr__(self) -> str:
        return f"Raised({type(self.exc).__name__}: {self.exc})"


def catch(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``func(*args, **kwargs)``, or the exception it raised (as a value)."""
    try:
        return func(*args, **kwargs)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # gevent.Timeout is a BaseException
        return exc


# ------------------------------------------------------------------ namespaces

_KAZOO_MODULES = (
    "kazoo.client", "kazoo.exceptions", "kazoo.retry", "kazoo.protocol.states", "kazoo.security",
    "kazoo.handlers.threading",
)


def kazoo_namespace() -> types.SimpleNamespace:
    """Every public name of kazoo's user-facing modules, flat (gevent names prefixed ``gevent_``)."""
    import kazoo.recipe

    ns: dict[str, Any] = {}
    recipes = [f"kazoo.recipe.{m.name}" for m in pkgutil.iter_modules(kazoo.recipe.__path__)]
    names = list(_KAZOO_MODULES) + recipes
    for module_name in names:
        module = importlib.import_module(module_name)
        for name in dir(module):
            if not name.startswith("_"):
                ns.setdefault(name, getattr(module, name))
    gevent = importlib.import_module("kazoo.handlers.gevent")
    ns["gevent_AsyncResult"] = gevent.AsyncResult
    ns["SequentialGeventHandler"] = gevent.SequentialGeventHandler
    return types.SimpleNamespace(impl="kazoo", **ns)


def compat_namespace() -> types.SimpleNamespace:
    """``zkrecipes.compat``'s flat names (only its ``__all__``: what ``import *`` gives)."""
    import zkrecipes.compat as compat
    from zkrecipes.compat.handlers import gevent

    ns = {name: getattr(compat, name) for name in compat.__all__}
    ns["gevent_AsyncResult"] = gevent.AsyncResult
    return types.SimpleNamespace(impl="zkrecipes", **ns)


# -------------------------------------------------------------------- the run


@dataclass
class Env:
    """One run of one scenario: a namespace, a fresh chroot, the clients to close after."""

    ns: types.SimpleNamespace
    hosts: str
    handler_name: str
    chroot: str = field(default_factory=lambda: f"/compat-{uuid.uuid4().hex[:12]}")
    clients: list[Any] = field(default_factory=list)
    _client: Any = None
    _proxy: Any = None

    @property
    def proxy(self) -> Any:
        """A :class:`~zkrecipes.testing.proxy.FaultProxy` in front of the server (made on first use)."""
        if self._proxy is None:
            from zkrecipes.testing.proxy import FaultProxy

            self._proxy = FaultProxy.in_front_of(self.hosts)
        return self._proxy

    def handler(self) -> Any:
        """A new handler of this run's kind, from the namespace."""
        if self.handler_name == "gevent":
            return self.ns.SequentialGeventHandler()
        return self.ns.SequentialThreadingHandler()

    def new_client(self, *, chroot: bool = True, start: bool = True, ensure: bool = True,
                   proxied: bool = False, **kwargs: Any) -> Any:
        """A ``KazooClient`` of the namespace on this run's chroot (created with ``ensure_path("/")``),
        through :attr:`proxy` when ``proxied``."""
        kwargs.setdefault("timeout", SESSION_TIMEOUT)
        kwargs.setdefault("handler", self.handler())
        hosts = self.proxy.hosts if proxied else self.hosts
        client = self.ns.KazooClient(hosts + (self.chroot if chroot else ""), **kwargs)
        self.clients.append(client)
        if start:
            client.start(timeout=WAIT)
            if ensure and chroot:
                client.ensure_path("/")
        return client

    @property
    def client(self) -> Any:
        """The run's main client (made on first use)."""
        if self._client is None:
            self._client = self.new_client()
        return self._client

    def recorder(self, client: Any = None) -> Recorder[Any]:
        """A :class:`Recorder` waiting with ``client``'s (default: the main client's) handler."""
        return Recorder(client if client is not None else self.client)

    def tree(self, path: str = "/", client: Any = None) -> dict[str, Any]:
        """``{path: data}`` of every node under ``path`` (the observable node tree)."""
        zk = client if client is not None else self.client
        found: dict[str, Any] = {}
        stack = [path]
        while stack:
            p = stack.pop()
            data, _stat = zk.get(p)
            found[p] = data
            stack.extend(("" if p == "/" else p) + "/" + child for child in zk.get_children(p))
        return dict(sorted(found.items()))

    def close(self) -> None:
        for client in reversed(self.clients):
            try:
                client.stop()
                client.close()
            except Exception:
                pass
        if self._proxy is not None:
            self._proxy.close()


_ADMINS: dict[str, Any] = {}


def cleanup(hosts: str, chroot: str) -> None:
    """Delete a run's chroot, with one zkrecipes client per server kept for the session
    (it only deletes; both implementations' runs are cleaned the same way)."""
    admin = _ADMINS.get(hosts)
    if admin is None:
        from zkrecipes import ZkClient

        admin = ZkClient(hosts, auth_data=[("digest", f"{DIGEST_USER}:{DIGEST_PASSWORD}")])
        admin.start(timeout=WAIT)
        _ADMINS[hosts] = admin
    admin.delete(chroot, recursive=True)


def close_admins() -> None:
    """Stop the clean-up clients (end of the test session)."""
    while _ADMINS:
        _hosts, admin = _ADMINS.popitem()
        admin.stop()
        admin.close()


# ----------------------------------------------------------------- observing

_STAT_FIELDS = ("version", "cversion", "aversion", "dataLength", "numChildren")


def observe(value: Any) -> Any:
    """Reduce a result to what a user observes and that two runs can share.

    Stats keep their versions, sizes, child count and whether they are ephemeral
    (zxids and times differ between runs); events become ``(type, state, path)``;
    enums their value; exceptions :class:`Raised`.
    """
    if isinstance(value, BaseException):
        return Raised(value)
    if isinstance(value, enum.Enum):
        return value.value
    if type(value).__name__ == "ZnodeStat":
        return ("stat", *(getattr(value, f) for f in _STAT_FIELDS), value.ephemeralOwner != 0)
    if type(value).__name__ == "WatchedEvent":
        return ("event", observe(value.type), observe(value.state), value.path)
    if isinstance(value, tuple) and type(value) is not tuple and hasattr(value, "_fields"):
        return (type(value).__name__, *(observe(v) for v in value))
    if isinstance(value, (list, tuple)):
        return type(value)(observe(v) for v in value)
    if isinstance(value, dict):
        return {observe(k): observe(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(observe(v) for v in value)
    return value


def _kazoo_class(ns: types.SimpleNamespace, name: str) -> type[BaseException] | None:
    cls = getattr(ns, name, None)
    if cls is None:
        cls = getattr(builtins, name, None)
    return cls if isinstance(cls, type) and issubclass(cls, BaseException) else None


def same(kazoo: Any, ours: Any, ns: types.SimpleNamespace) -> bool:
    """True when ``ours`` shows the user what ``kazoo`` does (both already observed)."""
    if isinstance(kazoo, Raised) or isinstance(ours, Raised):
        if not (isinstance(kazoo, Raised) and isinstance(ours, Raised)):
            return False
        cls = _kazoo_class(ns, type(kazoo.exc).__name__)
        return cls is not None and isinstance(ours.exc, cls)
    numbers = (int, float)
    if isinstance(kazoo, numbers) and isinstance(ours, numbers) and not isinstance(kazoo, bool):
        return not isinstance(ours, bool) and kazoo == ours  # 3 and 3.0 show the same
    if type(kazoo) is not type(ours) and not (isinstance(kazoo, str) and isinstance(ours, str)):
        return False
    if isinstance(kazoo, (list, tuple)):
        return len(kazoo) == len(ours) and all(same(k, o, ns) for k, o in zip(kazoo, ours, strict=True))
    if isinstance(kazoo, dict):
        return kazoo.keys() == ours.keys() and all(same(kazoo[k], ours[k], ns) for k in kazoo)
    return bool(kazoo == ours)


def run(scn: Scenario, ns: types.SimpleNamespace, hosts: str, handler_name: str) -> Any:
    """Run ``scn`` once with ``ns``; return its observed result (an exception is a result)."""
    env = Env(ns, hosts, handler_name)
    try:
        try:
            result = scn.func(env)
        except Exception as exc:
            result = exc
        return observe(result)
    finally:
        env.close()
        cleanup(hosts, env.chroot)
