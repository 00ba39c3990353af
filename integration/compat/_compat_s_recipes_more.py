"""Differential scenarios: party, leases, partitioner, caches, more recipe behaviour."""

from __future__ import annotations

import datetime
from typing import Any

from _compat_harness import WAIT, Env, catch, scenario
from _waits import wait_until

MINUTE = datetime.timedelta(minutes=1)

# ------------------------------------------------------------------- party


@scenario
def s_party(env: Env) -> Any:
    party = env.ns.Party(env.client, "/party", "alice")
    other = env.ns.Party(env.new_client(ensure=False), "/party", "bob")
    party.join()
    other.join()
    members = sorted(party)
    size = len(party)
    other.leave()
    return members, size, sorted(party), party.leave(), len(party)


@scenario
def s_shallow_party(env: Env) -> Any:
    party = env.ns.ShallowParty(env.client, "/sparty", "carol")
    party.join()
    return sorted(party), len(party), party.leave(), list(party)


@scenario
def s_party_leave_unjoined(env: Env) -> Any:
    return env.ns.Party(env.client, "/party", "x").leave()


# ---------------------------------------------------------------- leases


@scenario
def s_nonblocking_lease(env: Env) -> Any:
    lease = env.ns.NonBlockingLease(env.client, "/lease", MINUTE, identifier="me")
    again = env.ns.NonBlockingLease(env.client, "/lease", MINUTE, identifier="me")
    other = env.ns.NonBlockingLease(env.new_client(ensure=False), "/lease", MINUTE, identifier="you")
    return bool(lease), bool(again), bool(other)


@scenario
def s_nonblocking_lease_expired(env: Env) -> Any:
    past = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - 2 * MINUTE
    first = env.ns.NonBlockingLease(env.client, "/lease", MINUTE, identifier="old", utcnow=lambda: past)
    second = env.ns.NonBlockingLease(env.client, "/lease", MINUTE, identifier="new")
    return bool(first), bool(second)


@scenario
def s_multi_lease(env: Env) -> Any:
    leases = [bool(env.ns.MultiNonBlockingLease(env.client, 2, "/leases", MINUTE, identifier=f"h{i}"))
              for i in range(3)]
    return leases


# ------------------------------------------------------------- partitioner


@scenario
def s_set_partitioner_single(env: Env) -> Any:
    part = env.ns.SetPartitioner(env.client, "/part", {"a", "b", "c"}, identifier="p1", time_boundary=0.2)
    part.wait_for_acquire(WAIT)
    state, items = part.state, sorted(part)
    acquired = part.acquired
    part.finish()
    return state, items, acquired, part.state


@scenario
def s_set_partitioner_two_members(env: Env) -> Any:
    one = env.ns.SetPartitioner(env.client, "/part", [1, 2, 3, 4], identifier="a", time_boundary=0.3)
    other = env.new_client(ensure=False)
    two = env.ns.SetPartitioner(other, "/part", [1, 2, 3, 4], identifier="b", time_boundary=0.3)
    while not (one.acquired and two.acquired):
        for part in (one, two):
            if part.release:
                part.release_set()
            elif part.allocating:
                part.wait_for_acquire(WAIT)
    result = sorted(one), sorted(two)
    one.finish()
    two.finish()
    return result


@scenario
def s_set_partitioner_states(env: Env) -> Any:
    ns = env.ns
    return ns.PartitionState.ALLOCATING, ns.PartitionState.ACQUIRED, ns.PartitionState.RELEASE, \
        ns.PartitionState.FAILURE


@scenario
def s_set_partitioner_finish_twice(env: Env) -> Any:
    part = env.ns.SetPartitioner(env.client, "/part", ["x"], identifier="p", time_boundary=0.2)
    part.wait_for_acquire(WAIT)
    part.finish()
    return catch(part.finish), part.state


# ------------------------------------------------------------------- caches


