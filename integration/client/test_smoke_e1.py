"""Connection/client behaviours owned by the client core (engineer E1's own checks).

Real server; faults through the FaultProxy. Every wait is bounded.
"""

from __future__ import annotations

from typing import Any

import pytest

from zkrecipes import ZkState
from zkrecipes import exceptions as exc
from zkrecipes.client.handlers.interface import CallbackKind

WAIT = 30.0


def _wait(client: Any, predicate: Any, what: str) -> None:
    import time

    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        client.handler.sleep_func(0.02)


def test_requests_issued_while_disconnected_are_sent_after_reconnect(
    fault_proxy: Any, zk_client_factory: Any
) -> None:
    client = zk_client_factory(fault_proxy.hosts, timeout=10.0)
    client.create("/q", b"v")
    session = client.client_id
    fault_proxy.drop()  # drops the connection and refuses new ones
    _wait(client, lambda: client.state is ZkState.SUSPENDED, "SUSPENDED")
    queued = [client.get_async("/q") for _ in range(50)]
    client.handler.sleep_func(0.3)
    assert not any(r.ready() for r in queued)
    fault_proxy.resume()
    for r in queued:
        assert r.get(timeout=WAIT)[0] == b"v"
    assert client.client_id == session


def test_unsent_requests_fail_with_connection_loss_after_the_session_timeout(
    fault_proxy: Any, zk_client_factory: Any
) -> None:
    client = zk_client_factory(fault_proxy.hosts, timeout=4.0)
    states: list[ZkState] = []
    client.add_listener(states.append)
    fault_proxy.drop()
    _wait(client, lambda: client.state is ZkState.SUSPENDED, "SUSPENDED")
    result = client.get_async("/")
    assert result.wait(WAIT)
    assert isinstance(result.exception, (exc.ConnectionLoss, exc.SessionExpiredError))
    _wait(client, lambda: ZkState.LOST in states, "LOST after the session timeout")
    fault_proxy.resume()
    _wait(client, lambda: client.connected, "a new session")
    assert client.exists("/") is not None


def test_protected_ephemeral_create_survives_connection_loss(
    fault_proxy: Any, zk_client_factory: Any
) -> None:
    client = zk_client_factory(fault_proxy.hosts, timeout=10.0)
    client.ensure_path("/locks")
    fault_proxy.stall()  # the create is written but its reply is held
    result = client.create_async("/locks/lock-", b"me", ephemeral=True, sequence=True, protected=True)
    client.handler.sleep_func(0.3)
    fault_proxy.drop()  # the connection dies: the first try fails with ConnectionLoss
    client.handler.sleep_func(0.3)
    fault_proxy.resume()
    path = result.get(timeout=WAIT)
    children = client.get_children("/locks")
    assert len(children) == 1, children
    assert path == f"/locks/{children[0]}"
    assert children[0].startswith("_c_") and "-lock-" in children[0]
    stat = client.exists(path)
    assert stat is not None and stat.ephemeralOwner == client.client_id[0]


def test_stop_fails_outstanding_with_connection_closed(fault_proxy: Any, zk_client_factory: Any) -> None:
    client = zk_client_factory(fault_proxy.hosts, timeout=10.0)
    fault_proxy.stall()
    outstanding = [client.get_async("/") for _ in range(10)]
    client.stop()
    for r in outstanding:
        assert r.wait(WAIT)
        assert isinstance(r.exception, exc.ConnectionClosedError)
    with pytest.raises(exc.ConnectionClosedError):
        client.get("/")


def test_restart_gives_a_new_session_and_works(zk_client: Any) -> None:
    first = zk_client.client_id
    zk_client.create("/eph", ephemeral=True)
    zk_client.restart()
    assert zk_client.connected and zk_client.client_id != first
    assert zk_client.exists("/eph") is None


def test_data_limit_and_session_stays_healthy(zk_client: Any) -> None:
    big = b"x" * (1024 * 1024 - 1024)
    zk_client.create("/big", big)
    assert zk_client.get("/big")[0] == big
    session = zk_client.client_id
    with pytest.raises(exc.DataTooLargeError):
        zk_client.set("/big", b"x" * (1024 * 1024 + 1))
    assert zk_client.client_id == session and zk_client.exists("/big") is not None


