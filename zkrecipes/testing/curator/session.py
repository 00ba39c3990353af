"""Typed calls on the Curator peer: :class:`CuratorSession`, one Curator client in one JVM.

Each method is one request of :class:`~.peer.CuratorPeer` (the op names are
those of ``CuratorPeer.java``). Curator's lock objects are owned by the thread
that acquired them, so each lock is named by an ``id`` chosen by the test:
every request for one id runs in order on that id's own JVM thread. Timeouts
are seconds here (milliseconds on the wire); ``None`` means "wait forever" to
Curator, while the reply wait is still bounded by :data:`~.peer.DEFAULT_TIMEOUT`.
The ``*_async`` forms return a :class:`~.peer.PeerCall` to wait on later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from zkrecipes.testing.curator.peer import DEFAULT_TIMEOUT, CuratorPeer, PeerCall

__all__ = ["CuratorSession", "LatchState"]

LockKind = Literal["mutex", "semmutex", "rw"]


@dataclass(frozen=True, slots=True)
class LatchState:
    """A Curator LeaderLatch as Curator sees it."""

    has_leadership: bool
    leader: str
    participants: list[tuple[str, bool]]
    events: list[str]


def _ms(timeout: float | None) -> int:
    return -1 if timeout is None else max(0, int(timeout * 1000))


def _wait(timeout: float | None) -> float:
    return DEFAULT_TIMEOUT if timeout is None else timeout + DEFAULT_TIMEOUT


class CuratorSession:
    """One ``CuratorFramework`` in the peer (see the module docstring)."""

    def __init__(self, peer: CuratorPeer) -> None:
        self.peer = peer
        self.local_address = ""

    def call(self, op: str, timeout: float = DEFAULT_TIMEOUT, **arguments: Any) -> dict[str, Any]:
        """Any op, waiting at most ``timeout`` seconds for its reply."""
        return self.peer.request(op, timeout, **arguments)

    def connect(self, connect: str, session_timeout: float = 4.0) -> str:
        """Open a fresh Curator client on ``connect`` (closing the previous one); its local address."""
        reply = self.call("connect", connect=connect, session_ms=int(session_timeout * 1000))
        self.local_address = str(reply["local_address"])
        return self.local_address

    def disconnect(self) -> None:
        """Close every recipe and the Curator client (its ephemeral nodes go with its session)."""
        self.call("disconnect")

    def client_id(self) -> tuple[int, bytes]:
        """The Curator client's ZooKeeper ``(session id, password)`` (to expire it from outside)."""
        reply = self.call("session")
        return int(reply["session_id"]), bytes.fromhex(str(reply["password_hex"]))

    # ------------------------------------------------------------ locks

    def acquire_async(self, kind: LockKind, lock_id: str, path: str, timeout: float | None = None,
                      mode: str = "write") -> PeerCall:
        """Start ``acquire`` of lock ``lock_id`` (created on first use at ``path``)."""
        return self.peer.submit(f"{kind}.acquire", _wait(timeout), id=lock_id, path=path,
                                timeout_ms=_ms(timeout), mode=mode)

    def acquire(self, kind: LockKind, lock_id: str, path: str, timeout: float | None = None,
                mode: str = "write") -> bool:
        """Curator's ``acquire(timeout)`` (``acquire()`` for None): True when acquired."""
        return bool(self.acquire_async(kind, lock_id, path, timeout, mode).result()["acquired"])

    def release(self, kind: LockKind, lock_id: str, mode: str = "write") -> None:
        """Curator's ``release()`` of lock ``lock_id``."""
        self.call(f"{kind}.release", id=lock_id, mode=mode)

    def mutex_make_revocable(self, lock_id: str, path: str) -> None:
        """``makeRevocable`` on mutex ``lock_id`` (before its acquire); requests are counted."""
        self.call("mutex.revocable", id=lock_id, path=path)

    def mutex_revocations(self, lock_id: str) -> int:
        """How many revocation requests mutex ``lock_id``'s listener got."""
        return int(self.call("mutex.revocations", id=lock_id)["count"])

    def revoke(self, node_path: str) -> None:
        """``Revoker.attemptRevoke(client, node_path)``."""
        self.call("revoker.revoke", path=node_path)

    def mutex_held(self, lock_id: str) -> bool:
        """``InterProcessMutex.isAcquiredInThisProcess()``."""
        return bool(self.call("mutex.held", id=lock_id)["held"])

    def mutex_cycle_async(self, path: str, n: int, hold_ms: int = 2, timeout: float = 60.0) -> PeerCall:
        """Acquire/hold/release an InterProcessMutex ``n`` times; the result lists hold intervals."""
        return self.peer.submit("mutex.cycle", timeout + DEFAULT_TIMEOUT, path=path, n=n,
                                hold_ms=hold_ms, timeout_ms=_ms(timeout))

    @staticmethod
    def intervals(call: PeerCall) -> list[tuple[int, int]]:
        """The ``(start, end)`` hold intervals (epoch microseconds) of a finished cycle."""
        return [(int(a), int(b)) for a, b in call.result()["intervals"]]

    # ------------------------------------------------------------ semaphore

    def semaphore_acquire(self, sem_id: str, path: str, max_leases: int, timeout: float = 10.0) -> bool:
        """``InterProcessSemaphoreV2(path, max_leases).acquire(timeout)``: True when a lease is held."""
        reply = self.call("semaphore.acquire", _wait(timeout), id=sem_id, path=path,
                          max_leases=max_leases, timeout_ms=_ms(timeout))
        return bool(reply["acquired"])

    def semaphore_release(self, sem_id: str) -> None:
        """Close the last lease ``sem_id`` acquired."""
        self.call("semaphore.release", id=sem_id)

    # ------------------------------------------------------------ leader latch

    def latch_start(self, latch_id: str, path: str, participant: str | None = None) -> None:
        """Start a LeaderLatch (participant id defaults to ``latch_id``)."""
        self.call("latch.start", id=latch_id, path=path, participant=participant or latch_id)

    def latch_await(self, latch_id: str, timeout: float) -> bool:
        """``LeaderLatch.await(timeout)``: True once leader."""
        return bool(self.call("latch.await", _wait(timeout), id=latch_id,
                              timeout_ms=_ms(timeout))["leader"])

    def latch_state(self, latch_id: str) -> LatchState:
        """Leadership, the leader's id, the participants and the listener events so far."""
        reply = self.call("latch.state", id=latch_id)
        return LatchState(bool(reply["has_leadership"]), str(reply["leader"]),
                          [(str(p["id"]), bool(p["leader"])) for p in reply["participants"]],
                          [str(e) for e in reply["events"]])

    def latch_close(self, latch_id: str, mode: str = "SILENT") -> None:
        """``LeaderLatch.close(CloseMode.<mode>)``."""
        self.call("latch.close", id=latch_id, mode=mode)

    def selector_start(self, selector_id: str, path: str, participant: str | None = None) -> None:
        """Start a Curator LeaderSelector whose ``takeLeadership`` lasts until :meth:`selector_let_go`."""
        self.call("selector.start", id=selector_id, path=path, participant=participant or selector_id)

    def selector_state(self, selector_id: str) -> tuple[bool, int, str]:
        """``(hasLeadership(), terms so far, getLeader().getId())`` of that selector."""
        reply = self.call("selector.state", id=selector_id)
        return bool(reply["has_leadership"]), int(reply["terms"]), str(reply["leader"])

    def selector_let_go(self, selector_id: str) -> None:
        """End the selector's current ``takeLeadership`` (it does not requeue)."""
        self.call("selector.let_go", id=selector_id)

    # ------------------------------------------------------------ shared count / value

    def count_add(self, path: str, delta: int, n: int, seed: int = 0) -> int:
        """``n`` optimistic ``trySetCount(+delta)`` loops on a SharedCount; the final count."""
        return int(self.call("count.add", 120.0, path=path, delta=delta, n=n, seed=seed)["count"])

    def count_get(self, path: str, seed: int = 0) -> int:
        """A started SharedCount's ``getCount()``."""
        return int(self.call("count.get", path=path, seed=seed)["count"])

    def count_set(self, path: str, value: int, seed: int = 0) -> None:
        """``SharedCount.setCount(value)``."""
        self.call("count.set", path=path, value=value, seed=seed)

    def value_get(self, path: str, seed: bytes = b"") -> bytes:
        """A started SharedValue's ``getValue()``."""
        return bytes.fromhex(str(self.call("value.get", path=path, seed_hex=seed.hex())["hex"]))

    def value_set(self, path: str, value: bytes, seed: bytes = b"") -> None:
        """``SharedValue.setValue(value)``."""
        self.call("value.set", path=path, hex=value.hex(), seed_hex=seed.hex())

    # ------------------------------------------------------------ barriers

    def barrier_set(self, path: str) -> None:
        """``DistributedBarrier.setBarrier()``."""
        self.call("barrier.set", path=path)

    def barrier_remove(self, path: str) -> None:
        """``DistributedBarrier.removeBarrier()``."""
        self.call("barrier.remove", path=path)

    def barrier_wait_async(self, path: str, timeout: float) -> PeerCall:
        """Start ``waitOnBarrier(timeout)``; the result's ``passed`` says whether it was removed in time."""
        return self.peer.submit("barrier.wait", _wait(timeout), path=path, timeout_ms=_ms(timeout))

    def double_enter_async(self, barrier_id: str, path: str, member_qty: int, timeout: float) -> PeerCall:
        """Start ``DistributedDoubleBarrier(path, member_qty).enter(timeout)``; result ``done``."""
        return self.peer.submit("dbarrier.enter", _wait(timeout), id=barrier_id, path=path,
                                member_qty=member_qty, timeout_ms=_ms(timeout))

    def double_leave_async(self, barrier_id: str, timeout: float) -> PeerCall:
        """Start ``leave(timeout)`` of the double barrier ``barrier_id``; result ``done``."""
        return self.peer.submit("dbarrier.leave", _wait(timeout), id=barrier_id, timeout_ms=_ms(timeout))

    # ------------------------------------------------------------ service discovery

    def discovery_register(self, base: str, name: str, instance_id: str, *, address: str = "127.0.0.1",
                           port: int | None = None, payload: dict[str, Any] | None = None) -> None:
        """Register an instance with Curator's ServiceDiscovery (payload: a JSON object as a Map)."""
        extra: dict[str, Any] = {} if port is None else {"port": port}
        self.call("discovery.register", base=base, name=name, id=instance_id, address=address,
                  payload=payload or {}, **extra)

    def discovery_unregister(self, base: str, name: str, instance_id: str) -> None:
        """``unregisterService`` of that instance."""
        self.call("discovery.unregister", base=base, name=name, id=instance_id)

    def discovery_query(self, base: str, name: str) -> list[dict[str, Any]]:
        """``queryForInstances(name)``: id, name, address, port, service_type, payload of each."""
        return list(self.call("discovery.query", base=base, name=name)["instances"])

    # ------------------------------------------------------------ queues

    def simple_queue_offer(self, path: str, data: bytes) -> None:
        """``SimpleDistributedQueue.offer(data)``."""
        self.call("squeue.offer", path=path, hex=data.hex())

    def simple_queue_poll(self, path: str, timeout: float) -> bytes | None:
        """``SimpleDistributedQueue.poll(timeout)``: the head item, or None."""
        found = self.call("squeue.take", _wait(timeout), path=path, timeout_ms=_ms(timeout))["hex"]
        return None if found is None else bytes.fromhex(str(found))

    def queue_put(self, queue_id: str, path: str, text: str, consume: bool = True) -> None:
        """``DistributedQueue<String>.put(text)`` (made on first use; ``consume=False``: producer only)."""
        self.call("dqueue.put", id=queue_id, path=path, text=text, consume=consume)

    def queue_take(self, queue_id: str, path: str, timeout: float) -> str | None:
        """The next item the queue's Curator consumer received, or None after ``timeout``."""
        reply = self.call("dqueue.take", _wait(timeout), id=queue_id, path=path, timeout_ms=_ms(timeout))
        found = reply["text"]
        return None if found is None else str(found)

    # ------------------------------------------------------------ group membership

    def group_start(self, group_id: str, path: str, member_id: str, payload: bytes = b"") -> None:
        """Start a Curator ``GroupMember(path, member_id, payload)``."""
        self.call("group.start", id=group_id, path=path, member_id=member_id, hex=payload.hex())

    def group_members(self, group_id: str) -> dict[str, bytes]:
        """That member's ``getCurrentMembers()`` (from Curator's cache)."""
        members = self.call("group.members", id=group_id)["members"]
        return {str(k): bytes.fromhex(str(v)) for k, v in members.items()}

    def group_close(self, group_id: str) -> None:
        """Close that GroupMember (its node goes)."""
        self.call("group.close", id=group_id)

    # ------------------------------------------------------------ distributed atomic long

    def atomic_add_async(self, path: str, delta: int, n: int, lock_path: str | None = None) -> PeerCall:
        """Start ``n`` successful ``DistributedAtomicLong.add(delta)`` calls (promoted to a lock if given)."""
        return self.peer.submit("along.add", 120.0, path=path, delta=delta, n=n,
                                lock_path=lock_path or "")

    def atomic_get(self, path: str) -> int:
        """``DistributedAtomicLong.get().postValue()``."""
        return int(self.call("along.get", path=path)["value"])

    def atomic_set(self, path: str, value: int) -> None:
        """``DistributedAtomicLong.forceSet(value)``."""
        self.call("along.set", path=path, value=value)
