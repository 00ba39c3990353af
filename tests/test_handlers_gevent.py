"""gevent-specific handler behaviour: monkey-patched run, lazy import, foreign threads.

The monkey-patched scenario runs in a subprocess (``python -c``) so that pytest
itself is never patched.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from zkrecipes.client.handlers import CallbackKind, SequentialGeventHandler
from zkrecipes.exceptions import ConfigurationError

WAIT = 10.0

PATCHED_SCENARIO = textwrap.dedent(
    """
    from gevent import monkey
    monkey.patch_all()

    import logging
    import socket
    import threading

    import gevent
    from gevent.monkey import get_original

    from zkrecipes.handlers import CallbackKind, SequentialGeventHandler
    from zkrecipes.exceptions import ZkTimeoutError

    logging.basicConfig(level=logging.CRITICAL)
    WAIT = 10.0
    h = SequentialGeventHandler()
    h.start()

    # 1. FIFO per kind with concurrent (green) producers
    seen = {k: [] for k in CallbackKind}
    def produce(p):
        for i in range(100):
            for k in CallbackKind:
                h.dispatch_callback(k, seen[k].append, (p, i))
            if i % 10 == 0:
                gevent.sleep(0)
    producers = [threading.Thread(target=produce, args=(p,)) for p in range(3)]
    for t in producers:
        t.start()
    for t in producers:
        t.join(WAIT)
    fences = {k: h.event_object() for k in CallbackKind}
    for k, ev in fences.items():
        h.dispatch_callback(k, ev.set)
    for ev in fences.values():
        assert ev.wait(WAIT)
    for k in CallbackKind:
        for p in range(3):
            assert [i for q, i in seen[k] if q == p] == list(range(100)), k

    # 2. a blocked WATCH queue does not hold SESSION/COMPLETION
    gate = threading.Event()          # patched: a gevent event
    entered = threading.Event()
    def block():
        entered.set()
        gate.wait(WAIT)
    h.dispatch_callback(CallbackKind.WATCH, block)
    assert entered.wait(WAIT)
    others = [threading.Event(), threading.Event()]
    h.dispatch_callback(CallbackKind.SESSION, others[0].set)
    h.dispatch_callback(CallbackKind.COMPLETION, others[1].set)
    assert all(ev.wait(WAIT) for ev in others)
    gate.set()

    # 3. exceptions keep the worker alive
    def boom():
        raise RuntimeError("expected")
    alive = threading.Event()
    h.dispatch_callback(CallbackKind.WATCH, boom)
    h.dispatch_callback(CallbackKind.WATCH, alive.set)
    assert alive.wait(WAIT)

    # 4. async results: timeout, set from a real OS thread, rawlink
    r = h.async_result()
    try:
        r.get(timeout=0.01)
        raise AssertionError("no timeout")
    except ZkTimeoutError:
        pass
    real_thread = get_original("_thread", "start_new_thread")
    real_sleep = get_original("time", "sleep")
    def set_later():
        real_sleep(0.02)
        r.set("from OS thread")
    real_thread(set_later, ())
    assert r.get(timeout=WAIT) == "from OS thread"
    linked = h.async_result()
    got = h.async_result()
    main = gevent.getcurrent()
    linked.rawlink(lambda res: got.set(gevent.getcurrent() is not main))
    linked.set(1)
    assert got.get(timeout=WAIT) is True

    # 5. create_connection / select through patched sockets
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    def echo():
        conn, _ = srv.accept()
        conn.sendall(conn.recv(16))
        conn.close()
    server = h.spawn(echo)
    c = h.create_connection(srv.getsockname(), WAIT)
    assert c.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    c.sendall(b"ping")
    readable, _, _ = h.select([c], [], [], WAIT)
    assert readable == [c] and c.recv(16) == b"ping"
    c.close()
    server.join(WAIT)
    srv.close()

    # 6. stop from inside a callback, then restart
    stopped = threading.Event()
    def stopper():
        h.stop(timeout=WAIT)
        stopped.set()
    h.dispatch_callback(CallbackKind.SESSION, stopper)
    assert stopped.wait(WAIT)
    assert not h.running
    h.start()
    again = threading.Event()
    h.dispatch_callback(CallbackKind.SESSION, again.set)
    assert again.wait(WAIT)
    h.stop(timeout=WAIT)
    print("PATCHED-OK")
    """
)


def test_monkey_patched_scenario_in_subprocess() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PATCHED_SCENARIO],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "PATCHED-OK" in proc.stdout


def test_importing_handlers_does_not_import_gevent() -> None:
    code = "import sys, zkrecipes.handlers; print('gevent' in sys.modules)"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_without_gevent_instantiation_raises_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gevent", None)  # makes `import gevent` fail
    with pytest.raises(ConfigurationError, match="gevent"):
        SequentialGeventHandler()


@pytest.fixture
def handler() -> Iterator[Any]:
    h = SequentialGeventHandler()
    h.start()
    yield h
    h.stop(timeout=WAIT)


def test_dispatch_from_os_thread_keeps_fifo_and_runs_on_workers(handler: Any) -> None:
    out: list[int] = []
    workers: set[Any] = set()
    done = handler.event_object()

    def record(i: int) -> None:
        out.append(i)
        workers.add(handler._current_worker())
        if i == 199:
            done.set()

    def produce() -> None:
        for i in range(200):
            handler.dispatch_callback(CallbackKind.WATCH, record, i)

    t = threading.Thread(target=produce, daemon=True)
    t.start()
    assert done.wait(WAIT)
    t.join(WAIT)
    assert out == list(range(200))
    assert len(workers) == 1  # one WATCH worker greenlet ran them all
