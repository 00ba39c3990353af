"""ContainerZooKeeper: the official ``zookeeper`` image through testcontainers (optional extra).

testcontainers (and docker) are imported only when a container is started, so
the rest of the harness works without them.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from zkrecipes.exceptions import ContainerEngineUnavailableError, HarnessError, ServerStartError
from zkrecipes.testing.fourletter import four_letter, parse_mode

DEFAULT_IMAGE = "zookeeper:3.8"
_CLIENT_PORT = 2181  # inside the container; the host port is mapped to a free one
_POLL = 0.2


def engine_available(timeout: float = 5.0) -> None:
    """Return if testcontainers is importable and a Docker engine answers a ping.

    Raises :class:`ContainerEngineUnavailableError` saying which one is missing.
    """
    try:
        import docker
        import testcontainers.core.container  # noqa: F401
    except ImportError as exc:
        raise ContainerEngineUnavailableError(
            f"testcontainers is not installed ({exc}); pip install 'zkrecipes[testing]'"
        ) from exc
    try:
        client = docker.from_env(timeout=max(1, int(timeout)))
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # docker raises many unrelated types here
        raise ContainerEngineUnavailableError(
            f"no Docker engine answers ({type(exc).__name__}: {exc}); start Docker or set DOCKER_HOST"
        ) from exc


class ContainerZooKeeper:
    """One ZooKeeper in a container, with :class:`ZooKeeperServer`'s interface.

    The container runs ZooKeeper with the harness defaults (4lw whitelist ``*``,
    TTL nodes on, container check every second, no admin server, heap ``heap``).
    ``hosts`` may change after ``restart`` (Docker may map a new host port).
    """

    def __init__(self, image: str = DEFAULT_IMAGE, *, heap: str = "256m", extended_types: bool = True,
                 force_sync: bool = False, extra_env: Mapping[str, str] | None = None) -> None:
        self.image = image
        jvm = [f"-Xmx{heap}", "-Dznode.container.checkIntervalMs=1000"]
        if not force_sync:
            jvm.append("-Dzookeeper.forceSync=no")
        self.env: dict[str, str] = {
            "ZOO_4LW_COMMANDS_WHITELIST": "*",
            "ZOO_ADMINSERVER_ENABLED": "false",
            "ZOO_MAX_CLIENT_CNXNS": "0",
            "ZOO_CFG_EXTRA": f"extendedTypesEnabled={'true' if extended_types else 'false'}",
            "JVMFLAGS": " ".join(jvm),
        }
        self.env.update(extra_env or {})
        self._container: Any = None
        self._host = "127.0.0.1"
        self._port: int | None = None

    @property
    def hosts(self) -> str:
        if self._port is None:
            raise HarnessError("the container is not started")
        return f"{self._host}:{self._port}"

    @property
    def running(self) -> bool:
        if self._container is None:
            return False
        wrapped = self._container.get_wrapped_container()
        wrapped.reload()
        return bool(wrapped.status == "running")

    def start(self, timeout: float = 120.0) -> ContainerZooKeeper:
        """Pull/run the image and wait until ZooKeeper serves; raises
        ContainerEngineUnavailableError or ServerStartError (with the container log tail)."""
        if self._container is not None:
            return self
        engine_available()
        from testcontainers.core.container import DockerContainer

        container = DockerContainer(self.image).with_exposed_ports(_CLIENT_PORT)
        for key, value in self.env.items():
            container = container.with_env(key, value)
        try:
            container.start()
        except Exception as exc:
            raise ServerStartError(f"cannot start container {self.image}: {exc}") from exc
        self._container = container
        self._wait_serving(timeout)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop and remove the container. Safe to call twice."""
        if self._container is not None:
            try:
                self._container.stop()
            finally:
                self._container = None
                self._port = None

    close = stop

    def kill(self) -> None:
        """SIGKILL ZooKeeper's container (it is kept for ``restart``)."""
        self._wrapped().kill()

    def restart(self, timeout: float = 120.0) -> ContainerZooKeeper:
        """Restart the container (same data) and wait until it serves again."""
        self._wrapped().restart()
        self._wait_serving(timeout)
        return self

    def four_letter(self, cmd: str, timeout: float = 5.0) -> str:
        if self._port is None:
            raise HarnessError("the container is not started")
        return four_letter(self._host, self._port, cmd, timeout)

    def mode(self, timeout: float = 5.0) -> str | None:
        try:
            return parse_mode(self.four_letter("srvr", timeout))
        except OSError:
            return None

    def log_tail(self, n: int = 40) -> str:
        if self._container is None:
            return ""
        try:
            raw = self._wrapped().logs(tail=n)
        except Exception:
            return ""
        return raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)

    def __enter__(self) -> ContainerZooKeeper:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _wrapped(self) -> Any:
        if self._container is None:
            raise HarnessError("the container is not started")
        return self._container.get_wrapped_container()

    def _wait_serving(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            try:
                self._host = self._container.get_container_host_ip()
                self._port = int(self._container.get_exposed_port(_CLIENT_PORT))
                if self.four_letter("ruok", 2.0).strip() == "imok" and self.mode(2.0) is not None:
                    return
            except Exception as exc:  # port not mapped yet, connection refused …
                last = f"{type(exc).__name__}: {exc}"
            time.sleep(_POLL)
        tail = self.log_tail(40)
        self.stop()
        raise ServerStartError(f"container {self.image} not serving within {timeout}s ({last})\n{tail}")
