"""The sans-IO session layer driven by scripted bytes and a fake clock (no sockets, no sleeps)."""

from __future__ import annotations

import random
import struct

import pytest
from _session_harness import (
    HEAD,
    HOSTS,
    LEN,
    OP_SASL,
    PASSWORD,
    Driver,
    FakeResult,
    FakeServer,
    Policy,
    framed,
    get_data_body,
    notification,
    reply,
    split_frames,
)

from zkrecipes.client.protocol.records import ConnectRequest, ConnectResponse, SetWatches
from zkrecipes.client.protocol.requests import GetDataRequest
from zkrecipes.client.sasl import MAX_DROPS_IN_EXCHANGE, SaslConfig
from zkrecipes.client.session import ConnectTo, Finished, Phase, SessionMachine, Wait
from zkrecipes.exceptions import (
    AuthFailedError,
    ConnectionClosedError,
    ConnectionLoss,
    InvalidTypeError,
    NoNodeError,
    SessionExpiredError,
)
from zkrecipes.states import EventType, KeeperState, ZkState


def machine(**kwargs: object) -> SessionMachine:
    options: dict[str, object] = {
        "hosts": HOSTS[:1], "chroot": "", "session_timeout": 3.0,
        "connection_retry": Policy(), "rng": random.Random(1),
    }
    options.update(kwargs)
    return SessionMachine(**options)  # type: ignore[arg-type]


def connected(**kwargs: object) -> Driver:
    server = FakeServer()
    d = Driver(machine(**kwargs), server)
    d.m.start(d.now)
    d.connect()
    d.deliver()
    return d


def test_connect_then_a_request_completes_with_its_reply() -> None:
    d = Driver(machine(), FakeServer())
    d.m.start(d.now)
    action = d.poll()
    assert type(action) is ConnectTo and action.host == HOSTS[0] and action.timeout == 3.0
    assert d.m.keeper_state is KeeperState.CONNECTING
    d.m.connection_made(d.now)
    data, _ = d.m.data_to_send(d.now)
    request, _ = ConnectRequest.read(split_frames(data)[0])
    assert (request.session_id, request.timeout_ms) == (0, 3000)
    early = d.submit(GetDataRequest("/early"))  # before the handshake: it waits
    assert d.m.unsent_count == 1
    d.apply(d.m.receive_data(framed(ConnectResponse(0, 3000, 0x42, PASSWORD).to_bytes()), d.now))
    assert d.states == [ZkState.CONNECTED] and d.direct_open
    assert d.m.client_id == (0x42, PASSWORD)
    data, _ = d.m.data_to_send(d.now)
    (body,) = split_frames(data)
    xid, opcode = HEAD.unpack_from(body, 0)
    assert opcode == 4
    d.apply(d.m.receive_data(reply(xid, 7, 0, get_data_body(b"v")), d.now))
    assert early.value[0] == b"v" and len(early.calls) == 1
    assert d.m.last_zxid == 7


def test_direct_encoding_only_when_open_and_nothing_is_queued() -> None:
    d = connected()
    result = FakeResult()
    frame = d.m.encode_direct(GetDataRequest("/d"), result, None)
    assert frame is not None and d.m.pending_count == 1
    d.m.submit(GetDataRequest("/queued"), FakeResult(), None, d.now)
    assert d.m.encode_direct(GetDataRequest("/later"), FakeResult(), None) is None  # order first


def test_reconnect_to_the_same_session_restores_watches() -> None:
    d = connected()
    watcher = object()
    watched = d.submit(GetDataRequest("/w", watcher=watcher))
    d.deliver()
    assert watched.value[0] == b"/w"
    written = d.submit(GetDataRequest("/lost"))  # written, never answered
    d.lose(closed_by_peer=True)
    assert d.states == [ZkState.CONNECTED, ZkState.SUSPENDED]
    assert isinstance(written.error, ConnectionLoss)
    assert d.m.client_id == (0x100, PASSWORD)  # the session lives on while SUSPENDED
    dropped_at = d.now
    d.connect()
    assert d.now == dropped_at  # the first attempt after a served connection drops: at once
    request = d.server.connect_request  # type: ignore[union-attr]
    assert request is not None and request.session_id == 0x100 and request.last_zxid_seen > 0
    d.deliver()
    assert d.states[-1] is ZkState.CONNECTED
    set_watches, _ = SetWatches.read(d.server.seen[-1], 8)  # type: ignore[union-attr]
    assert set_watches.data == ["/w"]
    d.server.out += notification(3, "/w")  # type: ignore[union-attr]
    d.deliver()
    assert len(d.dispatched) == 1
    assert d.dispatched[0][0] is watcher and d.dispatched[0][1].type is EventType.CHANGED


