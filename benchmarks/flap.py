"""Reconnect under a flapping network: zkrecipes and kazoo side by side.

``python -m benchmarks.flap`` starts one ZooKeeper (or uses ``--hosts``), puts a
:class:`~zkrecipes.testing.FaultProxy` in front of it for each client and flaps
the network on a script, at each session timeout asked for (6 s and 30 s by
default):

* ``drop``: every ``--period-ms`` the proxy closes the client's connection (new
  connections pass at once);
* ``outage``: the same, but the proxy then refuses every connection for
  ``--outage-ms`` before letting them through again (a short partition: this is
  where the backoff between failed attempts shows).

A flap is never made while the client is still disconnected: a reconnect slower
than the period delays the next flap (counted as ``slow``), so every reconnect is
timed to its end. For each client and scenario it prints the time to reconnect (from the moment
the network lets a connection through again, i.e. the drop for ``drop`` and the
end of the refusal for ``outage``, to the client's CONNECTED) as median and
p95, the fraction of the run spent disconnected, the number of sessions
expired (LOST), and the ratio zkrecipes / kazoo. kazoo runs with
``connection_retry={"max_tries": -1}`` (its default gives up after one failed
reconnect). Each client is a fresh one
with a listener that timestamps its state changes; only the threaded zkrecipes
client is measured (the asyncio one shares the session core and its pacing).

The script imports nothing from ``benchmarks`` so that it can also measure
another checkout's zkrecipes (``cd OTHER && python /path/to/flap.py``).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from zkrecipes.testing import FaultProxy, ZooKeeperServer

CONNECTED = "CONNECTED"


@dataclass
class Outcome:
    """One client's figures for one scenario."""

    client: str
    scenario: str
    session_timeout: float
    reconnects: list[float] = field(default_factory=list)
    disconnected: float = 0.0
    duration: float = 0.0
    expired: int = 0
    missed: int = 0  # reconnects that took longer than the period (the next flap waited)

    def median(self) -> float:
        return statistics.median(self.reconnects) if self.reconnects else float("nan")

    def p95(self) -> float:
        if not self.reconnects:
            return float("nan")
        ordered = sorted(self.reconnects)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    def fraction(self) -> float:
        return self.disconnected / self.duration if self.duration else float("nan")


