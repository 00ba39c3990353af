"""LockingQueue.consume whose reply is lost with the connection (issue 16, scope 1; sync twin of
``integration/aio/test_aio_queue_outcomes.py``).

The consumer's client connects through the ``fault_proxy``. Its transaction() is wrapped so
that the proxy starts holding back the server's replies just before the consume transaction
is sent (the reads of ``holds_lock()`` before it are answered). An applied consume is then
reported as True on a live session — never a raw ConnectionLoss after which a second call
says "nothing removed" — and as OutcomeUnknownError carrying the item's value once the
session is gone; it is never run twice.
"""

from __future__ import annotations

from typing import Any

import pytest
from _helpers import WAIT, background, wait_until

from zkrecipes.exceptions import OutcomeUnknownError
from zkrecipes.recipes.queue import LockingQueue
from zkrecipes.testing.expiry import expire_session

TIMEOUT = 10.0


class _HoldRepliesAtTransaction:
    """The victim client, except that transaction() first stalls the replies on its connection."""

    def __init__(self, client: Any, proxy: Any) -> None:
        self._client, self._proxy = client, proxy

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def transaction(self) -> Any:
        (connection,) = self._proxy.connection_ids()
        self._proxy.stall_replies(connection)
        return self._client.transaction()


def _holding_first(fault_proxy: Any, factory: Any) -> tuple[Any, LockingQueue, LockingQueue, Any]:
    victim = factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = factory()
    producer = LockingQueue(observer, "/lq")
    producer.put(b"first")
    producer.put(b"second")
    consumer = LockingQueue(_HoldRepliesAtTransaction(victim, fault_proxy), "/lq")  # type: ignore[arg-type]
    assert consumer.get(timeout=WAIT) == b"first"
    return victim, consumer, producer, observer


def test_consume_applied_on_a_live_session_is_true(fault_proxy: Any, zk_client_factory: Any) -> None:
    victim, consumer, _producer, observer = _holding_first(fault_proxy, zk_client_factory)
    session = victim.client_id
    pending = background(victim, consumer.consume)
    wait_until(observer, lambda: len(observer.get_children("/lq/entries")) == 1,
               message="the consume applied")
    fault_proxy.close_connections()
    assert pending.get(timeout=WAIT) is True  # read back: removed by this call
    assert victim.client_id == session
    assert consumer.processing_element is None
    assert consumer.get(timeout=WAIT) == b"second"  # the next item: nothing skipped or repeated
    assert consumer.consume() is True
    assert observer.get_children("/lq/entries") == []


def test_consume_applied_then_session_expired_is_unknown_with_the_value(
        fault_proxy: Any, zk_client_factory: Any, zk_hosts: str) -> None:
    victim, consumer, producer, observer = _holding_first(fault_proxy, zk_client_factory)
    pending = background(victim, consumer.consume)
    wait_until(observer, lambda: len(observer.get_children("/lq/entries")) == 1,
               message="the consume applied")
    expire_session(zk_hosts, victim.client_id)
    fault_proxy.close_connections()
    assert pending.wait(WAIT)
    with pytest.raises(OutcomeUnknownError) as raised:
        pending.get(timeout=0)
    assert raised.value.operation == "queue consume"
    assert raised.value.value == b"first"
    assert consumer.processing_element is None
    assert producer.get(timeout=WAIT) == b"second"  # "first" was consumed once, not put back
