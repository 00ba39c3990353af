"""``ZkProtocol``: the sans-IO ZooKeeper session state machine.

It turns requests into bytes and bytes into events, and keeps what a session
needs across connections: session id and password, the last zxid seen, the
registered watches and the auth credentials.  It does no I/O, keeps no clock
and starts no thread; the connection layer feeds it bytes and writes what it
returns.  One connection's life::

    sock.sendall(p.connect())                    # ConnectRequest
    events = p.receive_data(sock.recv(65536))    # → Connected / SessionExpired
    sock.sendall(p.priming())                    # auth, then SetWatches(2)
    sock.sendall(p.send(GetDataRequest("/a"), context=future))
    ...                                          # → Reply(pending=…, result=…)
    for pending in p.connection_lost(): pending.context.fail(ConnectionLoss())

Errors: bad requests raise ``InvalidArgumentError``/``InvalidTypeError``/
``DataTooLargeError`` from :meth:`send` before anything is queued; bad bytes
raise the ``ProtocolError`` family from :meth:`receive_data`, after which the
connection must be dropped (:meth:`connection_lost`).  Replies decoded from
the same data before the bad frame are not lost: they are attached to the
exception (:func:`undelivered_events`) and must be delivered by the caller.
"""

from __future__ import annotations

import struct

from zkrecipes.client.protocol.events import (
    AuthReply,
    Connected,
    Event,
    Notification,
    PingReply,
    Reply,
    SessionExpired,
    SetWatchesReply,
)
from zkrecipes.client.protocol.framing import DEFAULT_MAX_FRAME_SIZE, FrameReader
from zkrecipes.client.protocol.jute import INT, REPLY_HEADER
from zkrecipes.client.protocol.opcodes import EVENT_TYPES, KEEPER_STATES, OpCode, Xid
from zkrecipes.client.protocol.paths import add_chroot, normalize_chroot, strip_chroot
from zkrecipes.client.protocol.pending import Pending, PendingTable, XidCounter
from zkrecipes.client.protocol.records import (
    EMPTY_PASSWORD,
    AuthPacket,
    ConnectRequest,
    ConnectResponse,
    RequestHeader,
    SetWatches,
    SetWatches2,
    WatcherEvent,
)
from zkrecipes.client.protocol.requests import Request
from zkrecipes.client.protocol.watches import WatchedPaths, WatchKind, WatchRegistry
from zkrecipes.exceptions import (
    ConnectRefusedError,
    DataTooLargeError,
    InvalidArgumentError,
    InvalidTypeError,
    MalformedFrameError,
    ProtocolError,
    UnexpectedReplyError,
)

#: Largest SetWatches/SetWatches2 packet (length prefix excluded) the priming produces.
SET_WATCHES_MAX_BYTES = 128 * 1024

_PING_FRAME = INT.pack(8) + RequestHeader(Xid.PING, OpCode.PING).to_bytes()
_SET_WATCHES_FIXED = 12 + 8 + 5 * 4  # header, relative zxid, five vector counts
_INT64 = (-(2**63), 2**63 - 1)


def undelivered_events(exc: BaseException) -> list[Event]:
    """Events decoded before ``exc`` was raised by :meth:`ZkProtocol.receive_data`.

    They are real (requests answered, watches fired) and must be delivered
    before the connection is reset.  Empty for any other exception.
    """
    events = getattr(exc, "events", None)
    return list(events) if isinstance(events, list) else []


def _frame(header: RequestHeader, body: bytes) -> bytes:
    return INT.pack(8 + len(body)) + header.to_bytes() + body


