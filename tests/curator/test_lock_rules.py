"""The pure rules of the Curator lock recipes: the lease count verdict and the decisive marker result."""

from __future__ import annotations

import pytest

from zkrecipes.exceptions import BadVersionError, NoNodeError, RolledBackError
from zkrecipes.recipes.curator._drivers import LeaseDriver, StandardLockDriver
from zkrecipes.recipes.curator._fenced_writes import _decisive
from zkrecipes.recipes.curator._ordering import NodeGone, Verdict, count_verdict


def test_a_lease_holds_while_every_child_fits_the_limit() -> None:
    assert count_verdict(["a", "b"], "b", 2) == Verdict(True)
    assert count_verdict(["a", "b", "x"], "a", 2) == Verdict(False)  # foreign children count too
    with pytest.raises(NodeGone):
        count_verdict(["a"], "b", 2)


def test_the_lease_driver_reads_the_limit_at_each_verdict_and_watches_children() -> None:
    limit = [1]
    driver = LeaseDriver(lambda: limit[0])
    assert driver.watches_children and not StandardLockDriver().watches_children
    assert not driver.judge(["a", "b"], "b").holds
    limit[0] = 2
    assert driver.judge(["a", "b"], "b").holds
    assert driver.lock_name == "lease-"


def test_the_decisive_marker_result_prefers_a_lost_node_then_a_moved_one() -> None:
    ok, moved, gone, rolled = object(), BadVersionError(), NoNodeError(), RolledBackError()
    assert _decisive([ok, ok]) is ok
    assert _decisive([rolled, moved]) is moved
    assert _decisive([moved, gone]) is gone
    assert _decisive([rolled, rolled]) is rolled