class StateLog:
    """Counts CONNECTED and LOST transitions (any client whose listener gets state names)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.connected = 0
        self.connected_at = 0.0
        self.lost = 0

    def __call__(self, state: Any) -> None:
        name = getattr(state, "name", str(state)).upper()
        now = time.monotonic()
        with self._cond:
            if name == CONNECTED:
                self.connected += 1
                self.connected_at = now
            elif name == "LOST":
                self.lost += 1
            self._cond.notify_all()

    def wait_connected_after(self, count: int, until: float) -> float | None:
        """The time of the first CONNECTED after ``count`` of them, or None by ``until``."""
        with self._cond:
            while self.connected <= count:
                left = until - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)
            return self.connected_at


def zkrecipes_client(hosts: str, timeout: float, listener: Callable[[Any], None]) -> Any:
    from zkrecipes import ZkClient

    client = ZkClient(hosts=hosts, timeout=timeout)
    client.add_listener(listener)
    return client


def kazoo_client(hosts: str, timeout: float, listener: Callable[[Any], None]) -> Any:
    from kazoo.client import KazooClient

    # kazoo's default connection retry gives up after one failed reconnect (max_tries=1);
    # measure it as it is deployed for a long-lived session: retrying forever
    client = KazooClient(hosts=hosts, timeout=timeout, connection_retry={"max_tries": -1})
    client.add_listener(listener)
    return client


CLIENTS: dict[str, Callable[[str, float, Callable[[Any], None]], Any]] = {
    "zkrecipes": zkrecipes_client,
    "kazoo": kazoo_client,
}


def flap(name: str, scenario: str, target: tuple[str, int], timeout: float, duration: float,
         period: float, outage: float) -> Outcome:
    """Run one client through ``duration`` seconds of flaps; return its figures."""
    result = Outcome(name, scenario, timeout, duration=duration)
    with FaultProxy(*target) as proxy:
        log = StateLog()
        client = CLIENTS[name](proxy.hosts, timeout, log)
        client.start(timeout=30)
        try:
            client.ensure_path("/flap")
            begin = time.monotonic()
            end = begin + duration
            tick = begin
            while tick + period <= end:
                before = log.connected
                dropped = time.monotonic()
                if scenario == "outage":
                    proxy.drop()  # close it and refuse new ones
                    time.sleep(outage)
                    proxy.resume()
                else:
                    proxy.close_connections()
                back = time.monotonic()
                at = log.wait_connected_after(before, back + timeout + 5.0)
                if at is None:  # never came back: the rest of the run counts as disconnected
                    result.disconnected += time.monotonic() - dropped
                    tick = time.monotonic()
                    break
                result.reconnects.append(max(0.0, at - back))
                result.disconnected += at - dropped
                if at > tick + period:
                    result.missed += 1  # the next flap waits for this reconnect
                tick = max(tick + period, at)
                pause = tick - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
            result.duration = tick - begin
            result.expired = log.lost
        finally:
            client.stop()
            client.close()
    return result


def table(outcomes: Sequence[Outcome]) -> str:
    """A Markdown table of the outcomes, with the zkrecipes / kazoo ratios."""
    lines = ["| scenario | session timeout | client | reconnect median | p95 | disconnected "
             "| sessions expired | slower than the period | median vs kazoo |",
             "|---|---|---|---|---|---|---|---|---|"]
    kazoo = {(o.scenario, o.session_timeout): o for o in outcomes if o.client == "kazoo"}
    for o in outcomes:
        ref = kazoo.get((o.scenario, o.session_timeout))
        ratio = f"{o.median() / ref.median():.2f}x" if ref is not None and ref.median() > 0 else ""
        lines.append(f"| {o.scenario} | {o.session_timeout:g} s | {o.client} | "
                     f"{o.median() * 1000:.0f} ms | {o.p95() * 1000:.0f} ms | {o.fraction():.1%} | "
                     f"{o.expired} | {o.missed} | {ratio} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", help="an existing server (host:port); default: start one")
    parser.add_argument("--timeouts", default="6,30", help="session timeouts, seconds (6,30)")
    parser.add_argument("--clients", default="zkrecipes,kazoo")
    parser.add_argument("--scenarios", default="drop,outage")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per run (15)")
    parser.add_argument("--period-ms", type=float, default=1000.0, help="one flap every (1000)")
    parser.add_argument("--outage-ms", type=float, default=400.0, help="refusal after a drop (400)")
    args = parser.parse_args(argv)
    logging.getLogger("kazoo").setLevel(logging.ERROR)  # a warning per drop otherwise
    timeouts = [float(t) for t in args.timeouts.split(",")]
    clients = args.clients.split(",")
    scenarios = args.scenarios.split(",")
    server = None
    if args.hosts:
        host, _, port = args.hosts.rpartition(":")
        target = (host, int(port))
    else:
        server = ZooKeeperServer(netty=True, tick_time=2000).start()
        target = ("127.0.0.1", server.port)
    import zkrecipes

    print(f"zkrecipes from {zkrecipes.__file__}; period {args.period_ms:g} ms, "
          f"outage {args.outage_ms:g} ms, {args.duration:g} s per run", file=sys.stderr)
    outcomes = []
    try:
        for scenario in scenarios:
            for timeout in timeouts:
                for name in clients:
                    outcome = flap(name, scenario, target, timeout, args.duration,
                                   args.period_ms / 1000, args.outage_ms / 1000)
                    print(f"  {scenario} {timeout:g} s {name}: median {outcome.median() * 1000:.0f} ms",
                          file=sys.stderr)
                    outcomes.append(outcome)
    finally:
        if server is not None:
            server.stop()
    print(table(outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
