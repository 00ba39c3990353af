"""Errors that name their request, in the sans-IO session layer (scripted bytes, fake clock).

A server error for a request says what the Java client says (``KeeperErrorCode =
NoNode for /a``) and carries ``.path`` (the client path) and ``.operation``; a
request that fails with ConnectionLoss, SessionExpiredError, ConnectionClosedError
or AuthFailedError says which request it was. The planner keeps each host's last
connect error for the start-timeout message.
"""

from __future__ import annotations

import errno
import os
import pickle
import random
import socket
import struct
from typing import Any

import pytest
from _session_harness import HEAD, HOSTS, Driver, FakeResult, FakeServer, Policy, reply, request_path

from zkrecipes.client.protocol.multi import MultiRequest
from zkrecipes.client.protocol.opcodes import OP_NAMES, OpCode, op_name
from zkrecipes.client.protocol.requests import (
    CheckVersionRequest,
    CreateRequest,
    DeleteRequest,
    ExistsRequest,
    GetACLRequest,
    GetChildren2Request,
    GetChildrenRequest,
    GetDataRequest,
    SetDataRequest,
    SyncRequest,
)
from zkrecipes.client.protocol.session_requests import (
    GetAllChildrenNumberRequest,
    GetEphemeralsRequest,
    WhoAmIRequest,
)
from zkrecipes.client.session import SessionMachine
from zkrecipes.client.session.fates import AuthItem, fate_error
from zkrecipes.client.session.pacing import connect_error_text, start_timeout_message
from zkrecipes.exceptions import (
    AuthFailedError,
    BadVersionError,
    ConnectionClosedError,
    ConnectionLoss,
    NoAuthError,
    NoNodeError,
    RolledBackError,
    RuntimeInconsistency,
    SessionExpiredError,
    ZkException,
    make_error,
)
from zkrecipes.security import ACL, Id


def machine(**kwargs: object) -> SessionMachine:
    options: dict[str, object] = {
        "hosts": HOSTS[:1], "chroot": "", "session_timeout": 3.0,
        "connection_retry": Policy(), "rng": random.Random(1),
    }
    options.update(kwargs)
    return SessionMachine(**options)  # type: ignore[arg-type]


def connected(**kwargs: object) -> Driver:
    d = Driver(machine(**kwargs), FakeServer())
    d.m.start(d.now)
    d.connect()
    d.deliver()
    return d


_ACL = [ACL(31, Id("world", "anyone"))]


@pytest.mark.parametrize(("request_", "operation"), [
    (ExistsRequest("/a"), "exists"),
    (CreateRequest("/a", b"", _ACL), "create"),
    (CreateRequest("/a", b"", _ACL, include_stat=True), "create2"),
    (CreateRequest("/a", b"", _ACL, flags=4), "createContainer"),
    (CreateRequest("/a", b"", _ACL, flags=5, ttl=1000), "createTTL"),
    (DeleteRequest("/a"), "delete"),
    (SetDataRequest("/a", b"x"), "setData"),
    (GetACLRequest("/a"), "getACL"),
    (GetChildrenRequest("/a"), "getChildren"),
    (GetChildren2Request("/a"), "getChildren2"),
    (SyncRequest("/a"), "sync"),
    (GetAllChildrenNumberRequest("/a"), "getAllChildrenNumber"),
    (GetEphemeralsRequest("/a"), "getEphemerals"),
])
def test_a_server_error_names_the_path_and_the_operation(request_: Any, operation: str) -> None:
    d = connected()
    result = d.submit(request_)  # the fake server answers NONODE
    d.deliver()
    error = result.error
    assert type(error) is NoNodeError
    assert str(error) == "KeeperErrorCode = NoNode for /a"
    assert (error.path, error.operation, error.code) == ("/a", operation, -101)


@pytest.mark.parametrize(("request_", "operation"), [
    (MultiRequest([DeleteRequest("/a")]), "multi"), (WhoAmIRequest(), "whoAmI"),
])
def test_a_server_error_for_a_request_without_a_path(request_: Any, operation: str) -> None:
    d = connected()
    result = d.submit(request_)
    d.deliver()
    error = result.error
    assert type(error) is NoNodeError and str(error) == "KeeperErrorCode = NoNode"
    assert (error.path, error.operation) == (None, operation)


