"""A malicious server (issue 16, scope 4): a fake peer listed first, a real server next.

Every scenario's fake peer (``_chaos_peer``, a real TCP server) serves one
connection and misbehaves in one way: a huge, a negative frame length, a
truncated reply, garbage, an unknown or out-of-order xid, an unknown error
code, a huge string length inside a reply, a notification for a path never
watched, a zero or negative negotiated timeout. Verdicts: the misbehaviour
ends in the *specific* zkrecipes exception (the protocol error logged when the
connection is dropped, or the error the caller gets), quickly (every wait is
bounded: a hang fails), without the client reading past its frame limit (the
peer cannot push more than the kernel's socket buffers behind a refused
length), and the I/O loop stays alive: the client then moves on to the real
server listed next and serves requests there.
"""

from __future__ import annotations

import logging
import random
import struct
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from _chaos_peer import LEN, Conversation, FakePeer, get_data_reply, notification, read_frame, reply
from _chaos_workers import wait_for

from zkrecipes import ZkClient
from zkrecipes.exceptions import (
    ConnectionLoss,
    FrameTooLargeError,
    MalformedFrameError,
    ProtocolError,
    SessionExpiredError,
    UnexpectedReplyError,
    UnknownServerError,
)

pytestmark = pytest.mark.slow

WAIT = 20.0
OP_GET_DATA = 4
#: What a request in flight when the fake's connection drops ends with: ConnectionLoss, or — a
#: read the client sends again after reconnecting, to the real server where the fake's session
#: is unknown — SessionExpiredError.
LOST_REQUEST = (ConnectionLoss, SessionExpiredError)
PUSH_LIMIT = 64 * 1024 * 1024  # what a peer tries to push behind a refused length
MEMORY_BOUND = 16 * 1024 * 1024  # the frame limit (~1.1 MiB) plus loopback socket buffers


class _ProtocolErrors(logging.Handler):
    """Collects the exceptions the connection layer logs when it drops a connection."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[BaseException] = []
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        for arg in record.args if isinstance(record.args, tuple) else ():
            if isinstance(arg, BaseException):
                self.errors.append(arg)


@pytest.fixture
def logged() -> Iterator[_ProtocolErrors]:
    handler = _ProtocolErrors()
    logger = logging.getLogger("zkrecipes")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _request(conv: Conversation) -> int:
    xid, _, _ = conv.next_request()
    return xid


def huge_length(conv: Conversation) -> None:
    conv.handshake()
    _request(conv)
    conv.send(LEN.pack(0x7FFFFFF0))
    chunk = b"\0" * 65536
    while conv.sent < PUSH_LIMIT:
        conv.send(chunk)


def negative_length(conv: Conversation) -> None:
    conv.handshake()
    _request(conv)
    conv.send(LEN.pack(-16) + b"\0" * 64)
    conv.next_request()


def truncated(conv: Conversation) -> None:
    conv.handshake()
    xid = _request(conv)
    conv.send(reply(xid, LEN.pack(100) + b"short"))  # data length 100, 5 bytes, no stat
    conv.next_request()


def garbage(conv: Conversation) -> None:
    conv.handshake()
    _request(conv)
    conv.send(LEN.pack(40) + random.Random(16).randbytes(40))
    conv.next_request()


def garbage_handshake(conv: Conversation) -> None:
    read_frame(conv.sock)  # the ConnectRequest
    conv.send(LEN.pack(7) + b"garbage")
    read_frame(conv.sock)


def unknown_xid(conv: Conversation) -> None:
    conv.handshake()
    xid = _request(conv)
    conv.send(get_data_reply(xid + 1000, b"x"))
    conv.next_request()


def out_of_order(conv: Conversation) -> None:
    conv.handshake()
    first = _request(conv)
    second = _request(conv)
    conv.send(get_data_reply(second, b"2") + get_data_reply(first, b"1"))
    conv.next_request()


def unknown_error(conv: Conversation) -> None:
    conv.handshake()
    xid = _request(conv)
    conv.send(reply(xid, err=-9999))
    xid = _request(conv)
    conv.send(get_data_reply(xid, b"after"))  # the connection still works; then the peer hangs up


def huge_string(conv: Conversation) -> None:
    conv.handshake()
    xid = _request(conv)
    conv.send(reply(xid, struct.pack(">ii", 1, 0x7FFFFFF0) + b"abc"))  # one child, 2 GiB name
    conv.next_request()


def unknown_notification(conv: Conversation) -> None:
    conv.handshake()
    xid = _request(conv)
    conv.send(notification("/never/watched") + get_data_reply(xid, b"fine"))  # then the peer hangs up


def zero_timeout(conv: Conversation) -> None:
    conv.handshake(timeout_ms=0)
    conv.next_request()


def negative_timeout(conv: Conversation) -> None:
    conv.handshake(timeout_ms=-4000)
    conv.next_request()


def _broken_request(expected: tuple[type[BaseException], ...], logged_error: type[ProtocolError] | None,
                    two: bool = False) -> Callable[[ZkClient, _ProtocolErrors], None]:
    """The request sent to the fake fails with ``expected``; ``logged_error`` is logged."""
    def check(client: ZkClient, logged: _ProtocolErrors) -> None:
        pending = [client.get_async("/x")] + ([client.get_async("/y")] if two else [])
        for result in pending:
            with pytest.raises(expected):
                result.get(timeout=WAIT)
        if logged_error is not None:
            assert any(isinstance(e, logged_error) for e in logged.errors), logged.errors
    return check


def _answered(first: type[BaseException] | None, data: bytes) -> Callable[[ZkClient, _ProtocolErrors], None]:
    """The fake's connection survives: (an error, then) a good reply."""
    def check(client: ZkClient, logged: _ProtocolErrors) -> None:
        if first is not None:
            with pytest.raises(first) as raised:
                client.get_async("/x").get(timeout=WAIT)
            assert getattr(raised.value, "code", None) == -9999, raised.value
        assert client.get_async("/x").get(timeout=WAIT)[0] == data
        assert not logged.errors, logged.errors
    return check