def test_many_pipelined_requests_all_complete_in_order(zk_client: Any) -> None:
    zk_client.create("/n", b"0")
    results = [zk_client.set_async("/n", str(i).encode()) for i in range(2000)]
    versions = [r.get(timeout=WAIT).version for r in results]
    assert versions == list(range(1, 2001))


def test_same_watch_callable_twice_fires_once(zk_client: Any) -> None:
    events: list[Any] = []
    zk_client.create("/w", b"")
    zk_client.get("/w", watch=events.append)
    zk_client.exists("/w", watch=events.append)
    zk_client.set("/w", b"1")
    _wait(zk_client, lambda: events, "the watch")
    zk_client.sync("/w")  # the notification precedes this reply on the wire
    drained = zk_client.handler.event_object()
    zk_client.handler.dispatch_callback(CallbackKind.WATCH, drained.set)  # queued after the watch
    assert drained.wait(WAIT)
    assert len(events) == 1 and events[0].path == "/w"


def test_auth_failure_is_terminal_until_restart_without_the_bad_credential(zk_client: Any) -> None:
    assert zk_client.add_auth("digest", "user:pw") is True
    with pytest.raises(exc.AuthFailedError):
        zk_client.add_auth("nosuchscheme", "x")
    assert zk_client.state is ZkState.LOST and zk_client.client_state == "AUTH_FAILED"
    with pytest.raises(exc.AuthFailedError):
        zk_client.get("/")
    zk_client.restart()  # the good credential is re-sent, the bad one is not
    users = {(info.auth_scheme, info.user) for info in zk_client.whoami()}
    assert ("digest", "user") in users


def test_stop_while_disconnected_then_start_again(fault_proxy: Any, zk_client_factory: Any) -> None:
    client = zk_client_factory(fault_proxy.hosts, timeout=10.0)
    fault_proxy.drop()
    _wait(client, lambda: client.state is ZkState.SUSPENDED, "SUSPENDED")
    client.stop()
    assert client.client_state == "CLOSED"
    fault_proxy.resume()
    client.start(timeout=WAIT)
    assert client.connected and client.exists("/") is not None


@pytest.mark.slow
@pytest.mark.ensemble
def test_read_only_mode_then_back_to_read_write() -> None:
    """Quorum lost: a read_only client gets CONNECTED_RO (reads work, writes refused);
    quorum back: the background probe finds a read-write server and the client moves there.

    ZooKeeper 3.8 creates sessions on a read-only server only as local sessions, so the
    ensemble enables them; the r/o session is then replaced by a new one (LOST, CONNECTED).
    """
    import time

    from zkrecipes import ZkClient
    from zkrecipes.testing.ensemble import ZooKeeperEnsemble

    config = ["localSessionsEnabled=true", "localSessionsUpgradingEnabled=true"]
    with ZooKeeperEnsemble(read_only=True, heap="200m", extra_config=config) as ensemble:
        admin = ZkClient(ensemble.hosts)
        admin.start(timeout=WAIT)
        admin.create("/ro", b"v")
        admin.stop()
        ensemble.kill_member(1)
        ensemble.kill_member(2)
        # Until member 0 notices it lost its quorum it still serves read-write sessions:
        # wait for its read-only mode, or the client may get a read-write session first.
        deadline = time.monotonic() + 60
        while ensemble.mode(0) != "read-only":
            assert time.monotonic() < deadline, "member 0 never entered read-only mode"
            time.sleep(0.1)
        client = ZkClient(f"{ensemble.hosts_of([0])},{ensemble.hosts_of([1])}", read_only=True, timeout=6.0)
        try:
            client.start(timeout=60)
            assert client.client_state == "CONNECTED_RO" and client.connected
            assert client.get("/ro")[0] == b"v"
            with pytest.raises(exc.NotReadOnlyCallError):
                client.create("/w")
            ensemble.start_member(1)
            deadline = time.monotonic() + 90
            while client.client_state != "CONNECTED":
                assert time.monotonic() < deadline, "never moved to a read-write server"
                time.sleep(0.1)
            assert client.create("/w") == "/w"
        finally:
            client.stop()
