"""The asyncio front end behind the sync API, so integration/client runs against it unchanged.

:class:`BlockingAioClient` owns an :class:`~zkrecipes.aio.AsyncZkClient` that lives on an
event loop in a background thread (:class:`LoopThread`, one per test, shared by every
client of the test). Each sync call submits the coroutine with
``asyncio.run_coroutine_threadsafe`` and waits for it; nothing else is translated, so
what a test checks is the asyncio client's own behaviour (its transport, its fates,
its callback queues, its retry).

What maps, and how:

* ``op(...)`` → ``await client.op(...)`` on the loop; the caller's thread waits.
* ``op_async(...)`` → the same coroutine, its outcome delivered to an ``AsyncResult`` of a
  started threading handler (``rawlink`` callbacks run on that handler's COMPLETION queue).
* ``watch=`` / ``callback`` / ``watcher`` arguments and listeners: the asyncio client calls a
  relay (the same relay object for the same callable, so the watch registry's "one watcher
  object, one delivery" and ``remove_watches`` work); the relay hands the user's callable to
  the handler's WATCH / SESSION queue. User code therefore runs off the loop, in order, and
  may call the client synchronously, as with the threaded client.
* ``handler`` is that threading handler (tests wait with ``handler.sleep_func`` /
  ``event_object()``; ``dispatch_callback(WATCH, ...)`` queues behind watch callbacks).
* ``transaction()`` / ``multi_read()`` → builders whose ``commit`` / ``commit_async`` are awaited.
* ``retry(func, ...)``: a client method is retried as the asyncio coroutine; any other
  function runs in an executor thread under the asyncio ``retry``.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import functools
import inspect
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from zkrecipes.aio import AsyncZkClient
from zkrecipes.client.handlers.interface import CallbackKind
from zkrecipes.handlers import SequentialThreadingHandler

__all__ = ["BlockingAioClient", "LoopThread"]

#: Parameter names of the operations that take a watch callable.
_CALLBACK_PARAMS = ("watch", "callback", "watcher")



def _returns_coroutine(member: Any) -> bool:
    """A coroutine function, or a generated operation (a plain method returning a coroutine object)."""
    returns = getattr(member, "__annotations__", {}).get("return", "")
    if inspect.iscoroutinefunction(member):
        return True
    return isinstance(returns, str) and returns.startswith("Coroutine[")


_CORO_OPS = frozenset(
    name for name, member in inspect.getmembers(AsyncZkClient)
    if _returns_coroutine(member) and not name.startswith("_")
)


class LoopThread:
    """An event loop running in a daemon thread until :meth:`close`."""

    def __init__(self, loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None) -> None:
        self.loop = (loop_factory or asyncio.new_event_loop)()
        self._thread = threading.Thread(target=self._run, name="aio-frontend-loop", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def in_loop_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run ``coro`` on the loop and wait for its outcome (never from the loop thread)."""
        if self.in_loop_thread():
            coro.close()
            raise RuntimeError("a blocking client call from the event loop's thread would deadlock")
        return self.submit(coro).result()

    def close(self, timeout: float = 10.0) -> None:
        """Cancel what is left on the loop, stop it and join the thread (bounded)."""

        async def cancel_rest() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.wait(tasks, timeout=timeout) if tasks else None

        try:
            self.submit(cancel_rest()).result(timeout)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout)
            if not self._thread.is_alive():
                self.loop.close()


def _settle(result: Any, task: asyncio.Task[Any]) -> None:
    """Hand a finished task's outcome to its ``AsyncResult``."""
    if task.cancelled():
        result.set_exception(asyncio.CancelledError())
    elif task.exception() is not None:
        result.set_exception(task.exception())
    else:
        result.set(task.result())


class _Relays:
    """Relay objects standing for user callables inside the asyncio client (one per callable)."""

    def __init__(self, owner: BlockingAioClient) -> None:
        self._owner = owner
        self._watches: dict[Any, Callable[[Any], None]] = {}
        self._listeners: dict[Any, Callable[[Any], None]] = {}
        self._guard = threading.Lock()

    def watch(self, func: Any) -> Any:
        if func is None or not callable(func):
            return func  # the client's own argument check reports it
        with self._guard:
            relay = self._watches.get(func)
            if relay is None:
                handler = self._owner.handler

                def relay(event: Any, _func: Any = func) -> None:
                    handler.dispatch_callback(CallbackKind.WATCH, _func, event)

                self._watches[func] = relay
            return relay

    def listener(self, func: Any) -> Any:
        if not callable(func):
            return func
        with self._guard:
            relay = self._listeners.get(func)
            if relay is None:
                owner = self._owner

                def relay(state: Any, _func: Any = func) -> None:
                    owner.handler.dispatch_callback(CallbackKind.SESSION, owner._run_listener, _func, state)

                self._listeners[func] = relay
            return relay

    def forget_listener(self, func: Any) -> Any:
        with self._guard:
            return self._listeners.pop(func, None)


class _BlockingBatch:
    """A transaction / multi-read builder whose commit is awaited on the loop."""

    def __init__(self, owner: BlockingAioClient, builder: Any) -> None:
        self._owner = owner
        self._builder = builder

    def __getattr__(self, name: str) -> Any:
        return getattr(self._builder, name)  # create / delete / set_data / check / get / ...

    def commit(self) -> list[Any]:
        return self._owner._loop.run(self._builder.commit())  # type: ignore[no-any-return]

    def commit_async(self) -> Any:
        return self._owner._deliver(self._builder.commit())

    def __enter__(self) -> _BlockingBatch:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.commit()


