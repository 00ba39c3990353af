"""Party and ShallowParty against a real ZooKeeper."""

from __future__ import annotations

from typing import Any

import pytest
from _helpers import expire_session, wait_until

from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError
from zkrecipes.recipes.party import Party, ShallowParty


@pytest.mark.parametrize("cls", [Party, ShallowParty])
def test_join_iter_len_leave(zk_client_factory: Any, cls: type) -> None:
    a, b = zk_client_factory(), zk_client_factory()
    pa, pb = cls(a, "/party", "alpha"), cls(b, "/party", "beta")
    assert len(pa) == 0
    pa.join()
    pa.join()  # idempotent: still one node
    pb.join()
    assert sorted(pa) == ["alpha", "beta"]
    assert len(pb) == 2
    assert pb.leave() is True
    assert list(pa) == ["alpha"]
    assert pb.leave() is False  # already gone
    assert len(a.get_children("/party")) == 1


@pytest.mark.parametrize("cls", [Party, ShallowParty])
def test_member_whose_client_stops_leaves(zk_client_factory: Any, cls: type) -> None:
    a, b = zk_client_factory(), zk_client_factory()
    cls(a, "/p", "stays").join()
    cls(b, "/p", "goes").join()
    observer = cls(a, "/p", "observer")
    assert sorted(observer) == ["goes", "stays"]
    b.stop()
    wait_until(a, lambda: list(observer) == ["stays"], message="the stopped member to leave")


def test_party_rejoins_after_session_loss(zk_hosts: str, zk_client_factory: Any) -> None:
    a, b = zk_client_factory(), zk_client_factory()
    member = Party(a, "/p", "phoenix")
    member.join()
    observer = Party(b, "/p")
    expire_session(zk_hosts, a)
    wait_until(b, lambda: list(observer) == ["phoenix"], message="re-join after LOST")
    member.leave()
    wait_until(b, lambda: len(observer) == 0, message="leave after re-join")


def test_bad_input(zk_client: Any) -> None:
    with pytest.raises(InvalidArgumentError):
        ShallowParty(zk_client, "/p", "a/b")
    with pytest.raises(InvalidTypeError):
        Party(zk_client, "/p", 42)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        Party(zk_client, None)  # type: ignore[arg-type]