def test_a_chrooted_session_reports_the_client_path() -> None:
    d = connected(chroot="/app")
    result = d.submit(GetDataRequest("/missing/x"))
    d.server.out.clear()  # type: ignore[union-attr]
    d.server.out += _nonode_for_last(d)  # type: ignore[union-attr]
    d.deliver()
    error = result.error
    assert str(error) == "KeeperErrorCode = NoNode for /missing/x"
    assert error.path == "/missing/x" and error.operation == "getData"  # type: ignore[attr-defined]


def _nonode_for_last(d: Driver) -> bytes:
    assert d.server is not None
    body = d.server.seen[-1]
    assert request_path(body) == "/app/missing/x"  # the server saw the chrooted path
    xid, _ = HEAD.unpack_from(body, 0)
    return reply(xid, 11, -101)


def _raise_bare(err: int, result: Any) -> Any:
    if err:
        raise make_error(err)
    return result


def _raise_named(err: int, result: Any) -> Any:
    exc = NoAuthError("mine")
    exc.path, exc.operation = "/other", "check"
    raise exc


def test_an_error_a_converter_raises_is_named_after_the_request() -> None:
    d = connected()
    result = FakeResult()
    d.m.submit(ExistsRequest("/conv"), result, _raise_bare, d.now)
    d.flush()
    d.deliver()
    error = result.error
    assert type(error) is NoNodeError and str(error) == "KeeperErrorCode = NoNode for /conv"
    assert (error.path, error.operation) == ("/conv", "exists")


def test_a_converter_error_that_names_a_request_already_is_left_alone() -> None:
    d = connected()
    result = FakeResult()
    d.m.submit(ExistsRequest("/conv"), result, _raise_named, d.now)
    d.flush()
    d.deliver()
    error = result.error
    assert str(error) == "mine" and (error.path, error.operation) == ("/other", "check")  # type: ignore[attr-defined]


def test_connection_loss_for_a_written_request_names_it() -> None:
    d = connected()
    written = d.submit(GetDataRequest("/a"))  # written; its reply never delivered
    d.lose()
    error = written.error
    assert type(error) is ConnectionLoss
    assert str(error) == "connection lost before the reply to getData /a"
    assert (error.path, error.operation) == ("/a", "getData")


def test_a_request_unsent_for_a_session_timeout_names_it() -> None:
    d = Driver(machine(), FakeServer())
    d.m.start(d.now)
    waiting = d.submit(SetDataRequest("/w", b"x"))  # never connected: stays unsent
    d.now += 3.5
    d.poll()
    error = waiting.error
    assert type(error) is ConnectionLoss
    assert str(error) == "setData /w not sent within the session timeout"
    assert (error.path, error.operation) == ("/w", "setData")


def test_session_expired_names_the_unsent_request() -> None:
    d = connected()
    d.lose()
    unsent = d.submit(DeleteRequest("/d"))
    assert d.server is not None
    d.server.sessions.clear()  # the server forgot the session: it answers "expired"
    d.connect()
    d.deliver()
    error = unsent.error
    assert type(error) is SessionExpiredError
    assert str(error) == "session expired before delete /d was sent"
    assert (error.path, error.operation) == ("/d", "delete")


def test_connection_closed_names_the_written_request() -> None:
    d = connected()
    written = d.submit(GetDataRequest("/c"))
    d.m.close()
    d.flush()  # the CloseRequest goes out; then the connection ends before any answer
    d.lose()
    error = written.error
    assert type(error) is ConnectionClosedError
    assert str(error) == "client stopped before the reply to getData /c"
    assert (error.path, error.operation) == ("/c", "getData")


@pytest.mark.parametrize(("exc_type", "what"), [
    (ConnectionLoss, "connection lost"), (SessionExpiredError, "session expired"),
    (ConnectionClosedError, "client stopped"), (AuthFailedError, "authentication failed"),
])
def test_every_fate_error_keeps_its_type_and_names_the_request(
        exc_type: type[ZkException], what: str) -> None:
    error = fate_error(exc_type, GetChildrenRequest("/k"), written=True)
    assert type(error) is exc_type and str(error) == f"{what} before the reply to getChildren /k"
    unsent = fate_error(exc_type, MultiRequest([]), written=False)
    assert str(unsent) == f"{what} before multi was sent" and unsent.path is None
    auth = fate_error(exc_type, AuthItem("digest", "u:p"), written=True)
    assert (auth.operation, auth.path) == ("auth", None) and "u:p" not in str(auth)


