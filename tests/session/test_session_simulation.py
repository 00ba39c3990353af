"""A seeded simulated network: many randomised schedules against the sans-IO session.

Each seed draws a schedule of submissions (queued and direct), partial and
delayed deliveries, connection drops, failed connects, server-side expiries,
clock jumps and, at the end, a close. After each schedule the invariants hold:

* every request (and add_auth) completed exactly once, with its own reply (the
  server echoes the path) or with ConnectionLoss / SessionExpiredError /
  ConnectionClosedError / AuthFailedError;
* the server saw every connection's requests in xid order (checked as it reads);
* the listener-visible states form a legal sequence;
* the phase never made an illegal move (``ConnectionPhase.move`` raises), and the
  run ended (``poll`` says Finished).

Deterministic (``random.Random(seed)``), no sleeps, a few seconds for all seeds.
"""

from __future__ import annotations

import random

import pytest
from _session_harness import HOSTS, Driver, FakeResult, FakeServer, Policy

from zkrecipes.client.protocol.requests import GetDataRequest
from zkrecipes.client.session import ConnectTo, Finished, Phase, SessionMachine, Wait
from zkrecipes.exceptions import AuthFailedError, ConnectionClosedError, ConnectionLoss, SessionExpiredError
from zkrecipes.states import ZkState

SEEDS = range(300)
STEPS = 120
ALLOWED_ERRORS = (ConnectionLoss, SessionExpiredError, ConnectionClosedError, AuthFailedError)
LEGAL = {
    (None, ZkState.CONNECTED),
    (ZkState.CONNECTED, ZkState.SUSPENDED),
    (ZkState.CONNECTED, ZkState.LOST),
    (ZkState.SUSPENDED, ZkState.CONNECTED),
    (ZkState.SUSPENDED, ZkState.LOST),
    (ZkState.LOST, ZkState.CONNECTED),
}


class Simulation:
    def __init__(self, seed: int) -> None:
        self.rng = rng = random.Random(seed)
        timeout = rng.choice([1.0, 3.0, 6.0])
        self.server = FakeServer(timeout_ms=int(timeout * 1000))
        machine = SessionMachine(
            hosts=HOSTS[:rng.randint(1, 3)], chroot="", session_timeout=timeout,
            connection_retry=Policy(delay=rng.choice([0.01, 0.1]), max_jitter=rng.choice([0.0, 0.4])),
            rng=rng)
        self.d = Driver(machine, self.server, now=1000.0)
        self.results: list[FakeResult] = []
        self.counter = 0

    # ------------------------------------------------------------ actions

    def submit(self) -> None:
        self.counter += 1
        path = f"/n{self.counter}"
        result = FakeResult(path)
        self.results.append(result)
        d = self.d
        if d.connected and d.direct_open and self.rng.random() < 0.5:
            frame = d.m.encode_direct(GetDataRequest(path), result, None)
            if frame is not None:
                d.flush()  # what the loop had first goes first
                self.server.feed(frame)
                return
        d.m.submit(GetDataRequest(path), result, None, d.now)
        if self.rng.random() < 0.7:
            d.flush()

    def step_connected(self) -> None:
        d, rng = self.d, self.rng
        roll = rng.random()
        if roll < 0.35:
            self.submit()
        elif roll < 0.65:
            pending = len(self.server.out)
            d.deliver(rng.randint(1, max(1, pending)) if pending and rng.random() < 0.5 else None)
        elif roll < 0.72:
            d.lose(closed_by_peer=rng.random() < 0.5)
        elif roll < 0.75:
            self.server.sessions.clear()  # the server expires the session (seen on reconnect)
        elif roll < 0.76:
            self.server.auth_ok = rng.random() < 0.7  # a refusal ends the run (AuthFailedError)
            self.counter += 1
            result = FakeResult(None)
            self.results.append(result)
            d.m.add_auth("digest", f"user{self.counter}:pw", result, d.now)
            d.flush()
        else:
            deadline = d.m.next_deadline()
            jump = rng.uniform(0.0, 1.5 * d.m.session_timeout / 3)
            if deadline is not None and rng.random() < 0.5:
                jump = max(0.0, deadline - d.now)
            d.now += jump
            d.tick()

    def step_disconnected(self) -> None:
        d, rng = self.d, self.rng
        if rng.random() < 0.3:
            self.submit()
            return
        action = d.poll()
        if type(action) is Finished:
            return
        if type(action) is Wait:
            assert action.until is not None and action.until >= d.now
            d.now = action.until if rng.random() < 0.8 else rng.uniform(d.now, action.until)
            return
        assert type(action) is ConnectTo
        if rng.random() < 0.25:
            d.apply(d.m.connect_failed(d.now))
            return
        d.m.connection_made(d.now)
        d.connected = True
        self.server.new_connection()
        d.flush()

    def run(self) -> None:
        d = self.d
        d.m.start(d.now)
        for _ in range(STEPS):
            if d.m.phase.phase is Phase.CLOSED:  # an auth failure ended the run
                break
            if d.m.phase.phase is Phase.DISCONNECTED:
                self.step_disconnected()
            else:
                self.step_connected()
        if d.m.running:
            d.m.close()
        for _ in range(200):
            phase = d.m.phase.phase
            if phase is Phase.CLOSED:
                break
            if phase is Phase.DISCONNECTED:
                d.poll()
            elif self.server.out and self.rng.random() < 0.8:
                d.deliver()
            else:
                d.now += 0.5
                d.tick()
        assert type(d.poll()) is Finished
        assert not d.m.running

    # ------------------------------------------------------------ checks

    def check(self) -> None:
        for result in self.results:
            assert len(result.calls) == 1, (result.tag, result.calls)
            kind, value = result.calls[0]
            if kind == "value" and result.tag is None:
                assert value is True  # an accepted add_auth
            elif kind == "value":
                assert value[0] == result.tag.encode(), (result.tag, value)  # its own reply
            else:
                assert isinstance(value, ALLOWED_ERRORS), (result.tag, value)
        previous = None
        for state in self.d.states:
            assert (previous, state) in LEGAL, f"illegal {previous} -> {state} in {self.d.states}"
            previous = state
        assert self.d.m.unsent_count == 0 and self.d.m.pending_count == 0


@pytest.mark.parametrize("chunk", [range(i, i + 50) for i in range(0, len(SEEDS), 50)],
                         ids=lambda r: f"seeds{r.start}-{r.stop - 1}")
def test_random_schedules_keep_every_invariant(chunk: range) -> None:
    outcomes = {"value": 0, "error": 0}
    for seed in chunk:
        sim = Simulation(seed)
        try:
            sim.run()
            sim.check()
        except AssertionError as exc:
            raise AssertionError(f"seed {seed}: {exc}") from exc
        for result in sim.results:
            outcomes[result.calls[0][0]] += 1
    assert outcomes["value"] > 0 and outcomes["error"] > 0  # the schedules exercise both fates
