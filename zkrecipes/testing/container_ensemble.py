"""ContainerZooKeeperEnsemble: a ZooKeeper quorum of containers on a user-defined Docker network."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

import zkrecipes.testing.docker_support as ds
from zkrecipes.exceptions import InvalidArgumentError, ServerStartError
from zkrecipes.testing.container import ContainerZooKeeper
from zkrecipes.testing.quorum import QuorumView


class ContainerZooKeeperEnsemble:
    """``size`` ZooKeeper containers forming one quorum, with :class:`ZooKeeperEnsemble`'s interface.

    The members run ``image`` (default ``ZKRECIPES_ZK_IMAGE`` or the official
    ``zookeeper:3.8``) on a network this object creates (labelled, removed by ``stop``); they
    find each other by the aliases ``zk1 .. zkN`` through ``ZOO_MY_ID`` and ``ZOO_SERVERS``.
    Member ``i`` (``myid`` i+1) publishes its client port on ``127.0.0.1`` only, on a port
    fixed for the object's life, so ``hosts`` survives kills and restarts.
    ``start()`` returns once every member serves and one leader is elected.
    """

    def __init__(self, size: int = 3, image: str | None = None, *, heap: str = "256m",
                 tick_time: int = 2000, force_sync: bool = False,
                 extra_env: Mapping[str, str] | None = None) -> None:
        if not isinstance(size, int) or size < 1:
            raise InvalidArgumentError(f"ensemble size must be a positive int, got {size!r}")
        self.size = size
        self.image = image or ds.default_image()
        self.heap = heap
        self.force_sync = force_sync
        self.extra_env = {"ZOO_TICK_TIME": str(tick_time), **(extra_env or {})}
        self.members: list[ContainerZooKeeper] = []
        self._quorum: QuorumView[ContainerZooKeeper] = QuorumView(lambda: self.members, size)
        self._network: Any = None
        self._key = f"network-{uuid.uuid4().hex}"

    # ------------------------------------------------------------ lifecycle

    def start(self, timeout: float = 180.0) -> ContainerZooKeeperEnsemble:
        """Create the network and the members; wait until all serve and a leader is elected.

        On failure every member and the network are removed and ServerStartError (with each
        member's log tail) or ContainerEngineUnavailableError is raised. Idempotent when started.
        """
        if self.members and all(m.running for m in self.members):
            return self
        self.stop()
        ds.engine_available()
        ds.ensure_image(self.image, timeout)
        ds.prepare_reaper()
        ds.start_reaper()
        from testcontainers.core.network import Network

        self._network = Network(docker_network_kw={"labels": ds.labels()}).create()
        ds.track(self._key, self.stop)
        servers = " ".join(f"server.{i + 1}=zk{i + 1}:2888:3888;2181" for i in range(self.size))
        try:
            for i in range(self.size):
                env = {**self.extra_env, "ZOO_MY_ID": str(i + 1), "ZOO_SERVERS": servers}
                member = ContainerZooKeeper(self.image, heap=self.heap, force_sync=self.force_sync,
                                            extra_env=env, network=self._network, aliases=[f"zk{i + 1}"])
                self.members.append(member)
                member.start(timeout, wait=False)
            self._quorum.wait_quorum(range(self.size), timeout)
        except BaseException as exc:
            failed = isinstance(exc, ServerStartError)
            error = self._quorum.error(f"ensemble did not start: {exc}") if failed else exc
            self.stop()
            if error is exc:
                raise
            raise error from exc
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Remove every member container and the network. Safe to call twice."""
        for member in self.members:
            member.stop(timeout)
        self.members = []
        network, self._network = self._network, None
        ds.untrack(self._key)
        if network is not None:
            try:
                network.remove()
            except Exception:  # already gone with the engine
                pass

    close = stop

    def __enter__(self) -> ContainerZooKeeperEnsemble:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # ------------------------------------------------------------ one member

    def member(self, index: int) -> ContainerZooKeeper:
        """The member at ``index`` (raises InvalidArgumentError for a bad index)."""
        return self._quorum.member(index)

    def stop_member(self, index: int, timeout: float = 10.0) -> None:
        """Gracefully stop one member's container, keeping its data for ``start_member``."""
        self.member(index).stop_container(timeout)

    def kill_member(self, index: int) -> None:
        """SIGKILL one member's container (a crash); its data and host port are kept."""
        self.member(index).kill()

    def start_member(self, index: int, timeout: float = 90.0) -> None:
        """Start a stopped member again and wait until it serves (it has rejoined the quorum)."""
        self.member(index).start(timeout, wait=False)
        self._quorum.wait_quorum([index], timeout, need_leader=False)

    def restart_member(self, index: int, timeout: float = 90.0) -> None:
        """Stop (if running) and start one member on the same data and host port; waits until it serves."""
        self.stop_member(index)
        self.start_member(index, timeout)

    def ensure_running(self, timeout: float = 120.0) -> None:
        """Start every member that is not running and wait for a serving quorum with a leader."""
        for member in self.members:
            if not member.running:
                member.start(timeout, wait=False)
        self._quorum.wait_quorum(range(self.size), timeout)

    def wait_serving(self, indices: Iterable[int] | None = None, timeout: float = 90.0) -> None:
        """Block until the given members (default: every running one) serve with a Mode line."""
        self._quorum.wait_serving(indices, timeout)

    # ------------------------------------------------------------ roles

    def mode(self, index: int, timeout: float = 5.0) -> str | None:
        """The ``Mode:`` of member ``index`` (None when down or not serving)."""
        return self._quorum.mode(index, timeout)

    def modes(self) -> list[str | None]:
        return self._quorum.modes()

    def leader(self) -> int | None:
        """Index of the member that says it is leader, or None when there is none now."""
        return self._quorum.leader()

    def followers(self) -> list[int]:
        return self._quorum.followers()

    def wait_for_leader(self, timeout: float = 60.0, exclude: Iterable[int] = ()) -> int:
        """Block until a member not in ``exclude`` is leader; return its index (ServerStartError
        with the members' log tails after ``timeout`` s)."""
        return self._quorum.wait_for_leader(timeout, exclude)

    # ------------------------------------------------------------ addresses

    @property
    def hosts(self) -> str:
        return self._quorum.hosts

    def hosts_of(self, indices: Iterable[int]) -> str:
        return self._quorum.hosts_of(indices)

    def four_letter(self, index: int, cmd: str, timeout: float = 5.0) -> str:
        return self._quorum.four_letter(index, cmd, timeout)

    @property
    def super_auth(self) -> tuple[str, str] | None:
        """Always None: container members run without a super user."""
        return None

    def log_tail(self, index: int, n: int = 40) -> str:
        return self._quorum.log_tail(index, n)

    def __len__(self) -> int:
        return len(self._quorum)

    def __repr__(self) -> str:
        return f"<ContainerZooKeeperEnsemble size={self.size} hosts={self.hosts if self.members else '-'}>"
