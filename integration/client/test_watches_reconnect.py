"""What a reconnect delivers to watches (pins the server's behaviour documented in
docs/client-guide.md, "Watches survive reconnects").

ZooKeeper 3.8 answers the client's SetWatches on a reconnect to the same session
by firing every one-shot watch whose node changed after the last zxid the client
saw; persistent watches are only re-registered: a change made while the client
was disconnected is not replayed to them, later changes are delivered.
"""

from __future__ import annotations

from typing import Any

from _client_helpers import StateRecorder, fence, watch_recorder

from zkrecipes import AddWatchMode, EventType, ZkState


def test_a_change_while_disconnected_fires_one_shot_watches_not_persistent_ones(
        fault_proxy: Any, zk_client_factory: Any) -> None:
    client = zk_client_factory(fault_proxy.hosts, timeout=10.0)
    other = zk_client_factory()
    states = StateRecorder(client)
    client.create("/oneshot", b"0")
    client.create("/persistent", b"0")
    oneshot = watch_recorder(client)
    persistent = watch_recorder(client)
    client.get("/oneshot", watch=oneshot)
    client.add_watch("/persistent", persistent, AddWatchMode.PERSISTENT)
    session = client.client_id

    fault_proxy.drop()  # close the connection and refuse new ones until resume()
    after_suspend = states.wait_state(ZkState.SUSPENDED)
    other.set("/oneshot", b"changed while disconnected")
    other.set("/persistent", b"changed while disconnected")
    fault_proxy.resume()
    states.wait_state(ZkState.CONNECTED, after_suspend)
    assert client.client_id == session  # the same session: SetWatches, not a new one

    (event,) = oneshot.wait_count(1)
    assert (event.type, event.path) == (EventType.CHANGED, "/oneshot")
    fence(other, client, "/fence")  # anything the reconnect delivers has arrived by now
    assert persistent.items == []  # not replayed by the server
    other.set("/persistent", b"after the reconnect")
    (event,) = persistent.wait_count(1)
    assert (event.type, event.path) == (EventType.CHANGED, "/persistent")
