"""``jute.read_string_vector``: the fast paths must agree with the strict reader, byte for byte.

The reference is the item-by-item reader (``_read_strings_strict``); every input,
valid or not, must give the same list and end offset, or the same error class.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkrecipes.client.protocol import jute
from zkrecipes.exceptions import MalformedFrameError

_INT = struct.Struct(">i")


def encode(items: Sequence[str | None], tail: bytes = b"") -> bytes:
    out = bytearray(_INT.pack(len(items)))
    for item in items:
        if item is None:
            out += _INT.pack(-1)
        else:
            raw = item.encode("utf-8")
            out += _INT.pack(len(raw)) + raw
    return bytes(out) + tail


def reference(buf: bytes, off: int) -> tuple[list[str], int] | type[Exception]:
    try:
        count, start = jute._count(buf, off, 4)
        return jute._read_strings_strict(memoryview(buf), start, count)
    except (MalformedFrameError, struct.error) as exc:
        return type(exc)


def fast(buf: bytes, off: int) -> tuple[list[str], int] | type[Exception]:
    try:
        return jute.read_string_vector(memoryview(buf), off)
    except (MalformedFrameError, struct.error) as exc:
        return type(exc)


names = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(names, st.none()), max_size=40), st.binary(max_size=80))
def test_any_vector_reads_like_the_strict_reader(items: list[str | None], tail: bytes) -> None:
    buf = encode(items, tail)
    assert fast(buf, 0) == reference(buf, 0)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 6), st.integers(1, 60), st.binary(max_size=40))
def test_uniform_vectors_read_like_the_strict_reader(length: int, count: int, tail: bytes) -> None:
    items = [format(i, "x").rjust(length, "z")[-length:] if length else "" for i in range(count)]
    buf = encode(items, tail)
    result = fast(buf, 0)
    assert result == reference(buf, 0)
    assert result == (items, len(buf) - len(tail))


@settings(max_examples=300, deadline=None)
@given(st.lists(names, min_size=1, max_size=20), st.data())
def test_corrupted_vectors_fail_or_read_like_the_strict_reader(items: list[str], data: st.DataObject) -> None:
    buf = bytearray(encode(items))
    index = data.draw(st.integers(0, len(buf) - 1))
    buf[index] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(index, len(buf)))
    corrupted = bytes(buf[:cut])
    assert fast(corrupted, 0) == reference(corrupted, 0)


def test_ten_thousand_uniform_children_with_a_stat_after_them() -> None:
    items = [f"c{i:05d}" for i in range(10_000)]
    stat = bytes(range(68))
    buf = encode(items, stat)
    assert jute.read_string_vector(memoryview(buf), 0) == (items, len(buf) - 68)


def test_mixed_length_and_non_ascii_children() -> None:
    items = ["a", "lock-0000000001", "ünïcødé", "日本", "x" * 300, "_c_" + "f" * 32 + "-lock-0000000002"]
    buf = encode(items, b"\xff" * 68)
    assert jute.read_string_vector(memoryview(buf), 0) == (items, len(buf) - 68)


def test_uniform_names_holding_a_nul_are_read_exactly() -> None:
    items = ["a\x00b", "cde", "\x00\x00\x00"]
    buf = encode(items)
    assert jute.read_string_vector(memoryview(buf), 0) == (items, len(buf))


def test_null_items_read_as_empty_strings() -> None:
    buf = encode(["ab", None, "cd"])
    assert jute.read_string_vector(memoryview(buf), 0) == (["ab", "", "cd"], len(buf))


def test_invalid_utf8_is_malformed_in_every_path() -> None:
    uniform = _INT.pack(2) + _INT.pack(2) + b"\xc3\x28" + _INT.pack(2) + b"ok"
    mixed = _INT.pack(2) + _INT.pack(2) + b"\xc3\x28" + _INT.pack(3) + b"oki"
    for buf in (uniform, mixed):
        with pytest.raises(MalformedFrameError):
            jute.read_string_vector(memoryview(buf), 0)


def test_an_item_running_past_the_frame_is_malformed() -> None:
    buf = _INT.pack(2) + _INT.pack(2) + b"ab" + _INT.pack(50) + b"cd"
    with pytest.raises(MalformedFrameError):
        jute.read_string_vector(memoryview(buf), 0)


def test_the_fast_paths_take_the_common_shapes() -> None:
    uniform = ["lock-0000000001", "lock-0000000002"]
    assert jute._read_uniform_strings(memoryview(encode(list(uniform))), 4, 2) == (uniform, 4 + 2 * 19)
    mixed = ["a", "bb", "ccc"]
    buf = encode(list(mixed))
    assert jute._read_uniform_strings(memoryview(buf), 4, 3) is None
    assert jute._read_strings_sliced(memoryview(buf), 4, 3) == (mixed, len(buf))
