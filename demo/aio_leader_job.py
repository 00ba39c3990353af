"""An asyncio service that runs a background job only while it is the leader.

Two instances of the service (two clients, as two processes would have) contend for
``/service/leader``. The leader runs the job, a task that takes items from ``/service/todo``
one by one; when it stops being leader (it steps down, is cancelled, or its session is LOST)
the job task is cancelled before anyone else can lead, so the job never runs twice at once.
Here instance "first" steps down after three items (its budget) whenever it leads, the
other one takes over, and both stop once the list is done: the script ends on its own in a
few seconds.

    python demo/aio_leader_job.py [hosts]      # default 127.0.0.1:2181
"""

import asyncio
import sys

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes import Election

HOSTS = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:2181"
ROOT = "/service"
running: set[str] = set()  # instances whose job runs now: never more than one


async def job(zk: AsyncZkClient, name: str, budget: int) -> None:
    """The background job: handle up to ``budget`` items (cancelled when leadership ends)."""
    running.add(name)
    assert len(running) == 1, running
    try:
        for _ in range(budget):
            items = sorted(await zk.get_children(f"{ROOT}/todo"))
            if not items:
                return
            await zk.delete(f"{ROOT}/todo/{items[0]}")
            await zk.create(f"{ROOT}/done/{items[0]}", name.encode())
            await asyncio.sleep(0.05)  # the work itself
    finally:
        running.discard(name)


async def lead(zk: AsyncZkClient, election: Election, name: str, budget: int) -> None:
    """Leader function: run the job until it ends or leadership is lost, whichever is first."""
    print(f"{name}: leader")
    work = asyncio.create_task(job(zk, name, budget))
    lost = asyncio.create_task(election.leadership_lost.wait())
    await asyncio.wait({work, lost}, return_when=asyncio.FIRST_COMPLETED)
    for task in (work, lost):
        task.cancel()
    await asyncio.gather(work, lost, return_exceptions=True)
    print(f"{name}: stepping down")


async def service(name: str, budget: int) -> None:
    """One instance: contend, lead while elected, stop once there is nothing left to do."""
    async with AsyncZkClient(HOSTS, timeout=5.0) as zk:
        while await zk.get_children(f"{ROOT}/todo"):
            election = Election(zk, f"{ROOT}/leader", name)
            await election.run(lead, zk, election, name, budget)


async def main() -> None:
    async with AsyncZkClient(HOSTS) as admin:
        if await admin.exists(ROOT):
            await admin.delete(ROOT, recursive=True)
        for item in range(8):
            await admin.create(f"{ROOT}/todo/item-{item}", makepath=True)
        await admin.ensure_path(f"{ROOT}/done")
        async with asyncio.timeout(60):
            await asyncio.gather(service("first", budget=3), service("second", budget=100))
        done = {name: (await admin.get(f"{ROOT}/done/{name}"))[0].decode()
                for name in sorted(await admin.get_children(f"{ROOT}/done"))}
        print(done)
        assert len(done) == 8 and not await admin.get_children(f"{ROOT}/todo")
        await admin.delete(ROOT, recursive=True)


if __name__ == "__main__":
    asyncio.run(main())