def _handshake_refused(logged_error: type[BaseException] | None,
                       message: str = "") -> Callable[[ZkClient, _ProtocolErrors], None]:
    """The handshake with the fake fails: ``logged_error`` logged, or a log line with ``message``."""
    def check(client: ZkClient, logged: _ProtocolErrors) -> None:
        if logged_error is not None:
            assert any(isinstance(e, logged_error) for e in logged.errors), logged.errors
        assert any(message in m for m in logged.messages), logged.messages
    return check


SCENARIOS: dict[str, tuple[Callable[[Conversation], None], Callable[[ZkClient, _ProtocolErrors], None]]] = {
    "huge_length": (huge_length, _broken_request(LOST_REQUEST, FrameTooLargeError)),
    "negative_length": (negative_length, _broken_request(LOST_REQUEST, FrameTooLargeError)),
    "truncated": (truncated, _broken_request(LOST_REQUEST, MalformedFrameError)),
    "garbage": (garbage, _broken_request(LOST_REQUEST, ProtocolError)),
    "garbage_handshake": (garbage_handshake, _handshake_refused(MalformedFrameError)),
    "unknown_xid": (unknown_xid, _broken_request(LOST_REQUEST, UnexpectedReplyError)),
    "out_of_order": (out_of_order, _broken_request(LOST_REQUEST, UnexpectedReplyError, two=True)),
    "unknown_error": (unknown_error, _answered(UnknownServerError, b"after")),
    "huge_string": (huge_string, _broken_request(LOST_REQUEST, MalformedFrameError)),
    "unknown_notification": (unknown_notification, _answered(None, b"fine")),
    # A negotiated timeout <= 0 is ZooKeeper's "session expired" answer: LOST, then a new session.
    "zero_timeout": (zero_timeout, _handshake_refused(None, "session expired")),
    "negative_timeout": (negative_timeout, _handshake_refused(None, "session expired")),
}
HANDSHAKE_LEVEL = {"garbage_handshake", "zero_timeout", "negative_timeout"}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_malicious_server_gives_a_specific_error_then_the_real_server(
        name: str, chaos_server: Any, chaos_admin: Any, chaos_base: str, logged: _ProtocolErrors) -> None:
    script, check = SCENARIOS[name]
    peer = FakePeer(script)
    client = ZkClient(f"{peer.hosts},{chaos_server.hosts}{chaos_base}", timeout=4.0, randomize_hosts=False,
                      connection_retry={"delay": 0.05, "max_jitter": 0.0, "max_tries": -1})
    try:
        client.start(timeout=WAIT)
        if name not in HANDSHAKE_LEVEL:
            assert peer.conversation is not None, "the client did not talk to the fake peer first"
        check(client, logged)
        if name in HANDSHAKE_LEVEL:
            assert peer.done.wait(WAIT)
        # The I/O loop is alive: it moves on to the real server (a new session) and serves there.
        served: list[str] = []

        def serves() -> bool:
            if not (peer.done.is_set() and client.connected):
                return False
            try:
                served.append(client.create_async("/alive", b"yes").get(timeout=WAIT))
            except (ConnectionLoss, SessionExpiredError):  # still moving between servers
                return False
            return True

        wait_for(serves, WAIT, f"{name}: the real server serving the client")
        deadline_result = served[0]
        assert deadline_result == "/alive", f"{name}: never served by the real server"
        assert chaos_admin.get(f"{chaos_base}/alive")[0] == b"yes"
        assert peer.error is None, peer.error
        if peer.conversation is not None:
            assert peer.conversation.sent < MEMORY_BOUND, f"the client read {peer.conversation.sent} bytes"
    finally:
        client.stop()
        client.close()
        peer.close()


def test_peer_scripts_cover_the_issue_list() -> None:
    wanted = {"huge_length", "negative_length", "truncated", "garbage", "unknown_xid", "out_of_order",
              "unknown_error", "huge_string", "unknown_notification", "zero_timeout", "negative_timeout"}
    assert wanted <= set(SCENARIOS), wanted - set(SCENARIOS)
