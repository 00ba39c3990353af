"""Which ZooKeeper the tests use: ``ZK_HOSTS`` → a local install → testcontainers (or one forced).

An :class:`ExternalZooKeeper` wraps a server the harness did not start (it can be
asked four-letter words, never killed). :func:`select_server` tries each source
in order and, when none works, raises ONE :class:`HarnessError` that names all
three and how to fix each.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Protocol

from zkrecipes.exceptions import HarnessError, InvalidArgumentError
from zkrecipes.testing.fourletter import four_letter, parse_mode, split_hostport


class ZooKeeperTarget(Protocol):
    """What a test needs from any server source."""

    @property
    def hosts(self) -> str: ...

    def four_letter(self, cmd: str, timeout: float = 5.0) -> str: ...

    def log_tail(self, n: int = 40) -> str: ...

    def stop(self) -> None: ...


def parse_zk_hosts(value: str) -> list[tuple[str, int]]:
    """Parse ``ZK_HOSTS`` (``host:port[,host:port…]``); raise InvalidArgumentError when malformed.

    A chroot suffix is refused: the fixtures add a chroot per test themselves.
    """
    text = value.strip()
    if not text:
        raise InvalidArgumentError("ZK_HOSTS is empty; expected host:port[,host:port...]")
    if "/" in text:
        raise InvalidArgumentError(f"ZK_HOSTS={value!r}: no chroot please (fixtures add one per test)")
    result = []
    for part in text.split(","):
        if not part.strip():
            raise InvalidArgumentError(f"ZK_HOSTS={value!r} has an empty entry")
        try:
            result.append(split_hostport(part))
        except InvalidArgumentError as exc:
            raise InvalidArgumentError(f"ZK_HOSTS={value!r}: {exc}") from None
    return result


def _format_host(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class ExternalZooKeeper:
    """A server or ensemble started by someone else (``ZK_HOSTS``): no kill, no restart."""

    def __init__(self, addresses: list[tuple[str, int]]) -> None:
        if not addresses:
            raise InvalidArgumentError("an external ZooKeeper needs at least one host:port")
        self.addresses = list(addresses)

    @classmethod
    def from_string(cls, value: str) -> ExternalZooKeeper:
        return cls(parse_zk_hosts(value))

    @property
    def hosts(self) -> str:
        return ",".join(_format_host(host, port) for host, port in self.addresses)

    def four_letter(self, cmd: str, timeout: float = 5.0) -> str:
        """Ask the first host that answers; OSError naming every failure when none does."""
        failures = []
        for host, port in self.addresses:
            try:
                return four_letter(host, port, cmd, timeout)
            except OSError as exc:
                failures.append(f"{_format_host(host, port)}: {type(exc).__name__}: {exc}")
        raise OSError(f"no ZooKeeper answered {cmd!r}: " + "; ".join(failures))

    def start(self, timeout: float = 10.0) -> ExternalZooKeeper:
        """Check that some host answers ``srvr`` (any answer: 4lw may be restricted)."""
        try:
            answer = self.four_letter("srvr", timeout)
        except OSError as exc:
            raise HarnessError(f"ZK_HOSTS={self.hosts} does not answer: {exc}") from exc
        if not answer:
            raise HarnessError(f"ZK_HOSTS={self.hosts} closed the connection without answering 'srvr'")
        return self

    def mode(self, timeout: float = 5.0) -> str | None:
        try:
            return parse_mode(self.four_letter("srvr", timeout))
        except OSError:
            return None

    def stop(self) -> None:
        """Nothing to do: the harness did not start this server."""

    def kill(self) -> None:
        raise HarnessError("cannot kill an external ZooKeeper (ZK_HOSTS); use a local server for fault tests")

    def restart(self, timeout: float = 60.0) -> ExternalZooKeeper:
        raise HarnessError("cannot restart an external ZooKeeper (ZK_HOSTS)")

    def log_tail(self, n: int = 40) -> str:
        return ""

    def __repr__(self) -> str:
        return f"<ExternalZooKeeper {self.hosts}>"


FIX_ZK_HOSTS = "set ZK_HOSTS=host:port[,host:port...] to a running ZooKeeper"
FIX_LOCAL = ("apt-get install zookeeper (Debian/Ubuntu, brings a JRE), or set ZOOKEEPER_HOME to an "
             "unpacked Apache ZooKeeper release (and have java on PATH or JAVA_HOME)")
FIX_CONTAINER = ("pip install 'zkrecipes[containers]' (testcontainers), start a Docker engine (docker info) "
                 "and have a ZooKeeper image on it (ZKRECIPES_ZK_IMAGE, default zookeeper:3.8)")


def no_server_message(reasons: Mapping[str, str]) -> str:
    """The combined error text: each source, why it failed and how to fix it."""
    fixes = {"ZK_HOSTS": FIX_ZK_HOSTS, "local ZooKeeper": FIX_LOCAL, "testcontainers": FIX_CONTAINER}
    lines = ["no ZooKeeper server for the tests; tried, in order:"]
    for number, (source, fix) in enumerate(fixes.items(), start=1):
        reason = reasons.get(source, "not tried")
        lines.append(f"  {number}. {source}: {reason}")
        lines.append(f"     fix: {fix}")
    return "\n".join(lines)


Factory = Callable[[], ZooKeeperTarget]


SERVER_ENV = "ZKRECIPES_ZK_SERVER"
#: Values of ``source`` / ``ZKRECIPES_ZK_SERVER`` / ``--zk-server``.
SOURCES = ("auto", "external", "local", "container")


def server_source(env: Mapping[str, str] | None = None, option: str | None = None) -> str:
    """The forced server source: ``option`` if given, else ``ZKRECIPES_ZK_SERVER``, else ``auto``.

    Raises InvalidArgumentError for a value not in :data:`SOURCES`.
    """
    environ = os.environ if env is None else env
    value = (option or environ.get(SERVER_ENV, "") or "auto").strip().lower()
    if value not in SOURCES:
        raise InvalidArgumentError(
            f"{SERVER_ENV}/--zk-server={value!r}: expected one of {', '.join(SOURCES)}")
    return value


def select_server(
    env: Mapping[str, str] | None = None,
    *,
    local: Factory | None = None,
    container: Factory | None = None,
    keep_dir: bool = False,
    source: str | None = None,
    image: str | None = None,
) -> ZooKeeperTarget:
    """Return a started, serving ZooKeeper: ``ZK_HOSTS`` if set, else a local server, else a container.

    ``local``/``container`` are factories returning a *started* target (defaults:
    :class:`ZooKeeperServer` and :class:`ContainerZooKeeper` on ``image``); each may raise
    HarnessError, which moves on to the next source. A malformed ``ZK_HOSTS``
    raises InvalidArgumentError at once, and one that does not answer raises
    HarnessError at once (the user asked for that server). When nothing works, one HarnessError
    lists every source, its failure and its fix.

    ``source`` (default: :func:`server_source`, i.e. ``ZKRECIPES_ZK_SERVER``) forces one source:
    ``external`` needs ``ZK_HOSTS``, ``local`` and ``container`` use only that factory and
    ignore ``ZK_HOSTS``; each raises its own error instead of falling back.
    """
    environ = os.environ if env is None else env
    forced = server_source(environ, source)
    reasons: dict[str, str] = {}
    raw = environ.get("ZK_HOSTS", "")
    local_factory = local or _default_local(keep_dir)
    container_factory = container or _default_container(image)
    if forced == "local":
        return local_factory()
    if forced == "container":
        return container_factory()
    if forced == "external" and not raw.strip():
        raise HarnessError(f"{SERVER_ENV}=external but ZK_HOSTS is not set; {FIX_ZK_HOSTS}")
    if raw.strip():
        # The user named a server: use it or fail, never silently test elsewhere.
        return ExternalZooKeeper.from_string(raw).start()
    reasons["ZK_HOSTS"] = "not set"
    for source_name, factory in (("local ZooKeeper", local_factory),
                                 ("testcontainers", container_factory)):
        try:
            return factory()
        except HarnessError as exc:
            reasons[source_name] = f"{type(exc).__name__}: {exc}"
    raise HarnessError(no_server_message(reasons))


def _default_local(keep_dir: bool) -> Factory:
    def start_local() -> ZooKeeperTarget:
        from zkrecipes.testing.server import ZooKeeperServer

        return ZooKeeperServer(keep_dir=keep_dir).start()

    return start_local


def _default_container(image: str | None) -> Factory:
    def start_container() -> ZooKeeperTarget:
        from zkrecipes.testing.container import ContainerZooKeeper

        # host network: the server sees clients at 127.0.0.1, exactly as a local server does
        return ContainerZooKeeper(image, host_network=True).start()

    return start_container