def test_suspended_becomes_lost_after_the_session_timeout() -> None:
    d = connected()
    d.lose()
    assert d.states[-1] is ZkState.SUSPENDED
    d.connected = False
    lost_at = d.now + 3.0
    d.now += 1.0
    late = d.submit(GetDataRequest("/late"))
    # every attempt fails: the planner's waits never pass the LOST deadline
    for _ in range(200):
        action = d.poll()
        if d.states[-1] is ZkState.LOST:
            break
        if type(action) is ConnectTo:
            d.apply(d.m.connect_failed(d.now))
        else:
            assert type(action) is Wait and action.until is not None
            assert action.until <= lost_at
            d.now = action.until
    assert d.states[-1] is ZkState.LOST and d.now == pytest.approx(lost_at)
    assert isinstance(late.error, SessionExpiredError)
    assert d.m.keeper_state is KeeperState.EXPIRED_SESSION and d.m.client_id is None
    d.connect()
    assert d.server.connect_request.session_id == 0  # type: ignore[union-attr]  # a new session


def test_requests_unsent_for_a_session_timeout_fail_with_connection_loss() -> None:
    d = Driver(machine(hosts=HOSTS), FakeServer())
    d.m.start(d.now)
    old = d.submit(GetDataRequest("/old"))
    d.now += 2.0
    young = d.submit(GetDataRequest("/young"))
    d.now += 1.0
    d.apply(d.m.tick(d.now))
    assert isinstance(old.error, ConnectionLoss) and not young.done


def test_server_side_expiry_is_lost_and_the_next_session_is_new() -> None:
    d = connected()
    d.lose()
    d.server.sessions.clear()  # type: ignore[union-attr]  # the server expired it meanwhile
    queued = d.submit(GetDataRequest("/q"))
    d.connect()
    d.deliver()
    assert d.states == [ZkState.CONNECTED, ZkState.SUSPENDED, ZkState.LOST]
    assert d.dropped[-1] == "session expired"
    assert isinstance(queued.error, SessionExpiredError)
    d.connect()
    d.deliver()
    assert d.server.connect_request.session_id == 0  # type: ignore[union-attr]
    assert d.states[-1] is ZkState.CONNECTED and d.m.client_id == (0x101, PASSWORD)


def test_a_new_session_id_on_reconnect_is_lost_then_connected() -> None:
    d = connected()
    d.lose()
    queued = d.submit(GetDataRequest("/q"))
    d.connect()
    d.apply(d.m.receive_data(framed(ConnectResponse(0, 3000, 0x999, PASSWORD).to_bytes()), d.now))
    assert d.states[-3:] == [ZkState.SUSPENDED, ZkState.LOST, ZkState.CONNECTED]
    assert isinstance(queued.error, SessionExpiredError)


def test_auth_failure_ends_the_run_and_fails_everything() -> None:
    d = connected()
    d.server.auth_ok = False  # type: ignore[union-attr]
    auth = FakeResult()
    d.m.add_auth("digest", "u:bad", auth, d.now)
    d.flush()
    written = d.submit(GetDataRequest("/written"))
    d.server.out = d.server.out[:0] + reply(-4, -1, -115)  # type: ignore[union-attr]  # only the auth answer
    assert d.deliver()  # dropped
    assert isinstance(auth.error, AuthFailedError)
    assert isinstance(written.error, AuthFailedError)
    assert d.states[-1] is ZkState.LOST and d.login_failed == 1
    assert d.m.keeper_state is KeeperState.AUTH_FAILED and not d.m.running
    assert type(d.poll()) is Finished
    assert d.m.closed_error is AuthFailedError


def test_a_read_only_server_is_refused_unless_allowed() -> None:
    server = FakeServer(read_only=True)
    d = Driver(machine(), server)
    d.m.start(d.now)
    d.connect()
    assert d.deliver() and d.dropped == ["read-write server required"]
    assert d.states == []


