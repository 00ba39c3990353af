"""Free port picking for test servers."""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from zkrecipes.exceptions import PortInUseError
from zkrecipes.testing import ports


@pytest.fixture
def listening() -> Iterator[int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    yield int(sock.getsockname()[1])
    sock.close()


def test_ephemeral_range_is_read_from_file(tmp_path: Path) -> None:
    fake = tmp_path / "range"
    fake.write_text("40000\t50000\n")
    assert ports.ephemeral_range(fake) == (40000, 50000)


def test_ephemeral_range_defaults_when_unreadable(tmp_path: Path) -> None:
    assert ports.ephemeral_range(tmp_path / "missing") == (32768, 60999)


def test_block_is_free_contiguous_and_below_ephemeral_range() -> None:
    base = ports.pick_port_block(3)
    low, _ = ports.ephemeral_range()
    assert base + 2 < low
    assert base != 2181
    for port in range(base, base + 3):
        assert ports.port_is_free(port)


def test_picked_ports_are_never_handed_out_twice() -> None:
    rng = random.Random(7)
    picked = [ports.pick_free_port(rng=rng) for _ in range(50)]
    assert len(set(picked)) == 50
    again = ports.pick_free_ports(5, rng=random.Random(7))
    assert not set(again) & set(picked)


def test_bound_port_is_not_free_and_ensure_free_names_it(listening: int) -> None:
    assert not ports.port_is_free(listening)
    with pytest.raises(PortInUseError, match=str(listening)):
        ports.ensure_free([listening])


def test_ensure_free_accepts_free_ports() -> None:
    ports.ensure_free([ports.pick_free_port()])


def test_block_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ports.pick_port_block(0)
