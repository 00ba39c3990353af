"""Scenarios: every kazoo recipe, through its public API only (node names may differ)."""

from __future__ import annotations

from typing import Any

from _compat_harness import WAIT, Env, catch, scenario

# ------------------------------------------------------------------ locks


@scenario
def s_lock_acquire_release(env: Env) -> Any:
    lock = env.ns.Lock(env.client, "/lock", "me")
    got = lock.acquire(timeout=WAIT)
    held = lock.is_acquired, lock.contenders()
    return got, held, lock.release(), lock.is_acquired, lock.contenders()


@scenario
def s_lock_context_manager(env: Env) -> Any:
    lock = env.client.Lock("/lock", "ctx")
    with lock:
        inside = lock.is_acquired, lock.contenders()
    return inside, lock.is_acquired


@scenario
def s_lock_non_blocking_contention(env: Env) -> Any:
    first = env.ns.Lock(env.client, "/lock", "first")
    first.acquire()
    other = env.new_client(ensure=False)
    second = env.ns.Lock(other, "/lock", "second")
    return second.acquire(blocking=False), sorted(first.contenders())


@scenario
def s_lock_timeout(env: Env) -> Any:
    first = env.ns.Lock(env.client, "/lock", "first")
    first.acquire()
    second = env.ns.Lock(env.new_client(ensure=False), "/lock", "second")
    return catch(second.acquire, timeout=0.2), first.contenders()


@scenario
def s_lock_handoff(env: Env) -> Any:
    first = env.ns.Lock(env.client, "/lock", "first")
    first.acquire()
    other = env.new_client(ensure=False)
    second = env.ns.Lock(other, "/lock", "second")
    result = other.handler.async_result()
    other.handler.spawn(lambda: result.set(second.acquire(timeout=WAIT)))
    first.release()
    return result.get(timeout=WAIT), second.contenders()


@scenario
def s_lock_release_unheld(env: Env) -> Any:
    return env.ns.Lock(env.client, "/lock").release()


@scenario
def s_lock_relative_path(env: Env) -> Any:
    lock = env.ns.Lock(env.client, "rel/lock", "r")
    with lock:
        return lock.contenders(), env.client.exists("/rel/lock") is not None


@scenario
def s_lock_reacquire(env: Env) -> Any:
    lock = env.ns.Lock(env.client, "/lock", "again")
    return lock.acquire(), lock.acquire(blocking=False), lock.release(), lock.acquire(), lock.release()


@scenario
def s_lock_session_lost_releases(env: Env) -> Any:
    holder = env.new_client(ensure=False)
    lock = env.ns.Lock(holder, "/lock", "gone")
    lock.acquire()
    holder.stop()
    return env.ns.Lock(env.client, "/lock").contenders()


@scenario
def s_read_locks_share(env: Env) -> Any:
    r1 = env.ns.ReadLock(env.client, "/rw", "r1")
    r2 = env.ns.ReadLock(env.new_client(ensure=False), "/rw", "r2")
    return r1.acquire(timeout=WAIT), r2.acquire(timeout=WAIT), sorted(r1.contenders())


@scenario
def s_write_lock_excludes_read(env: Env) -> Any:
    w = env.ns.WriteLock(env.client, "/rw", "w")
    w.acquire()
    r = env.ns.ReadLock(env.new_client(ensure=False), "/rw", "r")
    return r.acquire(blocking=False), w.contenders()


@scenario
def s_read_lock_excludes_write(env: Env) -> Any:
    r = env.ns.ReadLock(env.client, "/rw", "r")
    r.acquire()
    w = env.ns.WriteLock(env.new_client(ensure=False), "/rw", "w")
    return w.acquire(blocking=False), catch(w.acquire, timeout=0.2)


@scenario
def s_semaphore(env: Env) -> Any:
    sem = env.ns.Semaphore(env.client, "/sem", "a", max_leases=2)
    other = env.ns.Semaphore(env.new_client(ensure=False), "/sem", "b", max_leases=2)
    third = env.ns.Semaphore(env.new_client(ensure=False), "/sem", "c", max_leases=2)
    got = sem.acquire(), other.acquire(), third.acquire(blocking=False)
    holders = sorted(sem.lease_holders())
    sem.release()
    return got, holders, third.acquire(timeout=WAIT), sorted(sem.lease_holders())


@scenario
def s_semaphore_max_leases_mismatch(env: Env) -> Any:
    env.ns.Semaphore(env.client, "/sem", "a", max_leases=2).acquire()
    other = env.ns.Semaphore(env.new_client(ensure=False), "/sem", "b", max_leases=3)
    return catch(other.acquire, timeout=1)


@scenario
def s_semaphore_context(env: Env) -> Any:
    sem = env.client.Semaphore("/sem", "ctx")
    with sem:
        inside = sem.is_acquired, sem.lease_holders()
    return inside, sem.is_acquired