def test_read_only_probing_moves_to_the_read_write_server_found() -> None:
    server = FakeServer(read_only=True)
    d = Driver(machine(hosts=HOSTS, read_only=True, randomize_hosts=False), server)
    d.m.start(d.now)
    d.connect()
    d.deliver()
    assert d.states == [ZkState.CONNECTED] and d.m.keeper_state is KeeperState.CONNECTED_RO
    assert d.probing == [HOSTS[1:]]
    d.m.read_write_server_found(HOSTS[2])
    assert d.tick() and d.dropped[-1] == "moving to a read-write server"
    assert d.probing[-1] is None  # the probe stops with the connection
    action = d.poll()
    assert type(action) is ConnectTo and action.host == HOSTS[2]  # at once, no pause


def test_ping_when_idle_and_drop_when_the_server_is_silent() -> None:
    d = connected()
    d.now += 1.0  # a third of the 3 s timeout
    d.tick()
    assert HEAD.unpack_from(d.server.seen[-1], 0) == (-2, 11)  # type: ignore[union-attr]
    d.server.take()  # type: ignore[union-attr]  # the pong never arrives
    assert d.m.next_deadline() == pytest.approx(d.now + 1.0)
    d.now += 1.0
    assert d.tick() and d.dropped[-1].startswith("no bytes from the server")
    assert d.states[-1] is ZkState.SUSPENDED


def test_close_sends_close_session_then_fails_what_is_left() -> None:
    d = connected()
    before = d.submit(GetDataRequest("/before"))
    d.m.close()
    d.flush()
    assert d.m.phase.phase is Phase.CLOSING
    assert HEAD.unpack_from(d.server.seen[-1], 0)[1] == -11  # type: ignore[union-attr]
    after = FakeResult()
    d.m.submit(GetDataRequest("/after"), after, None, d.now)
    assert d.deliver()  # the close answer ends the connection
    assert before.value[0] == b"/before"
    assert isinstance(after.error, ConnectionClosedError)
    assert d.states[-1] is ZkState.LOST and d.m.keeper_state is KeeperState.CLOSED
    assert type(d.poll()) is Finished


def test_close_while_disconnected_finishes_at_once() -> None:
    d = Driver(machine(), FakeServer())
    d.m.start(d.now)
    queued = d.submit(GetDataRequest("/q"))
    d.m.close()
    assert type(d.poll()) is Finished
    assert isinstance(queued.error, ConnectionClosedError)


def test_a_protocol_error_drops_the_connection_but_delivers_earlier_replies() -> None:
    d = connected()
    first = d.submit(GetDataRequest("/first"))
    second = d.submit(GetDataRequest("/second"))
    answer = d.server.take()  # type: ignore[union-attr]
    first_reply = split_frames(answer)[0]
    assert d.apply(d.m.receive_data(framed(first_reply) + reply(999, 1, 0), d.now))
    d.lose()
    assert first.value[0] == b"/first"
    assert isinstance(second.error, ConnectionLoss)
    assert d.m.client_id is not None  # the session survives


def test_refused_requests_fail_without_reaching_the_wire() -> None:
    d = connected()
    bad = d.submit(GetDataRequest("/x", watcher=[]))  # an unhashable watcher
    assert bad.done and isinstance(bad.error, InvalidTypeError)


def test_server_errors_complete_as_exceptions() -> None:
    d = connected()
    d.m.submit(GetDataRequest("/x"), result := FakeResult(), None, d.now)
    data, _ = d.m.data_to_send(d.now)
    xid, _ = HEAD.unpack_from(split_frames(data)[0], 0)
    d.apply(d.m.receive_data(reply(xid, 1, -101), d.now))
    assert isinstance(result.error, NoNodeError)


def test_a_reconnect_storm_is_paced_and_capped() -> None:
    # Every attempt fails: each round of 3 hosts ends with a growing pause, capped at
    # a third of the session timeout; then LOST after exactly the session timeout.
    d = Driver(machine(hosts=HOSTS, connection_retry=Policy(delay=0.1, backoff=2.0, max_delay=60.0),
                       session_timeout=9.0), FakeServer(timeout_ms=9000))
    d.m.start(d.now)
    d.connect()
    d.deliver()
    d.lose()
    start = d.now
    pauses: list[float] = []
    attempts = 0
    for _ in range(1000):
        action = d.poll()
        if d.states[-1] is ZkState.LOST:
            break
        if type(action) is ConnectTo:
            attempts += 1
            d.apply(d.m.connect_failed(d.now))
        else:
            assert type(action) is Wait and action.until is not None
            pauses.append(round(action.until - d.now, 6))
            d.now = action.until
    assert d.states[-1] is ZkState.LOST and d.now == pytest.approx(start + 9.0)
    # no pause after the served connection (its round goes on at once), then one per round of
    # 3 failed hosts
    assert pauses[:6] == [0.1, 0.2, 0.4, 0.8, 1.6, 3.0]
    assert max(pauses) <= 3.0 and attempts >= 3 * (len(pauses) - 1)


