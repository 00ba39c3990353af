"""Counter against a real ZooKeeper, including several processes incrementing under a Lock."""

from __future__ import annotations

import struct
from typing import Any

import pytest
from _helpers import finish, python_script

from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError, MalformedNodeDataError
from zkrecipes.recipes.counter import Counter

INCREMENTER = """
    import sys
    from zkrecipes import ZkClient
    from zkrecipes.recipes.counter import Counter
    from zkrecipes.recipes.lock import Lock

    hosts, rounds = sys.argv[1], int(sys.argv[2])
    client = ZkClient(hosts, timeout=15.0)
    client.start(timeout=30)
    lock = Lock(client, "/counter-lock")
    counter = Counter(client, "/counter")
    client.ensure_path("/plain")
    for _ in range(rounds):
        with lock:
            counter += 1
            # an unversioned read-modify-write: exact only under mutual exclusion
            data, _ = client.get("/plain")
            client.set("/plain", str(int(data or b"0") + 1).encode())
    client.stop()
    client.close()
    print("DONE", flush=True)
"""


# The work that matters runs in subprocesses: one handler variant is enough.
@pytest.mark.parametrize("zk_handler_name", ["threading"])
def test_processes_incrementing_under_a_lock_reach_the_exact_total(
        zk_client_factory: Any, zk_hosts: str, zk_chroot: str, zk_handler_name: str) -> None:
    client = zk_client_factory()  # creates the chroot
    processes, rounds = 4, 25
    procs = [python_script(INCREMENTER, zk_hosts + zk_chroot, str(rounds)) for _ in range(processes)]
    for proc in procs:
        out, err = finish(proc, timeout=240)
        assert proc.returncode == 0 and out.strip() == "DONE", err[-3000:]
    assert Counter(client, "/counter").value == processes * rounds
    assert client.get("/plain")[0] == str(processes * rounds).encode()
    assert client.get_children("/counter-lock") == []


def test_int_float_pre_post_values(zk_client: Any) -> None:
    counter = Counter(zk_client, "/int")
    assert counter.value == 0
    counter += 5
    counter -= 2
    assert (counter.pre_value, counter.post_value, counter.value) == (5, 3, 3)
    assert zk_client.get("/int")[0] == b"3"
    floats = Counter(zk_client, "/float", default=1.5)
    floats += 2.25
    assert floats.value == 3.75 and floats.pre_value == 1.5
    with pytest.raises(InvalidTypeError):
        counter += 1.0
    with pytest.raises(InvalidTypeError):
        Counter(zk_client, "/x", default="0")  # type: ignore[arg-type]


def test_curator_encoding(zk_client: Any) -> None:
    counter = Counter(zk_client, "/curator", support_curator=True)
    counter += 300
    counter -= 1
    assert counter.value == 299
    assert zk_client.get("/curator")[0] == struct.pack(">i", 299)
    zk_client.set("/curator", struct.pack(">i", -7))  # as Curator's SharedCount would write it
    assert counter.value == -7
    with pytest.raises(InvalidArgumentError):
        counter += 2**32
    assert counter.value == -7
    with pytest.raises(InvalidTypeError):
        Counter(zk_client, "/c2", default=1.0, support_curator=True)


def test_malformed_data_is_reported(zk_client: Any) -> None:
    zk_client.create("/garbage", b"not a number")
    with pytest.raises(MalformedNodeDataError):
        _ = Counter(zk_client, "/garbage").value
    zk_client.create("/short", b"\x01")
    with pytest.raises(MalformedNodeDataError):
        _ = Counter(zk_client, "/short", support_curator=True).value
