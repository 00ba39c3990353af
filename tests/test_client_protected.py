"""Protected-create recovery: the decision functions, then the whole recovery
against a scripted peer on a socketpair (the test plays the server, so it
decides exactly which request is lost and what the parent holds afterwards).
"""

from __future__ import annotations

import queue
import socket
import struct
from collections.abc import Iterator
from typing import Any

import pytest
from _scripted_peer import (
    LEN,
    SESSION,
    WAIT,
    ScriptedHandler,
    accept_session,
    frame,
    read_frame,
    scripted_client,
)

from zkrecipes import ZkClient, ZkState
from zkrecipes.client.protected import (
    PROTECTED_PREFIX,
    Owner,
    Step,
    decide,
    match_child,
    owner_verdict,
    protected_path,
)
from zkrecipes.client.protocol.records import ConnectResponse
from zkrecipes.exceptions import ConnectionClosedError, ConnectionLoss, ProtectedCreateLost

_HEADER = struct.Struct(">ii")  # xid, opcode
_REPLY = struct.Struct(">iqi")  # xid, zxid, err
_STAT = struct.Struct(">qqqqiiiqiiq")

OP_CREATE, OP_EXISTS, OP_GET_CHILDREN, OP_SYNC, OP_PING = 1, 3, 8, 9, 11


# ------------------------------------------------------------- pure decisions


def _decide(**overrides: Any) -> Step:
    args: dict[str, Any] = {"running": True, "connected": True, "ephemeral": True, "session": 7,
                            "current_session": 7, "now": 0.0, "deadline": 10.0}
    args.update(overrides)
    return decide(**args)


def test_decide_tries_when_connected_on_the_same_session() -> None:
    assert _decide() is Step.TRY


def test_decide_waits_while_disconnected() -> None:
    assert _decide(connected=False) is Step.WAIT
    # SUSPENDED keeps the session: still the same one, so wait rather than give up.
    assert _decide(connected=False, current_session=7) is Step.WAIT


def test_decide_gives_up_on_stop_before_anything_else() -> None:
    assert _decide(running=False) is Step.STOPPED
    assert _decide(running=False, current_session=None, now=99.0) is Step.STOPPED


def test_decide_ephemeral_session_change_or_loss_is_lost() -> None:
    assert _decide(current_session=None, connected=False) is Step.LOST  # LOST, no session yet
    assert _decide(current_session=8) is Step.LOST  # a new session: the ephemeral died
    assert _decide(current_session=8, now=99.0) is Step.LOST


def test_decide_persistent_node_survives_a_session_change() -> None:
    assert _decide(ephemeral=False, current_session=8) is Step.TRY
    assert _decide(ephemeral=False, current_session=None, connected=False) is Step.WAIT


def test_decide_unknown_first_session_never_reports_lost() -> None:
    assert _decide(session=None, current_session=8) is Step.TRY


def test_decide_deadline() -> None:
    assert _decide(now=10.0) is Step.DEADLINE
    assert _decide(now=10.0, connected=False) is Step.DEADLINE
    assert _decide(now=9.999) is Step.TRY


def test_match_child_uses_the_full_guid_prefix() -> None:
    prefix = f"{PROTECTED_PREFIX}{'a' * 32}-"
    children = [f"{prefix}lock-0000000003", f"{PROTECTED_PREFIX}{'b' * 32}-lock-0000000001", "lock"]
    assert match_child(children, prefix) == [f"{prefix}lock-0000000003"]
    assert match_child([], prefix) == []


def test_owner_verdict() -> None:
    assert owner_verdict(True, 7, 7) is Owner.OURS
    assert owner_verdict(True, 8, 7) is Owner.FOREIGN
    assert owner_verdict(False, 0, 7) is Owner.OURS
    assert owner_verdict(True, 8, None) is Owner.OURS  # nothing to compare with


def test_protected_path_shape() -> None:
    path, guid = protected_path("/locks/lock-")
    assert path == f"/locks/{PROTECTED_PREFIX}{guid}-lock-" and len(guid) == 32
    root, guid2 = protected_path("/x")
    assert root == f"/{PROTECTED_PREFIX}{guid2}-x"


# ----------------------------------------------------------- scripted server


def read_request(sock: socket.socket) -> tuple[int, int, bytes]:
    """The next request that is not a ping: (xid, opcode, body)."""
    while True:
        body = read_frame(sock)
        xid, op = _HEADER.unpack_from(body)
        if op != OP_PING:
            return xid, op, body[8:]
        sock.sendall(frame(_REPLY.pack(-2, 0, 0)))


def _string(value: str) -> bytes:
    raw = value.encode()
    return LEN.pack(len(raw)) + raw


def _path_of(body: bytes) -> str:
    (length,) = LEN.unpack_from(body)
    return body[4 : 4 + length].decode()


def reply(sock: socket.socket, xid: int, payload: bytes = b"", err: int = 0) -> None:
    sock.sendall(frame(_REPLY.pack(xid, 100, err) + payload))


def stat_bytes(ephemeral_owner: int) -> bytes:
    return _STAT.pack(1, 1, 0, 0, 0, 0, 0, ephemeral_owner, 0, 0, 1)


Scripted = tuple[ScriptedHandler, ZkClient, "queue.Queue[ZkState]"]


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    handler = ScriptedHandler()
    client, states = scripted_client(handler)
    client.start_async()
    yield handler, client, states
    client.stop()


