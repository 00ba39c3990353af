"""The CONNECTED / SUSPENDED / LOST decisions and ``client_id``, fed scripted inputs (no server)."""

from __future__ import annotations

import queue
from collections.abc import Iterator

import pytest
from _scripted_peer import WAIT, ScriptedHandler, accept_session, frame, read_frame, scripted_client

from zkrecipes import ZkClient
from zkrecipes.client.protocol.records import ConnectRequest, ConnectResponse
from zkrecipes.client.session.state import SessionStateTracker
from zkrecipes.states import KeeperState, ZkState


def test_initial_state() -> None:
    t = SessionStateTracker(10.0)
    assert (t.state, t.keeper_state) == (ZkState.LOST, KeeperState.CLOSED)
    assert t.lost_deadline() is None


def test_connect_then_drop_then_reconnect() -> None:
    t = SessionStateTracker(10.0)
    t.on_connecting()
    assert t.keeper_state is KeeperState.CONNECTING
    assert t.on_connected(False, 6.0) is ZkState.CONNECTED
    assert t.session_timeout == 6.0
    assert t.on_disconnected(100.0) is ZkState.SUSPENDED
    assert t.keeper_state is KeeperState.CONNECTING
    assert t.lost_deadline() == 106.0
    assert t.on_disconnected(101.0) is None  # already suspended: no new transition
    assert t.lost_deadline() == 106.0
    assert t.on_connected(False, 6.0) is ZkState.CONNECTED
    assert t.lost_deadline() is None


def test_read_only_connection_is_connected_ro() -> None:
    t = SessionStateTracker(10.0)
    assert t.on_connected(True, 10.0) is ZkState.CONNECTED
    assert t.keeper_state is KeeperState.CONNECTED_RO


def test_disconnected_for_session_timeout_is_lost() -> None:
    t = SessionStateTracker(10.0)
    t.on_connected(False, 4.0)
    t.on_disconnected(50.0)
    assert t.check_timeout(53.9) is None
    assert t.state is ZkState.SUSPENDED
    assert t.check_timeout(54.0) is ZkState.LOST
    assert t.keeper_state is KeeperState.EXPIRED_SESSION
    assert not t.has_session
    assert t.check_timeout(99.0) is None  # fires once


def test_server_expiry_is_lost_then_new_session_connected() -> None:
    t = SessionStateTracker(10.0)
    t.on_connected(False, 10.0)
    t.on_disconnected(1.0)
    assert t.on_expired() is ZkState.LOST
    assert t.on_expired() is None
    assert t.on_connected(False, 10.0) is ZkState.CONNECTED
    assert t.has_session


def test_drop_before_first_session_is_not_suspended() -> None:
    t = SessionStateTracker(10.0)
    t.on_connecting()
    assert t.on_disconnected(5.0) is None
    assert t.state is ZkState.LOST
    assert t.lost_deadline() is None


def test_close_and_auth_failure() -> None:
    t = SessionStateTracker(10.0)
    t.on_connected(False, 10.0)
    assert t.on_closed() is ZkState.LOST
    assert t.keeper_state is KeeperState.CLOSED
    t2 = SessionStateTracker(10.0)
    t2.on_connected(False, 10.0)
    assert t2.on_auth_failed() is ZkState.LOST
    assert t2.keeper_state is KeeperState.AUTH_FAILED
    t2.on_disconnected(3.0)
    assert t2.keeper_state is KeeperState.AUTH_FAILED


def test_has_session_spans_suspended_and_ends_with_lost() -> None:
    # has_session is what client_id reports on: a session lives through SUSPENDED.
    t = SessionStateTracker(10.0)
    assert not t.has_session  # before the first session
    t.on_connected(False, 10.0)
    t.on_disconnected(1.0)
    assert t.state is ZkState.SUSPENDED and t.has_session
    t.on_expired()
    assert not t.has_session
    t.on_connected(False, 10.0)
    assert t.has_session
    t.on_disconnected(2.0)
    t.check_timeout(12.0)
    assert t.state is ZkState.LOST and not t.has_session


# ----------------------------------------------------------- client_id, scripted
# The client against a scripted peer on a socketpair (no server): the test
# plays the server's handshake and decides when connections drop.

Scripted = tuple[ScriptedHandler, ZkClient, "queue.Queue[ZkState]"]


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    handler = ScriptedHandler()
    client, states = scripted_client(handler)
    yield handler, client, states
    client.stop()


def test_client_id_is_kept_while_suspended_and_cleared_on_lost(scripted: Scripted) -> None:
    handler, client, states = scripted
    assert client.client_id is None  # not started
    client.start_async()
    peer, _ = accept_session(handler, 0x42)
    assert states.get(timeout=WAIT) is ZkState.CONNECTED
    assert client.client_id == (0x42, b"p" * 16)

    peer.close()  # the connection drops; the session lives on
    assert states.get(timeout=WAIT) is ZkState.SUSPENDED
    assert client.client_id == (0x42, b"p" * 16)  # kazoo's behaviour while reconnecting
    peer2 = handler.peers.get(timeout=WAIT)
    request, _ = ConnectRequest.read(read_frame(peer2))
    assert request.session_id == 0x42  # it is reconnecting to that session
    assert client.client_id == (0x42, b"p" * 16)

    expired = ConnectResponse(0, 0, 0, b"\0" * 16, False).to_bytes()  # timeout 0: expired
    peer2.sendall(frame(expired))
    assert states.get(timeout=WAIT) is ZkState.LOST
    assert client.client_id is None  # no session until the next handshake is answered
    peer3, fresh = accept_session(handler, 0x43)
    assert fresh.session_id == 0
    assert states.get(timeout=WAIT) is ZkState.CONNECTED
    assert client.client_id == (0x43, b"p" * 16)

    client.stop()
    assert client.client_id is None
    for sock in (peer2, peer3):
        sock.close()


def test_lost_counts_from_the_last_byte_heard_not_from_the_drop() -> None:
    # A stalled connection is dropped only at the read timeout (2/3 T after the last byte):
    # the holder must be told one session timeout after the last byte, not 5/3 T.
    t = SessionStateTracker(10.0)
    t.on_connected(False, 6.0)
    assert t.on_disconnected(54.0, last_heard=50.0) is ZkState.SUSPENDED
    assert t.lost_deadline() == 56.0
    assert t.check_timeout(55.9) is None
    assert t.check_timeout(56.0) is ZkState.LOST


def test_a_last_heard_in_the_future_is_clamped_to_the_drop() -> None:
    t = SessionStateTracker(10.0)
    t.on_connected(False, 6.0)
    t.on_disconnected(54.0, last_heard=99.0)
    assert t.lost_deadline() == 60.0
