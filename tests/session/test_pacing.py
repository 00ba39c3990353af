"""Reconnect pacing on a fake clock: the first attempt after a drop is immediate, later ones back
off with decorrelated jitter up to a cap, a healthy connection resets the backoff, a policy with
its own knobs keeps its schedule, and the LOST deadline is never overrun."""

from __future__ import annotations

import random
import ssl

import pytest

from tests.session._session_harness import HOSTS, Driver, FakeServer, Policy
from tests.session.test_session_machine import machine
from zkrecipes.client.hosts import HostPort
from zkrecipes.client.session import ConnectTo, Wait
from zkrecipes.client.session.pacing import (
    BASE_DELAY,
    ReconnectPlanner,
    connect_error_text,
    healthy_after,
    pause_cap,
)
from zkrecipes.retry import DecorrelatedJitter, RetryPolicy
from zkrecipes.states import ZkState

ONE = [HostPort("zk1", 2181)]


class Highest(random.Random):
    """A random source whose uniform() always returns the top of the range."""

    def uniform(self, a: float, b: float) -> float:
        return b


class Lowest(random.Random):
    """A random source whose uniform() always returns the bottom of the range."""

    def uniform(self, a: float, b: float) -> float:
        return a


class Clocked:
    """A planner on a fake clock: ``attempt()`` waits out any pause and returns (host, waited)."""

    def __init__(self, planner: ReconnectPlanner, session_timeout: float) -> None:
        self.planner, self.timeout, self.now = planner, session_timeout, 100.0

    def attempt(self) -> tuple[HostPort, float]:
        start = self.now
        for _ in range(10):
            choice = self.planner.next_host(self.now, self.timeout)
            if isinstance(choice, HostPort):
                return choice, round(self.now - start, 9)
            assert choice > self.now
            self.now = choice
        raise AssertionError("the planner never chose a host")

    def served(self, seconds: float) -> None:
        self.now += seconds
        self.planner.attempt_ended(seconds, self.timeout)

    def failed(self) -> None:
        self.planner.attempt_ended(None, self.timeout)

    def pauses_while_failing(self, n: int) -> list[float]:
        pauses = []
        for _ in range(n):
            _, waited = self.attempt()
            pauses.append(waited)
            self.failed()
        return pauses


def clocked(hosts: list[HostPort] = ONE, timeout: float = 6.0, policy: object = None,
            rng: random.Random | None = None) -> Clocked:
    return Clocked(ReconnectPlanner(hosts, False, policy, rng or random.Random(7)), timeout)


def test_the_cap_is_a_tenth_of_the_session_timeout_within_50_ms_and_1_s() -> None:
    assert pause_cap(6.0) == pytest.approx(0.6)
    assert pause_cap(30.0) == 1.0 and pause_cap(300.0) == 1.0
    assert pause_cap(0.2) == BASE_DELAY
    assert healthy_after(6.0) == pytest.approx(0.15) and healthy_after(30.0) == 0.25
    # a policy with its own knobs: its max_delay and a third of the session timeout
    assert pause_cap(30.0, Policy(max_delay=60.0)) == 10.0
    assert pause_cap(30.0, Policy(max_delay=2.0)) == 2.0
    # the default RetryPolicy (what a client passes when the user gave none) is not "own knobs"
    assert pause_cap(30.0, RetryPolicy(max_tries=-1)) == 1.0


@pytest.mark.parametrize("hosts", [ONE, HOSTS], ids=["one host", "three hosts"])
def test_the_first_attempt_after_a_served_connection_drops_is_immediate(hosts: list[HostPort]) -> None:
    c = clocked(hosts)
    first, waited = c.attempt()
    assert waited == 0.0 and first == hosts[0]
    c.served(30.0)
    again, waited = c.attempt()
    assert waited == 0.0
    assert again == hosts[1 % len(hosts)]  # the next host in order; the same one if alone


def test_failing_attempts_back_off_growing_up_to_the_cap() -> None:
    c = clocked(timeout=6.0, rng=Highest())
    c.attempt()
    c.served(30.0)
    pauses = c.pauses_while_failing(6)
    # immediate, then decorrelated jitter at its top: 3 * the previous, from 50 ms, capped at 0.6 s
    assert pauses == pytest.approx([0.0, 0.15, 0.45, 0.6, 0.6, 0.6])
    c = clocked(timeout=30.0, rng=Highest())
    assert c.pauses_while_failing(6) == pytest.approx([0.0, 0.15, 0.45, 1.0, 1.0, 1.0])


def test_the_floor_is_50_ms_and_a_round_of_hosts_ends_with_one_pause() -> None:
    c = clocked(HOSTS, timeout=30.0, rng=Lowest())
    pauses = c.pauses_while_failing(9)
    assert pauses == pytest.approx([0.0, 0.0, 0.0, 0.05, 0.0, 0.0, 0.05, 0.0, 0.0])


