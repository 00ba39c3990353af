"""Honest outcomes of conditional writes whose reply is lost with the connection (issue 16, bug 1).

The victim client connects through the ``fault_proxy``; its connection is put in
STALL_REPLIES (requests reach the server, replies are held back), the write is
made, another client waits (polling, bounded) until it sees the write applied,
then the connection is dropped — with or without a real session expiry. An
applied write must be reported as applied (success) or as
:class:`OutcomeUnknownError`, never as "nothing written" (LockLostError) nor as a
failure caused by its own first run (BadVersionError), and never applied twice.
"""

from __future__ import annotations

from typing import Any

import pytest
from _helpers import WAIT, background, wait_until

from zkrecipes.exceptions import OutcomeUnknownError
from zkrecipes.recipes.counter import Counter
from zkrecipes.recipes.lock import Lock
from zkrecipes.recipes.queue import Queue
from zkrecipes.testing.expiry import expire_session

TIMEOUT = 10.0


def _hold_replies(fault_proxy: Any) -> None:
    """Hold back the server's replies on the victim's (only) connection; reconnections pass."""
    (connection,) = fault_proxy.connection_ids()
    fault_proxy.stall_replies(connection)


def _value_is(observer: Any, path: str, value: bytes) -> bool:
    return bool(observer.get(path)[0] == value)


def test_fenced_set_applied_then_session_expired_is_not_reported_as_lost(
        fault_proxy: Any, zk_client_factory: Any, zk_hosts: str) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = zk_client_factory()
    observer.create("/target", b"before")
    lock = Lock(victim, "/fence-expired", "victim")
    assert lock.acquire(timeout=WAIT)
    _hold_replies(fault_proxy)
    pending = background(victim, lambda: lock.fenced_set("/target", b"written"))
    wait_until(observer, lambda: _value_is(observer, "/target", b"written"), message="the write applied")
    expire_session(zk_hosts, victim.client_id)
    fault_proxy.close_connections()
    assert pending.wait(WAIT)
    # Applied: success, or "unknown" — never LockLostError ("nothing written").
    if pending.exception is not None:
        assert isinstance(pending.exception, OutcomeUnknownError), repr(pending.exception)
        assert pending.exception.path == "/target"
        assert pending.exception.operation == "fenced_set"
    assert observer.get("/target")[0] == b"written"


def test_fenced_set_applied_on_a_live_session_reports_success_not_bad_version(
        fault_proxy: Any, zk_client_factory: Any) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = zk_client_factory()
    observer.create("/target", b"before")
    session = victim.client_id
    lock = Lock(victim, "/fence-live", "victim")
    assert lock.acquire(timeout=WAIT)
    _hold_replies(fault_proxy)
    pending = background(victim, lambda: lock.fenced_set("/target", b"written", version=0))
    wait_until(observer, lambda: _value_is(observer, "/target", b"written"), message="the write applied")
    fault_proxy.close_connections()
    stat = pending.get(timeout=WAIT)  # established from the marker: applied, not BadVersionError
    assert victim.client_id == session
    assert stat.version == 1
    assert observer.get("/target")[0] == b"written"
    assert observer.exists("/target").version == 1  # written once
    assert lock.is_acquired
    assert lock.fenced_set("/target", b"again", version=1).version == 2  # the marker stays in step
    lock.release()


def test_fenced_set_not_sent_before_the_drop_is_sent_again(fault_proxy: Any, zk_client_factory: Any) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = zk_client_factory()
    observer.create("/target", b"before")
    lock = Lock(victim, "/fence-unsent", "victim")
    assert lock.acquire(timeout=WAIT)
    (connection,) = fault_proxy.connection_ids()
    fault_proxy.stall(connection)  # the request never reaches the server
    pending = background(victim, lambda: lock.fenced_set("/target", b"written", version=0))
    wait_until(observer, lambda: len(fault_proxy.held_to_server()) > 0, message="the request held")
    fault_proxy.close_connections()
    assert pending.get(timeout=WAIT).version == 1  # not applied, so sent again: written once
    assert observer.get("/target")[0] == b"written"
    lock.release()


class _HoldRepliesFrom:
    """The victim client, except that its first ``method`` call is sent with the server's replies held.

    The recipe's reads before that call are answered; only that call's reply is lost.
    """

    def __init__(self, client: Any, fault_proxy: Any, method: str) -> None:
        self._client, self._proxy, self._method = client, fault_proxy, method

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name != self._method or self._proxy is None:
            return attribute

        def armed(*args: Any, **kwargs: Any) -> Any:
            if self._proxy is not None:
                _hold_replies(self._proxy)
                self._proxy = None
            return attribute(*args, **kwargs)

        return armed


def test_counter_change_applied_then_overtaken_is_not_applied_twice(
        fault_proxy: Any, zk_client_factory: Any) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = zk_client_factory()
    mine = Counter(_HoldRepliesFrom(victim, fault_proxy, "set"), "/count")
    theirs = Counter(observer, "/count")
    assert mine.value == 0

    def increment() -> Any:
        nonlocal mine
        mine += 1
        return mine.post_value

    pending = background(victim, increment)
    wait_until(observer, lambda: theirs.value == 1, message="the change applied")
    theirs += 1  # another client's change lands after ours: ours cannot be told from the read-back
    fault_proxy.close_connections()
    assert pending.wait(WAIT)
    with pytest.raises(OutcomeUnknownError) as raised:
        pending.get(timeout=0)
    assert raised.value.path == "/count"
    assert raised.value.operation == "counter change"
    assert theirs.value == 2  # two increments, counted once each



def test_queue_get_whose_delete_reply_is_lost_does_not_skip_the_entry(
        fault_proxy: Any, zk_client_factory: Any) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = zk_client_factory()
    queue = Queue(observer, "/queue")
    queue.put(b"first")
    queue.put(b"second")
    consumer = Queue(_HoldRepliesFrom(victim, fault_proxy, "delete"), "/queue")
    pending = background(victim, consumer.get)
    wait_until(observer, lambda: len(queue) == 1, message="the first entry deleted")
    fault_proxy.close_connections()
    assert pending.wait(WAIT)
    # Taken by this call (unknowable to it): its value is reported, never "the next entry".
    with pytest.raises(OutcomeUnknownError) as raised:
        pending.get(timeout=0)
    assert raised.value.value == b"first"
    assert raised.value.operation == "queue get"
    assert queue.get() == b"second"