@scenario
def s_tree_cache(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.create("/tc/a", b"1", makepath=True)
    cache = env.ns.TreeCache(zk, "/tc")
    cache.listen(lambda event: rec.add(event.event_type))
    cache.start()
    rec.wait_for(lambda items: env.ns.TreeEvent.INITIALIZED in items)
    zk.set("/tc/a", b"2")
    rec.wait_for(lambda items: env.ns.TreeEvent.NODE_UPDATED in items)
    data = cache.get_data("/tc/a").data
    children = sorted(cache.get_children("/tc"))
    cache.close()
    return data, children


@scenario
def s_tree_cache_missing(env: Env) -> Any:
    zk = env.client
    zk.create("/tc")
    cache = env.ns.TreeCache(zk, "/tc")
    rec = env.recorder()
    cache.listen(lambda event: rec.add(event.event_type))
    cache.start()
    rec.wait_for(lambda items: env.ns.TreeEvent.INITIALIZED in items)
    result = cache.get_data("/tc/none"), cache.get_children("/tc/none")
    cache.close()
    return result


@scenario
def s_patient_children_watch(env: Env) -> Any:
    zk = env.client
    zk.create("/pw/a", makepath=True)
    watch = env.ns.PatientChildrenWatch(zk, "/pw", time_boundary=0.1)
    result = watch.start()
    children, _changed = result.get(timeout=WAIT)
    return sorted(children)


# ------------------------------------------------------------ more recipe behaviour


@scenario
def s_tree_cache_events(env: Env) -> Any:
    zk, rec = env.client, env.recorder()
    zk.create("/tc")
    cache = env.ns.TreeCache(zk, "/tc")
    cache.listen(lambda event: rec.add((event.event_type, getattr(event.event_data, "path", None))))
    cache.start()
    events = env.ns.TreeEvent
    rec.wait_for(lambda items: (events.INITIALIZED, None) in items)
    zk.create("/tc/x", b"1")
    rec.wait_for(lambda items: (events.NODE_ADDED, "/tc/x") in items)
    zk.delete("/tc/x")
    seen = rec.wait_for(lambda items: (events.NODE_REMOVED, "/tc/x") in items)
    cache.close()
    return [item for item in seen if item[1] == "/tc/x"]


@scenario
def s_lock_extra_patterns(env: Env) -> Any:
    lock = env.ns.Lock(env.client, "/lock", "ext", extra_lock_patterns=["__other__"])
    with lock:
        return lock.contenders()


@scenario
def s_election_cancel_while_waiting(env: Env) -> Any:
    leader = env.ns.Election(env.client, "/election", "leader")
    other = env.new_client(ensure=False)
    waiting = env.ns.Election(other, "/election", "waiting")
    started, release = env.client.handler.event_object(), env.client.handler.event_object()

    def lead() -> None:
        started.set()
        release.wait(WAIT)

    holder = env.client.handler.spawn(leader.run, lead)
    started.wait(WAIT)
    ran: list[str] = []
    waiter = other.handler.spawn(waiting.run, lambda: ran.append("ran"))
    wait_until(other, lambda: len(leader.contenders()) == 2, WAIT, "the second contender")
    waiting.cancel()
    waiter.join(WAIT)
    release.set()
    holder.join(WAIT)
    return ran, leader.contenders()


@scenario
def s_double_barrier_two(env: Env) -> Any:
    other = env.new_client(ensure=False)
    a = env.ns.DoubleBarrier(env.client, "/dbar", 2, identifier="a")
    b = env.ns.DoubleBarrier(other, "/dbar", 2, identifier="b")
    entered = other.handler.async_result()
    other.handler.spawn(lambda: (b.enter(), entered.set(b.participating)))
    a.enter()
    both_in = entered.get(timeout=WAIT), a.participating
    left = other.handler.async_result()
    other.handler.spawn(lambda: (b.leave(), left.set(b.participating)))
    a.leave()
    return both_in, left.get(timeout=WAIT), a.participating


@scenario
def s_locking_queue_two_consumers(env: Env) -> Any:
    producer = env.ns.LockingQueue(env.client, "/lq")
    producer.put_all([b"1", b"2"])
    first = env.ns.LockingQueue(env.new_client(ensure=False), "/lq")
    second = env.ns.LockingQueue(env.new_client(ensure=False), "/lq")
    got = sorted([first.get(timeout=WAIT), second.get(timeout=WAIT)])
    return got, first.consume(), second.consume(), len(producer)


@scenario
def s_counter_concurrent_clients(env: Env) -> Any:
    counters = [env.ns.Counter(env.new_client(ensure=False), "/cc") for _ in range(3)]
    for counter in counters:
        counter += 2
    return counters[0].value, [c.post_value for c in counters]


@scenario
def s_semaphore_release_unheld(env: Env) -> Any:
    return env.ns.Semaphore(env.client, "/sem", "x").release()


@scenario
def s_party_duplicate_join(env: Env) -> Any:
    party = env.ns.Party(env.client, "/party", "same")
    party.join()
    party.join()
    return len(party), list(party)
