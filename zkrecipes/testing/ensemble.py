"""A loopback ZooKeeper ensemble (quorum) for failover tests."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

import zkrecipes.testing.config as cfg
import zkrecipes.testing.ports as ports
from zkrecipes.exceptions import InvalidArgumentError, ServerStartError
from zkrecipes.testing.install import ZooKeeperInstall, find_install, find_java
from zkrecipes.testing.quorum import QuorumView
from zkrecipes.testing.server import ZooKeeperServer

_START_ATTEMPTS = 2


class ZooKeeperEnsemble:
    """``size`` ZooKeeper servers on loopback forming one quorum.

    Members are addressed by index ``0 .. size-1`` (``myid`` is index+1); client
    ports are ``base .. base+size-1``, quorum/election ports are other free ports.
    ``start()`` returns once every member serves and one leader is elected.
    With ``reconfig_enabled`` the members run with ``reconfigEnabled=true``,
    ``standaloneEnabled=false`` and a dynamic config file; reconfig needs the super
    user (pass ``super_password`` and authenticate with ``super_auth``).
    """

    def __init__(
        self,
        size: int = 3,
        *,
        reconfig_enabled: bool = False,
        read_only: bool = False,
        heap: str = "256m",
        force_sync: bool = False,
        netty: bool = False,
        tick_time: int = 2000,
        super_password: str | None = None,
        extra_config: Iterable[str] = (),
        extra_jvm_flags: Iterable[str] = (),
        keep_dir: bool = False,
        install: ZooKeeperInstall | None = None,
        java: str | None = None,
    ) -> None:
        if not isinstance(size, int) or size < 1:
            raise InvalidArgumentError(f"ensemble size must be a positive int, got {size!r}")
        self.size = size
        self.reconfig_enabled = reconfig_enabled
        self.keep_dir = keep_dir
        self.super_password = super_password
        self.settings = cfg.ServerSettings(
            tick_time=tick_time, heap=heap, force_sync=force_sync, read_only=read_only, netty=netty,
            super_password=super_password, extra_config=tuple(extra_config),
            extra_jvm_flags=tuple(extra_jvm_flags),
        )
        self._install = install
        self._java = java
        self._root: Path | None = None
        self.members: list[ZooKeeperServer] = []
        self._quorum: QuorumView[ZooKeeperServer] = QuorumView(lambda: self.members, size, reported=_has_log)

    # ------------------------------------------------------------ lifecycle

    def start(self, timeout: float = 90.0) -> ZooKeeperEnsemble:
        """Launch every member and wait until all serve and a leader is elected.

        On failure every member is stopped and ServerStartError (with each failing
        member's log tail) is raised. Idempotent when already started.
        """
        if self.members and all(m.running for m in self.members):
            return self
        install = self._install or find_install()
        java = self._java or find_java()
        for attempt in range(_START_ATTEMPTS):
            self._build_members(install, java)
            for member in self.members:
                member.start(wait=False)
            try:
                self._quorum.wait_quorum(range(self.size), timeout)
                return self
            except ServerStartError:
                bind_race = any("Address already in use" in m.log_tail(200) for m in self.members)
                self.stop()
                if not bind_race or attempt + 1 == _START_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every member and remove the temp dirs (unless ``keep_dir``)."""
        for member in self.members:
            member.stop(timeout, cleanup=not self.keep_dir)
        if self._root is not None and not self.keep_dir:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    close = stop

    def __enter__(self) -> ZooKeeperEnsemble:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # ------------------------------------------------------------ one member

    def member(self, index: int) -> ZooKeeperServer:
        """The member at ``index`` (raises InvalidArgumentError for a bad index)."""
        return self._quorum.member(index)

    def stop_member(self, index: int, timeout: float = 10.0) -> None:
        """Gracefully stop one member, keeping its data for ``start_member``/``restart_member``."""
        self.member(index).stop(timeout, cleanup=False)

    def kill_member(self, index: int) -> None:
        """SIGKILL one member (a crash); its data and ports are kept."""
        self.member(index).kill()

    def start_member(self, index: int, timeout: float = 60.0) -> None:
        """Start a stopped member again and wait until it serves (it has rejoined the quorum)."""
        member = self.member(index)
        member.start(wait=False)
        self._quorum.wait_quorum([index], timeout, need_leader=False)

    def restart_member(self, index: int, timeout: float = 60.0) -> None:
        """Stop (if running) and start one member on the same ports and data; waits until it serves."""
        self.stop_member(index)
        self.start_member(index, timeout)

    def ensure_running(self, timeout: float = 90.0) -> None:
        """Start every member that is not running and wait for a serving quorum with a leader."""
        stopped = [i for i, m in enumerate(self.members) if not m.running]
        for index in stopped:
            self.members[index].start(wait=False)
        self._quorum.wait_quorum(range(self.size), timeout)

    def wait_serving(self, indices: Iterable[int] | None = None, timeout: float = 60.0) -> None:
        """Block until the given members (default: every running one) serve with a Mode line.

        A follower that just lost its leader answers ``srvr`` without a Mode until it
        has synced with the new one; this waits that out. Raises ServerStartError.
        """
        self._quorum.wait_serving(indices, timeout)

    # ------------------------------------------------------------ roles

    def mode(self, index: int, timeout: float = 5.0) -> str | None:
        """The ``Mode:`` of member ``index`` (None when down or not serving)."""
        return self._quorum.mode(index, timeout)

    def modes(self) -> list[str | None]:
        """Every member's mode, by index."""
        return self._quorum.modes()

    def leader(self) -> int | None:
        """Index of the member that says it is leader, or None when there is none now."""
        return self._quorum.leader()

    def followers(self) -> list[int]:
        """Indices of the members that say they are followers."""
        return self._quorum.followers()

    def wait_for_leader(self, timeout: float = 60.0, exclude: Iterable[int] = ()) -> int:
        """Block until a member not in ``exclude`` is leader; return its index.

        Raises ServerStartError (with running members' log tails) after ``timeout`` s.
        """
        return self._quorum.wait_for_leader(timeout, exclude)

    # ------------------------------------------------------------ addresses

    @property
    def hosts(self) -> str:
        """Connect string of every member."""
        return self._quorum.hosts

    def hosts_of(self, indices: Iterable[int]) -> str:
        """Connect string of the given members, in the given order."""
        return self._quorum.hosts_of(indices)

    def four_letter(self, index: int, cmd: str, timeout: float = 5.0) -> str:
        """Send a four-letter word to member ``index``."""
        return self._quorum.four_letter(index, cmd, timeout)

    @property
    def super_auth(self) -> tuple[str, str] | None:
        """``("digest", "super:<password>")`` for ``add_auth`` when ``super_password`` was set."""
        return None if self.super_password is None else ("digest", f"super:{self.super_password}")

    def log_tail(self, index: int, n: int = 40) -> str:
        return self._quorum.log_tail(index, n)

    def __len__(self) -> int:
        return len(self._quorum)

    def __repr__(self) -> str:
        return f"<ZooKeeperEnsemble size={self.size} hosts={self.hosts if self.members else '-'}>"

    # ------------------------------------------------------------ internals

    def _build_members(self, install: ZooKeeperInstall, java: str) -> None:
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="zk-ensemble-"))
        base = ports.pick_port_block(self.size)
        peer_ports = ports.pick_free_ports(2 * self.size)
        spec = tuple(
            cfg.QuorumMember(i + 1, base + i, peer_ports[2 * i], peer_ports[2 * i + 1])
            for i in range(self.size)
        )
        self.members = [
            ZooKeeperServer(
                settings=self.settings, keep_dir=self.keep_dir, base_dir=self._root,
                install=install, java=java,
                quorum=cfg.QuorumSpec(i + 1, spec, self.reconfig_enabled),
            )
            for i in range(self.size)
        ]


def _has_log(member: ZooKeeperServer) -> bool:
    """Whether a member's log tail goes into an error: it runs or still has its work dir."""
    return member.running or member.work_dir is not None
