"""ContainerZooKeeper: ZooKeeper in a Docker container through testcontainers (optional extra).

Works with any image that has the official ``zookeeper`` image's interface: the official
``zookeeper:3.8`` (the default) or zkrecipes' local image (``docker/zookeeper``, built by
``scripts/docker-engine.sh image``). testcontainers (and docker) are imported only when a
container is started, so the rest of the harness works without them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

import zkrecipes.testing.docker_support as ds
import zkrecipes.testing.ports as ports
from zkrecipes.exceptions import HarnessError, InvalidArgumentError, ServerStartError
from zkrecipes.testing.docker_support import DEFAULT_IMAGE, engine_available
from zkrecipes.testing.fourletter import four_letter, parse_mode

__all__ = ["DEFAULT_IMAGE", "ContainerZooKeeper", "engine_available"]

CLIENT_PORT = 2181  # inside the container; published on 127.0.0.1:<port>
_POLL = 0.2
_BIND_RETRIES = 3


class ContainerZooKeeper:
    """One ZooKeeper in a container, with :class:`ZooKeeperServer`'s interface.

    ``image`` defaults to ``ZKRECIPES_ZK_IMAGE`` or else the official ``zookeeper:3.8``.
    The harness defaults go in through the image's environment variables: 4lw whitelist
    ``four_letter_words`` (``*``), TTL nodes on (``ZOO_CFG_EXTRA``), container check every
    second and heap ``heap`` (``JVMFLAGS``), no admin server, no connection limit;
    ``extra_env`` overrides any of them. The client port is published on ``127.0.0.1`` only,
    on ``port`` or a free port picked once, so ``hosts`` stays the same across
    ``kill``/``restart``. ``network``/``aliases`` put the container on a user-defined
    network (what :class:`ContainerZooKeeperEnsemble` does). With ``host_network`` the
    container shares the host's network and ZooKeeper binds ``127.0.0.1:<port>`` itself
    (through ``ZOO_SERVERS``), so clients reach it from ``127.0.0.1`` as they reach a local
    server (no NAT: the server sees the client's loopback address).
    """

    def __init__(self, image: str | None = None, *, heap: str = "256m", extended_types: bool = True,
                 force_sync: bool = False, four_letter_words: str = "*", port: int | None = None,
                 extra_env: Mapping[str, str] | None = None, network: Any = None,
                 aliases: Sequence[str] = (), host_network: bool = False) -> None:
        if host_network and network is not None:
            raise InvalidArgumentError("host_network and network exclude each other")
        self.image = image or ds.default_image()
        jvm = [f"-Xmx{heap}", "-Dznode.container.checkIntervalMs=1000"]
        if not force_sync:
            jvm.append("-Dzookeeper.forceSync=no")
        self.env: dict[str, str] = {
            "ZOO_4LW_COMMANDS_WHITELIST": four_letter_words,
            "ZOO_ADMINSERVER_ENABLED": "false",
            "ZOO_MAX_CLIENT_CNXNS": "0",
            "ZOO_CFG_EXTRA": f"extendedTypesEnabled={'true' if extended_types else 'false'}",
            "JVMFLAGS": " ".join(jvm),
        }
        self.env.update(extra_env or {})
        self.host_network = host_network
        self.network = network
        self.aliases = tuple(aliases)
        self._port_fixed = port is not None
        self._port = port if port is not None else ports.pick_free_port()
        self._container: Any = None
        self._key = f"container-{uuid.uuid4().hex}"

    # ------------------------------------------------------------ properties

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        """The host port published for the client port (fixed for this object's life)."""
        return self._port

    @property
    def hosts(self) -> str:
        """Connect string: ``"127.0.0.1:<port>"``."""
        return f"127.0.0.1:{self._port}"

    @property
    def container_id(self) -> str | None:
        return None if self._container is None else str(self._wrapped().id)

    @property
    def running(self) -> bool:
        """True while the container runs (serving or not)."""
        return self._status() == "running"

    # ------------------------------------------------------------ lifecycle

    def start(self, timeout: float = 120.0, *, wait: bool = True) -> ContainerZooKeeper:
        """Create and start the container (or start it again after ``stop_container``/``kill``);
        with ``wait`` return once ZooKeeper serves (``srvr`` has a ``Mode:`` line).

        Raises ContainerEngineUnavailableError (no testcontainers / no engine) or
        ServerStartError (image missing and not pullable, the reaper failing, the container
        exiting or not serving in time — with the container log tail). A failed first start
        leaves no container behind. Idempotent while running.
        """
        fresh = self._container is None
        if fresh:
            self._create_and_start(timeout)
        elif not self.running:
            self._wrapped().start()
        if wait:
            try:
                self.wait_serving(timeout)
            except ServerStartError:
                if fresh:
                    self._remove()
                raise
        return self

    def _create_and_start(self, timeout: float) -> None:
        engine_available()
        ds.ensure_image(self.image, timeout)
        ds.prepare_reaper()
        ds.start_reaper()
        from testcontainers.core.container import DockerContainer

        for attempt in range(_BIND_RETRIES):
            env = dict(self.env)
            kwargs: dict[str, Any] = {"labels": ds.labels()}
            if self.host_network:
                # ZooKeeper itself binds loopback only; standalone mode opens no quorum ports.
                env.setdefault("ZOO_SERVERS", f"server.1=localhost:2888:3888;127.0.0.1:{self._port}")
                kwargs["network_mode"] = "host"
            container = DockerContainer(self.image, env=env)
            if not self.host_network:
                # Published on loopback only: nothing here is reachable from another machine.
                published: dict[str, Any] = container.ports  # docker-py takes (host_ip, host_port)
                published[f"{CLIENT_PORT}/tcp"] = ("127.0.0.1", self._port)
            container.with_kwargs(**kwargs)
            if self.network is not None:
                container.with_network(self.network).with_network_aliases(*self.aliases)
            try:
                container.start()
            except Exception as exc:
                self._discard(container)
                taken = "port is already allocated" in str(exc) or "address already in use" in str(exc)
                if taken and not self._port_fixed and attempt + 1 < _BIND_RETRIES:
                    self._port = ports.pick_free_port()
                    continue
                why = f"{type(exc).__name__}: {exc}"
                raise ServerStartError(f"cannot start container {self.image}: {why}") from exc
            self._container = container
            ds.track(self._key, self._remove)
            return

    def wait_serving(self, timeout: float = 120.0) -> None:
        """Block until ``srvr`` answers with a ``Mode:`` line; ServerStartError (with the log
        tail) when the container exits first or ``timeout`` passes. Does not stop it."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while True:
            status = self._status()
            if status in ("exited", "dead", None):
                raise self._start_error(f"container {self.image} is {status or 'gone'} while starting")
            try:
                if parse_mode(self.four_letter("srvr", 2.0)) is not None:
                    return
                last = "srvr has no Mode line yet"
            except OSError as exc:
                last = f"{type(exc).__name__}: {exc}"
            if time.monotonic() >= deadline:
                raise self._start_error(
                    f"container {self.image} on {self.hosts} not serving within {timeout}s ({last})")
            time.sleep(_POLL)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop and remove the container (and its anonymous volumes). Safe to call twice."""
        if self._container is not None:
            try:
                self._wrapped().stop(timeout=max(1, int(timeout)))
            except Exception:  # already gone or the engine is away: removal below reports nothing
                pass
            self._remove()

    close = stop

    def stop_container(self, timeout: float = 10.0) -> None:
        """Gracefully stop ZooKeeper (SIGTERM, SIGKILL after ``timeout``), keeping the container
        and its data for ``start``."""
        self._wrapped().stop(timeout=max(1, int(timeout)))

    def kill(self) -> None:
        """SIGKILL ZooKeeper's container (a crash); it is kept, with its data, for ``start``/``restart``."""
        wrapped = self._wrapped()
        wrapped.reload()
        if wrapped.status == "running":
            wrapped.kill()

    def restart(self, timeout: float = 120.0) -> ContainerZooKeeper:
        """Restart the container (same data, same host port) and wait until it serves again."""
        self._wrapped().restart(timeout=10)
        self.wait_serving(timeout)
        return self

    # ------------------------------------------------------------ inspection

    def four_letter(self, cmd: str, timeout: float = 5.0) -> str:
        """Send a four-letter word to the published client port; OSError when not answered."""
        return four_letter("127.0.0.1", self._port, cmd, timeout)

    def mode(self, timeout: float = 5.0) -> str | None:
        try:
            return parse_mode(self.four_letter("srvr", timeout))
        except OSError:
            return None

    def log_tail(self, n: int = 40) -> str:
        """The last ``n`` lines of the container's output ("" without a container)."""
        if self._container is None:
            return ""
        try:
            raw = self._wrapped().logs(tail=n)
        except Exception:
            return ""
        return raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)

    def exec(self, *command: str) -> str:
        """Run ``command`` in the running container; return its output (HarnessError on failure)."""
        code, output = self._wrapped().exec_run(list(command))
        text = output.decode("utf-8", errors="replace") if isinstance(output, bytes) else str(output)
        if code != 0:
            raise HarnessError(f"{' '.join(command)} exited with {code} in the container: {text}")
        return text

    def __enter__(self) -> ContainerZooKeeper:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<ContainerZooKeeper {self.image} {self.hosts} {self._status() or 'not started'}>"

    # ------------------------------------------------------------ internals

    def _wrapped(self) -> Any:
        if self._container is None:
            raise HarnessError("the container is not started")
        return self._container.get_wrapped_container()

    def _status(self) -> str | None:
        if self._container is None:
            return None
        try:
            wrapped = self._wrapped()
            wrapped.reload()
            return str(wrapped.status)
        except Exception:  # removed behind our back
            return None

    def _remove(self) -> None:
        container, self._container = self._container, None
        ds.untrack(self._key)
        if container is not None:
            self._discard(container)

    @staticmethod
    def _discard(container: Any) -> None:
        try:
            container.stop(force=True, delete_volume=True)
        except Exception:  # never created, or already removed
            pass

    def _start_error(self, summary: str) -> ServerStartError:
        tail = self.log_tail(40) or "(no container output)"
        return ServerStartError(f"{summary}\n--- last lines of the container log ---\n{tail}")
