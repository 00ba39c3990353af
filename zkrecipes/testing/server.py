"""A local ZooKeeper server (standalone or ensemble member) for tests."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

import zkrecipes.testing.config as cfg
import zkrecipes.testing.ports as ports
import zkrecipes.testing.process as process
from zkrecipes.exceptions import HarnessError, InvalidArgumentError, ServerStartError
from zkrecipes.testing.fourletter import four_letter, parse_mode
from zkrecipes.testing.install import ZooKeeperInstall, find_install, find_java

LOG_TAIL_LINES = 40
_BIND_RETRIES = 3
_POLL = 0.1


class ZooKeeperServer:
    """A ZooKeeper server process on loopback, with its config, data and log in a temp dir.

    Ports are picked free (never 2181) unless given. ``start()`` returns only when
    the server serves (``ruok`` → ``imok`` and ``srvr`` has a ``Mode:`` line) or
    raises :class:`ServerStartError` carrying the tail of the server log.
    ``stop()`` removes the temp dir unless ``keep_dir``; ``kill()`` and
    ``restart()`` keep ports and data. Usable as a context manager.
    """

    def __init__(
        self,
        *,
        port: int | None = None,
        tls: cfg.TlsOptions | None = None,
        read_only: bool = False,
        extended_types: bool = True,
        force_sync: bool = False,
        heap: str = "256m",
        netty: bool = False,
        tick_time: int = 2000,
        super_password: str | None = None,
        extra_config: Iterable[str] = (),
        extra_jvm_flags: Iterable[str] = (),
        container_check_interval_ms: int | None = 1000,
        keep_dir: bool = False,
        base_dir: str | Path | None = None,
        install: ZooKeeperInstall | None = None,
        java: str | None = None,
        settings: cfg.ServerSettings | None = None,
        quorum: cfg.QuorumSpec | None = None,
    ) -> None:
        self.settings = settings or cfg.ServerSettings(
            tick_time=tick_time, heap=heap, extended_types=extended_types, force_sync=force_sync,
            read_only=read_only, netty=netty, tls=tls,
            container_check_interval_ms=container_check_interval_ms,
            super_password=super_password, extra_config=tuple(extra_config),
            extra_jvm_flags=tuple(extra_jvm_flags),
        )
        _check_tls_files(self.settings.tls)
        self.keep_dir = keep_dir
        self.quorum = quorum
        self._base_dir = Path(base_dir) if base_dir is not None else None
        self._install = install
        self._java = java
        if quorum is not None:
            me = next((m for m in quorum.members if m.myid == quorum.myid), None)
            if me is None:
                raise HarnessError(f"myid {quorum.myid} is not among the quorum members")
            port = me.client_port
        requested = [p for p in (port, tls.port if tls else None) if p is not None]
        ports.ensure_free(requested)
        self._ports_fixed = port is not None
        self._client_port = port if port is not None else ports.pick_free_port()
        self._tls_fixed = tls is not None and tls.port is not None
        self._tls_port: int | None = None
        if tls is not None:
            self._tls_port = tls.port if tls.port is not None else ports.pick_free_port()
        self._work_dir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    # ------------------------------------------------------------ properties

    @property
    def port(self) -> int:
        """The plain client port."""
        return self._client_port

    @property
    def tls_port(self) -> int | None:
        """The TLS client port, when TLS was configured."""
        return self._tls_port

    @property
    def hosts(self) -> str:
        """Connect string of the plain port: ``"127.0.0.1:<port>"``."""
        return f"127.0.0.1:{self._client_port}"

    @property
    def tls_hosts(self) -> str | None:
        """Connect string of the TLS port, or None without TLS."""
        return None if self._tls_port is None else f"127.0.0.1:{self._tls_port}"

    @property
    def running(self) -> bool:
        """True while the server process is alive (serving or not)."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def work_dir(self) -> Path | None:
        """The temp dir with conf/, data/ and zookeeper.log (None before start / after cleanup)."""
        return self._work_dir

    @property
    def log_path(self) -> Path | None:
        return None if self._work_dir is None else self._layout().log_path

    # ------------------------------------------------------------ lifecycle

    def start(self, timeout: float = 60.0, *, wait: bool = True) -> ZooKeeperServer:
        """Launch the server; with ``wait`` return only once it serves (bounded by ``timeout``).

        Idempotent while running. Raises JavaNotFoundError, ZooKeeperNotInstalledError,
        PortInUseError or ServerStartError (with the log tail); a failed start leaves
        no process behind. Auto-picked ports are re-picked if another process grabbed
        one between picking and binding.
        """
        if self.running:
            return self
        for attempt in range(_BIND_RETRIES):
            fresh = self._work_dir is None
            self._launch()
            if not wait:
                return self
            try:
                self.wait_serving(timeout)
                return self
            except ServerStartError:
                self._kill_process()
                retry = (fresh and attempt + 1 < _BIND_RETRIES and self._bind_failed()
                         and self.quorum is None and not self._ports_fixed and not self._tls_fixed)
                if not retry:
                    self._cleanup_dir()
                    raise
                self._cleanup_dir(force=True)
                self._client_port = ports.pick_free_port()
                if self._tls_port is not None:
                    self._tls_port = ports.pick_free_port()
        raise AssertionError("unreachable")  # pragma: no cover

    def wait_serving(self, timeout: float = 60.0) -> None:
        """Block until ``ruok`` → ``imok`` and ``srvr`` shows a ``Mode:`` line.

        Raises ServerStartError (with the log tail) when the process exits first or
        ``timeout`` seconds pass. Does not kill the process.
        """
        deadline = time.monotonic() + timeout
        last = "no answer"
        while True:
            proc = self._proc
            if proc is None:
                raise ServerStartError("server was never started")
            code = proc.poll()
            if code is not None:
                raise self._start_error(f"ZooKeeper exited with code {code} while starting")
            try:
                answer = self.four_letter("ruok", timeout=2.0)
                if answer.strip() == "imok":
                    srvr = self.four_letter("srvr", timeout=2.0)
                    if parse_mode(srvr) is not None:
                        return
                    last = srvr.strip() or "empty srvr answer"
                else:
                    last = f"ruok answered {answer!r}"
            except OSError as exc:
                last = f"{type(exc).__name__}: {exc}"
            if time.monotonic() >= deadline:
                raise self._start_error(f"ZooKeeper on {self.hosts} not serving within {timeout}s ({last})")
            time.sleep(_POLL)

    def stop(self, timeout: float = 10.0, *, cleanup: bool = True) -> None:
        """SIGTERM, then SIGKILL after ``timeout`` s; remove the temp dir if ``cleanup``
        and not ``keep_dir``. Safe to call twice or before start."""
        if self._proc is not None:
            process.terminate(self._proc, timeout)
            self._proc = None
        if cleanup:
            self._cleanup_dir()

    def kill(self) -> None:
        """SIGKILL the server now (a crash); ports and data dir are kept for ``start``/``restart``."""
        self._kill_process()

    def restart(self, timeout: float = 60.0) -> ZooKeeperServer:
        """Stop (keeping data) and start again on the same ports and data dir; waits until serving."""
        self.stop(cleanup=False)
        return self.start(timeout)

    def close(self) -> None:
        """Stop and remove the temp dir (unless ``keep_dir``)."""
        self.stop()

    def __enter__(self) -> ZooKeeperServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # ------------------------------------------------------------ inspection

    def four_letter(self, cmd: str, timeout: float = 5.0) -> str:
        """Send a four-letter word to the plain port; raises OSError when not answered."""
        return four_letter("127.0.0.1", self._client_port, cmd, timeout)

    def mode(self, timeout: float = 5.0) -> str | None:
        """The ``Mode:`` of ``srvr`` (``standalone``/``leader``/``follower``…), None when not serving."""
        try:
            return parse_mode(self.four_letter("srvr", timeout))
        except OSError:
            return None

    def log_tail(self, n: int = LOG_TAIL_LINES) -> str:
        """The last ``n`` lines of the server log ("" before the first start)."""
        path = self.log_path
        return "" if path is None else process.read_tail(path, n)

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<ZooKeeperServer {self.hosts} {state} dir={self._work_dir}>"

    # ------------------------------------------------------------ internals

    def _layout(self) -> cfg.ServerLayout:
        assert self._work_dir is not None
        return cfg.ServerLayout(self._work_dir, self._client_port, self._tls_port, self.quorum)

    def _launch(self) -> None:
        install = self._install or find_install()
        java = self._java or find_java()
        if self._work_dir is None:
            self._prepare_dir()
        layout = self._layout()
        command = cfg.java_command(java, install.classpath_for(netty=self.settings.uses_netty),
                                   self.settings, layout)
        self._proc = process.launch(command, layout.log_path, layout.work_dir)

    def _prepare_dir(self) -> None:
        if self._base_dir is not None:
            self._base_dir.mkdir(parents=True, exist_ok=True)
        self._work_dir = Path(tempfile.mkdtemp(prefix="zk-", dir=self._base_dir))
        layout = self._layout()
        layout.conf_dir.mkdir()
        layout.data_dir.mkdir()
        files = {**cfg.render_config(self.settings, layout), **cfg.logging_files(layout)}
        for path, text in files.items():
            path.write_text(text)
        if self.quorum is not None:
            (layout.data_dir / "myid").write_text(f"{self.quorum.myid}\n")

    def _kill_process(self) -> None:
        if self._proc is not None:
            process.kill(self._proc)
            self._proc = None

    def _cleanup_dir(self, *, force: bool = False) -> None:
        if self._work_dir is not None and (force or not self.keep_dir):
            shutil.rmtree(self._work_dir, ignore_errors=True)
            self._work_dir = None

    def _bind_failed(self) -> bool:
        return "Address already in use" in self.log_tail(200)

    def _start_error(self, summary: str) -> ServerStartError:
        where = f" ({self.log_path})" if self.keep_dir else ""
        tail = self.log_tail(LOG_TAIL_LINES) or "(log is empty)"
        return ServerStartError(f"{summary}\n--- last lines of the server log{where} ---\n{tail}")


def _check_tls_files(tls: cfg.TlsOptions | None) -> None:
    """Refuse TLS key material that does not exist (the server would only fail at handshake)."""
    if tls is None:
        return
    for label, path in (("keystore", tls.keystore), ("truststore", tls.truststore)):
        if path is not None and not Path(path).is_file():
            raise InvalidArgumentError(f"TLS {label} {path!r} is not a file")