# --------------------------------------------------------------- election


@scenario
def s_election_run(env: Env) -> Any:
    election = env.ns.Election(env.client, "/election", "leader")
    seen: list[Any] = []
    election.run(lambda *args: seen.append((args, election.contenders())), 1, 2)
    return seen, election.contenders()


@scenario
def s_election_contenders(env: Env) -> Any:
    first = env.ns.Election(env.client, "/election", "one")
    other = env.new_client(ensure=False)
    second = env.ns.Election(other, "/election", "two")
    started, release = env.client.handler.event_object(), env.client.handler.event_object()

    def lead() -> None:
        started.set()
        release.wait(WAIT)

    worker = env.client.handler.spawn(first.run, lead)
    started.wait(WAIT)
    contenders = first.contenders()
    release.set()
    worker.join(WAIT)
    return contenders, second.contenders()


@scenario
def s_election_cancel(env: Env) -> Any:
    election = env.ns.Election(env.client, "/election")
    election.cancel()
    return election.contenders()


# ---------------------------------------------------------------- counter


@scenario
def s_counter(env: Env) -> Any:
    counter = env.ns.Counter(env.client, "/counter")
    first = counter.value
    counter += 5
    counter -= 2
    return first, counter.value, counter.pre_value, counter.post_value, env.client.get("/counter")[0]


@scenario
def s_counter_default_and_float(env: Env) -> Any:
    counter = env.ns.Counter(env.client, "/fcounter", default=1.5)
    counter += 1
    return counter.value, env.client.get("/fcounter")[0]


@scenario
def s_counter_shared(env: Env) -> Any:
    a = env.ns.Counter(env.client, "/counter")
    b = env.ns.Counter(env.new_client(ensure=False), "/counter")
    a += 1
    b += 10
    return a.value, b.value


@scenario
def s_counter_bad_type(env: Env) -> Any:
    counter = env.ns.Counter(env.client, "/counter")
    return catch(counter.__add__, "x")


@scenario
def s_counter_curator(env: Env) -> Any:
    counter = env.ns.Counter(env.client, "/ccounter", support_curator=True)
    counter += 3
    return counter.value, env.client.get("/ccounter")[0]


# ---------------------------------------------------------------- barrier


@scenario
def s_barrier(env: Env) -> Any:
    barrier = env.ns.Barrier(env.client, "/barrier")
    first = barrier.wait(0)
    created = barrier.create()
    blocked = barrier.wait(0.1)
    removed = barrier.remove()
    return first, created, blocked, removed, barrier.wait(WAIT), barrier.remove()


@scenario
def s_barrier_released_by_other(env: Env) -> Any:
    barrier = env.ns.Barrier(env.client, "/barrier")
    barrier.create()
    other = env.ns.Barrier(env.new_client(ensure=False), "/barrier")
    result = env.client.handler.async_result()
    env.client.handler.spawn(lambda: result.set(barrier.wait(WAIT)))
    other.remove()
    return result.get(timeout=WAIT)


@scenario
def s_double_barrier_single(env: Env) -> Any:
    barrier = env.ns.DoubleBarrier(env.client, "/dbar", 1)
    barrier.enter()
    entered = barrier.participating
    barrier.leave()
    return entered, barrier.participating


# ------------------------------------------------------------------ queues


@scenario
def s_queue_fifo(env: Env) -> Any:
    queue = env.ns.Queue(env.client, "/queue")
    for item in (b"a", b"b", b"c"):
        queue.put(item)
    size = len(queue)
    return size, [queue.get() for _ in range(4)], len(queue)


@scenario
def s_queue_priority(env: Env) -> Any:
    queue = env.ns.Queue(env.client, "/queue")
    queue.put(b"low", priority=200)
    queue.put(b"high", priority=1)
    queue.put(b"mid", priority=50)
    return [queue.get() for _ in range(3)]


@scenario
def s_queue_bad_input(env: Env) -> Any:
    queue = env.ns.Queue(env.client, "/queue")
    return (catch(queue.put, "str"), catch(queue.put, b"x", priority=1000),
            catch(queue.put, b"x", priority="1"))


@scenario
def s_locking_queue(env: Env) -> Any:
    queue = env.ns.LockingQueue(env.client, "/lq")
    queue.put(b"one")
    queue.put_all([b"two", b"three"], priority=10)
    first = queue.get(timeout=WAIT)
    holds = queue.holds_lock()
    consumed = queue.consume()
    return len(queue), first, holds, consumed, queue.get(timeout=WAIT), queue.release(), len(queue)


@scenario
def s_locking_queue_empty_get(env: Env) -> Any:
    queue = env.ns.LockingQueue(env.client, "/lq")
    return queue.get(timeout=0.1), queue.consume()