# ------------------------------------------------------------------ SASL


def sasl_token(body: bytes) -> tuple[int, bytes]:
    xid, opcode, length = struct.unpack_from(">iii", body, 0)
    assert opcode == OP_SASL
    return xid, body[12:12 + max(0, length)]


def sasl_driver() -> Driver:
    d = Driver(machine(sasl=SaslConfig("DIGEST-MD5", "alice", "secret"), auth_data=[("digest", "b:p")]))
    d.m.start(d.now)
    action = d.poll()
    assert type(action) is ConnectTo
    d.m.connection_made(d.now)
    d.m.data_to_send(d.now)
    d.apply(d.m.receive_data(framed(ConnectResponse(0, 3000, 0x42, PASSWORD).to_bytes()), d.now))
    return d


def test_sasl_login_runs_before_the_priming_and_connected() -> None:
    d = sasl_driver()
    assert d.m.phase.phase is Phase.SASL and d.states == []
    early = FakeResult()
    d.m.submit(GetDataRequest("/early"), early, None, d.now)
    data, _ = d.m.data_to_send(d.now)
    (first,) = split_frames(data)  # only the login's first (empty) token
    xid, token = sasl_token(first)
    assert token == b""
    challenge = b'realm="zk-sasl-md5",nonce="n",qop="auth",charset=utf-8,algorithm=md5-sess'
    d.apply(d.m.receive_data(reply(xid, 0, 0, LEN.pack(len(challenge)) + challenge), d.now))
    data, _ = d.m.data_to_send(d.now)
    xid, response = sasl_token(split_frames(data)[0])
    assert b'username="alice"' in response
    login = d.m.login
    assert login is not None and login._mechanism is not None
    rspauth = b"rspauth=" + login._mechanism._expected_rspauth.encode()  # type: ignore[union-attr]
    d.apply(d.m.receive_data(reply(xid, 0, 0, LEN.pack(len(rspauth)) + rspauth), d.now))
    assert d.states == [ZkState.CONNECTED]
    data, _ = d.m.data_to_send(d.now)
    frames = split_frames(data)
    assert HEAD.unpack_from(frames[0], 0) == (-4, 100)  # the priming's auth packet, then the request
    assert HEAD.unpack_from(frames[1], 0)[1] == 4


def test_sasl_refusal_is_an_auth_failure() -> None:
    d = sasl_driver()
    data, _ = d.m.data_to_send(d.now)
    xid, _ = sasl_token(split_frames(data)[0])
    assert d.apply(d.m.receive_data(reply(xid, 0, -115, LEN.pack(-1)), d.now))
    assert d.login_failed == 1 and d.m.keeper_state is KeeperState.AUTH_FAILED
    d.lose()
    assert type(d.poll()) is Finished
    assert d.states == []  # never CONNECTED: LOST already, no transition to tell


def test_sasl_connection_closed_by_the_server_repeatedly_is_a_refusal() -> None:
    d = sasl_driver()
    for attempt in range(MAX_DROPS_IN_EXCHANGE):
        d.lose(closed_by_peer=True)
        if attempt < MAX_DROPS_IN_EXCHANGE - 1:
            assert d.login_failed == 0
            for _ in range(10):
                action = d.poll()
                if type(action) is ConnectTo:
                    break
                assert type(action) is Wait and action.until is not None
                d.now = action.until
            d.m.connection_made(d.now)
            d.m.data_to_send(d.now)
            d.apply(d.m.receive_data(framed(ConnectResponse(0, 3000, 0x42, PASSWORD).to_bytes()), d.now))
    assert d.login_failed == 1 and d.m.keeper_state is KeeperState.AUTH_FAILED
    assert type(d.poll()) is Finished


def test_sasl_times_out_and_is_retried_on_the_next_connection() -> None:
    d = sasl_driver()
    d.m.data_to_send(d.now)
    d.now += 2.0  # two thirds of the 3 s timeout
    assert d.tick() and d.dropped[-1] == "SASL exchange timed out"
    assert d.login_failed == 0 and d.m.running
