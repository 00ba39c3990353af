"""Pure helpers shared by the recipes: names, sequence order, deadlines, argument checks."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkrecipes.exceptions import (
    ConnectionClosedError,
    ConnectionLoss,
    InvalidArgumentError,
    InvalidPathError,
    InvalidTypeError,
    LockTimeout,
    NoNodeError,
    OperationTimeoutError,
    SessionExpiredError,
    SessionMovedError,
    ZkTimeoutError,
)
from zkrecipes.recipes._checks import check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline, bounded
from zkrecipes.recipes._nodes import belongs_to_session
from zkrecipes.recipes._retrying import call_with_retry, is_retryable
from zkrecipes.recipes._sequence import (
    Restart,
    child_path,
    contender_regex,
    nearest_lower,
    predecessor,
    sequence_number,
    sort_by_sequence,
)
from zkrecipes.states import ZnodeStat

GUID = "_c_" + "ab" * 16
W, R = "__lock__", "__rlock__"  # the write and read contender names


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _stat(owner: int) -> ZnodeStat:
    return ZnodeStat(1, 1, 0, 0, 0, 0, 0, owner, 0, 0, 1)


# ---------------------------------------------------------------------------- sequence names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("__lock__0000000000", 0),
        (f"{GUID}-__lock__0000000042", 42),
        ("entry-100-2147483647", 2147483647),  # the hyphen is a separator, not a sign
        ("entry-100--2147483648", 2147483648),  # without the prefix a sign is not read
        ("__lock__000000042", None),  # 9 digits: not a sequence suffix
        ("__lock__", None),
        ("0000000007-tail", None),
    ],
)
def test_sequence_number_without_prefix(name: str, expected: int | None) -> None:
    assert sequence_number(name) == expected


@pytest.mark.parametrize(
    ("name", "prefix", "expected"),
    [
        (f"{GUID}-__lock__0000000042", "__lock__", 42),
        (f"{GUID}-__lock__-2147483648", "__lock__", -2147483648),  # the counter wrapped
        ("entry-100-0000000005", "entry-100-", 5),
        ("entry-100--2147483647", "entry-100-", -2147483647),
        (f"{GUID}-__rlock__0000000042", "__lock__", None),  # another name
        ("__lock__.000000042", "__lock__", None),
    ],
)
def test_sequence_number_after_a_known_prefix(name: str, prefix: str, expected: int | None) -> None:
    assert sequence_number(name, prefix) == expected


def test_child_path_joins_without_doubling_the_slash() -> None:
    assert child_path("/a/b", "c") == "/a/b/c"
    assert child_path("/a/b/", "c") == "/a/b/c"
    assert child_path("/", "c") == "/c"


def test_contender_regex_matches_only_the_given_names() -> None:
    writers = contender_regex(["__lock__"])
    both = contender_regex(["__lock__", "__rlock__"])
    reader = f"{GUID}-__rlock__0000000003"
    writer = f"{GUID}-__lock__0000000004"
    assert writers.search(reader) is None
    match = writers.search(writer)
    assert match is not None and match.group(1) == "0000000004"
    assert both.search(reader) is not None
    assert both.search("lease_holder") is None
    # regex metacharacters in a name are literal
    assert contender_regex(["a.b"]).search("axb0000000001") is None


def test_sort_by_sequence_orders_by_number_not_by_name() -> None:
    pattern = contender_regex(["__lock__", "__rlock__"])
    names = [
        f"_c_{'f' * 32}-__lock__0000000002",
        "unrelated",
        f"_c_{'0' * 32}-__rlock__0000000010",
        f"_c_{'9' * 32}-__lock__0000000001",
    ]
    assert sort_by_sequence(names, pattern) == [
        (1, names[3]),
        (2, names[0]),
        (10, names[2]),
    ]


@given(st.lists(st.integers(min_value=0, max_value=9_999_999_999), unique=True, max_size=30))
def test_sort_by_sequence_agrees_with_sorting_the_numbers(numbers: list[int]) -> None:
    pattern = contender_regex(["n-"])
    names = [f"g{n % 7}-n-{n:010d}" for n in numbers]
    assert [seq for seq, _ in sort_by_sequence(names, pattern)] == sorted(numbers)


def test_predecessor_is_the_nearest_lower_matching_contender() -> None:
    writers_only = contender_regex(["__lock__"])
    children = [
        "a-__lock__0000000001",
        "b-__rlock__0000000002",
        "c-__lock__0000000003",
        "d-__rlock__0000000004",
        "e-__lock__0000000005",
    ]
    # a reader waits for the nearest earlier writer, ignoring readers
    assert predecessor("d-__rlock__0000000004", children, writers_only, R) == "c-__lock__0000000003"
    # a writer waits for the nearest earlier contender of either kind
    both = contender_regex(["__lock__", "__rlock__"])
    assert predecessor("e-__lock__0000000005", children, both, W) == "d-__rlock__0000000004"
    # the lowest contender holds the lock
    assert predecessor("a-__lock__0000000001", children, both, W) is None
    # a reader with only readers before it holds the (read) lock
    assert predecessor("b-__rlock__0000000002", children, writers_only, R) == "a-__lock__0000000001"
    assert predecessor("b-__rlock__0000000002", children[1:], writers_only, R) is None


def test_predecessor_after_the_sequence_counter_wrapped() -> None:
    pattern = contender_regex([W])
    children = ["a-__lock__2147483647", "b-__lock__-2147483648", "c-__lock__-2147483647"]
    assert predecessor("c-__lock__-2147483647", children, pattern, W) == "b-__lock__-2147483648"
    assert predecessor("b-__lock__-2147483648", children, pattern, W) is None


def test_predecessor_of_a_name_without_sequence_restarts() -> None:
    with pytest.raises(Restart):
        predecessor("no-sequence", ["a-__lock__0000000001"], contender_regex([W]), W)
    with pytest.raises(Restart):  # a node of another kind than the one named
        predecessor("a-__rlock__0000000002", ["a-__lock__0000000001"], contender_regex([W]), W)


@given(st.lists(st.integers(min_value=0, max_value=10**6), unique=True, min_size=1, max_size=20), st.data())
def test_predecessor_matches_a_brute_force_search(numbers: list[int], data: st.DataObject) -> None:
    pattern = contender_regex(["__lock__"])
    names = [f"x-__lock__{n:010d}" for n in numbers]
    mine = data.draw(st.sampled_from(names))
    lower = [n for n in numbers if n < int(mine[-10:])]
    expected = f"x-__lock__{max(lower):010d}" if lower else None
    assert predecessor(mine, names, pattern, W) == expected


@given(st.lists(st.integers(min_value=0, max_value=10**6), unique=True, min_size=1, max_size=20), st.data())
def test_nearest_lower_counts_every_matching_contender_ahead(numbers: list[int], data: st.DataObject) -> None:
    pattern = contender_regex(["__lock__"])
    names = [f"x-__lock__{n:010d}" for n in numbers] + ["x-__rlock__0000000000", "unrelated"]
    mine = data.draw(st.sampled_from(names[: len(numbers)]))
    ahead, count = nearest_lower(mine, names, pattern, W)
    assert ahead == predecessor(mine, names, pattern, W)
    assert count == sum(1 for n in numbers if n < int(mine[-10:]))


def test_nearest_lower_says_when_the_predecessor_is_the_only_one_ahead() -> None:
    both = contender_regex(["__lock__", "__rlock__"])
    writers_only = contender_regex(["__lock__"])
    children = ["a-__lock__0000000001", "b-__rlock__0000000002", "c-__rlock__0000000003"]
    assert nearest_lower("c-__rlock__0000000003", children, both, R) == ("b-__rlock__0000000002", 2)
    # a reader counts only writers: one writer ahead, so its deletion frees the read lock
    assert nearest_lower("c-__rlock__0000000003", children, writers_only, R) == ("a-__lock__0000000001", 1)
    assert nearest_lower("a-__lock__0000000001", children, both, W) == (None, 0)
    with pytest.raises(Restart):
        nearest_lower("no-sequence", children, both, W)


class _RetryRecorder:
    """A stand-in client whose ``retry`` records that it was used and calls once more."""

    def __init__(self) -> None:
        self.retried = 0

    def retry(self, func: Any, *args: Any) -> Any:
        self.retried += 1
        return func(*args)


def test_call_with_retry_uses_the_policy_only_after_a_retryable_failure() -> None:
    client = _RetryRecorder()
    assert call_with_retry(client, lambda x: x * 2, 21) == 42  # type: ignore[arg-type]
    assert client.retried == 0
    failures = [ConnectionLoss()]

    def flaky() -> str:
        if failures:
            raise failures.pop()
        return "ok"

    assert call_with_retry(client, flaky) == "ok"  # type: ignore[arg-type]
    assert client.retried == 1
    for fatal in (ConnectionClosedError(), NoNodeError()):
        def broken(error: Exception = fatal) -> None:
            raise error

        with pytest.raises(type(fatal)):
            call_with_retry(client, broken)  # type: ignore[arg-type]
    assert client.retried == 1  # neither a closed client nor a server error is retried


def test_belongs_to_session() -> None:
    assert belongs_to_session(_stat(owner=7), 7)
    assert not belongs_to_session(_stat(owner=8), 7)  # another session's ephemeral
    assert not belongs_to_session(_stat(owner=0), 7)  # a persistent node is not our ephemeral
    assert not belongs_to_session(None, 7)
    assert belongs_to_session(_stat(owner=8), None)  # no session to compare with


# --------------------------------------------------------------------------------- deadlines


def test_deadline_counts_down_with_its_clock() -> None:
    clock = FakeClock()
    deadline = Deadline(2.0, clock=clock)
    assert deadline.remaining() == 2.0 and not deadline.expired()
    assert deadline.capped(0.5) == 0.5
    clock.now += 1.5
    assert deadline.remaining() == 0.5
    assert deadline.capped(1.0) == 0.5
    clock.now += 0.5
    assert deadline.expired() and deadline.remaining() == 0.0
    clock.now += 10
    assert deadline.remaining() == 0.0  # never negative
    assert deadline.capped(1.0) == 0.0


def test_deadline_without_timeout_never_expires() -> None:
    clock = FakeClock()
    deadline = Deadline(None, clock=clock)
    clock.now += 1e9
    assert deadline.remaining() is None
    assert not deadline.expired()
    assert deadline.capped(0.25) == 0.25


def test_zero_deadline_is_expired_at_once() -> None:
    deadline = Deadline(0.0)
    assert deadline.expired() and deadline.remaining() == 0.0


class _Result:
    """An async result whose ``get`` reports the timeout it was given."""

    def __init__(self, outcome: object) -> None:
        self.outcome = outcome
        self.timeouts: list[float | None] = []

    def get(self, timeout: float | None = None) -> object:
        self.timeouts.append(timeout)
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


def test_bounded_passes_the_remaining_time_and_maps_the_timeout() -> None:
    clock = FakeClock()
    deadline = Deadline(3.0, clock=clock)
    clock.now += 1.0
    done = _Result("value")
    assert bounded(done, deadline, "step") == "value"
    assert done.timeouts == [2.0]
    with pytest.raises(LockTimeout, match="step"):
        bounded(_Result(ZkTimeoutError()), deadline, "step")
    with pytest.raises(NoNodeError):  # other errors pass through unchanged
        bounded(_Result(NoNodeError()), deadline, "step")
    unbounded = _Result(1)
    bounded(unbounded, Deadline(None), "step")
    assert unbounded.timeouts == [None]


# ---------------------------------------------------------------------------- argument checks


@pytest.mark.parametrize("path", ["/a", "/a/b", "/a-b/c_d.e"])
def test_check_path_accepts_absolute_paths(path: str) -> None:
    assert check_path(path) == path


@pytest.mark.parametrize(("path", "normal"), [("a", "/a"), ("a/b", "/a/b"), ("/a/", "/a"), ("/a//b", "/a/b")])
def test_check_path_normalises_as_the_client(path: str, normal: str) -> None:
    # Issue 10: kazoo's recipes accept any path the client normalises; these were refusals.
    assert check_path(path) == normal


@pytest.mark.parametrize("path", ["", "/", "//", "/a/..", "/./a"])
def test_check_path_refuses_unusable_paths(path: str) -> None:
    with pytest.raises(InvalidPathError, match="lock path"):
        check_path(path, "lock path")


@pytest.mark.parametrize("path", [None, 7, b"/a", ["/a"]])
def test_check_path_refuses_non_strings(path: object) -> None:
    with pytest.raises(InvalidTypeError):
        check_path(path)


@pytest.mark.parametrize(("value", "expected"), [(None, None), (0, 0.0), (1, 1.0), (2.5, 2.5)])
def test_check_timeout_accepts_non_negative_numbers(value: object, expected: float | None) -> None:
    result = check_timeout(value)
    assert result == expected
    assert result is None or isinstance(result, float)


@pytest.mark.parametrize("value", [-1, -0.001, math.nan, -math.inf])
def test_check_timeout_refuses_negative_and_nan(value: float) -> None:
    with pytest.raises(InvalidArgumentError):
        check_timeout(value)


@pytest.mark.parametrize("value", [True, False, "1", b"1", [1]])
def test_check_timeout_refuses_non_numbers(value: object) -> None:
    with pytest.raises(InvalidTypeError):
        check_timeout(value)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ConnectionLoss(), True),
        (OperationTimeoutError(), True),
        (SessionExpiredError(), True),
        (SessionMovedError(), True),
        (ConnectionClosedError(), False),
        (NoNodeError(), False),
        (ValueError(), False),
    ],
)
def test_is_retryable(error: BaseException, expected: bool) -> None:
    assert is_retryable(error) is expected
