"""The hook as the session machine drives it: requests, failures, connections, states, watches.

A :class:`SessionMachine` is driven by the session harness (fake clock, scripted
server); the driver applies outputs the way the transports do, telling the hub
first (``ThreadedTransport._apply`` / ``AsyncioTransport._apply``).
"""

from __future__ import annotations

import random
from typing import Any

from _session_harness import HOSTS, PASSWORD, Driver, FakeServer, Policy, framed, notification, reply

from zkrecipes.client.protocol.records import ConnectRequest, ConnectResponse
from zkrecipes.client.protocol.requests import ExistsRequest, GetChildrenRequest, GetDataRequest
from zkrecipes.client.session import Output, SessionMachine
from zkrecipes.exceptions import ConnectionLoss, SessionExpiredError
from zkrecipes.observe import ConnectionEventKind as Kind
from zkrecipes.observe.hub import ObserverHub
from zkrecipes.observe.recorder import RecordingObserver
from zkrecipes.states import EventType, ZkState


class ObservedDriver(Driver):
    """The harness's transport, telling the hub about outputs first (as both transports do)."""

    def apply(self, outputs: list[Output]) -> bool:
        if self.m.observer is not None:
            self.m.observer.outputs(outputs)
        return super().apply(outputs)


def observed(**kwargs: Any) -> tuple[ObservedDriver, RecordingObserver, ObserverHub]:
    options: dict[str, Any] = {"hosts": HOSTS[:1], "chroot": "", "session_timeout": 3.0,
                               "connection_retry": Policy(), "rng": random.Random(1)}
    options.update(kwargs)
    d = ObservedDriver(SessionMachine(**options), FakeServer())
    hub = ObserverHub("test", clock=lambda: d.now)
    recorder = RecordingObserver()
    hub.add(recorder)
    d.m.observer = hub
    d.m.start(d.now)
    d.connect()
    d.deliver()
    return d, recorder, hub


def test_a_reply_is_reported_with_xid_zxid_sizes_server_session_and_latency() -> None:
    d, rec, hub = observed()
    start = d.now
    result = d.submit(GetDataRequest("/a"))
    assert hub.in_flight() == 1
    d.now += 0.25
    d.deliver()
    assert result.value[0] == b"/a"
    (event,) = rec.requests
    assert (event.operation, event.path, event.code, event.error) == ("getData", "/a", 0, None)
    assert event.ok
    assert (event.xid, event.zxid) == (1, 11)
    assert event.started == start and event.latency == 0.25
    assert event.bytes_sent == 4 + 4 + 4 + 4 + 2 + 1  # prefix, xid, opcode, path length, "/a", watch flag
    assert event.bytes_received == 4 + 16 + 4 + 2 + 68  # prefix, header, data length, data, stat
    assert event.server == "zk1:2181" and event.session_id == 0x100
    (start_event,) = rec.starts
    assert (start_event.operation, start_event.path, start_event.started) == ("getData", "/a", start)
    assert hub.in_flight() == 0


def test_a_server_error_is_reported_with_its_code() -> None:
    d, rec, _hub = observed()
    d.submit(GetChildrenRequest("/missing"))
    d.submit(ExistsRequest("/missing"))  # NoNode, but exists() returns None: not a failure
    d.deliver()
    failed, missing = rec.requests
    assert (failed.operation, failed.code, failed.ok) == ("getChildren", -101, False)
    assert (missing.operation, missing.code, missing.ok) == ("exists", -101, True)


def test_a_request_lost_with_its_connection_is_reported_as_connection_loss() -> None:
    d, rec, _hub = observed()
    d.submit(GetDataRequest("/a"))  # written; no reply delivered
    d.now += 1.0
    d.lose()
    (event,) = rec.requests
    assert type(event.error) is ConnectionLoss and event.code == -4
    assert event.xid == 1 and event.zxid == 0 and event.latency == 1.0 and event.bytes_received == 0


def test_pipelined_replies_in_one_chunk_each_get_their_own_size() -> None:
    d, rec, _hub = observed()
    for path in ("/a", "/bb", "/ccc"):
        d.m.submit(GetDataRequest(path), _Result(), None, d.now)
    d.flush()
    assert d.server is not None
    data = d.server.take()
    d.apply(d.m.receive_data(data[:7], d.now))  # a frame split across reads
    d.apply(d.m.receive_data(data[7:], d.now))
    assert [e.xid for e in rec.requests] == [1, 2, 3]
    assert [e.bytes_received for e in rec.requests] == [4 + 16 + 4 + n + 68 for n in (2, 3, 4)]


