"""``zkrecipes lock`` and ``zkrecipes elect`` with real child processes."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Any

from _cli_helpers import WAIT, Background, child_cmd, read_lines, run_cli, stop_pids, wait_for

from zkrecipes.testing import expire_session

EXIT_NOT_ACQUIRED, EXIT_LOST = 75, 76


def test_exit_status_and_fencing_token_are_the_commands(
        cli_hosts: str, zk_client: Any, tmp_path: Path) -> None:
    assert run_cli(cli_hosts, "lock", "/job", "--", *child_cmd("exit", "7")).returncode == 7
    out = tmp_path / "out"
    assert run_cli(cli_hosts, "lock", "/job", "--", *child_cmd("hold", str(out), "0")).returncode == 0
    first = int(read_lines(out)[0].split()[2])
    assert run_cli(cli_hosts, "lock", "/job", "--", *child_cmd("hold", str(out), "0")).returncode == 0
    second = int(read_lines(out)[2].split()[2])
    assert 0 < first < second  # czxid of each holder's node: grows with every holder
    assert zk_client.get_children("/job") == []  # released at exit


def test_a_command_that_cannot_run_exits_127(cli_hosts: str, zk_client: Any) -> None:
    result = run_cli(cli_hosts, "lock", "/nx", "--", "/nonexistent/command")
    assert result.returncode == 127
    assert "cannot run '/nonexistent/command'" in result.stderr.decode()
    assert zk_client.get_children("/nx") == []


def test_two_concurrent_locks_never_overlap(cli_hosts: str, tmp_path: Path) -> None:
    out = tmp_path / "timeline"
    results: list[int] = []

    def one() -> None:
        results.append(run_cli(cli_hosts, "lock", "/excl", "--",
                               *child_cmd("hold", str(out), "0.5")).returncode)

    threads = [threading.Thread(target=one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT + 5)
    assert results == [0, 0, 0]
    lines = [line.split() for line in read_lines(out)]
    assert [kind for kind, *_ in lines] == ["start", "end"] * 3  # strictly alternating: no overlap
    stamps = [int(line[1]) for line in lines]
    assert stamps == sorted(stamps)
    tokens = [int(line[2]) for line in lines if line[0] == "start"]
    assert tokens == sorted(tokens) and len(set(tokens)) == 3


def test_not_acquired_in_time_exits_with_its_code(cli_hosts: str, zk_client: Any, tmp_path: Path) -> None:
    held = zk_client.Lock("/busy", "holder")
    assert held.acquire(timeout=WAIT)
    marker = tmp_path / "never"
    result = run_cli(cli_hosts, "lock", "/busy", "--timeout", "1", "--",
                     *child_cmd("hold", str(marker), "0"))
    assert result.returncode == EXIT_NOT_ACQUIRED
    assert "not acquired within 1 s" in result.stderr.decode()
    assert not marker.exists()
    held.release()


def test_shared_leases(cli_hosts: str, zk_client: Any, tmp_path: Path) -> None:
    out = tmp_path / "shared"
    first = Background(cli_hosts, "lock", "/pool", "--shared", "2", "--", *child_cmd("serve", str(out), "a"))
    second = Background(cli_hosts, "lock", "/pool", "--shared", "2", "--", *child_cmd("serve", str(out), "b"))
    try:
        wait_for(lambda: len([x for x in read_lines(out) if x.startswith("up")]) == 2, message="both leases")
        third = run_cli(cli_hosts, "lock", "/pool", "--shared", "2", "--timeout", "1", "--",
                        *child_cmd("exit", "0"))
        assert third.returncode == EXIT_NOT_ACQUIRED
        for proc in (first, second):
            proc.signal(signal.SIGTERM)  # forwarded: the child ends cleanly, status 0
            assert proc.wait() == 0
        assert sorted(line for line in read_lines(out) if line.startswith("term")) == ["term a", "term b"]
    finally:
        first.kill()
        second.kill()


def test_sigint_is_forwarded_to_the_command(cli_hosts: str, tmp_path: Path) -> None:
    out = tmp_path / "fw"
    job = Background(cli_hosts, "lock", "/fw", "--", *child_cmd("serve", str(out), "x"))
    try:
        wait_for(lambda: any(x.startswith("up") for x in read_lines(out)), message="child up")
        job.signal(signal.SIGTERM)
        assert job.wait() == 0
        assert "term x" in read_lines(out)
    finally:
        job.kill()


def _session(path: Path) -> tuple[int, bytes]:
    wait_for(path.exists, message="session file")
    doc = json.loads(path.read_text())
    return int(doc["session_id"]), bytes.fromhex(doc["password"])


def test_lock_lost_by_session_expiry_stops_the_command(
        cli_hosts: str, zk_hosts: str, zk_client: Any, tmp_path: Path) -> None:
    out, session = tmp_path / "lost", tmp_path / "session.json"
    job = Background(cli_hosts, "--session-file", str(session), "lock", "/lost", "--grace", "5", "--",
                     *child_cmd("serve", str(out), "victim"))
    try:
        wait_for(lambda: any(x.startswith("up") for x in read_lines(out)), message="child up")
        pid = int(read_lines(out)[0].split()[2])
        expire_session(zk_hosts, _session(session))
        assert job.wait() == EXIT_LOST
        assert "term victim" in read_lines(out)
        job.wait_stderr("lock lost")
        wait_for(lambda: not _alive(pid), message="child gone")
    finally:
        job.kill()
        stop_pids([int(x.split()[2]) for x in read_lines(out) if x.startswith("up")])


def test_lock_stops_the_command_when_cut_off_past_the_session_timeout(
        fault_proxy: Any, zk_chroot: str, zk_client: Any, tmp_path: Path) -> None:
    out = tmp_path / "cut"
    job = Background(f"{fault_proxy.hosts}{zk_chroot}", "--timeout", "4", "lock", "/cut", "--grace", "5",
                     "--", *child_cmd("serve", str(out), "cut"))
    try:
        wait_for(lambda: any(x.startswith("up") for x in read_lines(out)), message="child up")
        fault_proxy.drop()  # no LOST can reach the CLI: it must give up on its own
        assert job.wait() == EXIT_LOST
        assert "term cut" in read_lines(out)
        job.wait_stderr("lock lost")
    finally:
        fault_proxy.resume()
        job.kill()
        stop_pids([int(x.split()[2]) for x in read_lines(out) if x.startswith("up")])


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_elect_hands_over_when_the_leader_is_killed(cli_hosts: str, zk_client: Any, tmp_path: Path) -> None:
    out = tmp_path / "elect"
    first = Background(cli_hosts, "--timeout", "4", "elect", "/leader", "--id", "A", "--",
                       *child_cmd("serve", str(out), "A"))
    second = None
    try:
        wait_for(lambda: any(x.startswith("up A") for x in read_lines(out)), message="A leads")
        second = Background(cli_hosts, "--timeout", "4", "elect", "/leader", "--id", "B", "--",
                            *child_cmd("serve", str(out), "B"))
        wait_for(lambda: len(zk_client.get_children("/leader")) == 2, message="B contends")
        assert not any(x.startswith("up B") for x in read_lines(out))  # B waits while A leads
        first.kill()  # SIGKILL: no clean-up; B takes over when A's session expires
        wait_for(lambda: any(x.startswith("up B") for x in read_lines(out)), message="B leads")
        second.signal(signal.SIGTERM)
        assert second.wait() == 0
    finally:
        first.kill()
        if second is not None:
            second.kill()
        stop_pids([int(x.split()[2]) for x in read_lines(out) if x.startswith("up")])


def test_elect_rejoin_after_lost_leadership(cli_hosts: str, zk_hosts: str, tmp_path: Path) -> None:
    out, session = tmp_path / "rejoin", tmp_path / "session.json"
    job = Background(cli_hosts, "--session-file", str(session), "elect", "/rj", "--rejoin", "--grace", "5",
                     "--", *child_cmd("serve", str(out), "R"))
    try:
        wait_for(lambda: any(x.startswith("up R") for x in read_lines(out)), message="leader")
        expire_session(zk_hosts, _session(session))
        wait_for(lambda: len([x for x in read_lines(out) if x.startswith("up R")]) == 2, message="re-elected")
        assert "term R" in read_lines(out)
        job.signal(signal.SIGTERM)
        assert job.wait() == 0
    finally:
        job.kill()
        stop_pids([int(x.split()[2]) for x in read_lines(out) if x.startswith("up")])
