"""Framing, and property tests: arbitrary bytes only ever raise the ProtocolError family."""

from __future__ import annotations

import struct

import pytest
from _protocol_wire import buf, connect_response, frame, i32, reply, stat, strings, ustr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zkrecipes.client.protocol import (
    CreateRequest,
    ExistsRequest,
    FrameReader,
    GetChildren2Request,
    GetDataRequest,
    MultiRequest,
    SyncRequest,
    WhoAmIRequest,
    ZkProtocol,
)
from zkrecipes.exceptions import FrameTooLargeError, InvalidArgumentError, ProtocolError
from zkrecipes.security import OPEN_ACL_UNSAFE

MAX = 4096


def test_frames_are_returned_in_order_across_chunks() -> None:
    reader = FrameReader(MAX)
    stream = frame(b"one") + frame(b"") + frame(b"three")
    got: list[bytes] = []
    chunks = [stream[:2], stream[2:5], stream[5:9], stream[9:10], stream[10:]]
    for chunk in chunks:
        frames, error = reader.feed(chunk)
        assert error is None
        got += [bytes(f) for f in frames]
    assert got == [b"one", b"", b"three"] and reader.buffered == 0


def test_only_the_partial_frame_is_kept() -> None:
    reader = FrameReader(MAX)
    frames, _ = reader.feed(frame(b"abc") + frame(b"defgh")[:6])
    assert [bytes(f) for f in frames] == [b"abc"]
    assert reader.buffered == 6
    frames, _ = reader.feed(b"fgh")
    assert [bytes(f) for f in frames] == [b"defgh"] and reader.buffered == 0


@pytest.mark.parametrize("length", [-1, -(2**31), MAX + 1, 2**31 - 1])
def test_bad_length_is_refused_before_buffering(length: int) -> None:
    reader = FrameReader(MAX)
    frames, error = reader.feed(frame(b"ok") + struct.pack(">i", length) + b"x" * 10)
    assert [bytes(f) for f in frames] == [b"ok"]
    assert isinstance(error, FrameTooLargeError)
    assert reader.buffered == 0


def test_bad_length_split_over_chunks_is_refused_when_complete() -> None:
    reader = FrameReader(MAX)
    assert reader.feed(struct.pack(">i", MAX + 1)[:3]) == ([], None)
    frames, error = reader.feed(struct.pack(">i", MAX + 1)[3:])
    assert frames == [] and isinstance(error, FrameTooLargeError)


def test_frame_of_exactly_max_size_is_accepted() -> None:
    reader = FrameReader(MAX)
    payload = b"z" * MAX
    frames, error = reader.feed(frame(payload)[:100])
    assert (frames, error) == ([], None)
    frames, error = reader.feed(frame(payload)[100:])
    assert error is None and [bytes(f) for f in frames] == [payload]


def test_max_frame_size_validation() -> None:
    with pytest.raises(InvalidArgumentError):
        FrameReader(100)


def test_protocol_rejects_oversized_reply_frame() -> None:
    p = ZkProtocol(max_frame_size=MAX)
    p.connect()
    p.receive_data(connect_response(5000, 1, bytes(16)))
    p.send(GetDataRequest("/a"))
    with pytest.raises(FrameTooLargeError):
        p.receive_data(reply(1, 1, 0, buf(b"q" * MAX) + stat()))


# ------------------------------------------------------------ property tests


def _protocol_with_pending() -> ZkProtocol:
    p = ZkProtocol(max_frame_size=MAX)
    p.connect()
    p.receive_data(connect_response(5000, 1, bytes(16)))
    p.send(GetDataRequest("/a", watcher=print))
    p.send(MultiRequest([CreateRequest("/b", b"", OPEN_ACL_UNSAFE)]))
    p.send(GetChildren2Request("/c"))
    p.send(WhoAmIRequest())
    p.send(ExistsRequest("/d"))
    return p


def _feed_all(p: ZkProtocol, chunks: list[bytes]) -> None:
    """Feed chunks until one raises; only the ProtocolError family may escape."""
    for chunk in chunks:
        try:
            p.receive_data(chunk)
        except ProtocolError:
            return
        assert p._reader.buffered <= MAX + 4


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=300), max_size=8))
def test_arbitrary_bytes_raise_only_protocol_errors(chunks: list[bytes]) -> None:
    _feed_all(_protocol_with_pending(), chunks)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=200), max_size=6))
def test_arbitrary_bytes_before_connect_response(chunks: list[bytes]) -> None:
    p = ZkProtocol(max_frame_size=MAX)
    p.connect()
    _feed_all(p, chunks)


def _valid_replies() -> bytes:
    return (reply(1, 5, 0, buf(b"data") + stat())
            + reply(2, 6, 0, struct.pack(">i?i", 1, False, 0) + ustr("/b")
                    + struct.pack(">i?i", -1, True, -1))
            + reply(3, 7, 0, strings(["x", "y"]) + stat())
            + reply(4, 8, 0, i32(1) + ustr("ip") + ustr("127.0.0.1"))
            + reply(5, 9, -101))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_corrupted_valid_stream_raises_only_protocol_errors(data: st.DataObject) -> None:
    stream = bytearray(_valid_replies())
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(stream) - 1))
        stream[index] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(stream)))
    _feed_all(_protocol_with_pending(), [bytes(stream[:cut]), bytes(stream[cut:])])


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_truncated_frames_raise_only_protocol_errors(data: st.DataObject) -> None:
    # Shorten one frame's payload while fixing up its length prefix: the record inside is cut short.
    stream = _valid_replies()
    frames = []
    off = 0
    while off < len(stream):
        (length,) = struct.unpack_from(">i", stream, off)
        frames.append(stream[off + 4:off + 4 + length])
        off += 4 + length
    victim = data.draw(st.integers(0, len(frames) - 1))
    keep = data.draw(st.integers(0, max(len(frames[victim]) - 1, 0)))
    frames[victim] = frames[victim][:keep]
    p = _protocol_with_pending()
    with pytest.raises(ProtocolError):
        for body in frames:
            p.receive_data(frame(body))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 64), min_size=1, max_size=40))
def test_any_chunking_of_a_valid_stream_gives_the_same_events(sizes: list[int]) -> None:
    stream = _valid_replies() + reply(-2, 0, 0)
    whole = _protocol_with_pending().receive_data(stream)
    p = _protocol_with_pending()
    events, off, index = [], 0, 0
    while off < len(stream):
        size = sizes[index % len(sizes)]
        events += p.receive_data(stream[off:off + size])
        off += size
        index += 1
    assert [type(e) for e in events] == [type(e) for e in whole]
    assert [getattr(e, "result", None) for e in events] == [getattr(e, "result", None) for e in whole]


def test_sync_reply_path_with_invalid_utf8_is_protocol_error() -> None:
    p = ZkProtocol()
    p.connect()
    p.receive_data(connect_response(5000, 1, bytes(16)))
    p.send(SyncRequest("/a"))
    with pytest.raises(ProtocolError):
        p.receive_data(reply(1, 1, 0, i32(2) + b"\xff\xfe"))
