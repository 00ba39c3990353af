"""The CONNECTED / SUSPENDED / LOST decisions, fed scripted inputs (no clock, no server)."""

from __future__ import annotations

from zkrecipes.client.session_state import SessionStateTracker
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
