"""Node data formats the recipes share with kazoo and Curator: counters, leases, queue names."""

from __future__ import annotations

import datetime
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError, MalformedNodeDataError
from zkrecipes.recipes.counter import decode_count, encode_count
from zkrecipes.recipes.lease import DATE_FORMAT, decode_lease, encode_lease, lease_end
from zkrecipes.recipes.queue import entry_name

# ------------------------------------------------------------------------------------ Counter


@pytest.mark.parametrize(
    ("value", "data"),
    [
        (0, b"\x00\x00\x00\x00"),
        (5, b"\x00\x00\x00\x05"),
        (-1, b"\xff\xff\xff\xff"),
        (2**31 - 1, b"\x7f\xff\xff\xff"),
        (-(2**31), b"\x80\x00\x00\x00"),
        (258, b"\x00\x00\x01\x02"),
    ],
)
def test_curator_shared_count_is_a_4_byte_big_endian_signed_int(value: int, data: bytes) -> None:
    assert encode_count(value, curator=True) == data
    assert decode_count(data, 0, curator=True) == value


@pytest.mark.parametrize("value", [2**31, -(2**31) - 1, 10**12])
def test_curator_count_outside_32_bits_is_refused(value: int) -> None:
    with pytest.raises(InvalidArgumentError):
        encode_count(value, curator=True)


@pytest.mark.parametrize("data", [b"\x00\x00\x05", b"\x00\x00\x00\x00\x05", b"5"])
def test_curator_count_of_the_wrong_length_is_malformed(data: bytes) -> None:
    with pytest.raises(MalformedNodeDataError, match="/c"):
        decode_count(data, 0, curator=True, where="counter /c")


@pytest.mark.parametrize(
    ("value", "data"),
    [
        (0, b"0"),
        (42, b"42"),
        (-7, b"-7"),
        (1.5, b"1.5"),
        (-0.25, b"-0.25"),
        (10**20, b"100000000000000000000"),
    ],
)
def test_kazoo_counter_format_is_repr_in_ascii(value: int | float, data: bytes) -> None:
    assert encode_count(value, curator=False) == data
    default: int | float = 0 if isinstance(value, int) else 0.0
    decoded = decode_count(data, default, curator=False)
    assert decoded == value and type(decoded) is type(default)


@given(st.integers(min_value=-(2**31), max_value=2**31 - 1), st.booleans())
def test_count_round_trips(value: int, curator: bool) -> None:
    assert decode_count(encode_count(value, curator), 0, curator) == value


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_count_round_trips_exactly(value: float) -> None:
    assert decode_count(encode_count(value, curator=False), 0.0, curator=False) == value


def test_empty_counter_node_means_the_default() -> None:
    assert decode_count(b"", 7, curator=False) == 7
    assert decode_count(b"", 7, curator=True) == 7
    assert decode_count(b"", 2.5, curator=False) == 2.5


@pytest.mark.parametrize(("data", "default"), [(b"abc", 0), (b"1.5", 0), (b"\xff", 0.0), (b"1,5", 0.0)])
def test_kazoo_counter_with_foreign_data_is_malformed(data: bytes, default: int | float) -> None:
    with pytest.raises(MalformedNodeDataError):
        decode_count(data, default, curator=False)


# -------------------------------------------------------------------------------------- Lease


def test_lease_record_is_kazoos_json() -> None:
    end = datetime.datetime(2026, 11, 25, 13, 4, 5, 987654)
    raw = encode_lease("worker-1", end)
    # byte for byte what kazoo's json.dumps(dict).encode("utf-8") writes
    assert raw == b'{"version": 1, "holder": "worker-1", "end": "2026-11-25T13:04:05"}'
    record = decode_lease(raw, "/l/lease_holder")
    assert record == {"version": 1, "holder": "worker-1", "end": "2026-11-25T13:04:05"}
    assert lease_end(record, "/l/lease_holder") == end.replace(microsecond=0)


def test_lease_record_keeps_a_non_ascii_holder() -> None:
    raw = encode_lease("h\u00f4te-\u2603", datetime.datetime(2030, 1, 2, 3, 4, 5))
    assert json.loads(raw.decode("utf-8"))["holder"] == "h\u00f4te-\u2603"
    assert decode_lease(raw, "/x")["holder"] == "h\u00f4te-\u2603"


def test_lease_record_written_by_kazoo_is_read() -> None:
    # the record as kazoo builds it, independently of encode_lease
    end = datetime.datetime(2031, 7, 8, 9, 10, 11)
    raw = json.dumps({"version": 1, "holder": "k", "end": end.strftime("%Y-%m-%dT%H:%M:%S")}).encode()
    assert lease_end(decode_lease(raw, "/x"), "/x") == end
    assert DATE_FORMAT == "%Y-%m-%dT%H:%M:%S"


@pytest.mark.parametrize("raw", [b"", b"not json", b"\xff\xfe", b"[1, 2]", b'"text"', b"3"])
def test_malformed_lease_record_is_refused(raw: bytes) -> None:
    with pytest.raises(MalformedNodeDataError, match="/l/lease_holder"):
        decode_lease(raw, "/l/lease_holder")


@pytest.mark.parametrize("record", [{}, {"end": "tomorrow"}, {"end": "2026-11-25 13:04:05"}, {"end": None}])
def test_lease_without_a_valid_end_is_malformed(record: dict[str, object]) -> None:
    with pytest.raises(MalformedNodeDataError):
        lease_end(record, "/l/lease_holder")


# -------------------------------------------------------------------------------- Queue names


def test_entry_name_pads_the_priority() -> None:
    assert entry_name("entry-", 0) == "entry-000-"
    assert entry_name("entry-", 7) == "entry-007-"
    assert entry_name("entry-", 100) == "entry-100-"
    assert entry_name("entry-", 999) == "entry-999-"


@given(st.lists(st.tuples(st.integers(0, 999), st.integers(0, 9_999_999_999)), unique_by=lambda t: t[1]))
def test_entry_names_sort_by_priority_then_insertion(entries: list[tuple[int, int]]) -> None:
    # the server appends a 10-digit sequence that grows with every insertion
    names = {entry_name("entry-", prio) + f"{seq:010d}": (prio, seq) for prio, seq in entries}
    assert [names[name] for name in sorted(names)] == sorted(entries)


@pytest.mark.parametrize("priority", [-1, 1000, 10**6])
def test_entry_priority_out_of_range_is_refused(priority: int) -> None:
    with pytest.raises(InvalidArgumentError):
        entry_name("entry-", priority)


@pytest.mark.parametrize("priority", [True, 1.0, "1", None])
def test_entry_priority_of_the_wrong_type_is_refused(priority: object) -> None:
    with pytest.raises(InvalidTypeError):
        entry_name("entry-", priority)

