"""The kazoo-layout Election (sync and asyncio): the epoch increases across leaders; the state stream."""

from __future__ import annotations

import threading
from typing import Any

from zkrecipes import ZkClient
from zkrecipes.aio import AsyncZkClient
from zkrecipes.recipes import Election
from zkrecipes.recipes.curator import LeadershipState, LeaderStatus

WAIT = 30.0


def test_sync_elections_hand_over_with_increasing_epochs(zk_client: ZkClient,
                                                         zk_client_factory: Any) -> None:
    first, second = Election(zk_client, "/e", "one"), Election(zk_client_factory(), "/e", "two")
    heard: list[LeadershipState] = []
    told = threading.Event()

    def note(state: LeadershipState) -> None:
        heard.append(state)
        if state.status is LeaderStatus.RESIGNED:
            told.set()

    second.add_state_listener(note)
    epochs: dict[str, int | None] = {}
    go = threading.Event()

    def lead_first() -> None:
        epochs["one"] = first.epoch
        go.wait(WAIT)

    runner = threading.Thread(target=first.run, args=(lead_first,), daemon=True)
    runner.start()
    for state in first.states(timeout=WAIT):
        if state.is_leader:
            break
    assert first.leadership == LeadershipState(LeaderStatus.LEADER, epochs["one"])
    waiting = threading.Thread(target=second.run, args=(lambda: epochs.update(two=second.epoch),),
                               daemon=True)
    waiting.start()
    assert second.epoch is None
    go.set()
    runner.join(WAIT)
    waiting.join(WAIT)
    assert told.wait(WAIT)
    one, two = epochs["one"], epochs["two"]
    assert one is not None and two is not None and two > one
    assert [s.status for s in heard] == [LeaderStatus.LEADER, LeaderStatus.RESIGNED]
    assert heard[0].epoch == two
    assert first.leadership == LeadershipState(LeaderStatus.RESIGNED, one)


async def test_asyncio_election_epoch_and_stream(zk_aio_client: AsyncZkClient,
                                                 zk_aio_client_factory: Any) -> None:
    first = zk_aio_client.Election("/ae", "one")
    second = (await zk_aio_client_factory()).Election("/ae", "two")
    seen: list[LeadershipState] = []

    async def note(state: LeadershipState) -> None:
        seen.append(state)

    first.add_state_listener(note)
    epochs: list[int | None] = []

    async def lead(election: Any) -> None:
        epochs.append(election.epoch)

    await first.run(lead, first)
    await second.run(lead, second)
    assert len(epochs) == 2 and None not in epochs
    assert epochs[0] < epochs[1]  # type: ignore[operator]
    assert [s.status for s in seen] == [LeaderStatus.LEADER, LeaderStatus.RESIGNED]  # (PENDING is the start)
    assert seen[0].epoch == epochs[0] and first.epoch is None
