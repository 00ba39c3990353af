"""The asyncio driver: the same plans, each step awaited (for ``zkrecipes.aio``).

Nothing in :mod:`.steps`, :mod:`.plans` or the operations changes for asyncio:
this loop is :func:`~.drivers.run_sync` with ``await``. The asyncio front end
provides an :class:`AsyncioPort` whose ``_submit`` returns an awaitable of the
converted reply (raising the request's error).

A single-request operation (a :class:`~.steps.Call`) is not a coroutine at all:
:func:`start_asyncio` hands it to the port's ``_reply``, which sends it at once and
returns its :class:`Reply`, the asyncio future the transport resolves. ``gather``,
``wait_for`` and ``await`` take that future as it is (no Task, no coroutine frame per
request); ``create_task`` and ``run_coroutine_threadsafe`` accept it too, because a
:class:`Reply` is also a :class:`collections.abc.Coroutine`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine, Generator
from types import TracebackType
from typing import Any, Protocol, TypeVar

from zkrecipes.client.api.drivers import Done, resume
from zkrecipes.client.api.steps import (
    Auth,
    Batch,
    Call,
    Converter,
    Op,
    Plan,
    SessionView,
    Snapshot,
    Step,
    Submit,
)

__all__ = ["AsyncioPort", "Reply", "run_asyncio", "start_asyncio"]

T = TypeVar("T")


class Reply(asyncio.Future[T], Coroutine[Any, Any, T]):
    """One request's reply: an :class:`asyncio.Future` that is also a coroutine object.

    The transport resolves it (result or error) on the loop thread. Cancelling it
    (directly, or by cancelling whatever awaits it: a task, ``wait_for``, ``gather``,
    ``asyncio.timeout``) only marks it done: the request stays pending in the session
    and its late reply is discarded, so the xid order is never disturbed.

    As a coroutine (``send``/``throw``/``close``, for ``create_task``,
    ``TaskGroup.create_task`` and ``run_coroutine_threadsafe``) it is awaiting itself:
    running it as a task gives the reply's outcome. An exception thrown in (a task
    cancelled before its first step) and ``close()`` cancel the reply as above: the
    request was sent when the reply was made, only its outcome is discarded.
    """

    __slots__ = ("_steps",)

    _steps: Generator[Any, None, T]

    def _iterator(self) -> Generator[Any, None, T]:
        try:
            return self._steps
        except AttributeError:
            self._steps = steps = self.__await__()
            return steps

    def send(self, value: Any) -> Any:
        return self._iterator().send(value)

    def throw(self, typ: Any, val: Any = None, tb: TracebackType | None = None) -> Any:
        steps = self._iterator()
        self.cancel()  # the awaiter gives up (a no-op once done): a late reply is discarded
        if val is None and tb is None:
            return steps.throw(typ)
        return steps.throw(typ, val, tb)  # the three-argument form (deprecated by Python 3.12)

    def close(self) -> None:
        """Not to be awaited after all: cancel the reply (the request was already sent)."""
        self.cancel()


class AsyncioPort(Protocol):
    """What the asyncio driver needs from an asyncio front end."""

    def _submit(self, request: Any, converter: Converter | None = None) -> Awaitable[Any]: ...

    def _reply(self, request: Any, converter: Converter | None = None) -> Coroutine[Any, Any, Any]: ...

    def _add_auth(self, scheme: str, credential: str) -> Awaitable[bool]: ...

    def _snapshot(self) -> SessionView: ...


async def _outcome(awaitable: Awaitable[Any], timeout: float | None) -> Done[Any]:
    try:
        return Done(await asyncio.wait_for(awaitable, timeout))
    except Exception as exc:
        return Done(None, exc)


async def _perform(step: Step, port: AsyncioPort) -> Any:
    if type(step) is Submit:
        return await asyncio.wait_for(port._submit(step.request, step.converter), step.timeout)
    if type(step) is Batch:
        pending = [_outcome(port._submit(c.request, c.converter), c.timeout) for c in step.calls]
        return list(await asyncio.gather(*pending))
    if type(step) is Auth:
        return await port._add_auth(step.scheme, step.credential)
    if type(step) is Snapshot:
        return port._snapshot()
    raise TypeError(f"a plan yielded {step!r}, not a step")


def start_asyncio(op: Op[T], port: AsyncioPort) -> Coroutine[Any, Any, T]:
    """``op`` as an awaitable: a Call is sent now (its :class:`Reply`), a plan runs when awaited."""
    if type(op) is Call:
        return port._reply(op.request, op.converter)
    return run_asyncio(op, port)


async def run_asyncio(op: Op[T], port: AsyncioPort) -> T:
    """Run ``op`` to its end on the running event loop; its result, or raises its error."""
    if type(op) is Call:
        result: T = await port._submit(op.request, op.converter)
        return result
    plan: Plan[T] = op  # type: ignore[assignment]
    value: Any = None
    error: BaseException | None = None
    while True:
        step = resume(plan, value, error)
        if isinstance(step, Done):
            return step.value
        value = error = None
        try:
            value = await _perform(step, port)
        except Exception as exc:
            error = exc
