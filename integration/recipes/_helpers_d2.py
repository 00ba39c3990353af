"""Helpers for the D2 recipe integration tests (queue, party, partitioner, watchers, cache).

Every wait is bounded and uses the client's handler (its events and sleep), so it
works with the gevent handler in an unpatched process as well as with threads.
"""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from zkrecipes import ZkState
from zkrecipes.exceptions import NoNodeError

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
        self._lock = client.handler.lock_object()

    def add(self, item: T) -> None:
        with self._lock:
            self.items.append(item)
        self._event.set()

    def snapshot(self) -> list[T]:
        with self._lock:
            return list(self.items)

    def wait_for(self, predicate: Callable[[list[T]], bool], timeout: float = WAIT,
                 message: str = "recorded items") -> list[T]:
        deadline = time.monotonic() + timeout
        while True:
            self._event.clear()
            items = self.snapshot()
            if predicate(items):
                return items
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {message}; got {items!r}")
            self._event.wait(min(remaining, 0.5))


class StateRecorder(Recorder[ZkState]):
    """A session listener recording every state."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        client.add_listener(self._listener)

    def _listener(self, state: ZkState) -> None:
        self.add(state)


def close_session_raw(hosts: str, session_id: int, password: bytes, timeout: float = 10.0) -> None:
    """Present ``session_id``/``password`` on a new TCP connection and close the session.

    The ConnectRequest and the closeSession request are written in one send, so
    the server closes the session before its owner can reconnect and take it
    back (a real expiry, as the server sees it). Raw bytes keep this helper
    independent of the client under test.
    """
    host, _, port = hosts.split(",")[0].split("/")[0].rpartition(":")
    connect = struct.pack(">iqiqi", 0, 0, 10000, session_id, len(password)) + password + b"\x00"
    close = struct.pack(">ii", 1, -11)  # xid 1, OpCode closeSession
    payload = struct.pack(">i", len(connect)) + connect + struct.pack(">i", len(close)) + close
    with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout) as sock:
        sock.sendall(payload)
        received = b""
        # ConnectResponse, then the close reply (or EOF once the server closed the session).
        while len(received) < 4 + 20 + len(password) + 1 + 4 + 16:
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk


def expire_session(hosts: str, victim: Any, timeout: float = WAIT) -> None:
    """Expire ``victim``'s session for real; return once it saw LOST and has a new session."""
    states = StateRecorder(victim)
    session_id, password = victim.client_id
    close_session_raw(hosts, session_id, password)
    states.wait_for(lambda s: ZkState.LOST in s, timeout, "LOST on the victim")
    states.wait_for(lambda s: ZkState.CONNECTED in s[s.index(ZkState.LOST):], timeout,
                    "the victim's reconnection with a new session")
    wait_until(victim, lambda: victim.client_id is not None and victim.client_id[0] != session_id,
               timeout, "a new session id")


def run_in_background(client: Any, func: Callable[[], T]) -> Any:
    """Run ``func`` with the client's handler (thread or greenlet); return an async result."""
    result = client.handler.async_result()

    def runner() -> None:
        try:
            result.set(func())
        except BaseException as exc:  # handed to the test through the result
            result.set_exception(exc)

    client.handler.spawn(runner)
    return result


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
