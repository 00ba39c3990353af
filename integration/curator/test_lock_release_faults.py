"""Release under connection loss (CURATOR-678): the node never stays behind, no raw ConnectionLoss.

The holder's delete is sent while the FaultProxy holds the server's replies
back (the delete is applied, its reply lost) or holds the request itself (not
applied), then the connection is cut — with the session alive, or expired for
real. In every case ``release()`` (``Lease.close()``) returns without an
error and the holder's node is gone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from _curator_helpers import kids, run_in_thread
from _lock_kinds import make
from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.expiry import expire_session
from zkrecipes.testing.proxy import FaultProxy

WAIT = 30.0
KINDS = ["mutex", "write", "lease"]


def _parent(kind: str) -> str:
    return "/rel/leases" if kind == "lease" else "/rel"


def _release_with(kind: str, victim: ZkClient, zk_client: ZkClient,
                  fault: Callable[[], None], after: Callable[[], None]) -> None:
    """Acquire in a thread; apply ``fault``; release there; ``after`` while the release is pending."""
    held = make(kind, victim, "/rel")
    acquired, go = threading.Event(), threading.Event()

    def holder() -> None:
        assert held.acquire(WAIT) is not None
        acquired.set()
        assert go.wait(WAIT)
        held.release()

    thread, out = run_in_thread(holder)
    assert acquired.wait(WAIT)
    assert len(kids(zk_client, _parent(kind))) == 1
    fault()
    go.set()
    after()
    thread.join(WAIT)
    assert not thread.is_alive()
    assert out == [None], out  # returned, no ConnectionLoss
    wait_until(zk_client, lambda: kids(zk_client, _parent(kind)) == [], message="the node gone")


@pytest.mark.parametrize("kind", KINDS)
def test_release_whose_delete_reply_is_lost(
        kind: str, fault_proxy: FaultProxy, zk_client: ZkClient, zk_client_factory: ClientFactory) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=10.0)

    def cut_once_applied() -> None:
        wait_until(zk_client, lambda: kids(zk_client, _parent(kind)) == [], message="the delete applied")
        fault_proxy.close_connections()

    _release_with(kind, victim, zk_client, lambda: fault_proxy.stall_replies(fault_proxy.connection_ids()[0]),
                  cut_once_applied)


@pytest.mark.parametrize("kind", KINDS)
def test_release_whose_delete_never_reached_the_server(
        kind: str, fault_proxy: FaultProxy, zk_client: ZkClient, zk_client_factory: ClientFactory) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=10.0)

    def cut_once_held() -> None:
        wait_until(zk_client, lambda: len(fault_proxy.held_to_server()) > 0, message="the delete held")
        assert len(kids(zk_client, _parent(kind))) == 1
        fault_proxy.close_connections()  # the reconnect passes: the delete is sent again

    _release_with(kind, victim, zk_client, lambda: fault_proxy.stall(fault_proxy.connection_ids()[0]),
                  cut_once_held)


def test_release_pending_when_the_session_expires(
        fault_proxy: FaultProxy, zk_client: ZkClient, zk_client_factory: ClientFactory,
        zk_hosts: str) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=10.0)

    def expire_then_cut() -> None:
        wait_until(zk_client, lambda: len(fault_proxy.held_to_server()) > 0, message="the delete held")
        client_id = victim.client_id
        assert client_id is not None
        expire_session(zk_hosts, client_id, timeout=WAIT)
        fault_proxy.close_connections()

    _release_with("mutex", victim, zk_client, lambda: fault_proxy.stall(fault_proxy.connection_ids()[0]),
                  expire_then_cut)
