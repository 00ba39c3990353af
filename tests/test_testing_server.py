"""ZooKeeperServer's start/failure paths with a fake ``java`` (no JVM needed)."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from zkrecipes.exceptions import (
    InvalidArgumentError,
    JavaNotFoundError,
    PortInUseError,
    ServerStartError,
)
from zkrecipes.testing.install import ZooKeeperInstall
from zkrecipes.testing.server import ZooKeeperServer

FAKE_INSTALL = ZooKeeperInstall("home", Path("/nonexistent"), ())


def _script(path: Path, body: str) -> str:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie would still answer; the harness reaps, so a live pid means running
    return True


def test_server_dying_on_start_gives_log_lines(tmp_path: Path) -> None:
    java = _script(tmp_path / "java", 'echo "ERROR Invalid config, exiting abnormally: bogus=line"\nexit 2\n')
    server = ZooKeeperServer(java=java, install=FAKE_INSTALL)
    with pytest.raises(ServerStartError) as info:
        server.start(timeout=30)
    message = str(info.value)
    assert "exited with code 2" in message
    assert "Invalid config, exiting abnormally: bogus=line" in message
    assert not server.running
    assert server.work_dir is None  # cleaned up (keep_dir is off)


def test_server_never_serving_times_out_and_is_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    java = _script(tmp_path / "java", f'echo $$ > {pid_file}\necho "starting forever"\nexec sleep 600\n')
    server = ZooKeeperServer(java=java, install=FAKE_INSTALL, keep_dir=True, base_dir=tmp_path / "kept")
    with pytest.raises(ServerStartError) as info:
        server.start(timeout=3.0)
    assert "not serving within 3.0s" in str(info.value)
    assert "starting forever" in str(info.value)
    assert server.log_path is not None and str(server.log_path) in str(info.value)
    assert not _alive(int(pid_file.read_text()))
    assert server.work_dir is not None and server.work_dir.is_dir()  # kept on request
    server.stop()
    assert server.work_dir is not None  # keep_dir also survives stop()
    assert server.work_dir.parent == tmp_path / "kept"


def test_bind_race_is_retried_with_new_ports(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    body = f'echo x >> {calls}\necho "java.net.BindException: Address already in use"\nexit 1\n'
    java = _script(tmp_path / "java", body)
    server = ZooKeeperServer(java=java, install=FAKE_INSTALL)
    first_port = server.port
    with pytest.raises(ServerStartError, match="Address already in use"):
        server.start(timeout=30)
    assert len(calls.read_text().splitlines()) == 3
    assert server.port != first_port


def test_explicit_port_in_use_is_refused_before_launch() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        with pytest.raises(PortInUseError, match=str(port)):
            ZooKeeperServer(port=port, install=FAKE_INSTALL, java="/bin/false")


def test_no_java_raises_before_anything_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    server = ZooKeeperServer(install=FAKE_INSTALL)
    with pytest.raises(JavaNotFoundError):
        server.start(timeout=5)
    assert server.work_dir is None


def test_hosts_use_loopback_and_a_picked_port() -> None:
    server = ZooKeeperServer(install=FAKE_INSTALL, java="/bin/false")
    assert server.hosts == f"127.0.0.1:{server.port}"
    assert server.port != 2181
    assert server.tls_hosts is None
    assert server.log_tail() == ""


def test_bad_four_letter_word_is_refused() -> None:
    server = ZooKeeperServer(install=FAKE_INSTALL, java="/bin/false")
    with pytest.raises(InvalidArgumentError):
        server.four_letter("RUOK!")


def test_missing_tls_keystore_is_refused(tmp_path: Path) -> None:
    from zkrecipes.testing.config import TlsOptions

    with pytest.raises(InvalidArgumentError, match="keystore"):
        tls = TlsOptions(str(tmp_path / "none.p12"), "pw")
        ZooKeeperServer(tls=tls, install=FAKE_INSTALL, java="/bin/false")
