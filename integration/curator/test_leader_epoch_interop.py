"""One path, three kinds of participant: a Curator latch, a sync latch (its own process) and an asyncio latch.

Exactly one leader at each step, and the epoch (the czxid of the leader's
node) strictly increases over a closed Curator leader, a SIGKILLed sync leader
and a closed asyncio leader; the survivor takes over within the session
timeout plus a few seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from zkrecipes import ZkClient
from zkrecipes.recipes.curator._leader_rules import latch_order
from zkrecipes.testing.curator import CuratorSession

SESSION = 4.0  # the sync child's
AIO_SESSION = 10.0  # the asyncio latch's own session must outlive the test's slow steps
TAKEOVER = SESSION + 8.0
WAIT = 30.0
CHILD = Path(__file__).with_name("_latch_child.py")


def leader_node(zk: ZkClient, path: str) -> tuple[bytes, int]:
    """The server's view: the first node's data (the participant id) and czxid (the epoch)."""
    first = latch_order(zk.get_children(path))[0]
    data, stat = zk.get(f"{path}/{first}")
    return data or b"", stat.czxid


async def in_thread(func: Any, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)


async def child_line(child: subprocess.Popen[str], wanted: str) -> int:
    """Read the child's states until ``wanted``; its epoch."""
    assert child.stdout is not None

    def scan() -> int:
        assert child.stdout is not None
        for line in child.stdout:
            status, epoch = line.split()
            if status == wanted and epoch != "None":  # (the first PENDING: no node yet)
                return int(epoch)
        raise AssertionError(f"the child ended before {wanted}")

    return int(await asyncio.wait_for(in_thread(scan), WAIT))


async def test_curator_sync_and_asyncio_latches_share_one_path(
        curator_peer: CuratorSession, zk_client: ZkClient, zk_aio_client_factory: Any,
        zk_hosts: str, zk_chroot: str) -> None:
    path = "/mixed"
    # (every blocking call runs in a thread: the asyncio client's pings must not wait for it)
    await in_thread(curator_peer.latch_start, "java-1", path)
    assert await in_thread(curator_peer.latch_await, "java-1", 10)
    java_epoch = await in_thread(leader_node, zk_client, path)
    assert java_epoch[0] == b"java-1"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path.cwd()), os.environ.get("PYTHONPATH", "")]))
    child = subprocess.Popen([sys.executable, str(CHILD), zk_hosts + zk_chroot, path, "py-sync"],
                             stdout=subprocess.PIPE, text=True, env=env)
    try:
        await child_line(child, "pending")
        aio = (await zk_aio_client_factory(timeout=AIO_SESSION)).LeaderLatch(path, "py-aio")
        await aio.start()
        queued = aio.leadership
        await in_thread(curator_peer.latch_start, "java-2", path)
        await in_thread(_wait_children, zk_client, path, 4)
        # one leader, seen alike by Curator, the server and us
        assert not aio.has_leadership() and aio.epoch is None
        assert (await in_thread(curator_peer.latch_state, "java-2")).leader == "java-1"
        # Curator's leader closes: the sync process leads, with a larger epoch
        await in_thread(curator_peer.latch_close, "java-1")
        sync_epoch = await child_line(child, "leader")
        assert await in_thread(leader_node, zk_client, path) == (b"py-sync", sync_epoch)
        assert sync_epoch > java_epoch[1]
        assert not aio.has_leadership()
        assert (await in_thread(curator_peer.latch_state, "java-2")).leader == "py-sync"
        assert aio.leadership == queued  # still in its place, next in line
        # SIGKILL the sync leader: the asyncio latch takes over once its session expires
        child.send_signal(signal.SIGKILL)
        assert await aio.await_leadership(TAKEOVER)
        assert aio.epoch is not None and aio.epoch > sync_epoch
        assert await in_thread(leader_node, zk_client, path) == (b"py-aio", aio.epoch)
        assert not (await in_thread(curator_peer.latch_state, "java-2")).has_leadership
        aio_epoch = aio.epoch
        # the asyncio leader closes: Curator's second latch leads, with a larger epoch still
        await aio.close()
        assert await in_thread(curator_peer.latch_await, "java-2", 10)
        last = await in_thread(leader_node, zk_client, path)
        assert last[0] == b"java-2" and last[1] > aio_epoch
    finally:
        child.kill()
        child.wait(10)


def _wait_children(zk: ZkClient, path: str, count: int) -> None:
    from _waits import wait_until

    wait_until(zk, lambda: len(zk.get_children(path)) == count, message=f"{count} participants")
