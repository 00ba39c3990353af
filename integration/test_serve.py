"""``python -m zkrecipes.testing serve`` as a subprocess: its printed strings serve; SIGINT stops it cleanly.

One server (with ``--tls`` where keytool exists: both ports are checked) keeps
this within its share of CI time; SIGTERM takes the same path as SIGINT.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from zkrecipes import ZkClient

ROOT = Path(__file__).resolve().parents[1]
WAIT = 90.0  # a JVM start on a loaded 2-core machine


class Serve:
    """The serve command in the background; its stdout lines collected by a reader thread."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        env.pop("ZK_HOSTS", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "zkrecipes.testing", "serve", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.lines: list[str] = []
        self._ready = threading.Condition()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for raw in iter(self.proc.stdout.readline, b""):
            with self._ready:
                self.lines.append(raw.decode().rstrip("\n"))
                self._ready.notify_all()
        with self._ready:
            self.lines.append("<eof>")
            self._ready.notify_all()

    def line(self, index: int) -> str:
        """Stdout line ``index`` (waits for it, bounded)."""
        with self._ready:
            if not self._ready.wait_for(lambda: len(self.lines) > index or "<eof>" in self.lines, WAIT):
                raise AssertionError(f"no stdout line {index} within {WAIT:.0f} s")
        assert len(self.lines) > index and self.lines[index] != "<eof>", self.lines
        return self.lines[index]

    def stop(self, signum: int) -> tuple[int, str]:
        """Send ``signum``; the exit status and stderr (bounded)."""
        self.proc.send_signal(signum)
        _, err = self.proc.communicate(timeout=WAIT)
        return self.proc.returncode, err.decode(errors="replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=WAIT)


@pytest.fixture
def serve() -> Iterator[type[Serve]]:
    made: list[Serve] = []

    class Tracked(Serve):
        def __init__(self, *args: str) -> None:
            super().__init__(*args)
            made.append(self)

    yield Tracked
    for one in made:
        one.kill()


def _port_closed(hostport: str) -> bool:
    host, port = hostport.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=2.0):
            return False
    except OSError:
        return True


def _roundtrip(client: ZkClient) -> None:
    client.start(timeout=30)
    try:
        client.ensure_path("/serve-check")
        client.set("/serve-check", b"ok")
        assert client.get("/serve-check")[0] == b"ok"
    finally:
        client.stop()
        client.close()


def test_serve_prints_connect_strings_that_serve_and_sigint_stops_it(serve: type[Serve]) -> None:
    tls = shutil.which("keytool") is not None
    server = serve(*(["--tls"] if tls else []))
    hosts = server.line(0)
    assert hosts.startswith("127.0.0.1:") and hosts.split(":")[1].isdigit()
    _roundtrip(ZkClient(hosts))
    closed = [hosts]
    if tls:
        tls_word, tls_hosts = server.line(1).split(" ", 1)
        ca_word, ca = server.line(2).split(" ", 1)
        assert (tls_word, ca_word) == ("tls", "ca") and Path(ca).is_file()
        _roundtrip(ZkClient(tls_hosts, use_ssl=True, ca=ca, verify_certs=True, check_hostname=True))
        closed.append(tls_hosts)
    code, err = server.stop(signal.SIGINT)
    assert code == 0, err
    assert "Traceback" not in err and "stopping" in err
    assert all(_port_closed(h) for h in closed)
    if tls:
        assert not Path(ca).exists()  # the throw-away key material is removed
