"""The asyncio driver: the same plans, each step awaited (for ``zkrecipes.aio``).

Nothing in :mod:`.steps`, :mod:`.plans` or the operations changes for asyncio:
this loop is :func:`~.drivers.run_sync` with ``await``. The asyncio front end
provides an :class:`AsyncioPort` whose ``_submit`` returns an awaitable of the
converted reply (raising the request's error).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
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

__all__ = ["AsyncioPort", "run_asyncio"]

T = TypeVar("T")


class AsyncioPort(Protocol):
    """What the asyncio driver needs from an asyncio front end."""

    def _submit(self, request: Any, converter: Converter | None = None) -> Awaitable[Any]: ...

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