def test_a_healthy_connection_resets_the_backoff_a_short_one_does_not() -> None:
    c = clocked(timeout=6.0, rng=Highest())
    c.attempt()
    c.served(30.0)
    assert c.pauses_while_failing(4) == pytest.approx([0.0, 0.15, 0.45, 0.6])
    c.attempt()
    c.served(healthy_after(6.0) / 2)  # a session reached, but dropped again at once
    _, waited = c.attempt()
    assert waited == pytest.approx(0.6)  # no immediate attempt: the backoff goes on
    c.served(healthy_after(6.0))  # lived long enough: reset
    _, waited = c.attempt()
    assert waited == 0.0
    c.failed()
    _, waited = c.attempt()
    assert waited == pytest.approx(0.15)  # the schedule starts over


def test_a_server_that_drops_every_session_at_once_is_not_hammered() -> None:
    c = clocked(timeout=6.0, rng=Lowest())
    waits = []
    for _ in range(5):
        _, waited = c.attempt()
        waits.append(waited)
        c.served(0.0)
    assert waits == pytest.approx([0.0, 0.0, 0.05, 0.05, 0.05])  # one immediate, then the floor


@pytest.mark.parametrize("timeout", [1.0, 6.0, 30.0])
def test_jittered_pauses_stay_within_the_floor_the_cap_and_three_times_the_previous(
        timeout: float) -> None:
    cap = pause_cap(timeout)
    c = clocked(timeout=timeout, rng=random.Random(16))
    pauses = c.pauses_while_failing(400)[1:]
    previous = BASE_DELAY
    for pause in pauses:
        assert min(BASE_DELAY, cap) <= pause <= cap
        assert pause <= max(3 * previous, min(BASE_DELAY, cap)) + 1e-9
        previous = pause
    assert len({round(p, 6) for p in pauses}) > 50  # jittered, not a fixed ladder


def test_decorrelated_jitter_bounds_with_any_cap() -> None:
    jitter = DecorrelatedJitter(0.05, uniform=random.Random(3).uniform)
    for cap in [0.01, 0.05, 0.2, 1.0] * 50:
        delay = jitter.next_delay(cap)
        assert min(0.05, cap) <= delay <= cap


def test_a_policy_with_its_own_knobs_keeps_its_schedule_after_the_immediate_attempt() -> None:
    policy = Policy(delay=0.2, backoff=3.0, max_jitter=0.0, max_delay=5.0)
    c = clocked(timeout=30.0, policy=policy)
    c.attempt()
    c.served(30.0)
    assert c.pauses_while_failing(6) == pytest.approx([0.0, 0.2, 0.6, 1.8, 5.0, 5.0])


def test_a_flapping_connection_is_met_at_once_every_time() -> None:
    # each connection reaches a session and lives a second before the network drops it
    c = clocked(timeout=6.0, rng=Highest())
    for _ in range(20):
        _, waited = c.attempt()
        assert waited == 0.0
        c.served(1.0)


def test_lost_after_exactly_the_session_timeout_with_the_default_schedule() -> None:
    d = Driver(machine(hosts=[HOSTS[0]], connection_retry=RetryPolicy(max_tries=-1), session_timeout=6.0),
               FakeServer(timeout_ms=6000))
    d.m.start(d.now)
    d.connect()
    d.deliver()
    for _ in range(20):  # a connection served for 10 s, the server heard to the end (pings)
        d.now += 0.5
        assert not d.tick()
        d.deliver()
    d.lose()
    start = d.now
    attempts = 0
    for _ in range(1000):
        action = d.poll()
        if d.states[-1] is ZkState.LOST:
            break
        if type(action) is ConnectTo:
            attempts += 1
            d.apply(d.m.connect_failed(d.now))
        else:
            assert type(action) is Wait and action.until is not None
            assert action.until - d.now <= pause_cap(6.0) + 1e-9
            assert action.until <= start + 6.0 + 1e-9
            d.now = action.until
    assert d.states[-1] is ZkState.LOST and d.now == pytest.approx(start + 6.0)
    assert attempts >= 10  # a server back in time would have been found


def test_tls_errors_are_named_not_reported_as_os_errors() -> None:
    verify = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    verify.verify_message = "certificate has expired"
    assert connect_error_text(verify) == "TLS certificate verify failed: certificate has expired"
    alert = ssl.SSLError(1, "[SSL: SSLV3_ALERT_CERTIFICATE_UNKNOWN] sslv3 alert certificate unknown")
    alert.reason = "SSLV3_ALERT_CERTIFICATE_UNKNOWN"
    assert connect_error_text(alert) == "TLS handshake refused by the server: certificate unknown"
    pem = ssl.SSLError(524297, "[SSL] PEM lib (_ssl.c:3926)")
    assert "wrong keyfile_password?" in connect_error_text(pem)
    assert connect_error_text(ConnectionRefusedError(111, "refused")) == "Connection refused"
