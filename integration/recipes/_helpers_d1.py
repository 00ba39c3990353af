"""Helpers for the lock/election/lease/counter/barrier integration tests.

Every wait is bounded and uses the client's handler (its events, sleep and
spawn), so the tests run unchanged on the threading and the gevent handler.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import pytest

from zkrecipes import ZkState

T = TypeVar("T")

#: Bound for waits on things the server or the recipes must produce.
WAIT = 45.0


def wait_until(client: Any, predicate: Callable[[], bool], timeout: float = WAIT,
               message: str = "condition", interval: float = 0.05) -> None:
    """Poll ``predicate`` (sleeping with the client's handler) until true, else AssertionError."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {message}")
        client.handler.sleep_func(interval)


class Recorder(Generic[T]):
    """Collects what callbacks hand it; waits on the handler's event for a condition."""

    def __init__(self, client: Any) -> None:
        self.items: list[T] = []
        self._event = client.handler.event_object()

    def __call__(self, item: T) -> None:
        self.items.append(item)
        self._event.set()

    def wait_for(self, predicate: Callable[[list[T]], bool], timeout: float = WAIT,
                 message: str = "recorded items") -> list[T]:
        deadline = time.monotonic() + timeout
        while True:
            self._event.clear()
            items = list(self.items)
            if predicate(items):
                return items
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {message}; got {items!r}")
            self._event.wait(min(remaining, 0.5))


def state_recorder(client: Any) -> Recorder[ZkState]:
    """A Recorder registered as a state listener of ``client``."""
    recorder: Recorder[ZkState] = Recorder(client)

    def listener(state: ZkState) -> None:
        recorder(state)

    client.add_listener(listener)
    return recorder


def expire_session(factory: Any, victim: Any, proxy: Any = None, timeout: float = WAIT) -> None:
    """Expire ``victim``'s session for real; return once the victim saw LOST and a new session.

    A second client presents the same session id and password, then stops (closing
    it). If the victim connects through ``proxy`` (a FaultProxy), the proxy is
    stalled meanwhile so the victim cannot take its session back before the close.
    """
    states = state_recorder(victim)
    session_id, password = victim.client_id
    if proxy is not None:
        proxy.stall()
    try:
        thief = factory(client_id=(session_id, password), start=False)
        thief.start(timeout=timeout)
        thief.stop()
    finally:
        if proxy is not None:
            proxy.resume()
    states.wait_for(lambda s: ZkState.LOST in s, timeout, "LOST on the victim")
    states.wait_for(lambda s: ZkState.CONNECTED in s[s.index(ZkState.LOST):], timeout,
                    "the victim's reconnection")
    wait_until(victim, lambda: victim.client_id is not None and victim.client_id[0] != session_id,
               timeout, "a new session id")


def background(client: Any, func: Callable[[], T]) -> Any:
    """Run ``func`` on the client's handler (thread or greenlet); return an async result."""
    result = client.handler.async_result()

    def runner() -> None:
        try:
            result.set(func())
        except BaseException as exc:  # handed to the test through the result
            result.set_exception(exc)

    client.handler.spawn(runner)
    return result


def contender_nodes(client: Any, path: str) -> list[str]:
    """Children of ``path`` that are lock contender nodes (10-digit sequence suffix)."""
    return sorted(c for c in client.get_children(path) if c[-10:].isdigit())


def skip_unless_threading(handler_name: str) -> None:
    """Skip the gevent variant of a test where the handler plays no part (subprocess tests)."""
    if handler_name != "threading":
        pytest.skip("the work runs in subprocesses; one handler variant is enough")


def python_script(source: str, *args: str) -> subprocess.Popen[str]:
    """Start ``sys.executable -c source args…`` with stdout piped (text)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(source), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def finish(proc: subprocess.Popen[str], timeout: float = 120.0) -> tuple[str, str]:
    """Wait (bounded) for ``proc``; kill it on timeout; return (stdout, stderr)."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate(timeout=10)
        raise AssertionError(f"subprocess timed out; stderr: {err[-2000:]}") from None
    return out, err
