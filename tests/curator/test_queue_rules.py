"""The pure lock-path and naming rules both queue front ends drive (no server)."""

from __future__ import annotations

from typing import Any

import pytest

from zkrecipes.exceptions import BadVersionError, NoNodeError
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes.curator._queue_format import decode_items, encode_items
from zkrecipes.recipes.curator._queue_names import SIMPLE_PREFIX, QueueKind, due_after, order, with_id
from zkrecipes.recipes.curator._queue_rules import (
    CommitVerdict,
    Held,
    after_work,
    commit_verdict,
    fill_finish,
    items_of,
    marker_path,
)
from zkrecipes.recipes.curator._queue_wait import look_bound
from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

HELD = Held("queue-0000000007", "/l/queue-0000000007", "/l/zkr-live-x", 7)


class Recorder:
    def __init__(self) -> None:
        self.ops: list[tuple[Any, ...]] = []

    def check(self, path: str, version: int) -> None:
        self.ops.append(("check", path, version))

    def delete(self, path: str, version: int = -1) -> None:
        self.ops.append(("delete", path))

    def create(self, path: str, value: bytes = b"", *, sequence: bool = False) -> None:
        self.ops.append(("create", path, value, sequence))


def test_the_finish_checks_the_marker_first_and_deletes_the_lock_last() -> None:
    plain = Recorder()
    fill_finish(plain, "/q", HELD, None)
    assert plain.ops == [("check", "/l/zkr-live-x", -1), ("delete", "/q/queue-0000000007"),
                         ("delete", "/l/queue-0000000007")]
    requeued = Recorder()
    fill_finish(requeued, "/q", HELD, b"data")
    assert requeued.ops[2] == ("create", "/q/queue-", b"data", True)
    assert requeued.ops[-1] == ("delete", "/l/queue-0000000007")


def test_commit_verdicts() -> None:
    assert commit_verdict([None, None, None]) is CommitVerdict.APPLIED
    assert commit_verdict([NoNodeError(), None, None]) is CommitVerdict.SESSION_GONE
    assert commit_verdict([None, NoNodeError(), BadVersionError()]) is CommitVerdict.ITEM_GONE


def test_after_work_requeues_the_rest_or_the_whole_node() -> None:
    one = encode_items([b"a"])
    assert after_work(one, [b"a"], False, ErrorMode.REQUEUE) is None
    assert after_work(one, [b"a"], True, ErrorMode.REQUEUE) == one
    assert after_work(one, [b"a"], True, ErrorMode.DELETE) is None
    three = encode_items([b"a", b"b", b"c"])
    rest = after_work(three, [b"a", b"b", b"c"], False, ErrorMode.REQUEUE)
    assert rest is not None and decode_items(rest) == [b"b", b"c"]
    assert after_work(three, [b"a", b"b", b"c"], True, ErrorMode.DELETE, handed=3) is None


def test_names_markers_ids_and_due_times() -> None:
    assert marker_path("/l", 0xAB, b"owner") == "/l/zkr-live-00000000000000ab-owner"
    assert with_id(["queue-|img_1|0000000001", "queue-|img-2|0000000002", "other"], "img/1") == [
        "queue-|img_1|0000000001"]
    with pytest.raises(ValueError):
        with_id([], "")
    assert due_after(0.5, 1000) == 1500 and due_after(0.0, 0) == 1
    with pytest.raises(ValueError):
        due_after(None, 0)
    simple = [f"{SIMPLE_PREFIX}0000000002", "queue-0000000001", f"{SIMPLE_PREFIX}0000000001"]
    expected = [f"{SIMPLE_PREFIX}0000000001", f"{SIMPLE_PREFIX}0000000002"]
    assert order(simple, QueueKind.SIMPLE, 0) == (expected, None)
    assert items_of("/q/x", b"not framed") == []


def test_a_first_look_with_no_time_left_waits_for_a_connected_reply() -> None:
    expired = Deadline(0)
    assert look_bound(expired, True, True) is None
    assert look_bound(expired, True, False) is expired
    assert look_bound(expired, False, True) is expired
    later = Deadline(10)
    assert look_bound(later, True, True) is later
