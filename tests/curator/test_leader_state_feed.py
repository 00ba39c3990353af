"""The state stream's buffering policy (``_state_feed``) on constructed states."""

from __future__ import annotations

import pytest

from zkrecipes.recipes.curator._state_feed import StateBuffer, StateFeed
from zkrecipes.recipes.curator.leadership_state import LeadershipState, LeaderStatus

PENDING = LeaderStatus.PENDING
LEADER = LeaderStatus.LEADER
RESIGNED = LeaderStatus.RESIGNED
CLOSED = LeaderStatus.CLOSED


def drain(buffer: StateBuffer) -> list[LeadershipState]:
    out = []
    while (state := buffer.pop()) is not None:
        out.append(state)
    return out


def test_a_reader_starts_with_the_current_state_and_sees_each_change_once() -> None:
    feed = StateFeed()
    feed.publish(LeadershipState(PENDING, 5))
    reader = feed.subscribe()
    assert feed.publish(LeadershipState(LEADER, 5))
    assert not feed.publish(LeadershipState(LEADER, 5))  # the same state twice: once
    feed.publish(feed.resign() or LeadershipState(PENDING))
    assert drain(reader) == [LeadershipState(PENDING, 5), LeadershipState(LEADER, 5),
                             LeadershipState(RESIGNED, 5)]


def test_a_full_buffer_drops_the_oldest_and_counts() -> None:
    feed = StateFeed()
    reader = feed.subscribe(limit=2)
    for epoch in (1, 2, 3):
        feed.publish(LeadershipState(LEADER, epoch))
        feed.publish(LeadershipState(RESIGNED, epoch))
    assert drain(reader) == [LeadershipState(LEADER, 3), LeadershipState(RESIGNED, 3)]
    assert reader.dropped == 5


def test_closed_is_last_and_carries_the_last_epoch_led() -> None:
    feed = StateFeed()
    reader = feed.subscribe()
    feed.publish(LeadershipState(LEADER, 9))
    feed.publish(feed.resign())  # type: ignore[arg-type]
    assert feed.resign() is None  # not leading: nothing to resign
    feed.publish(feed.closing())
    assert not feed.publish(LeadershipState(LEADER, 10))  # nothing after CLOSED
    states = drain(reader)
    assert states[-1] == LeadershipState(CLOSED, 9)
    assert reader.ended


def test_unsubscribed_readers_get_nothing_and_limits_are_checked() -> None:
    feed = StateFeed()
    reader = feed.subscribe()
    feed.unsubscribe(reader)
    feed.unsubscribe(reader)
    feed.publish(LeadershipState(LEADER, 1))
    assert drain(reader) == [LeadershipState(PENDING)]
    with pytest.raises(ValueError):
        StateBuffer(0)