def _lose_first_create(handler: ScriptedHandler, client: ZkClient, states: queue.Queue[ZkState],
                       ephemeral: bool = True) -> tuple[Any, str, socket.socket]:
    """Connect, send a protected create, drop the connection before its reply."""
    peer, _ = accept_session(handler)
    assert states.get(timeout=WAIT) is ZkState.CONNECTED
    result = client.create_async("/locks/lock-", b"", ephemeral=ephemeral, sequence=True,
                                 protected=True)
    _xid, op, body = read_request(peer)
    assert op == OP_CREATE
    created = _path_of(body) + "0000000007"  # what the server would have named it
    peer.close()
    assert states.get(timeout=WAIT) is ZkState.SUSPENDED
    return result, created, peer


def _serve_lookup(peer: socket.socket, children: list[str], owner: int | None = None) -> None:
    """Answer recovery's sync, get_children and, given the ``owner`` of a match, its exists."""
    xid, op, body = read_request(peer)
    assert op == OP_SYNC and _path_of(body) == "/locks"
    reply(peer, xid, _string("/locks"))
    xid, op, body = read_request(peer)
    assert op == OP_GET_CHILDREN and _path_of(body) == "/locks"
    reply(peer, xid, LEN.pack(len(children)) + b"".join(_string(c) for c in children))
    if owner is not None:
        xid, op, _ = read_request(peer)
        assert op == OP_EXISTS
        reply(peer, xid, stat_bytes(owner))


def test_recovery_waits_for_reconnect_and_adopts_the_node(scripted: Scripted) -> None:
    handler, client, states = scripted
    result, created, _ = _lose_first_create(handler, client, states)
    name = created.rsplit("/", 1)[1]
    # While nobody answers, recovery waits (it does not burn attempts) ...
    assert not result.wait(0.3)
    peer2, request = accept_session(handler)
    assert request.session_id == SESSION
    assert states.get(timeout=WAIT) is ZkState.CONNECTED
    # ... then finds the node the lost create made, owned by this session.
    _serve_lookup(peer2, ["other", name], owner=SESSION)
    assert result.get(timeout=WAIT) == created
    # No second create was sent: the next request on the wire is this probe.
    probe = client.exists_async("/probe")
    xid, op, _ = read_request(peer2)
    assert op == OP_EXISTS
    reply(peer2, xid, stat_bytes(0))
    assert probe.get(timeout=WAIT) is not None
    peer2.close()


def test_recovery_creates_again_when_the_node_is_absent(scripted: Scripted) -> None:
    handler, client, states = scripted
    result, created, _ = _lose_first_create(handler, client, states)
    peer2, _ = accept_session(handler)
    assert states.get(timeout=WAIT) is ZkState.CONNECTED
    _serve_lookup(peer2, ["unrelated"])
    xid, op, body = read_request(peer2)
    assert op == OP_CREATE
    assert created.startswith(_path_of(body))  # the same GUID-named path
    reply(peer2, xid, _string(created))
    assert result.get(timeout=WAIT) == created
    peer2.close()


def test_recovery_retries_after_another_drop(scripted: Scripted) -> None:
    handler, client, states = scripted
    result, created, _ = _lose_first_create(handler, client, states)
    name = created.rsplit("/", 1)[1]
    peer2, _ = accept_session(handler)
    assert states.get(timeout=WAIT) is ZkState.CONNECTED
    _xid, op, _ = read_request(peer2)
    assert op == OP_SYNC
    peer2.close()  # the lookup itself is lost
    assert states.get(timeout=WAIT) is ZkState.SUSPENDED
    peer3, _ = accept_session(handler)
    assert states.get(timeout=WAIT) is ZkState.CONNECTED
    _serve_lookup(peer3, [name], owner=SESSION)
    assert result.get(timeout=WAIT) == created
    peer3.close()


def test_ephemeral_recovery_gives_up_with_the_guid_when_the_session_is_lost(scripted: Scripted) -> None:
    handler, client, states = scripted
    result, created, _ = _lose_first_create(handler, client, states)
    peer2 = handler.peers.get(timeout=WAIT)
    read_frame(peer2)
    peer2.sendall(frame(ConnectResponse(0, 0, 0, b"\0" * 16, False).to_bytes()))  # expired
    assert states.get(timeout=WAIT) is ZkState.LOST
    assert result.wait(WAIT)
    error = result.exception
    assert isinstance(error, ProtectedCreateLost) and isinstance(error, ConnectionLoss)
    assert error.protected_parent == "/locks"
    guid = error.protected_guid
    assert created.split("/")[-1].startswith(f"{PROTECTED_PREFIX}{guid}-")
    assert error.protected_prefix == f"{PROTECTED_PREFIX}{guid}-"
    peer2.close()


def test_ephemeral_of_another_session_is_not_adopted(scripted: Scripted) -> None:
    handler, client, states = scripted
    result, created, _ = _lose_first_create(handler, client, states)
    name = created.rsplit("/", 1)[1]
    peer2, _ = accept_session(handler)
    assert states.get(timeout=WAIT) is ZkState.CONNECTED
    _serve_lookup(peer2, [name], owner=SESSION + 1)
    xid, op, body = read_request(peer2)  # the orphan is deleted ...
    assert op == 2 and _path_of(body) == created
    reply(peer2, xid)
    assert result.wait(WAIT)  # ... and the create gives up rather than adopt it
    assert isinstance(result.exception, ProtectedCreateLost)
    peer2.close()


def test_stop_during_recovery_fails_with_the_guid(scripted: Scripted) -> None:
    handler, client, states = scripted
    result, _created, _ = _lose_first_create(handler, client, states)
    assert not result.wait(0.2)  # waiting for a reconnect that the test never answers
    client.stop()
    assert result.wait(WAIT)
    error = result.exception
    assert isinstance(error, ConnectionClosedError)
    assert error.protected_parent == "/locks"  # type: ignore[attr-defined]
