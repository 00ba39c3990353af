"""Errors that explain, through both front ends (a scripted peer, a refused port, bad numbers).

* a server error says ``KeeperErrorCode = NoNode for /a`` with ``.path``/``.operation``;
* ConnectionLoss for a written request names it;
* a start that times out names each host tried and its last connect error;
* ``start(timeout=...)`` and the recipes' timeouts refuse negative, NaN, infinite
  and non-numbers before anything happens;
* the exception attributes pickle, and the CLI's words come from the exceptions.
"""

from __future__ import annotations

import asyncio
import math
import pickle
import struct
import threading
import time
from typing import Any

import pytest
from _scripted_peer import (
    WAIT,
    ScriptedHandler,
    accept_session,
    frame,
    next_state,
    read_frame,
    scripted_client,
)

from zkrecipes import ZkClient, ZkState
from zkrecipes.aio import AsyncZkClient
from zkrecipes.cli.errors import describe
from zkrecipes.client.protocol.errors import annotate, java_message, request_error
from zkrecipes.client.protocol.records import ReplyHeader
from zkrecipes.exceptions import (
    ConnectionLoss,
    InvalidArgumentError,
    InvalidTypeError,
    NoNodeError,
    ProtectedCreateLost,
    UnknownServerError,
    ZkException,
    ZkTimeoutError,
)
from zkrecipes.recipes._checks import check_timeout
from zkrecipes.recipes.lock import Lock
from zkrecipes.recipes.semaphore import Semaphore
from zkrecipes.testing.ports import pick_free_port

_HEAD = struct.Struct(">ii")


def _xid_and_path(body: bytes) -> tuple[int, str]:
    xid, _op = _HEAD.unpack_from(body, 0)
    (length,) = struct.unpack_from(">i", body, 8)
    return xid, body[12:12 + length].decode()


@pytest.fixture
def scripted() -> Any:
    handler = ScriptedHandler()
    client, states = scripted_client(handler)
    yield handler, client, states
    client.stop()


def _connect(handler: ScriptedHandler, client: ZkClient, states: Any) -> Any:
    client.start_async()
    peer, _ = accept_session(handler)
    while next_state(states) is not ZkState.CONNECTED:
        pass
    return peer


def test_threaded_get_of_a_missing_node(scripted: Any) -> None:
    handler, client, states = scripted
    peer = _connect(handler, client, states)
    got = client.get_async("/missing")
    xid, path = _xid_and_path(read_frame(peer))
    assert path == "/missing"
    peer.sendall(frame(ReplyHeader(xid, 5, -101).to_bytes()))
    with pytest.raises(NoNodeError) as caught:
        got.get(timeout=WAIT)
    assert str(caught.value) == "KeeperErrorCode = NoNode for /missing"
    assert caught.value.operation == "getData" and caught.value.path == "/missing"
    peer.close()


def test_threaded_connection_loss_names_the_written_request(scripted: Any) -> None:
    handler, client, states = scripted
    peer = _connect(handler, client, states)
    written = client.set_async("/w", b"x")
    assert _xid_and_path(read_frame(peer))[1] == "/w"
    peer.close()
    assert written.wait(WAIT) and type(written.exception) is ConnectionLoss
    error = written.exception
    assert str(error) == "connection lost before the reply to setData /w"
    assert (error.path, error.operation) == ("/w", "setData")


def test_a_request_on_a_stopped_client_is_named() -> None:
    client = ZkClient("127.0.0.1:1")
    try:
        result = client.exists_async("/e")
        assert result.wait(WAIT)
        assert (result.exception.path, result.exception.operation) == ("/e", "exists")
    finally:
        client.close()


# ----------------------------------------------------------------- start timeouts


def _refused_hosts() -> tuple[int, str]:
    port = pick_free_port()
    return port, f"127.0.0.1:{port}"


def test_threaded_start_timeout_names_the_refused_host() -> None:
    port, hosts = _refused_hosts()
    client = ZkClient(hosts, connection_retry={"delay": 0.01, "max_jitter": 0.0})
    try:
        started = time.monotonic()
        with pytest.raises(ZkTimeoutError) as caught:
            client.start(timeout=0.5)
        assert time.monotonic() - started < WAIT
        message = str(caught.value)
        assert message.startswith("Connection time-out after 0.5 s (")
        assert f"127.0.0.1:{port}: Connection refused" in message
    finally:
        client.close()


async def test_asyncio_start_timeout_names_the_refused_host() -> None:
    port, hosts = _refused_hosts()
    client = AsyncZkClient(hosts, connection_retry={"delay": 0.01, "max_jitter": 0.0})
    try:
        with pytest.raises(ZkTimeoutError) as caught:
            await asyncio.wait_for(client.start(timeout=0.5), WAIT)
        assert f"127.0.0.1:{port}: Connection refused" in str(caught.value)
    finally:
        client.close()


# ----------------------------------------------------------------- numeric checks