class ZkProtocol:
    """The session state machine; see the module docstring for the life cycle.

    Attributes (read them, do not assign): ``session_id``, ``session_password``,
    ``negotiated_timeout_ms`` (0 before the first connect), ``last_zxid``,
    ``read_only_server``, ``chroot`` (``""`` for none), ``session_timeout_ms``.
    """

    def __init__(
        self,
        session_timeout_ms: int = 10000,
        chroot: str | None = None,
        read_only: bool = False,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
    ) -> None:
        if not isinstance(session_timeout_ms, int) or isinstance(session_timeout_ms, bool):
            raise InvalidTypeError("session_timeout_ms must be an int")
        if not 0 < session_timeout_ms <= 2**31 - 1:
            raise InvalidArgumentError(f"session_timeout_ms must be positive, got {session_timeout_ms}")
        self.session_timeout_ms = session_timeout_ms
        self.chroot = normalize_chroot(chroot)
        self.read_only = bool(read_only)
        self.session_id = 0
        self.session_password = EMPTY_PASSWORD
        self.negotiated_timeout_ms = 0
        self.last_zxid = 0
        self.read_only_server = False
        self._reader = FrameReader(max_frame_size)
        self._xids = XidCounter()
        self._pending = PendingTable()
        self._pending_queue = self._pending.queue  # the hot paths append/pop it directly
        self._max_frame_size = self._reader.max_frame_size
        self._watches = WatchRegistry()
        self._auth: list[tuple[str, bytes]] = []
        self._awaiting_connect = False
        self._broken = False

    # ------------------------------------------------------------ properties

    @property
    def max_frame_size(self) -> int:
        return self._reader.max_frame_size

    @property
    def pending_count(self) -> int:
        """Requests sent and not yet answered on the current connection."""
        return len(self._pending_queue)

    @property
    def awaiting_connect(self) -> bool:
        """True between :meth:`connect` and the ConnectResponse."""
        return self._awaiting_connect

    @property
    def last_xid(self) -> int:
        """The xid assigned most recently (0 before the first request)."""
        return self._xids.last

    @property
    def auth_data(self) -> list[tuple[str, bytes]]:
        """The ``(scheme, credential)`` pairs re-sent on every connection."""
        return list(self._auth)

    def watched_paths(self) -> WatchedPaths:
        """Snapshot of the registered watches (client paths) per kind."""
        return self._watches.paths()

    def watchers(self, kind: WatchKind, path: str) -> list[object]:
        """The watchers registered for ``path`` of a :class:`WatchKind`."""
        if not isinstance(kind, WatchKind):
            raise InvalidTypeError("kind must be a WatchKind")
        return self._watches.watchers(kind, path)

    # ------------------------------------------------------------ session

    def set_session(self, session_id: int, password: bytes) -> None:
        """Resume an existing session (kazoo's ``client_id``) on the next :meth:`connect`."""
        if not isinstance(session_id, int) or isinstance(session_id, bool):
            raise InvalidTypeError("session_id must be an int")
        if not _INT64[0] <= session_id <= _INT64[1]:
            raise InvalidArgumentError(f"session_id out of the 64-bit range: {session_id}")
        if not isinstance(password, (bytes, bytearray)):
            raise InvalidTypeError("session password must be bytes")
        self.session_id = session_id
        self.session_password = bytes(password)

    def reset_session(self) -> list[object]:
        """Forget the session (after expiry or close): id, password, negotiated timeout
        and every watch.  Auth credentials and ``last_zxid`` are kept (the next session
        must not go back in time).  Returns the watchers that were registered."""
        self.session_id = 0
        self.session_password = EMPTY_PASSWORD
        self.negotiated_timeout_ms = 0
        self.read_only_server = False
        return self._watches.clear()

    def remove_watchers(self, path: str, watcher_type: int, watcher: object = None) -> list[object]:
        """Remove local watch registrations on ``path`` (see :meth:`WatchRegistry.remove`)."""
        return self._watches.remove(path, watcher_type, watcher)

    # ------------------------------------------------------------ sending

    def connect(self) -> bytes:
        """Start a new connection: clear the frame buffer, return the framed ConnectRequest.

        The request carries the session id and password to resume (zero for a
        new session), ``last_zxid``, the requested timeout and the read-only flag.
        Requests still pending from an earlier connection must have been taken
        with :meth:`connection_lost` first.
        """
        self._reader.clear()
        self._broken = False
        self._awaiting_connect = True
        body = ConnectRequest(
            protocol_version=0,
            last_zxid_seen=self.last_zxid,
            timeout_ms=self.session_timeout_ms,
            session_id=self.session_id,
            password=self.session_password,
            read_only=self.read_only,
        ).to_bytes()
        return INT.pack(len(body)) + body

    def send(self, request: Request, context: object = None) -> bytes:
        """Assign an xid, queue ``Pending(xid, request, context)``, return the framed request.

        Raises (and queues nothing) for a request the server would reject:
        ``InvalidTypeError``/``InvalidArgumentError`` for bad fields or an
        unhashable watcher, ``DataTooLargeError`` when the frame exceeds
        ``max_frame_size``.

        It may run in one thread while :meth:`receive_data` runs in another (it
        only bumps the xid counter and appends one entry to the pending deque,
        whose head is all ``receive_data`` pops); calls to ``send`` itself must
        be serialised by the caller, in the order their frames are written.
        """
        if not isinstance(request, Request):
            raise InvalidTypeError(f"not a request: {type(request).__name__}")
        request.validate()
        if request.WATCHES:
            watcher = getattr(request, "watcher", None)
            if watcher is not None:
                try:
                    hash(watcher)
                except TypeError:
                    raise InvalidTypeError(f"a watcher must be hashable: {watcher!r}") from None
        xid = self._xids.next()
        try:
            frame = request.to_frame(xid, self.chroot)
        except (TypeError, AttributeError, struct.error) as exc:
            raise InvalidTypeError(f"cannot encode {type(request).__name__}: {exc}") from exc
        except (UnicodeEncodeError, OverflowError) as exc:
            raise InvalidArgumentError(f"cannot encode {type(request).__name__}: {exc}") from exc
        if len(frame) - 4 > self._max_frame_size:
            raise DataTooLargeError(
                f"{type(request).__name__} is {len(frame) - 4} bytes, over the {self.max_frame_size} limit")
        self._pending_queue.append(Pending(xid, request, context))
        return frame

    def ping(self) -> bytes:
        """A framed ping (xid -2); its answer is a :class:`PingReply`, no pending entry."""
        return _PING_FRAME

    def add_auth(self, scheme: str, credential: str | bytes) -> bytes:
        """Remember ``(scheme, credential)`` for every future connection; return its
        framed auth packet (xid -4) to send now.  The answer is an :class:`AuthReply`."""
        if not isinstance(scheme, str) or not scheme:
            raise InvalidArgumentError("auth scheme must be a non-empty str")
        if isinstance(credential, str):
            credential = credential.encode("utf-8")
        elif not isinstance(credential, (bytes, bytearray)):
            raise InvalidTypeError(f"auth credential must be str or bytes, not {type(credential).__name__}")
        entry = (scheme, bytes(credential))
        if entry not in self._auth:
            self._auth.append(entry)
        return self._auth_frame(*entry)

    @staticmethod
    def _auth_frame(scheme: str, credential: bytes) -> bytes:
        return _frame(RequestHeader(Xid.AUTH, OpCode.AUTH), AuthPacket(0, scheme, credential).to_bytes())

    def priming(self) -> bytes:
        """What to send right after :class:`Connected`: every remembered auth packet,
        then the registered watches in SetWatches2 packets (SetWatches when no
        persistent watch exists) of at most :data:`SET_WATCHES_MAX_BYTES` each,
        all carrying ``last_zxid`` so that changes missed while disconnected fire."""
        out = bytearray()
        for scheme, credential in self._auth:
            out += self._auth_frame(scheme, credential)
        for packet in self.set_watches_packets():
            out += packet
        return bytes(out)

    def set_watches_packets(self) -> list[bytes]:
        """The framed SetWatches/SetWatches2 batches (server paths) for the registered watches."""
        watched = self._watches.paths()
        if not watched:
            return []
        use_v2 = bool(watched.persistent or watched.persistent_recursive)
        kinds = [watched.data, watched.exist, watched.child]
        if use_v2:
            kinds += [watched.persistent, watched.persistent_recursive]
        fixed = _SET_WATCHES_FIXED if use_v2 else _SET_WATCHES_FIXED - 8
        packets: list[bytes] = []
        batch: list[list[str]] = [[] for _ in kinds]
        size = fixed
        empty = True
        for index, paths in enumerate(kinds):
            for path in paths:
                server_path = add_chroot(self.chroot, path)
                cost = 4 + len(server_path.encode("utf-8"))
                if not empty and size + cost > SET_WATCHES_MAX_BYTES:
                    packets.append(self._set_watches_frame(use_v2, batch))
                    batch = [[] for _ in kinds]
                    size = fixed
                batch[index].append(server_path)
                size += cost
                empty = False
        packets.append(self._set_watches_frame(use_v2, batch))
        return packets

    def _set_watches_frame(self, use_v2: bool, batch: list[list[str]]) -> bytes:
        if use_v2:
            body = SetWatches2(self.last_zxid, *batch).to_bytes()
            return _frame(RequestHeader(Xid.SET_WATCHES, OpCode.SET_WATCHES2), body)
        body = SetWatches(self.last_zxid, *batch).to_bytes()
        return _frame(RequestHeader(Xid.SET_WATCHES, OpCode.SET_WATCHES), body)

    # ------------------------------------------------------------ receiving

    def connection_lost(self) -> list[Pending]:
        """The connection is gone: return every unanswered request (send order) and
        forget them and any partial frame.  The caller fails each one (ConnectionLoss)."""
        self._reader.clear()
        self._awaiting_connect = False
        self._broken = False
        return self._pending.drain()

    def receive_data(self, data: bytes | bytearray | memoryview) -> list[Event]:
        """Feed received bytes; return the events of every frame they complete, in order.

        Raises the ``ProtocolError`` family for a bad frame length
        (``FrameTooLargeError``), an undecodable record (``MalformedFrameError``)
        or a reply that is not for the oldest pending request
        (``UnexpectedReplyError``).  The events decoded before the bad frame are
        attached to the exception (:func:`undelivered_events`); the unanswered
        requests stay pending for :meth:`connection_lost`.  Until then, further
        calls raise ``ProtocolError``.
        """
        if self._broken:
            raise ProtocolError("the stream is broken by an earlier protocol error; reset the connection")
        frames, framing_error = self._reader.feed(data)
        events: list[Event] = []
        try:
            for frame in frames:
                self._handle_frame(frame, events)
            if framing_error is not None:
                raise framing_error
        except ProtocolError as exc:
            self._fail(exc, events)
            raise
        except (struct.error, ValueError, IndexError, KeyError) as exc:
            error = MalformedFrameError(f"cannot decode frame: {exc}")
            self._fail(error, events)
            raise error from exc
        return events

    def _fail(self, exc: ProtocolError, events: list[Event]) -> None:
        self._broken = True
        self._reader.clear()
        exc.events = events  # type: ignore[attr-defined]

    def _handle_frame(self, frame: memoryview, events: list[Event]) -> None:
        if self._awaiting_connect:
            self._handle_connect_response(frame, events)
            return
        xid, zxid, err = REPLY_HEADER.unpack_from(frame, 0)
        if xid > 0:
            pending = self._pending.pop_matching(xid)
            request = pending.request
            if err == 0:
                try:
                    result = request.read_result(frame, 16, self.chroot)
                except BaseException:
                    self._pending.push_front(pending)  # stays pending for connection_lost()
                    raise
            else:
                result = None
            if zxid > 0:
                self.last_zxid = zxid
            if request.WATCHES and getattr(request, "watcher", None) is not None:
                request.register_watch(err, self._watches)
            events.append(Reply(pending, zxid, err, result))
        elif xid == Xid.NOTIFICATION:
            events.append(self._notification(frame))
        elif xid == Xid.PING:
            events.append(PingReply())
        elif xid == Xid.AUTH:
            events.append(AuthReply(err))
        elif xid == Xid.SET_WATCHES:
            events.append(SetWatchesReply(err))
        else:
            raise UnexpectedReplyError(f"reply with reserved or unknown xid {xid}")

    def _notification(self, frame: memoryview) -> Notification:
        record, _ = WatcherEvent.read(frame, 16)
        event_type = EVENT_TYPES.get(record.type)
        if event_type is None:
            raise MalformedFrameError(f"notification with unknown event type {record.type}")
        state = KEEPER_STATES.get(record.state)
        if state is None:
            raise MalformedFrameError(f"notification with unknown keeper state {record.state}")
        path = strip_chroot(self.chroot, record.path)
        return Notification(event_type, state, path, self._watches.route(event_type, path))

    def _handle_connect_response(self, frame: memoryview, events: list[Event]) -> None:
        if len(frame) == REPLY_HEADER.size:
            # Shorter than any ConnectResponse (>= 20 bytes): a bare ReplyHeader, the
            # server's refusal (a 3.8 read-only server without local sessions says
            # NOTREADONLY to a new session).
            _xid, _zxid, err = REPLY_HEADER.unpack_from(frame, 0)
            if err != 0:
                raise ConnectRefusedError(
                    f"the server refused the session with error {err}", code=err)
        response, _ = ConnectResponse.read(frame, 0)
        self._awaiting_connect = False
        if response.timeout_ms <= 0:
            self.session_id = 0
            self.session_password = EMPTY_PASSWORD
            self.negotiated_timeout_ms = 0
            events.append(SessionExpired())
            return
        same = self.session_id != 0 and response.session_id == self.session_id
        self.session_id = response.session_id
        self.session_password = response.password
        self.negotiated_timeout_ms = response.timeout_ms
        self.read_only_server = response.read_only
        events.append(Connected(
            session_id=response.session_id,
            timeout_ms=response.timeout_ms,
            password=response.password,
            read_only=response.read_only,
            same_session=same,
        ))