def test_connections_expiry_and_states_are_reported_in_order() -> None:
    d, rec, _hub = observed()
    d.lose()
    d.connect()
    d.deliver()  # the same session resumed
    d.lose()
    assert d.server is not None
    d.server.sessions.clear()  # the server forgot it: expired on the next connection
    unsent = d.submit(GetDataRequest("/u"))
    d.connect()
    d.deliver()
    d.connect()
    d.deliver()
    kinds = [c.kind for c in rec.connections]
    assert kinds == [Kind.CONNECTED, Kind.DISCONNECTED, Kind.RECONNECTED, Kind.DISCONNECTED, Kind.EXPIRED,
                     Kind.CONNECTED]
    c, s, lost = ZkState.CONNECTED, ZkState.SUSPENDED, ZkState.LOST
    changes = [(e.previous, e.state) for e in rec.states]
    assert changes == [(None, c), (c, s), (s, c), (c, s), (s, lost), (lost, c)]
    assert type(unsent.error) is SessionExpiredError
    assert [type(e.error) for e in rec.requests] == [SessionExpiredError]
    assert rec.requests[0].xid == 0  # never written


def test_a_watch_fire_is_reported() -> None:
    d, rec, hub = observed()
    d.m.submit(GetDataRequest("/w", watcher=_watcher), _Result(), None, d.now)
    d.flush()
    d.deliver()
    assert hub.live_watches() == 1
    d.apply(d.m.receive_data(notification(3, "/w"), d.now))
    (event,) = rec.watches
    assert (event.type, event.path, event.watchers) == (EventType.CHANGED, "/w", 1)
    assert hub.live_watches() == 0


def test_the_direct_route_reports_submit_and_write() -> None:
    d, rec, _hub = observed()
    frame = d.m.encode_direct(GetDataRequest("/d"), result := _Result(), None)
    assert frame is not None and d.server is not None
    d.server.feed(frame)
    d.deliver()
    assert result.calls
    (event,) = rec.requests
    assert (event.operation, event.xid, event.bytes_sent) == ("getData", 1, len(frame))


def test_without_an_observer_the_session_holds_none() -> None:
    m = SessionMachine(hosts=HOSTS[:1], chroot="", session_timeout=3.0)
    assert m.observer is None and m.parts.observer is None


class _Result:
    def __init__(self) -> None:
        self.calls: list[Any] = []

    def set(self, value: Any = None) -> None:
        self.calls.append(value)

    def set_exception(self, exc: BaseException) -> None:
        self.calls.append(exc)


def _watcher(event: Any) -> None:
    return None



def test_request_stats_are_kept_without_an_event_per_request() -> None:
    d, rec, hub = observed()
    hub.remove(rec)
    stats = hub.request_stats([0.1, 1.0])
    assert hub.request_stats((0.1, 1.0)) is stats
    d.submit(GetDataRequest("/a"))
    d.now += 0.5
    d.deliver()
    d.submit(ExistsRequest("/missing"))
    d.deliver()
    d.submit(GetDataRequest("/lost"))
    d.lose()
    series, sent, received = stats.snapshot()
    assert series[("getData", 0)] == [0.0, 1.0, 0.0, 0.5]  # <= 0.1, <= 1.0, +Inf, sum
    assert stats.count("exists", -101) == 1 and stats.count("getData", -4) == 1
    assert sent > 0 and received > 0
    assert rec.requests == []


def test_replies_decoded_before_a_bad_frame_are_still_reported() -> None:
    d, rec, hub = observed()
    first = d.submit(GetDataRequest("/a"))
    d.submit(GetDataRequest("/b"))
    assert d.server is not None
    answers = d.server.take()
    good = answers[: 4 + int.from_bytes(answers[:4], "big")]  # the reply to /a only
    d.apply(d.m.receive_data(good + reply(999, 1), d.now))  # then a reply nobody asked for
    d.lose()
    assert first.value[0] == b"/a"
    assert [(e.path, e.code) for e in rec.requests] == [("/a", 0), ("/b", -4)]
    assert hub.in_flight() == 0


class ForgetfulServer(FakeServer):
    """Answers every connection with a brand-new session (a resumed one is never kept)."""

    def _connect(self, body: bytes) -> None:
        self.connect_request, _ = ConnectRequest.read(body)
        session_id = self.current_session = self.next_session
        self.next_session += 1
        self.out += framed(ConnectResponse(0, self.timeout_ms, session_id, PASSWORD, False).to_bytes())


def test_a_new_session_on_reconnect_is_an_expiry_then_a_connection() -> None:
    d, rec, _hub = observed()
    d.server = ForgetfulServer(next_session=0x200)
    d.lose()
    d.connect()
    d.deliver()
    kinds = [c.kind for c in rec.connections]
    assert kinds == [Kind.CONNECTED, Kind.DISCONNECTED, Kind.EXPIRED, Kind.CONNECTED]
    assert [e.state for e in rec.states][-2:] == [ZkState.LOST, ZkState.CONNECTED]