_BAD_TIMEOUTS = [
    (-1, InvalidArgumentError), (-0.001, InvalidArgumentError), (math.nan, InvalidArgumentError),
    (math.inf, InvalidArgumentError), (-math.inf, InvalidArgumentError), (10**400, InvalidArgumentError),
    ("5", InvalidTypeError), (True, InvalidTypeError), (None, InvalidTypeError),
]


@pytest.mark.parametrize(("bad", "error"), _BAD_TIMEOUTS)
def test_threaded_start_refuses_a_bad_timeout_before_starting(bad: object, error: type[Exception]) -> None:
    client = ZkClient("127.0.0.1:1")
    try:
        with pytest.raises(error):
            client.start(timeout=bad)  # type: ignore[arg-type]
        assert not client._transport.running and client.state is ZkState.LOST
    finally:
        client.close()


@pytest.mark.parametrize(("bad", "error"), _BAD_TIMEOUTS)
async def test_asyncio_start_refuses_a_bad_timeout_before_starting(
        bad: object, error: type[Exception]) -> None:
    client = AsyncZkClient("127.0.0.1:1")
    try:
        with pytest.raises(error):
            await client.start(timeout=bad)  # type: ignore[arg-type]
        assert not client.transport.running
    finally:
        client.close()


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan, -1.0])
def test_recipe_timeouts_refuse_non_finite_numbers(bad: float) -> None:
    client = ZkClient("127.0.0.1:1")  # never started: a request would fail, not hang
    try:
        with pytest.raises(InvalidArgumentError):
            Lock(client, "/l").acquire(timeout=bad)
        with pytest.raises(InvalidArgumentError):
            Semaphore(client, "/s").acquire(timeout=bad)
    finally:
        client.close()


def test_a_huge_finite_recipe_timeout_does_not_overflow() -> None:
    assert check_timeout(1e300) == threading.TIMEOUT_MAX
    client = ZkClient("127.0.0.1:1")
    try:
        with pytest.raises(ZkException) as caught:  # the never-started client's error, no OverflowError
            Lock(client, "/l").acquire(timeout=1e300)
        assert not isinstance(caught.value, InvalidArgumentError)
    finally:
        client.close()


# ----------------------------------------------------------------- the exceptions


def test_request_error_and_annotate() -> None:
    error = request_error(-101, "getData", "/a")
    assert type(error) is NoNodeError and error.args == ("KeeperErrorCode = NoNode for /a",)
    unknown = request_error(-999, "exists", "/u")
    assert type(unknown) is UnknownServerError and unknown.code == -999
    assert str(unknown) == "KeeperErrorCode = code -999 for /u"
    bare = NoNodeError()
    assert str(bare) == "" and bare.path is None and bare.operation is None
    assert annotate(bare, "delete", "/b") is bare and str(bare) == "KeeperErrorCode = NoNode for /b"
    annotate(bare, "create", "/other")  # already named: unchanged
    assert (bare.path, bare.operation) == ("/b", "delete")
    plain = ValueError("x")
    assert annotate(plain, "create", "/c") is plain and not hasattr(plain, "path")
    assert java_message(-110) == "KeeperErrorCode = NodeExists"


def test_exceptions_pickle_with_their_attributes() -> None:
    lost = ProtectedCreateLost("gave up", guid="g", parent="/p", prefix="_c_g-")
    lost.path, lost.operation = "/p/x", "create"
    back = pickle.loads(pickle.dumps(lost))
    assert type(back) is ProtectedCreateLost and str(back) == "gave up"
    assert (back.protected_guid, back.protected_parent) == ("g", "/p")
    assert (back.path, back.operation) == ("/p/x", "create")
    unknown = pickle.loads(pickle.dumps(request_error(-999, "exists", "/u")))
    assert unknown.code == -999 and unknown.path == "/u"


def test_the_cli_describes_with_the_exceptions_words_and_the_requests_path() -> None:
    assert describe(NoNodeError(), "/a") == "KeeperErrorCode = NoNode for /a"
    assert describe(request_error(-101, "getData", "/a/b"), "/a") == "KeeperErrorCode = NoNode for /a/b"


# ----------------------------------------------------------------- the asyncio front end


async def test_asyncio_server_error_and_connection_loss_name_the_request() -> None:
    from test_aio_transport import _get_xid, scripted  # the asyncio scripted peer

    async with scripted() as (zk, peer):
        got = asyncio.ensure_future(zk.get("/missing"))
        xid = await _get_xid(peer, "/missing")
        await peer.send(ReplyHeader(xid, 5, -101).to_bytes())
        with pytest.raises(NoNodeError) as caught:
            await asyncio.wait_for(got, WAIT)
        assert str(caught.value) == "KeeperErrorCode = NoNode for /missing"
        assert (caught.value.path, caught.value.operation) == ("/missing", "getData")
        lost = asyncio.ensure_future(zk.get("/lost"))
        await _get_xid(peer, "/lost")
        assert peer.sock is not None
        peer.sock.close()
        peer.sock = None
        with pytest.raises(ConnectionLoss) as dropped:
            await asyncio.wait_for(lost, WAIT)
        assert str(dropped.value) == "connection lost before the reply to getData /lost"
        assert (dropped.value.path, dropped.value.operation) == ("/lost", "getData")
