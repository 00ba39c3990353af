"""The Curator peer's JSON-lines framing and the reply matching of CuratorPeer (no JVM)."""

from __future__ import annotations

import io
import json
import threading

import pytest

from zkrecipes.testing.curator.framing import PeerError, PeerProtocolError, decode_reply, encode_request
from zkrecipes.testing.curator.peer import CuratorPeer, PeerCall


def test_request_is_one_ascii_line_with_seq_and_op() -> None:
    line = encode_request(7, "mutex.acquire", {"path": "/a\nb", "id": "é"})
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    line.decode("ascii")
    assert json.loads(line) == {"seq": 7, "op": "mutex.acquire", "path": "/a\nb", "id": "é"}


@pytest.mark.parametrize("seq", [0, -1, True, 1.0])
def test_request_seq_must_be_positive_int(seq: object) -> None:
    with pytest.raises(ValueError):
        encode_request(seq, "ping", {})  # type: ignore[arg-type]


@pytest.mark.parametrize("reserved", ["seq", "op"])
def test_request_arguments_cannot_shadow_framing(reserved: str) -> None:
    with pytest.raises(ValueError):
        encode_request(1, "ping", {reserved: 1})


def test_reply_ok_and_failure() -> None:
    reply = decode_reply(b'{"seq":3,"ok":true,"acquired":false}\n')
    assert (reply.seq, reply.ok, reply.fields) == (3, True, {"acquired": False})
    failed = decode_reply('{"seq":4,"ok":false,"type":"java.lang.IllegalStateException","error":"x"}')
    error = failed.error("mutex.release")
    assert isinstance(error, PeerError)
    assert (error.op, error.message) == ("mutex.release", "x")
    assert error.java_type == "java.lang.IllegalStateException"


@pytest.mark.parametrize("line", [b"not json", b"[1]", b'{"ok":true}', b'{"seq":"1","ok":true}',
                                  b'{"seq":1,"ok":"yes"}', b'{"seq":true,"ok":true}'])
def test_reply_garbage_is_a_protocol_error(line: bytes) -> None:
    with pytest.raises(PeerProtocolError):
        decode_reply(line)


def test_call_times_out_and_reports_failures() -> None:
    call = PeerCall("ping", 0.01)
    with pytest.raises(PeerProtocolError, match="no reply to ping"):
        call.result()
    call._fail(PeerProtocolError("gone"))
    with pytest.raises(PeerProtocolError, match="gone"):
        call.result()


def test_replies_out_of_order_reach_their_calls_and_eof_fails_the_rest() -> None:
    peer = CuratorPeer()
    first, second, third = PeerCall("a", 5), PeerCall("b", 5), PeerCall("c", 5)
    peer._calls = {1: first, 2: second, 3: third}
    stream = io.BytesIO(b'{"seq":0,"ok":true,"ready":true}\n'
                        b'{"seq":2,"ok":true,"n":2}\n\n{"seq":1,"ok":false,"type":"T","error":"e"}\n')
    reader = threading.Thread(target=peer._read_replies, args=(stream,))
    reader.start()
    reader.join(5)
    assert peer._ready.result() == {"ready": True}
    assert second.result() == {"n": 2}
    with pytest.raises(PeerError, match="T"):
        first.result()
    with pytest.raises(PeerProtocolError, match="exited"):
        third.result()  # the stream ended before its reply
    with pytest.raises(PeerProtocolError):
        peer.submit("ping")  # not started


def test_garbage_from_the_peer_fails_every_pending_call() -> None:
    peer = CuratorPeer()
    pending = PeerCall("a", 5)
    peer._calls = {1: pending}
    peer._read_replies(io.BytesIO(b"Exception in thread main\n"))
    with pytest.raises(PeerProtocolError, match="not JSON"):
        pending.result()
