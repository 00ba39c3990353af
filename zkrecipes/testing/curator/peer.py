"""A long-lived Curator JVM driven over stdin/stdout: :class:`CuratorPeer`.

One JVM serves a whole test session. :meth:`CuratorPeer.connect` opens a fresh
``CuratorFramework`` (closing the previous one and every recipe it held), so
each test gets its own Curator session, in its own chroot, without paying for
a JVM start. Requests are sent with a sequence number and answered in any
order (:mod:`.framing`); :meth:`CuratorPeer.submit` returns a
:class:`PeerCall` to wait on later (a Curator acquire that blocks while Python
holds the lock), :meth:`CuratorPeer.request` waits at once.

Guarantees: every wait has a timeout (:class:`PeerProtocolError` when the peer
stays silent, dies or writes garbage; every pending call fails then too);
:meth:`close` asks the JVM to quit, then terminates and finally kills it, and
joins the reader threads, so no process or thread outlives the peer.
"""

from __future__ import annotations

import subprocess
import threading
from collections import deque
from typing import IO, Any

from zkrecipes.testing.curator.build import MAIN_CLASS, build_peer
from zkrecipes.testing.curator.framing import PeerProtocolError, Reply, decode_reply, encode_request

__all__ = ["DEFAULT_TIMEOUT", "CuratorPeer", "PeerCall"]

#: Seconds a request waits for its reply unless told otherwise (the machine may be loaded).
DEFAULT_TIMEOUT = 30.0


class PeerCall:
    """A request sent to the peer; :meth:`result` waits for its reply."""

    def __init__(self, op: str, timeout: float) -> None:
        self.op = op
        self.timeout = timeout
        self._done = threading.Event()
        self._reply: Reply | None = None
        self._failure: BaseException | None = None

    def _set(self, reply: Reply) -> None:
        self._reply = reply
        self._done.set()

    def _fail(self, failure: BaseException) -> None:
        if not self._done.is_set():
            self._failure = failure
            self._done.set()

    def done(self) -> bool:
        """True once the reply (or a failure) is in."""
        return self._done.is_set()

    def result(self, timeout: float | None = None) -> dict[str, Any]:
        """The reply's fields; :class:`PeerError` if the peer reported a failure.

        ``timeout`` defaults to the one given at submission;
        :class:`PeerProtocolError` when no reply came in time.
        """
        wait = self.timeout if timeout is None else timeout
        if not self._done.wait(wait):
            raise PeerProtocolError(f"Curator peer: no reply to {self.op} within {wait:.1f} s")
        if self._failure is not None:
            raise self._failure
        assert self._reply is not None
        if not self._reply.ok:
            raise self._reply.error(self.op)
        return self._reply.fields


class CuratorPeer:
    """The Curator JVM (see the module docstring). Start with :meth:`start`, end with :meth:`close`."""

    def __init__(self, *, java: str = "java", jar_dir: str | None = None,
                 start_timeout: float = 60.0) -> None:
        self._java = java
        self._jar_dir = jar_dir
        self._start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._seq = 0
        self._calls: dict[int, PeerCall] = {}
        self._ready = PeerCall("start", start_timeout)
        self._stderr: deque[str] = deque(maxlen=200)
        self._threads: list[threading.Thread] = []
        self._dead: BaseException | None = None

    # ------------------------------------------------------------ life cycle

    def start(self) -> CuratorPeer:
        """Compile if needed, launch the JVM and wait for its greeting; return self."""
        classes, jars = build_peer(self._jar_dir)
        command = [self._java, "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                   "-cp", f"{classes}:{jars}", MAIN_CLASS]
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE)
        assert self._process.stdout is not None and self._process.stderr is not None
        self._threads = [
            threading.Thread(target=self._read_replies, args=(self._process.stdout,),
                             name="curator-peer-out", daemon=True),
            threading.Thread(target=self._read_stderr, args=(self._process.stderr,),
                             name="curator-peer-err", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        try:
            self._ready.result()
        except BaseException:
            self.close()
            raise
        return self

    def close(self, timeout: float = 10.0) -> None:
        """Ask the JVM to quit; terminate, then kill it if it does not; join the readers."""
        process = self._process
        if process is None:
            return
        try:
            if process.poll() is None and process.stdin is not None:
                try:
                    process.stdin.write(b'{"seq":1,"op":"quit"}\n')
                    process.stdin.flush()
                    process.stdin.close()
                except (BrokenPipeError, OSError, ValueError):
                    pass
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.terminate()
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout)
        finally:
            for thread in self._threads:
                thread.join(timeout)
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()
            self._fail_all(PeerProtocolError("Curator peer closed"))

    def __enter__(self) -> CuratorPeer:
        return self.start() if self._process is None else self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def stderr_tail(self) -> str:
        """The last lines the JVM wrote to stderr (for failure messages)."""
        return "\n".join(self._stderr)

    # ------------------------------------------------------------ requests

    def submit(self, op: str, timeout: float = DEFAULT_TIMEOUT, **arguments: Any) -> PeerCall:
        """Send one request; return its :class:`PeerCall` (wait with ``result()``)."""
        process = self._process
        if process is None or process.stdin is None:
            raise PeerProtocolError("Curator peer not started")
        call = PeerCall(op, timeout)
        with self._lock:
            if self._dead is not None:
                raise PeerProtocolError(f"Curator peer is gone: {self._dead}")
            self._seq += 1
            seq = self._seq
            self._calls[seq] = call
            line = encode_request(seq, op, arguments)
            try:
                process.stdin.write(line)
                process.stdin.flush()
            except (BrokenPipeError, OSError, ValueError) as exc:
                del self._calls[seq]
                raise PeerProtocolError(f"Curator peer: cannot send {op}: {exc!r}") from exc
        return call

    def request(self, op: str, timeout: float = DEFAULT_TIMEOUT, **arguments: Any) -> dict[str, Any]:
        """Send one request and wait for its reply fields."""
        return self.submit(op, timeout, **arguments).result()

    # ------------------------------------------------------------ readers

    def _read_replies(self, stream: IO[bytes]) -> None:
        try:
            for line in stream:
                if not line.strip():
                    continue
                reply = decode_reply(line)
                if reply.seq == 0:
                    self._ready._set(reply)
                    continue
                with self._lock:
                    call = self._calls.pop(reply.seq, None)
                if call is not None:
                    call._set(reply)
            self._fail_all(PeerProtocolError(f"Curator peer exited; stderr:\n{self.stderr_tail}"))
        except (PeerProtocolError, OSError, ValueError) as exc:
            self._fail_all(exc if isinstance(exc, PeerProtocolError) else PeerProtocolError(repr(exc)))

    def _read_stderr(self, stream: IO[bytes]) -> None:
        try:
            for line in stream:
                self._stderr.append(line.decode("utf-8", "replace").rstrip())
        except (OSError, ValueError):
            pass

    def _fail_all(self, failure: BaseException) -> None:
        with self._lock:
            if self._dead is None:
                self._dead = failure
            calls, self._calls = list(self._calls.values()), {}
        self._ready._fail(failure)
        for call in calls:
            call._fail(failure)
