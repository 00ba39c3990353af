"""Bad peers and failing ensemble members.

* A peer that answers the ConnectRequest with junk: the client logs a
  protocol error, moves on to the next host and works.
* Killing the ensemble member a client is connected to: requests written to
  its connection fail with ConnectionLoss (requests still queued may go out
  after the reconnect and succeed), the client reconnects to another member on
  the same session, and a retried call succeeds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from _client_helpers import (
    WAIT,
    GarbagePeer,
    InjectingProxy,
    StateRecorder,
    proxy_stall,
    request_pattern,
    wait_held,
)

from zkrecipes import ZkState
from zkrecipes import exceptions as exc

OP_GET_DATA = 4

JUNK = {
    # A frame too short to be a ConnectResponse.
    "short-frame": b"\x00\x00\x00\x05hello",
    # A negative length prefix.
    "negative-length": b"\xff\xff\xff\xf0" + b"\x00" * 16,
    # A length prefix far above the frame limit.
    "huge-length": b"\x7f\xff\xff\xff" + b"\x00" * 16,
    # A plausible length with garbage inside (protocol version, timeout, ...).
    "garbage-record": b"\x00\x00\x00\x08" + b"\xde\xad\xbe\xef" * 2,
}


def _protocol_error_logged(records: list[logging.LogRecord]) -> bool:
    for record in records:
        if not record.name.startswith("zkrecipes"):
            continue
        if record.exc_info and isinstance(record.exc_info[1], exc.ProtocolError):
            return True
        text = record.getMessage().lower()
        if "protocol" in text or "malformed" in text or "frame" in text:
            return True
    return False


@pytest.mark.parametrize("junk", list(JUNK.values()), ids=list(JUNK))
def test_garbage_peer_before_real_server(zk_hosts: str, zk_chroot: str, zk_client_factory: Any,
                                         caplog: pytest.LogCaptureFixture, junk: bytes) -> None:
    caplog.set_level(logging.DEBUG, logger="zkrecipes")
    with GarbagePeer(junk) as peer:
        client = zk_client_factory(f"{peer.hosts},{zk_hosts}", randomize_hosts=False, timeout=4.0)
        assert peer.connections >= 1, "the client did not try the first host first"
        # A ConnectRequest: length prefix, then protocol version 0.
        assert peer.requests and peer.requests[0][4:8] == b"\x00\x00\x00\x00", peer.requests
        assert client.connected
        assert _protocol_error_logged(caplog.records), [r.getMessage() for r in caplog.records]
        assert client.create("/works", b"yes") == "/works"
        assert client.get("/works")[0] == b"yes"


MID_SESSION_JUNK = {
    # A well-formed reply header for an xid nobody is waiting for.
    "unknown-xid": (16).to_bytes(4, "big") + (987654).to_bytes(4, "big", signed=True)
    + (0).to_bytes(8, "big") + (0).to_bytes(4, "big"),
    # A negative frame length.
    "negative-length": b"\xff\xff\xff\xf0",
}


@pytest.mark.parametrize("junk", list(MID_SESSION_JUNK.values()), ids=list(MID_SESSION_JUNK))
def test_garbage_mid_session_resets_connection_and_keeps_session(
        zk_hosts: str, zk_client_factory: Any, caplog: pytest.LogCaptureFixture, junk: bytes) -> None:
    caplog.set_level(logging.DEBUG, logger="zkrecipes")
    with InjectingProxy(zk_hosts) as proxy:
        client = zk_client_factory(proxy.hosts, timeout=10.0)
        states = StateRecorder(client)
        client.create("/before", b"1")
        session = client.client_id
        assert proxy.inject(junk) == 1
        after_suspend = states.wait_state(ZkState.SUSPENDED)
        states.wait_state(ZkState.CONNECTED, after_suspend)
        assert _protocol_error_logged(caplog.records), [r.getMessage() for r in caplog.records]
        assert proxy.accepted >= 2  # a new connection
        assert client.client_id == session  # ... to the same session
        assert ZkState.LOST not in states.items
        assert client.get("/before")[0] == b"1"
        assert client.create("/after", b"2") == "/after"


@pytest.fixture
def ensemble(zk_ensemble: Any) -> Iterator[Any]:
    """The session's ensemble; any member a test killed is restarted afterwards."""
    yield zk_ensemble
    zk_ensemble.ensure_running()


@pytest.mark.ensemble
def test_killing_the_member_a_client_is_on(ensemble: Any, zk_client_factory: Any, zk_chroot: str) -> None:
    from zkrecipes.testing import FaultProxy

    victim, survivor = ensemble.followers()[:2]
    admin_hosts = ensemble.hosts
    with FaultProxy.in_front_of(ensemble.hosts_of([victim])) as proxy:
        # Through the proxy the client's first host is the victim; the survivor is next.
        client = zk_client_factory(f"{proxy.hosts},{ensemble.hosts_of([survivor])}",
                                   admin_hosts=admin_hosts, randomize_hosts=False, timeout=10.0)
        states = StateRecorder(client)
        client.create("/data", b"d")
        session = client.client_id
        assert proxy.accepted >= 1

        # Requests sent from now on are held by the proxy: outstanding on the victim's
        # connection. Wait until all of them have left the client (their bytes sit in the
        # proxy): only then are they "written", whatever the handler's scheduling.
        proxy_stall(proxy)
        written = [client.get_async("/data") for _ in range(20)]
        wait_held(client, proxy, request_pattern(OP_GET_DATA, f"{zk_chroot}/data"), count=len(written))
        ensemble.kill_member(victim)
        proxy.drop()  # the victim's connection ends; the proxy refuses new ones
        # Issued around the drop: still queued (sent after the reconnect) or written
        # to the dying connection -- either fate is allowed, nothing else.
        racing = [client.get_async("/data") for _ in range(5)]

        for result in written + racing:
            assert result.wait(WAIT), "an outstanding request never completed"
        for result in written:
            assert isinstance(result.exception, exc.ConnectionLoss), result.exception
        for result in racing:
            assert result.successful() or isinstance(result.exception, exc.ConnectionLoss), \
                result.exception
            if result.successful():
                assert result.value[0] == b"d"

        after_suspend = states.wait_state(ZkState.SUSPENDED)
        states.wait_state(ZkState.CONNECTED, after_suspend)
        assert ZkState.LOST not in states.items
        assert client.client_id == session
        assert client.retry(client.get, "/data")[0] == b"d"
        assert client.create("/written-after-failover", b"") == "/written-after-failover"
