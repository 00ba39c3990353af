"""Leader election against a real ZooKeeper, including a leader process killed with SIGKILL."""

from __future__ import annotations

import select
import subprocess
import time
from typing import Any

import pytest
from _helpers import (
    WAIT,
    Recorder,
    background,
    expire_session,
    finish,
    python_script,
    wait_until,
)

from zkrecipes.exceptions import InvalidTypeError
from zkrecipes.recipes.election import Election

LEADER_SCRIPT = """
    import sys, time
    from zkrecipes import ZkClient
    from zkrecipes.recipes.election import Election

    hosts, path, ident, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    client = ZkClient(hosts, timeout=timeout)
    client.start(timeout=30)

    def lead():
        print("LEADER", flush=True)
        while True:  # lead until killed
            time.sleep(1)

    Election(client, path, ident).run(lead)
"""

#: Session timeout of the leader process (the server's bounds with tickTime 2 s are 4..40 s).
LEADER_SESSION_TIMEOUT = 6.0
SERVER_TICK = 2.0  # the harness servers' tickTime


def _read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        proc.kill()
        _, err = finish(proc)
        raise AssertionError(f"no output from the leader process in {timeout}s; stderr: {err[-2000:]}")
    return proc.stdout.readline().strip()


def test_one_leader_at_a_time_and_contenders(zk_client_factory: Any) -> None:
    a, b = zk_client_factory(), zk_client_factory()
    first, second = Election(a, "/elect", "first"), Election(b, "/elect", "second")
    may_finish = a.handler.event_object()
    led: Recorder[str] = Recorder(a)

    def lead(name: str, gate: Any) -> None:
        led(name)
        if gate is not None:
            assert gate.wait(WAIT)

    run_first = background(a, lambda: first.run(lead, "first", may_finish))
    led.wait_for(lambda items: items == ["first"], message="first leads")
    assert first.is_leader and not first.leadership_lost.is_set()
    run_second = background(b, lambda: second.run(lead, "second", None))
    wait_until(a, lambda: first.contenders() == ["first", "second"], message="second contends")
    assert not second.is_leader
    may_finish.set()
    run_first.get(timeout=WAIT)
    assert not first.is_leader and first.leadership_lost.is_set()
    run_second.get(timeout=WAIT)
    assert led.items == ["first", "second"]
    assert first.contenders() == []


def test_leadership_lost_on_session_expiry(zk_hosts: str, zk_client_factory: Any) -> None:
    a, b = zk_client_factory(), zk_client_factory()
    leader, successor = Election(a, "/expire", "a"), Election(b, "/expire", "b")
    events: Recorder[str] = Recorder(a)

    def lead_until_lost() -> None:
        events("leading")
        assert leader.leadership_lost.wait(WAIT)
        events(f"lost, is_leader={leader.is_leader}")

    run = background(a, lambda: leader.run(lead_until_lost))
    events.wait_for(lambda items: items == ["leading"], message="leadership")
    took_over: Recorder[str] = Recorder(b)
    run_b = background(b, lambda: successor.run(took_over, "b leads"))
    expire_session(zk_hosts, a)
    run.get(timeout=WAIT)
    assert events.items == ["leading", "lost, is_leader=False"]
    took_over.wait_for(lambda items: items == ["b leads"], message="successor leads")
    run_b.get(timeout=WAIT)


def test_cancel_before_winning_returns_without_running(zk_client_factory: Any) -> None:
    a, b = zk_client_factory(), zk_client_factory()
    leader, waiting = Election(a, "/cancel", "a"), Election(b, "/cancel", "b")
    release = a.handler.event_object()
    ran: Recorder[str] = Recorder(b)
    run_a = background(a, lambda: leader.run(lambda: release.wait(WAIT)))
    wait_until(a, lambda: leader.is_leader, message="a leads")
    run_b = background(b, lambda: waiting.run(ran, "b ran"))
    wait_until(a, lambda: len(leader.contenders()) == 2, message="b contends")
    waiting.cancel()
    assert run_b.get(timeout=WAIT) is None
    assert ran.items == []
    assert leader.contenders() == ["a"]
    release.set()
    run_a.get(timeout=WAIT)
    with pytest.raises(InvalidTypeError):
        leader.run("not callable")  # type: ignore[arg-type]


# The work that matters runs in a subprocess: one handler variant is enough.
@pytest.mark.parametrize("zk_handler_name", ["threading"])
def test_killed_leader_process_is_replaced_once_its_session_ends(
        zk_client_factory: Any, zk_hosts: str, zk_chroot: str, zk_handler_name: str) -> None:
    client = zk_client_factory()
    proc = python_script(LEADER_SCRIPT, zk_hosts + zk_chroot, "/killed", "doomed",
                         str(LEADER_SESSION_TIMEOUT))
    try:
        assert _read_line(proc, WAIT) == "LEADER"
        election = Election(client, "/killed", "survivor")
        won: Recorder[list[str]] = Recorder(client)
        run = background(client, lambda: election.run(lambda: won(election.contenders())))
        wait_until(client, lambda: election.contenders() == ["doomed", "survivor"], message="queued")
        assert won.items == []  # the live leader process holds leadership
        proc.kill()
        killed_at = time.monotonic()
        proc.wait(timeout=WAIT)
        # Nobody deletes the dead leader's node: the server does when its session times out.
        contenders_while_leading = won.wait_for(lambda items: len(items) == 1, message="new leader")[0]
        took_over_after = time.monotonic() - killed_at
        # The bound is the session timeout plus 2 s; the server reaps expired
        # sessions on tick boundaries (tickTime 2 s), so allow one more tick.
        assert took_over_after <= LEADER_SESSION_TIMEOUT + 2.0 + SERVER_TICK, took_over_after
        run.get(timeout=WAIT)
        assert contenders_while_leading == ["survivor"]
    finally:
        if proc.poll() is None:
            proc.kill()
        finish(proc)
