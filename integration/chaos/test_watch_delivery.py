"""Watch delivery across reconnect cycles (issue 16, scope 4), threaded front end.

``ZKRECIPES_CHAOS_CYCLES`` (default 50) cycles per mode; see ``_chaos_watch``
for the modes and what each cycle checks. Verdicts: every one-shot watch set
before a fault on a node changed during it fires exactly once; the DataWatch
and the ChildrenWatch converge to the final state after every cycle; the
persistent-recursive watch, restored after each reconnect, sees the change
made after it.
"""

from __future__ import annotations

from typing import Any

import pytest
from _chaos_knobs import CYCLE_RATIO, CYCLES, scaled_timeout
from _chaos_watch import MODES, Events, emit, fault_begin, fault_end

from zkrecipes import AddWatchMode, EventType, ZkClient
from zkrecipes.recipes.watchers import ChildrenWatch, DataWatch
from zkrecipes.testing.proxy import FaultProxy

pytestmark = [pytest.mark.slow, pytest.mark.timeout(scaled_timeout(60, CYCLE_RATIO))]

WAIT = 30.0


@pytest.mark.parametrize("mode", MODES)
def test_watches_are_delivered_across_reconnects(mode: str, chaos_server: Any, chaos_admin: Any,
                                                 chaos_base: str) -> None:
    admin, base = chaos_admin, chaos_base
    data_path, kids_path, pers_path = f"{base}/data", f"{base}/kids", f"{base}/pers"
    for path in (data_path, kids_path, pers_path):
        admin.create(path, b"")
    transaction = admin.transaction()
    for cycle in range(CYCLES):
        transaction.create(f"{base}/n{cycle}", b"")
    transaction.commit()
    with FaultProxy.in_front_of(chaos_server.hosts) as proxy:
        watcher = ZkClient(proxy.hosts, timeout=chaos_server.session_timeout)
        watcher.start(timeout=30)
        try:
            session = watcher.client_id
            data_seen, kids_seen, persistent = Events(), Events(), Events()
            DataWatch(watcher, data_path, lambda data, stat: data_seen(data))
            ChildrenWatch(watcher, kids_path, lambda children: kids_seen(sorted(children)))
            watcher.add_watch(pers_path, persistent, AddWatchMode.PERSISTENT_RECURSIVE)
            one_shots: list[Events] = []
            for cycle in range(CYCLES):
                node = f"{base}/n{cycle}"
                fired = Events()
                one_shots.append(fired)
                watcher.get(node, watch=fired)
                fault_begin(proxy, mode)
                admin.set(node, b"changed")
                admin.set(data_path, str(cycle).encode())
                admin.create(f"{kids_path}/k{cycle}", b"")
                if cycle >= 2:
                    admin.delete(f"{kids_path}/k{cycle - 2}")
                fault_end(proxy, mode)
                fired.wait_for(lambda items: len(items) >= 1, WAIT, f"cycle {cycle}'s one-shot watch")
                expected = sorted(f"k{c}" for c in range(max(0, cycle - 1), cycle + 1))
                data_seen.wait_for(lambda items, c=cycle: bool(items) and items[-1] == str(c).encode(), WAIT,
                                   f"DataWatch at cycle {cycle}")
                kids_seen.wait_for(lambda items, e=expected: bool(items) and items[-1] == e, WAIT,
                                   f"ChildrenWatch at cycle {cycle}")
                marker = f"{pers_path}/after-{cycle}"
                admin.create(marker, b"")  # made after the reconnect (the watches above proved it)
                persistent.wait_for(lambda items, m=marker: any(e.path == m for e in items), WAIT,
                                    f"the persistent watch at cycle {cycle}")
            assert watcher.client_id == session, "a cycle expired the session: the mode is too harsh"
            late = Events()
            watcher.get(f"{base}/n0", watch=late)  # a round trip: events in flight are in
            for cycle, fired in enumerate(one_shots):
                assert len(fired.items) == 1, f"cycle {cycle}: one-shot watch fired {len(fired.items)} times"
                assert fired.items[0].type == EventType.CHANGED
            emit("watch", mode, CYCLES, sum(len(f.items) for f in one_shots), len(persistent.items))
        finally:
            watcher.stop()
            watcher.close()
