"""The queue family's names and order (Curator 5.4's layout), on constructed names."""

from __future__ import annotations

import pytest

from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes.curator._queue_format import decode_items, encode_items
from zkrecipes.recipes.curator._queue_names import (
    QueueKind,
    delay_prefix,
    epoch_of,
    fix_id,
    id_of,
    id_prefix,
    is_item,
    order,
    priority_of,
    priority_prefix,
    requeue_prefix,
)
from zkrecipes.recipes.curator._queue_wait import seconds_until


def seq(n: int) -> str:
    return f"{n:010d}"


def test_priority_names_as_curator_writes_them() -> None:
    assert priority_prefix(0) == "queue-100000000"
    assert priority_prefix(5) == "queue-100000005"
    assert priority_prefix(-1) == "queue-0FFFFFFFF"
    assert priority_prefix(-3) == "queue-0FFFFFFFD"
    assert priority_prefix(2 ** 31 - 1) == "queue-17FFFFFFF"
    assert priority_prefix(-(2 ** 31)) == "queue-080000000"
    for bad in (2 ** 31, -(2 ** 31) - 1):
        with pytest.raises(ValueError):
            priority_prefix(bad)
    with pytest.raises(TypeError):
        priority_prefix(True)


@pytest.mark.parametrize("priority", [0, 1, -1, 7, -7, 2 ** 31 - 1, -(2 ** 31), 123456])
def test_priority_round_trip(priority: int) -> None:
    assert priority_of(priority_prefix(priority) + seq(3)) == priority


def test_priority_order_lowest_first_negatives_first_ties_by_sequence() -> None:
    puts = [(5, 0), (-3, 1), (0, 2), (5, 3), (-1, 4), (2 ** 31 - 1, 5), (-(2 ** 31), 6)]
    names = [priority_prefix(p) + seq(s) for p, s in puts]
    ordered, later = order(reversed(names), QueueKind.PRIORITY, 0)
    assert later is None
    assert [priority_of(name) for name in ordered] == [-(2 ** 31), -3, -1, 0, 5, 5, 2 ** 31 - 1]
    fives = [name for name in ordered if priority_of(name) == 5]
    assert fives == sorted(fives)  # the earlier put first


def test_priority_of_other_names() -> None:
    assert priority_of("queue-" + seq(1)) is None  # a plain name: its sign digit disagrees
    assert priority_of("other-100000001") is None
    assert priority_of("queue-2ZZ") is None


def test_delay_names_as_curator_writes_them() -> None:
    assert delay_prefix(1) == "queue-|00000001|"
    assert delay_prefix(0x18C1E2F3A4B) == "queue-|18C1E2F3A4B|"  # more than 8 digits, as Java's %08X
    with pytest.raises(ValueError):
        delay_prefix(0)
    with pytest.raises(TypeError):
        delay_prefix(1.5)  # type: ignore[arg-type]
    assert epoch_of(delay_prefix(1700000000123) + seq(9)) == 1700000000123


def test_epoch_of_unreadable_names_is_due() -> None:
    assert epoch_of("queue-" + seq(1)) == 0
    assert epoch_of("queue-||0000000001") == 0
    assert epoch_of("queue-|XYZ|0000000001") == 0


def test_delay_order_hides_items_not_due_and_reports_the_next_due_time() -> None:
    names = [delay_prefix(3000) + seq(0), delay_prefix(1000) + seq(1), delay_prefix(2000) + seq(2),
             delay_prefix(1000) + seq(3), "queue-" + seq(4), "foreign"]
    ready, later = order(names, QueueKind.DELAY, 2000)
    assert ready == ["queue-" + seq(4), delay_prefix(1000) + seq(1), delay_prefix(1000) + seq(3),
                     delay_prefix(2000) + seq(2)]
    assert later == 3000
    assert order(names, QueueKind.DELAY, 999) == (["queue-" + seq(4)], 1000)


def test_id_names_and_order() -> None:
    assert id_prefix("job-1") == "queue-|job-1|"
    assert id_prefix("a/b|c") == "queue-|a_b_c|"
    assert fix_id("a/b|c") == "a_b_c"
    with pytest.raises(ValueError):
        id_prefix("")
    assert id_of(id_prefix("a/x") + seq(4)) == "a_x"
    assert id_of("queue-" + seq(1)) == "queue-" + seq(1)  # no id: the whole name
    names = [id_prefix("zz") + seq(1), id_prefix("aa") + seq(2), id_prefix("mm") + seq(0)]
    assert order(names, QueueKind.ID, 0)[0] == [names[2], names[0], names[1]]  # by sequence, not id


def test_fifo_order_and_foreign_names() -> None:
    names = ["queue-" + seq(2), "lock-1", "queue-" + seq(0), "qn-0000000001"]
    assert order(names, QueueKind.FIFO, 0) == (["queue-" + seq(0), "queue-" + seq(2)], None)
    assert is_item("queue-x") and not is_item("qn-0000000001")


def test_requeue_keeps_the_prefix() -> None:
    assert requeue_prefix(priority_prefix(-3) + seq(8)) == priority_prefix(-3)
    assert requeue_prefix(delay_prefix(77) + seq(8)) == delay_prefix(77)
    assert requeue_prefix(id_prefix("x") + seq(8)) == id_prefix("x")
    assert requeue_prefix("queue-" + seq(8)) == "queue-"
    assert requeue_prefix("queue-odd") == "queue-"


def test_framing_round_trip() -> None:
    data = encode_items([b"c-0"])
    assert data == b"\x00\x01\x00\x01\x01\x00\x00\x00\x03c-0\x02"
    assert decode_items(encode_items([b"", b"x" * 300, b"y"])) == [b"", b"x" * 300, b"y"]
    for bad in (b"", b"\x00\x01\x00\x02\x02", b"\x00\x01\x00\x01\x01\x00\x00\x00\x09ab\x02"):
        with pytest.raises(ValueError):
            decode_items(bad)


def test_waiting_until_the_next_due_time_or_the_deadline() -> None:
    forever = Deadline(None)
    assert seconds_until(None, forever, 0) is None
    assert seconds_until(2500, forever, 1000) == 1.5
    assert seconds_until(500, forever, 1000) == 0.0
    bounded = Deadline(0.25)
    waited = seconds_until(10_000_000, bounded, 0)
    assert waited is not None and waited <= 0.25


def test_a_lost_finish_reply_is_judged_marker_first() -> None:
    from zkrecipes.recipes.curator._queue_outcome import FinishVerdict, finish_verdict

    assert finish_verdict(marker_there=True, item_there=True) is FinishVerdict.RESEND
    assert finish_verdict(marker_there=True, item_there=False) is FinishVerdict.APPLIED
    # the session that held the lock is gone: never resend, whatever the item says
    assert finish_verdict(marker_there=False, item_there=True) is FinishVerdict.SESSION_GONE
    assert finish_verdict(marker_there=False, item_there=False) is FinishVerdict.SESSION_GONE
