"""A request on a client that was never started: ConnectionClosedError saying so, naming the request.

No server is involved: a never-started client refuses before any I/O. The class is
the one kazoo raises there (``ConnectionClosedError``); the message tells the fix.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from zkrecipes import ZkClient
from zkrecipes.aio import AsyncZkClient
from zkrecipes.client.hosts import HostPort
from zkrecipes.client.session import SessionMachine
from zkrecipes.exceptions import AuthFailedError, ConnectionClosedError

NOT_STARTED = "client not started: call start() first"


def _machine() -> SessionMachine:
    return SessionMachine(hosts=[HostPort("127.0.0.1", 1)], chroot="", session_timeout=3.0,
                          rng=random.Random(1))


def test_the_machine_names_the_request_before_its_first_start() -> None:
    exc = _machine().refusal("getData", "/a")
    assert type(exc) is ConnectionClosedError
    assert str(exc) == f"{NOT_STARTED} (getData /a)"
    assert (exc.operation, exc.path) == ("getData", "/a")
    assert str(_machine().refusal()) == NOT_STARTED


def test_after_a_run_the_machine_says_closed() -> None:
    machine = _machine()
    machine.start(100.0)
    machine.abort()
    exc = machine.refusal("create", "/b")
    assert type(exc) is ConnectionClosedError
    assert str(exc) == "Connection has been closed"
    assert (exc.operation, exc.path) == ("create", "/b")


def test_after_an_auth_failure_the_machine_keeps_auth_failed() -> None:
    machine = _machine()
    machine.start(100.0)
    machine.parts.closed_error = AuthFailedError  # what a refused login leaves
    machine.abort()
    assert type(machine.refusal("getData", "/a")) is AuthFailedError


def test_threaded_client_never_started() -> None:
    zk = ZkClient("127.0.0.1:1")
    with pytest.raises(ConnectionClosedError, match=r"^client not started: call start\(\) first "
                                                     r"\(getData /app\)$") as info:
        zk.get("/app")
    assert (info.value.operation, info.value.path) == ("getData", "/app")
    with pytest.raises(ConnectionClosedError, match="client not started"):
        zk.add_auth("digest", "user:secret")
    zk.close()


def test_asyncio_client_never_started() -> None:
    async def main() -> ConnectionClosedError:
        zk = AsyncZkClient("127.0.0.1:1")
        with pytest.raises(ConnectionClosedError) as info:
            await zk.create("/app/job", b"x")
        return info.value

    exc = asyncio.run(main())
    assert str(exc) == f"{NOT_STARTED} (create /app/job)"
    assert (exc.operation, exc.path) == ("create", "/app/job")
