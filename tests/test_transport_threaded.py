"""ThreadedTransport's facade and the handler capabilities it uses (no server)."""

from __future__ import annotations

import selectors
import socket
from typing import Any

import pytest

from zkrecipes.client.hosts import HostPort
from zkrecipes.client.transport._poller import Poller
from zkrecipes.client.transport.threaded import ThreadedTransport
from zkrecipes.exceptions import ConnectionClosedError
from zkrecipes.handlers import SequentialThreadingHandler
from zkrecipes.states import KeeperState, ZkState


class OwnSelectHandler(SequentialThreadingHandler):
    """Overrides ``select``: a transport must call it instead of keeping a selector."""

    def __init__(self) -> None:
        super().__init__()
        self.selects = 0

    def select(self, rlist: Any, wlist: Any, xlist: Any, timeout: float | None = None) -> Any:
        self.selects += 1
        return super().select(rlist, wlist, xlist, timeout)


def test_stock_handlers_offer_a_selector_factory() -> None:
    assert SequentialThreadingHandler().selector_factory() is selectors.DefaultSelector
    assert OwnSelectHandler().selector_factory() is None


def test_the_gevent_handler_offers_gevent_selectors() -> None:
    gevent_selectors = pytest.importorskip("gevent.selectors")
    from zkrecipes.handlers import SequentialGeventHandler

    assert SequentialGeventHandler().selector_factory() is gevent_selectors.DefaultSelector


@pytest.mark.parametrize("handler_class", [SequentialThreadingHandler, OwnSelectHandler])
def test_the_poller_follows_the_handler_capability(handler_class: type) -> None:
    handler = handler_class()
    a, b = socket.socketpair()
    wake_r, wake_w = socket.socketpair()
    poller = Poller(handler, a, wake_r)
    try:
        assert poller.wait(False, 0.0) == (False, False, False)
        b.send(b"x")
        wake_w.send(b"\0")
        assert poller.wait(False, 5.0)[0] and poller.wait(False, 5.0)[2]
        assert poller.wait(True, 5.0)[1]  # writable
        if handler_class is OwnSelectHandler:
            assert handler.selects == 4
    finally:
        poller.close()
        for sock in (a, b, wake_r, wake_w):
            sock.close()


def test_the_facade_before_start() -> None:
    handler = SequentialThreadingHandler()
    transport = ThreadedTransport(handler, hosts=[HostPort("127.0.0.1", 9)], chroot="", session_timeout=4.0,
                                  on_state=lambda s: None, on_auth_failed=lambda: None)
    assert not transport.running and transport.stop(1.0)  # never started: nothing to wait for
    assert transport.state is ZkState.LOST and transport.keeper_state is KeeperState.CLOSED
    assert transport.client_id is None and transport.current_server is None
    assert transport.last_zxid == 0 and transport.session_timeout == 4.0
    assert not transport.live.is_set()
    result = handler.async_result()
    transport.add_auth("digest", "u:p", result)
    assert isinstance(result.exception, ConnectionClosedError)