def test_the_planner_keeps_each_hosts_last_connect_error() -> None:
    d = Driver(machine(hosts=HOSTS[:2], randomize_hosts=False), FakeServer())
    d.m.start(d.now)
    first = d.poll()
    d.m.connect_failed(d.now, "Connection refused")
    second = d.poll()
    d.m.connection_made(d.now)
    d.lose(closed_by_peer=True)  # opened, then closed before the handshake's answer
    errors = d.m.connect_errors
    assert errors == {first.host: "Connection refused",  # type: ignore[union-attr]
                      second.host: "closed by the server before a session was established"}  # type: ignore[union-attr]
    message = start_timeout_message(2.0, errors)
    assert message == ("Connection time-out after 2 s (zk1:2181: Connection refused; "
                       "zk2:2181: closed by the server before a session was established)")
    nothing = start_timeout_message(0.5, {})
    assert nothing == "Connection time-out after 0.5 s (no connection attempt finished)"


def test_a_host_that_reaches_a_session_has_no_error() -> None:
    d = Driver(machine(), FakeServer())
    d.m.start(d.now)
    d.poll()
    d.m.connect_failed(d.now, "timed out")
    assert d.m.connect_errors == {HOSTS[0]: "timed out"}
    d.connect()
    d.deliver()
    assert d.m.connect_errors == {}
    d.m.close()
    d.flush()
    d.deliver()
    d.lose()
    d.m.start(d.now)  # a new run starts with no errors
    assert d.m.connect_errors == {}


def test_op_names_follow_zookeeper() -> None:
    assert op_name(OpCode.GET_DATA) == "getData" and op_name(OpCode.MULTI_READ) == "multiRead"
    assert op_name(OpCode.CHECK_WATCHES) == "checkWatches" and op_name(OpCode.WHO_AM_I) == "whoAmI"
    assert op_name(999) == "op999"
    assert set(OP_NAMES) == set(OpCode)


def test_named_errors_pickle_with_their_names() -> None:
    d = connected()
    result = d.submit(ExistsRequest("/p"))
    d.deliver()
    back = pickle.loads(pickle.dumps(result.error))
    assert type(back) is NoNodeError and str(back) == "KeeperErrorCode = NoNode for /p"
    assert (back.path, back.operation) == ("/p", "exists")  # type: ignore[attr-defined]


def test_connect_error_texts() -> None:
    assert connect_error_text(ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed ('h', 1)")) \
        == os.strerror(errno.ECONNREFUSED)
    assert connect_error_text(socket.gaierror(socket.EAI_NONAME, "Name or service not known")) \
        == "Name or service not known"
    assert connect_error_text(TimeoutError()) == "timed out"
    assert connect_error_text(TimeoutError("timed out")) == "timed out"
    assert connect_error_text(ValueError()) == "ValueError"


def test_the_per_operation_errors_of_a_failed_multi_name_their_operation() -> None:
    d = connected(chroot="/app")
    ops = [DeleteRequest("/x"), CheckVersionRequest("/c", 4), SetDataRequest("/d", b"")]
    result = d.submit(MultiRequest(ops))
    assert d.server is not None
    xid, _ = HEAD.unpack_from(d.server.seen[-1], 0)
    d.server.out.clear()

    def head(err: int, done: bool = False) -> bytes:
        return struct.pack(">i?i", -1, done, err)

    body = (head(0) + struct.pack(">i", 0) + head(-103) + struct.pack(">i", -103)
            + head(-2) + struct.pack(">i", -2) + head(-1, True))
    d.server.out += reply(xid, 12, 0, body)
    d.deliver()
    rolled, failed, later = result.value
    assert type(failed) is BadVersionError and str(failed) == "KeeperErrorCode = BadVersion for /c"
    assert (failed.path, failed.operation) == ("/c", "check")
    assert (type(rolled), rolled.path, rolled.operation) == (RolledBackError, "/x", "delete")
    assert (type(later), later.path, later.operation) == (RuntimeInconsistency, "/d", "setData")
