"""Drivers: run an :data:`~.steps.Op` against a client, blocking or by callbacks.

* :func:`run_sync` — the caller's thread performs each step and waits for it
  (the sync methods). A :class:`~.steps.Call` is one submit and one wait.
* :func:`run_callback` — returns an AsyncResult at once; each step's result
  resumes the plan from a callback linked with ``rawlink`` (so on the
  COMPLETION queue). The driver never blocks that queue, spawns nothing and
  arms no timer: a step ends when its request's fate says so (see
  :mod:`.steps`), so ``Submit.timeout`` is only honoured by the blocking driver.

Both drive the same plans; an asyncio driver is the same loop with ``await``.
Argument errors never reach a driver: operations check before they build a
plan, so they raise in the caller's thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

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
from zkrecipes.client.handlers.interface import AsyncResult
from zkrecipes.exceptions import ZkTimeoutError

__all__ = ["Done", "Port", "resume", "run_callback", "run_sync"]

T = TypeVar("T")


class Port(Protocol):
    """What a driver needs from a front end."""

    def _submit(self, request: Any, converter: Converter | None = None) -> AsyncResult[Any]: ...

    def _add_auth(self, scheme: str, credential: str) -> AsyncResult[bool]: ...

    def _snapshot(self) -> SessionView: ...

    def _new_result(self) -> AsyncResult[Any]: ...


class Done(Generic[T]):
    """A finished outcome made by a driver (a value or an exception)."""

    __slots__ = ("exception", "value")

    def __init__(self, value: T, exception: BaseException | None = None) -> None:
        self.value = value
        self.exception = exception


def resume(plan: Plan[T], value: Any, error: BaseException | None) -> Step | Done[T]:
    """Hand a step's outcome to ``plan``: send ``value``, or throw ``error`` in at its ``yield``.

    Returns the next step, or :class:`Done` with the plan's result once it has
    returned; an exception the plan raises propagates. Every driver advances its
    plans through this one function.
    """
    try:
        return plan.send(value) if error is None else plan.throw(error)
    except StopIteration as stop:
        return Done(stop.value)


# ------------------------------------------------------------------ blocking


def _perform(step: Step, port: Port) -> Any:
    if type(step) is Submit:
        return port._submit(step.request, step.converter).get(timeout=step.timeout)
    if type(step) is Batch:
        pending = [(port._submit(c.request, c.converter), c.timeout) for c in step.calls]
        outcomes: list[Any] = []
        for result, timeout in pending:
            if result.wait(timeout):
                outcomes.append(result)
            else:
                outcomes.append(Done(None, ZkTimeoutError(f"result not ready after {timeout} s")))
        return outcomes
    if type(step) is Auth:
        return port._add_auth(step.scheme, step.credential).get()
    if type(step) is Snapshot:
        return port._snapshot()
    raise TypeError(f"a plan yielded {step!r}, not a step")


def run_sync(op: Op[T], port: Port) -> T:
    """Run ``op`` to its end in the calling thread; return its result or raise its error."""
    if type(op) is Call:
        result: T = port._submit(op.request, op.converter).get()
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
            value = _perform(step, port)
        except Exception as exc:
            error = exc


# ------------------------------------------------------------------ callbacks


class _Runner(Generic[T]):
    """One plan driven by callbacks; ``outer`` completes with its result."""

    __slots__ = ("lock", "outer", "plan", "port")

    def __init__(self, plan: Plan[T], port: Port, outer: AsyncResult[T]) -> None:
        self.plan = plan
        self.port = port
        self.outer = outer
        self.lock = threading.Lock()

    def advance(self, value: Any, error: BaseException | None) -> None:
        """Resume the plan with a step's outcome until it yields a step that must wait."""
        while True:
            try:
                step = resume(self.plan, value, error)
            except Exception as exc:
                self.outer.set_exception(exc)
                return
            if isinstance(step, Done):
                self.outer.set(step.value)
                return
            value = error = None
            if type(step) is Snapshot:
                value = self.port._snapshot()
                continue
            try:
                self._start(step)
            except Exception as exc:  # submitting itself failed: give the plan the error
                error = exc
                continue
            return

    def _start(self, step: Step) -> None:
        port = self.port
        if type(step) is Submit:
            port._submit(step.request, step.converter).rawlink(self._once())
        elif type(step) is Auth:
            port._add_auth(step.scheme, step.credential).rawlink(self._once())
        elif type(step) is Batch:
            results = [port._submit(c.request, c.converter) for c in step.calls]
            if not results:
                self.advance([], None)
                return
            waiting = {id(result) for result in results}

            def one_of_batch(result: AsyncResult[Any]) -> None:
                with self.lock:
                    if id(result) not in waiting:
                        return  # a result set twice dispatches its callbacks again
                    waiting.discard(id(result))
                    finished = not waiting
                if finished:
                    self.advance(results, None)

            for result in results:
                result.rawlink(one_of_batch)
        else:
            raise TypeError(f"a plan yielded {step!r}, not a step")

    def _once(self) -> Callable[[AsyncResult[Any]], None]:
        """A completion callback that resumes the plan once (a result set twice calls it twice)."""
        fired: list[bool] = []

        def done(result: AsyncResult[Any]) -> None:
            with self.lock:
                if fired:
                    return
                fired.append(True)
            exc = result.exception
            if exc is None:
                self.advance(result.value, None)
            else:
                self.advance(None, exc)

        return done


def run_callback(op: Op[T], port: Port) -> AsyncResult[T]:
    """Start ``op``; the returned AsyncResult completes with its result or error."""
    if type(op) is Call:
        return port._submit(op.request, op.converter)
    outer: AsyncResult[T] = port._new_result()
    _Runner(op, port, outer).advance(None, None)  # type: ignore[arg-type]
    return outer
