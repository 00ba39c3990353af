"""The neutral party node names (``recipes/_party_names.py``), shared by threaded and asyncio parties."""

from __future__ import annotations

import pytest

from zkrecipes.aio import AsyncZkClient
from zkrecipes.exceptions import InvalidArgumentError
from zkrecipes.recipes._party_names import (
    is_party_node,
    is_shallow_node,
    party_node_name,
    shallow_identifier,
    shallow_node_name,
)


def test_names_round_trip() -> None:
    name = party_node_name()
    assert is_party_node(name) and not is_party_node("other") and name != party_node_name()
    shallow = shallow_node_name("worker-1")
    assert is_shallow_node(shallow) and shallow_identifier(shallow) == "worker-1"
    assert shallow_identifier(shallow_node_name("")) == "" and not is_shallow_node("short-x")
    with pytest.raises(InvalidArgumentError):
        shallow_node_name("a/b")


def test_asyncio_parties_use_them() -> None:
    zk = AsyncZkClient("127.0.0.1:1")
    assert is_party_node(zk.Party("/p").node)
    assert shallow_identifier(zk.ShallowParty("/p", "me").node) == "me"