class BlockingAioClient:
    """The sync client API over an ``AsyncZkClient`` on a background loop (see the module docstring)."""

    def __init__(self, loop: LoopThread, hosts: str, **kwargs: Any) -> None:
        self._loop = loop
        self.handler = SequentialThreadingHandler()
        self.handler.start()
        self._relays = _Relays(self)
        self._in_listener = threading.local()
        self._inbox: collections.deque[tuple[Coroutine[Any, Any, Any], Any]] = collections.deque()
        self._inbox_lock = threading.Lock()
        self._inbox_scheduled = False

        async def make() -> AsyncZkClient:
            return AsyncZkClient(hosts, **kwargs)

        self.aio: AsyncZkClient = loop.run(make())

    # ------------------------------------------------------------- plumbing

    def _translate(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        method = getattr(self.aio, name)
        try:
            bound = inspect.signature(method).bind(*args, **kwargs)
        except TypeError:
            return args, kwargs  # let the coroutine raise the TypeError itself
        for param in _CALLBACK_PARAMS:
            if param in bound.arguments:
                bound.arguments[param] = self._relays.watch(bound.arguments[param])
        return bound.args, bound.kwargs

    def _coro(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Coroutine[Any, Any, Any]:
        call_args, call_kwargs = self._translate(name, args, kwargs)
        method = getattr(self.aio, name)

        async def on_loop() -> Any:
            # Called on the loop's thread, as an asyncio program calls it: a single request
            # takes the fast path (sent at once, its reply future awaited).
            return await method(*call_args, **call_kwargs)

        return on_loop()

    def _deliver(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run ``coro`` on the loop; its outcome goes to a handler ``AsyncResult``.

        Submissions are queued and started by one loop callback per burst, in call order (10,000
        ``*_async`` calls in a row cost one wake-up of the loop, not 10,000).
        """
        result = self.handler.async_result()
        with self._inbox_lock:
            self._inbox.append((coro, result))
            wake = not self._inbox_scheduled
            self._inbox_scheduled = True
        if wake:
            self._loop.loop.call_soon_threadsafe(self._start_inbox)
        return result

    def _start_inbox(self) -> None:
        with self._inbox_lock:
            items = list(self._inbox)
            self._inbox.clear()
            self._inbox_scheduled = False
        for coro, result in items:  # tasks start in this order: xids in call order
            self._loop.loop.create_task(coro).add_done_callback(functools.partial(_settle, result))

    def __getattr__(self, name: str) -> Any:
        if name.endswith("_async") and name[: -len("_async")] in _CORO_OPS:
            base = name[: -len("_async")]

            def twin(*args: Any, **kwargs: Any) -> Any:
                return self._deliver(self._coro(base, args, kwargs))

            return twin
        if name in _CORO_OPS:

            def call(*args: Any, **kwargs: Any) -> Any:
                return self._loop.run(self._coro(name, args, kwargs))

            call.aio_name = name  # type: ignore[attr-defined]  # for retry()
            return call
        value = getattr(self.aio, name)
        if inspect.ismethod(value):  # a plain method (set_hosts, unchroot, ...): run it on the loop

            def plain(*args: Any, **kwargs: Any) -> Any:
                return self._loop.run(self._on_loop(value, *args, **kwargs))

            return plain
        return value  # a property's value (state, connected, client_id, ...)

    # ------------------------------------------------------------- life cycle

    def start(self, timeout: float = 15) -> None:
        self._loop.run(self.aio.start(timeout))

    def start_async(self) -> Any:
        """An event set once connected (as the threaded client's ``start_async``)."""
        event = self.handler.event_object()

        async def start() -> None:
            await self.aio.start(timeout=self.aio.session_timeout * 3)
            event.set()

        self._loop.submit(start())
        return event

    def stop(self) -> None:
        self._loop.run(self.aio.stop())
        self._drain_listeners()

    def restart(self) -> None:
        self._loop.run(self.aio.restart())

    def close(self) -> None:
        async def close() -> None:
            self.aio.close()

        self._loop.run(close())
        self.handler.stop()

    def _drain_listeners(self) -> None:
        """Let relayed listeners see what the asyncio client queued (LOST on stop) before returning."""
        if getattr(self._in_listener, "active", False):
            return  # stop() from a listener: its queue is this thread
        drained = self.handler.event_object()
        self.handler.dispatch_callback(CallbackKind.SESSION, drained.set)
        drained.wait(30.0)

    # ------------------------------------------------------------- listeners

    def add_listener(self, listener: Any) -> None:
        relay = self._relays.listener(listener)
        self._loop.run(self._on_loop(self.aio.add_listener, relay))

    def remove_listener(self, listener: Any) -> None:
        relay = self._relays.forget_listener(listener)
        if relay is not None:
            self._loop.run(self._on_loop(self.aio.remove_listener, relay))

    def _run_listener(self, func: Any, state: Any) -> None:
        self._in_listener.active = True
        try:
            if func(state) is True:
                relay = self._relays.forget_listener(func)
                if relay is not None:
                    self._loop.loop.call_soon_threadsafe(self.aio.remove_listener, relay)
        finally:
            self._in_listener.active = False

    @staticmethod
    async def _on_loop(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    # ------------------------------------------------------------- builders, retry

    def transaction(self) -> _BlockingBatch:
        return _BlockingBatch(self, self.aio.transaction())

    def multi_read(self) -> _BlockingBatch:
        return _BlockingBatch(self, self.aio.multi_read())

    def retry(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        name = getattr(func, "aio_name", None)
        if name is not None:
            call_args, call_kwargs = self._translate(name, args, kwargs)
            return self._loop.run(self.aio.retry(getattr(self.aio, name), *call_args, **call_kwargs))

        async def in_thread() -> Any:
            return await asyncio.get_running_loop().run_in_executor(None, lambda: func(*args, **kwargs))

        return self._loop.run(self.aio.retry(in_thread))
