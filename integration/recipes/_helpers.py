"""Shared helpers for the recipe integration tests.

Every wait is bounded and uses the client's handler (its events, sleep and
spawn), so the tests run unchanged on the threading and the gevent handler;
the waits themselves are integration/_waits.py's, with this tree's bounds.
Session expiry is real: :func:`zkrecipes.testing.expiry.expire_session` makes
the server close the session, exactly as it does when a session times out.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any, TypeVar

import _waits

from zkrecipes import ZkState
from zkrecipes.exceptions import NoNodeError
from zkrecipes.testing.expiry import expire_session as close_session

T = TypeVar("T")

#: Bound for waits on things the server or the recipes must produce.
WAIT = 45.0


def wait_until(client: Any, predicate: Callable[[], bool], timeout: float = WAIT,
               message: str = "condition", interval: float = 0.05) -> None:
    """:func:`_waits.wait_until` with this tree's bound and poll interval."""
    _waits.wait_until(client, predicate, timeout, message, interval)


class Recorder(_waits.Recorder[T]):
    """:class:`_waits.Recorder` waiting at most ``WAIT`` by default."""

    wait_timeout = WAIT


class StateRecorder(Recorder[ZkState]):
    """A session listener of ``client`` recording every state."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        client.add_listener(self._listener)

    def _listener(self, state: ZkState) -> None:
        self.add(state)


def expire_session(hosts: str, victim: Any, timeout: float = WAIT) -> None:
    """Expire ``victim``'s session for real; return once it saw LOST and has a new session.

    ``hosts`` is any connect string that reaches the victim's server (a chroot suffix is ignored).
    """
    states = StateRecorder(victim)
    session_id, password = victim.client_id
    close_session(hosts, (session_id, password), timeout=timeout)
    states.wait_for(lambda s: ZkState.LOST in s, timeout, "LOST on the victim")
    states.wait_for(lambda s: ZkState.CONNECTED in s[s.index(ZkState.LOST):], timeout,
                    "the victim's reconnection with a new session")
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


def walk(client: Any, root: str) -> dict[str, bytes]:
    """Every node under (and including) ``root`` -> its data, read from the server."""
    found: dict[str, bytes] = {}
    stack = [root]
    while stack:
        path = stack.pop()
        try:
            data, _ = client.get(path)
            children = client.get_children(path)
        except NoNodeError:  # deleted meanwhile
            continue
        found[path] = data
        stack.extend(f"{path.rstrip('/')}/{c}" for c in children)
    return found


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
