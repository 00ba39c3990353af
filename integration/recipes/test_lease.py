"""Non-blocking leases against a real ZooKeeper, with an injected clock for expiry."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError, MalformedNodeDataError
from zkrecipes.recipes.lease import MultiNonBlockingLease, NonBlockingLease


class FakeClock:
    """A settable UTC clock."""

    def __init__(self) -> None:
        self.now = datetime.datetime(2030, 1, 1, 12, 0, 0)

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += datetime.timedelta(**kwargs)


HOUR = datetime.timedelta(hours=1)


def test_lease_is_exclusive_renewable_and_expires(zk_client_factory: Any) -> None:
    a, b = zk_client_factory(), zk_client_factory()
    clock = FakeClock()
    first = NonBlockingLease(a, "/lease", HOUR, identifier="a", utcnow=clock)
    assert first and first.end == clock.now + HOUR
    stored = json.loads(a.get("/lease/lease_holder")[0])
    assert stored == {"version": 1, "holder": "a", "end": "2030-01-01T13:00:00"}
    assert not NonBlockingLease(b, "/lease", HOUR, identifier="b", utcnow=clock)
    clock.advance(minutes=59)
    assert not NonBlockingLease(b, "/lease", HOUR, identifier="b", utcnow=clock)
    assert NonBlockingLease(a, "/lease", HOUR, identifier="a", utcnow=clock)  # renewal
    clock.advance(minutes=61)  # a's renewed lease ended
    assert NonBlockingLease(b, "/lease", HOUR, identifier="b", utcnow=clock)
    assert not NonBlockingLease(a, "/lease", HOUR, identifier="a", utcnow=clock)
    assert json.loads(a.get("/lease/lease_holder")[0])["holder"] == "b"
    # the internal lock left no contender node
    assert a.get_children("/lease") == ["lease_holder"]


def test_multi_lease_grants_count_holders(zk_client_factory: Any) -> None:
    clients = [zk_client_factory() for _ in range(3)]
    clock = FakeClock()
    got = [bool(MultiNonBlockingLease(c, 2, "/multi", HOUR, identifier=f"h{i}", utcnow=clock))
           for i, c in enumerate(clients)]
    assert got == [True, True, False]
    clock.advance(hours=2)
    late = MultiNonBlockingLease(clients[2], 2, "/multi", HOUR, identifier="h2", utcnow=clock)
    assert late and late.lease is not None and late.lease.path == "/multi/0"


def test_lease_bad_input_and_bad_data(zk_client: Any) -> None:
    with pytest.raises(InvalidTypeError):
        NonBlockingLease(zk_client, "/l", 60)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        NonBlockingLease(zk_client, "/l", datetime.timedelta(0))
    with pytest.raises(InvalidArgumentError):
        MultiNonBlockingLease(zk_client, 0, "/l", HOUR)
    zk_client.create("/broken/lease_holder", b"{not json", makepath=True)
    with pytest.raises(MalformedNodeDataError):
        NonBlockingLease(zk_client, "/broken", HOUR, identifier="x")
    assert zk_client.get_children("/broken") == ["lease_holder"]  # lock released on error
